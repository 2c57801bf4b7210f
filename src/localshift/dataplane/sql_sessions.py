"""Running SQL on a cluster as a database user, through its SQL endpoint.

A ``SqlSession`` is one login to a cluster's public port, through the wire front like any
client's (so the session is an ordinary one of that user: Redshift's SQL, query history and
the engine's real pids apply), with credentials the caller holds: a password, or a temporary
credential (credentials.py).

``run`` sends one statement with its parameters (``$1``, ``$2``...: PostgreSQL's own
placeholders, values sent as text of unknown type so the engine casts them, as Redshift
does) and streams the rows to a callback in chunks, so a result never sits in memory whole.
Values arrive typed: int (int2/int4/int8), float (float4/float8), bool, bytes (VARBYTE, whose
text the front sends as Redshift does, hex digits, described as Redshift's ``varbyte``), None
for NULL, and every other type as the engine's text.  Each completion carries the statement's
query id, which the front gave it as it completed (``history``: the front's, asked for the
session's backend pid; nothing is asked of the engine); so does the SqlError of a statement
that failed in the engine, which the front records too.  ``cancel`` (from another thread) sends
a CancelRequest, which the front forwards to the engine.

The session's own statements (the column descriptions a result needs, ``reset``'s ROLLBACK and
DISCARD ALL) are not the user's: the front is told not to record them (front_history.py
``unrecorded``, ``skip_next``), so the user's query history holds the user's statements only.
Nor are they bound by what the user SET in the session: the column descriptions run in one Query
that first sets ``statement_timeout`` and ``lock_timeout`` to 0 and ``search_path`` to pg_catalog
for its own transaction (SET LOCAL; in the user's transaction block, inside a savepoint rolled back
after them, so the block and its settings are the user's again), with every name qualified.  A
user's ``SET statement_timeout TO 100`` would otherwise fail a SELECT that finished, when its
description took longer on a busy machine (Redshift describes a result with the result).  (The
front reads pg_class and its kin from localshift's views whatever the search_path; the path and
the qualified names keep an operator or type in a schema of the user's, which an older localshift
let users create and a snapshot may hold, from answering.)  Only the Query's first statement still
runs under the user's timeout.
``reset`` sends DISCARD ALL without waiting for its answer, which ``reusable`` reads.
A statement that changes the session's ``client_encoding`` from UTF-8, or its ``DateStyle`` from
ISO, fails and ends the session, as the JDBC driver the Data API runs on ends its own
(``_check_driver_settings``).
``reusable`` says whether a statement may run as on a new login: nothing came from the front
while the session was idle (what comes then is its end: the engine stopped, the session was
terminated), and no role or database setting of the engine changed since the login
(front_history.py ``logins_changed``: a dropped user must not go on, an altered one logs in
anew).
"""

from __future__ import annotations

import select
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generator, Sequence

import psycopg
from psycopg import generators, pq, waiting
from psycopg.adapt import AdaptersMap, Transformer
from psycopg.postgres import types as builtin_types
from psycopg.types.bool import BoolLoader
from psycopg.types.numeric import FloatLoader, IntLoader
from psycopg.types.string import ByteaLoader, TextLoader

from .api import Column, Completion, RowSink, SqlConnectionError, SqlError
from .redshift_sql.row_descriptions import VARBYTE_OID

if TYPE_CHECKING:
    from psycopg.pq.abc import PGresult  # pq.PGresult is the implementation psycopg chose at run time

    from .front_history import FrontHistory

CHUNK_ROWS = 2000
# How long a wait for the engine sleeps before it checks the connection is still there (psycopg's
# default of 0 would spin, holding the GIL).
WAIT_INTERVAL = 1.0

_ADAPTERS = AdaptersMap()
_ADAPTERS.register_loader(0, TextLoader)  # every type without a loader below arrives as its text
for _name, _loader in (("int2", IntLoader), ("int4", IntLoader), ("int8", IntLoader), ("float4", FloatLoader),
                       ("float8", FloatLoader), ("bool", BoolLoader), ("bytea", ByteaLoader)):
    _ADAPTERS.register_loader(builtin_types[_name].oid, _loader)


class _VarbyteLoader(psycopg.adapt.Loader):
    """A VARBYTE value as the front sends it: hex digits."""

    def load(self, data: Any) -> bytes:
        return bytes.fromhex(bytes(data).decode("ascii"))


_ADAPTERS.register_loader(VARBYTE_OID, _VarbyteLoader)

# The column descriptions: type names (attnum 0, which no column has) and columns of tables, by
# oid ({...}: an array's text of oids, numbers only).
_TYPE_NAMES = """
SELECT t.oid::pg_catalog.int8, 0::pg_catalog.int4, ''::pg_catalog.name, t.typname, false
FROM pg_catalog.pg_type t WHERE t.oid = ANY('{{{oids}}}'::pg_catalog.oid[])"""
_TABLE_COLUMNS = """
SELECT a.attrelid::pg_catalog.int8, a.attnum::pg_catalog.int4, n.nspname, c.relname, a.attnotnull
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE a.attrelid = ANY('{{{oids}}}'::pg_catalog.oid[])"""
# What the descriptions run with, whatever the user SET: for their own transaction (the Query's
# implicit one, or a savepoint of the user's transaction block).
_UNBOUND = ("SET LOCAL statement_timeout = 0", "SET LOCAL lock_timeout = 0",
            "SET LOCAL search_path = pg_catalog, pg_temp")
_IN_BLOCK = ("SAVEPOINT localshift_describe",
             ("ROLLBACK TO SAVEPOINT localshift_describe", "RELEASE SAVEPOINT localshift_describe"))
_DISCARD = "DISCARD ALL"
_UTF8 = ("UTF8", "UTF-8", "UNICODE")


class SqlSession:
    """The real api.SqlSession: psycopg over the endpoint's TCP port."""

    def __init__(self, port: int, user: str, password: str, database: str, connect_timeout: float = 10.0,
                 history: FrontHistory | None = None, engine_key: str = "") -> None:
        """``history``: the front's for the engine ``engine_key`` (None: ids are -1, everything is
        recorded, and only the connection's end makes the session not reusable)."""
        self._history, self._engine_key = history, engine_key
        # Read before logging in: a change while the login is under way is seen as one after it.
        self._logins_seen = history.logins_changed(engine_key) if history is not None else 0
        try:
            # Over TLS, which every endpoint serves and a require_ssl one needs; "require", not libpq's "prefer",
            # which would retry a refused login in plain text and report that attempt's refusal instead.
            # client_encoding UTF8 and DateStyle ISO in the login, as the JDBC driver sends them: a database's or
            # user's own defaults (ALTER DATABASE ... SET client_encoding) do not apply, and DISCARD ALL comes back
            # to them.
            self._conn = psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=database,
                                         autocommit=True, connect_timeout=max(1, int(connect_timeout)),
                                         sslmode="require", context=_ADAPTERS, application_name="localshift-data-api",
                                         client_encoding="UTF8", options="-c DateStyle=ISO")
        except psycopg.Error as error:
            raise SqlConnectionError(_server_message(error)) from None
        self.pid = self._conn.info.backend_pid
        self._resetting = False  # a reset sent, its answer not read yet

    @property
    def closed(self) -> bool:
        return self._conn.closed or self._conn.pgconn.status != pq.ConnStatus.OK

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (once the answer to a reset under way is read)."""
        return self._reset_done() and self._conn.pgconn.transaction_status != pq.TransactionStatus.IDLE

    def run(self, statement: str, values: Sequence[str | None] = (), rows: RowSink | None = None) -> Completion:
        """Run one statement (``values``: its parameters, None for NULL); ``rows`` gets the result's rows in
        chunks.  If ``rows`` raises, the statement is cancelled (unless those were its last rows) and the
        exception raised once the engine has stopped; if it ended before the cancel reached it, the session
        is closed, so the cancel can reach no later statement."""
        before = self._last_query_id()
        try:
            completion = self._execute(statement, values, rows)
        except SqlError as error:  # the front recorded the failure too, with an id of its own
            error.query_id = self._query_id_since(before)
            raise
        # A statement the front does not record (empty, or a comment alone) has no id: not the last one's.
        completion = replace(completion, query_id=self._query_id_since(before))
        if completion.columns is None:
            return completion
        return replace(completion, columns=self._describe(completion.columns))

    def _last_query_id(self) -> int:
        return -1 if self._history is None else self._history.last_query_id(self._engine_key, self.pid)

    def _query_id_since(self, before: int) -> int:
        """The id of the statement just run: -1 when the front recorded none since ``before``."""
        after = self._last_query_id()
        return after if after != before else -1

    def reusable(self) -> bool:
        """Whether another statement may run here as on a new login of the same user (see above);
        the answer to a ``reset`` is read here."""
        if self.closed or not self._reset_done():
            return False
        if self._history is not None and self._history.logins_changed(self._engine_key) != self._logins_seen:
            return False
        readable, _, _ = select.select([self._conn.pgconn.socket], [], [], 0)
        return not readable

    def _own(self, statements: Sequence[str], rows: RowSink | None = None) -> Completion:
        """Run statements of the session's own in one Query, kept out of the query history."""
        query = ";\n".join(statements)
        if self._history is None:
            return self._execute(query, None, rows)
        with self._history.unrecorded(self._engine_key, self.pid, statements):
            return self._execute(query, None, rows)

    def _execute(self, statement: str, values: Sequence[str | None] | None, rows: RowSink | None) -> Completion:
        """Run ``statement`` with ``values`` (None: a simple Query, which may hold several statements;
        ``rows`` gets the rows of them all)."""
        if not self._reset_done():
            raise SqlConnectionError("the connection to the cluster was lost: it could not be reset")
        pgconn = self._conn.pgconn
        transformer = Transformer(self._conn)
        columns: tuple[Column, ...] | None = None
        command, error, stopped, cancelling = "", None, None, False
        try:
            if values is None:
                pgconn.send_query(statement.encode())
            else:
                pgconn.send_query_params(statement.encode(), [None if v is None else v.encode() for v in values] or None)
            pgconn.set_chunked_rows_mode(CHUNK_ROWS)
            self._wait(generators.send(pgconn))
            while (result := self._wait(generators.fetch(pgconn))) is not None:
                status = result.status
                if status in (pq.ExecStatus.TUPLES_CHUNK, pq.ExecStatus.TUPLES_OK):
                    if columns is None:
                        columns = _columns(result)
                    if result.ntuples and rows is not None and stopped is None:
                        transformer.set_pgresult(result)
                        try:
                            rows(columns, transformer.load_rows(0, result.ntuples, tuple))
                        except Exception as reason:  # the caller wants no more: stop the engine too
                            stopped = reason
                            if status == pq.ExecStatus.TUPLES_CHUNK:  # else these were the last rows: it ended
                                cancelling = True
                                self.cancel()
                elif status == pq.ExecStatus.FATAL_ERROR:
                    error = SqlError(_field(result, pq.DiagnosticField.SQLSTATE) or "XX000",
                                     _field(result, pq.DiagnosticField.MESSAGE_PRIMARY) or "unknown error")
                elif status == pq.ExecStatus.COPY_IN:
                    pgconn.put_copy_end(b"COPY FROM STDIN has no client to read from here")
                    self._wait(generators.send(pgconn))
                elif status == pq.ExecStatus.COPY_OUT:
                    self._wait(generators.copy_from(pgconn))  # nobody to write to: read to its end
                if result.command_status:  # in chunked mode, the last chunk carries it
                    command = result.command_status.decode()
        except psycopg.Error as failure:
            self._conn.close()
            raise SqlConnectionError(f"the connection to the cluster was lost: {_server_message(failure)}") from None
        self._check_driver_settings()
        if stopped is not None:
            if cancelling and not (error is not None and error.cancelled):
                self._conn.close()  # the statement ended first: the cancel, still on its way, must reach nothing
            raise stopped
        if error is not None:
            raise error
        return Completion(columns, command, _count(command))

    def _check_driver_settings(self) -> None:
        """The Data API reads its sessions over JDBC, whose driver requires client_encoding UTF8 and a
        DateStyle beginning with ISO: a statement that changed either ends the session, in the driver's
        words (its text, or its dates, could no longer be trusted to be what the results say)."""
        pgconn = self._conn.pgconn
        encoding = (pgconn.parameter_status(b"client_encoding") or b"UTF8").decode("ascii", "replace")
        date_style = (pgconn.parameter_status(b"DateStyle") or b"ISO").decode("ascii", "replace")
        if encoding.upper() not in _UTF8:
            problem = (f"The server's client_encoding parameter was changed to {encoding}. "
                       "The JDBC driver requires client_encoding to be UTF8 for correct operation.")
        elif not date_style.upper().startswith("ISO"):
            problem = (f"The server's DateStyle parameter was changed to {date_style}. "
                       "The JDBC driver requires DateStyle to begin with ISO for correct operation.")
        else:
            return
        self._conn.close()
        raise SqlConnectionError(problem)

    def cancel(self) -> None:
        """Cancel what the session runs (any thread); nothing happens when it is idle."""
        try:
            self._conn.cancel_safe(timeout=10)
        except psycopg.Error:
            pass  # the session is gone: nothing runs there any more

    def reset(self) -> bool:
        """Make the session like a new one (another statement of the same user may use it once
        ``reusable`` says so); False when it cannot be reused.  ``DISCARD ALL`` is sent, and its
        answer read by ``reusable``: the statement before it does not wait for its round trip."""
        if self.closed:
            return False
        pgconn = self._conn.pgconn
        try:
            if self.in_transaction:
                self._own(["ROLLBACK"])
            if self._history is not None:
                self._history.skip_next(self._engine_key, self.pid, [_DISCARD])
            pgconn.send_query_params(_DISCARD.encode(), None)
            self._wait(generators.send(pgconn))
        except (SqlError, SqlConnectionError, psycopg.Error):
            self.close()
            return False
        self._resetting = True
        return True

    def _reset_done(self) -> bool:
        """Whether the reset sent last (if any) succeeded; its answer read (else the session is closed)."""
        if not self._resetting:
            return True
        self._resetting = False
        try:
            results = []
            while (result := self._wait(generators.fetch(self._conn.pgconn))) is not None:
                results.append(result.status)
        except psycopg.Error:
            results = [pq.ExecStatus.FATAL_ERROR]
        if results != [pq.ExecStatus.COMMAND_OK]:
            self.close()
            return False
        return True

    def close(self) -> None:
        self._conn.close()

    def _wait(self, generator: Generator[Any, Any, Any]) -> Any:
        return waiting.wait(generator, self._conn.pgconn.socket, interval=WAIT_INTERVAL)

    def _describe(self, columns: tuple[Column, ...]) -> tuple[Column, ...]:
        """Fill in what the result's description lacks: type names the driver does not know,
        and, for columns of tables, their schema, table and nullability."""
        unknown = sorted({c.type_oid for c in columns if not c.type_name})
        tables = sorted({c.table_oid for c in columns if c.table_oid})
        names: dict[int, str] = {}
        where: dict[tuple[int, int], tuple[str, str, bool]] = {}
        if unknown or tables:
            queries = [query.format(oids=",".join(map(str, oids)))
                       for query, oids in ((_TYPE_NAMES, unknown), (_TABLE_COLUMNS, tables)) if oids]
            statements = [*_UNBOUND, " UNION ALL ".join(queries).strip()]
            if self._conn.pgconn.transaction_status == pq.TransactionStatus.INTRANS:
                start, ends = _IN_BLOCK
                statements = [start, *statements, *ends]

            def found(_: tuple[Column, ...], got: list[tuple]) -> None:
                for oid, number, schema, name, not_null in got:
                    if number:
                        where[(oid, number)] = schema, name, not_null
                    else:
                        names[oid] = name

            self._own(statements, found)
        described = []
        for column in columns:
            schema, table, not_null = where.get((column.table_oid, column.table_column), ("", "", False))
            described.append(replace(column, type_name=column.type_name or names.get(column.type_oid, "unknown"),
                                     schema=schema, table=table, not_null=not_null))
        return tuple(described)


def _columns(result: PGresult) -> tuple[Column, ...]:
    columns = []
    for i in range(result.nfields):
        oid = result.ftype(i)
        info = builtin_types.get(oid)
        columns.append(Column((result.fname(i) or b"").decode(), oid, info.name if info else "", result.fmod(i),
                              result.ftable(i), result.ftablecol(i)))
    return tuple(columns)


def _field(result: PGresult, field: pq.DiagnosticField) -> str:
    value = result.error_field(field)
    return value.decode("utf-8", "replace") if value else ""


def _count(command: str) -> int:
    last = command.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() and " " in command else -1


def _server_message(error: psycopg.Error) -> str:
    """The server's own words (FATAL: ...) when it gave any, else the driver's."""
    text = str(error).strip()
    return text.rsplit(": FATAL:", 1)[-1].strip() if ": FATAL:" in text else text
