"""The query history: statements that went through a cluster's SQL endpoint,
written into ``localshift.query_history`` of the database they ran in.

The wire front calls ``record`` when a statement completes (a deque append, on
the front's event loop); every ``interval`` seconds a background thread sorts what
was recorded by engine and hands each engine's rows to a writer of that engine's
own, which writes them through the internal role and keeps, per database, the rows
of the engine's newest ``keep_rows`` ids.  Engines of every account share the
recorder, and an engine's user can hold its writer up (a ``LOCK`` of the history
table in an open transaction keeps it waiting until the service's lock timeout,
again for every batch): one engine's writer never waits for another's, so no
account's history, nor the statements that wait for it, waits for another
account's engine.  ``record`` returns a ticket and the entry's query id; once
``written_for(engine)`` reaches the ticket, the entry is in the engine (or lost
with its engine), and ``flush`` writes what was recorded at once (of one engine,
or of all).
Connections are opened per batch, so none lingers to stop a DROP DATABASE.  The
engine-side views (STL_QUERY, SYS_QUERY_HISTORY, ...) read the table.

``record_connection`` queues the same way what the front saw of a session's
connection (initiating session, authenticated, disconnecting session), written into
``localshift.connection_log`` of the session's database (STL_CONNECTION_LOG), and
``record_failed_refresh`` a user's REFRESH MATERIALIZED VIEW that failed (SVL_MV_REFRESH_STATUS):
its own transaction rolled back, so the writer's records it; ``record_procedure_messages`` what a
CALL's procedures raised (``localshift.procedure_messages``: SVL_STORED_PROC_MESSAGES).

Query ids are given as statements complete, from one counter per engine, so the
front knows a statement's id before it is written (what the Data API reports as
RedshiftQueryId costs nothing) and ids are unique across an engine's databases,
as Redshift's are across a cluster's.  The counter starts past the highest id
the engine's databases hold (``read_ids``, on a thread: the front does it before
an engine's first session, and again after the engine is served anew, since a
restore or a re-created engine brings other history) and never goes back.  An
engine without the Redshift catalog keeps no history: its statements are not
recorded and their id is -1.

Ids are given from blocks of ``ID_BLOCK`` reserved in the engine before use
(``localshift.query_ids_reserved`` in its ``postgres`` database, committed: it
outlives a crash of the service and travels in snapshots).  The counter starts
past the last reservation too, so an id given but not yet written when the
service was killed is never given again; each start skips what was left of its
block.  The writer reserves the next block when half of the current one is used.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import deque
from typing import Callable, NamedTuple, Sequence

import psycopg

from ..masking import mask_passwords
from ..roles import INTERNAL_DATABASES

log = logging.getLogger(__name__)

Entry = tuple  # (pid, user, text bytes, start, end, tag bytes | None, (code, message) | None)
# (event, time, remote host, remote port, pid, user, application name, TLS version, cipher, duration in µs)
ConnectionEvent = tuple
Connect = Callable[[str, str], psycopg.Connection]
FailedRefresh = tuple  # (view oid, pid, user, start, end)

MAX_TEXT = 65536
# COPY writes the identity column's values as given (what OVERRIDING SYSTEM VALUE does for INSERT).
_COPY = ("COPY localshift.query_history (query_id, pid, user_name, database_name, query_text, start_time, "
         "end_time, status, command_tag, row_count, error_code, error_message) FROM STDIN")
_CONNECTION_COPY = ("COPY localshift.connection_log (event_id, event, recordtime, remotehost, remoteport, pid, "
                    "dbname, username, duration, sslversion, sslcipher, application_name) FROM STDIN")
# The writer numbers connection events itself, after the highest (it alone writes the table): the
# identity's sequence is one Redshift superusers may set (pg_write_all_data covers sequences), and
# set back it would make every later COPY fail on the key, keeping sessions out of the log.
_HIGHEST_EVENT_ID = "SELECT coalesce(max(event_id), 0) FROM localshift.connection_log"
_CONNECTION_PRUNE = ("DELETE FROM localshift.connection_log WHERE event_id <= "
                     "(SELECT max(event_id) FROM localshift.connection_log) - %s")
# The catalog's view records them in SVL_MV_REFRESH_STATUS with Redshift's words, and keeps its newest rows.
_FAILED_REFRESH_COPY = ("COPY localshift.failed_mv_refreshes (view_oid, session_id, user_name, starttime, endtime)"
                        " FROM STDIN")
_PROCEDURE_MESSAGE_COPY = ("COPY localshift.procedure_messages (query_id, pid, user_name, record_time, log_level,"
                           " message, line_number) FROM STDIN")
_PROCEDURE_MESSAGE_PRUNE = ("DELETE FROM localshift.procedure_messages WHERE query_id <= "
                            "(SELECT max(query_id) FROM localshift.query_history) - %s")
ID_BLOCK = 10_000
_RESERVATIONS = "postgres"  # the engine's own database: every engine has it, and it cannot be dropped
_RESERVED = "SELECT coalesce(max(reserved), 0) FROM localshift.query_ids_reserved"
_RESERVE = "UPDATE localshift.query_ids_reserved SET reserved = greatest(reserved, %s)"
_FIRST_RESERVATION = "INSERT INTO localshift.query_ids_reserved VALUES (%s)"
# The catalog's table, in the catalog's schema (the internal role's: a database an older localshift let
# its owner create from template0 may hold a user's schema of that name, whose triggers and views
# would run as the internal role).
_HAS_HISTORY = ("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'localshift' AND c.relname = 'query_history' AND c.relkind = 'r'"
                " AND n.nspowner = c.relowner AND pg_get_userbyid(n.nspowner) = current_user")
_HIGHEST_ID = "SELECT coalesce(max(query_id), 0) FROM localshift.query_history"
# Command tags of what changes a login or a new session's settings, and of a transaction's end.
_LOGIN_CHANGES = frozenset((b"ALTER ROLE", b"DROP ROLE", b"ALTER DATABASE", b"DROP DATABASE",
                            b"ALTER USER", b"DROP USER"))  # (the tags users.py's statements get: command_tags.py)
_TRANSACTION_ENDS = frozenset((b"COMMIT", b"ROLLBACK"))
_PRUNE = ("DELETE FROM localshift.query_history WHERE query_id <= "
          "(SELECT max(query_id) FROM localshift.query_history) - %s")


class QueryRecorder:
    def __init__(self, connect: Connect, interval: float = 0.2, keep_rows: int = 100_000,
                 max_queued: int = 100_000) -> None:
        self._connect = connect
        self._interval = interval
        self._keep_rows = keep_rows
        self._max_queued = max_queued
        self._queue: deque = deque(maxlen=max_queued)  # the oldest entries go first when full
        self.recorded = 0  # entries recorded (on the front's loop): the last ticket given
        self._written: dict[str, int] = {}  # engine -> the ticket of its last entry written
        # What was recorded, sorted by engine (engine -> (ticket, database, table, row)); the oldest go
        # first when an engine's writer is held up that long.
        self._pending: dict[str, deque] = {}
        self._sorting = threading.Lock()  # over _pending and _writers
        self._writers: set[str] = set()  # engines whose writer thread runs
        self._engine_locks: dict[str, threading.Lock] = {}  # one writer per engine at a time (a thread or flush())
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last_ids: dict[str, int | None] = {}  # engine -> the last id given (None: no history)
        self._reserved: dict[str, int] = {}  # engine -> the highest id reserved (none: no bound)
        self._to_reserve: set[str] = set()  # engines whose next block the writer reserves
        self._to_read: set[str] = set()  # engines whose ids are read again before their next session
        self._unrecorded: dict[tuple[str, int], list[bytes]] = {}  # (engine, pid) -> the texts not to record next
        self.logins_changed: dict[str, int] = {}  # engine -> roles or database settings changed (a count)
        self._changing_logins: set[tuple[str, int]] = set()  # (engine, pid): changed them in its transaction

    def record(self, engine_key: str, database: str, entry: Entry) -> tuple[int, int]:
        """Queue ``entry`` (on the front's loop); its ticket and query id.  An engine that keeps
        no history, or whose ids were never read, or a statement ``skip_next`` named: nothing is
        queued, ticket 0 and id -1."""
        pid, text, tag, error = entry[0], entry[2], entry[5], entry[6]
        if error is None:
            self._follow_logins(engine_key, pid, tag)
        skipped = self._unrecorded.get((engine_key, pid))
        if skipped and skipped[0] == text:
            del skipped[0]
            if not skipped:
                del self._unrecorded[(engine_key, pid)]
            return 0, -1
        last = self._last_ids.get(engine_key)
        if last is None:
            return 0, -1
        self._last_ids[engine_key] = query_id = last + 1
        reserved = self._reserved.get(engine_key)
        if reserved is not None and query_id > reserved - ID_BLOCK // 2 and engine_key not in self._to_reserve:
            self._to_reserve.add(engine_key)
            self._wake.set()
        return self._queued(engine_key, database, _QUERIES, (query_id, *entry)), query_id

    def record_connection(self, engine_key: str, database: str, event: ConnectionEvent) -> None:
        """Queue a connection event of a session (on the front's loop); nothing when the engine
        keeps no history."""
        if self._last_ids.get(engine_key) is not None:
            self._queued(engine_key, database, _CONNECTIONS, event)

    def record_failed_refresh(self, engine_key: str, database: str, refresh: FailedRefresh) -> None:
        """Queue a user's REFRESH MATERIALIZED VIEW that failed (on the front's loop), for
        SVL_MV_REFRESH_STATUS: its transaction rolled back, so it is written in another."""
        if self._last_ids.get(engine_key) is not None:
            self._queued(engine_key, database, _FAILED_REFRESHES, refresh)

    def record_procedure_messages(self, engine_key: str, database: str, query_id: int, pid: int, user: str,
                                  messages: Sequence[tuple[float, str, str, int]]) -> int:
        """Queue the messages a CALL's procedures raised (on the front's loop), after the CALL's own
        entry (query ``query_id``); the last one's ticket."""
        ticket = 0
        for message in messages:
            ticket = self._queued(engine_key, database, _PROCEDURE_MESSAGES, (query_id, pid, user, *message))
        return ticket

    def _queued(self, engine_key: str, database: str, table: "_Log", row: tuple) -> int:
        """Queue ``row`` for ``table`` (the writer starts with the first); its ticket."""
        self.recorded += 1
        self._queue.append((self.recorded, engine_key, database, table, row))
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="localshift-query-history",
                                            daemon=True)
            self._thread.start()
        return self.recorded

    def skip_next(self, engine_key: str, pid: int, texts: Sequence[bytes] | None) -> None:
        """The session ``pid`` of the engine runs ``texts`` next (the statements of one Query, in
        order), which are not to be recorded (any thread; None: nothing is skipped any more)."""
        if texts is None:
            self._unrecorded.pop((engine_key, pid), None)
        else:
            self._unrecorded[(engine_key, pid)] = list(texts)

    def _follow_logins(self, engine_key: str, pid: int, tag: bytes | None) -> None:
        """Count what changes how a login goes, or what a new session starts with: a role (dropped,
        altered, its password, its settings) or a database's settings; once as it completes and
        again when the transaction it ran in commits."""
        if tag in _LOGIN_CHANGES:
            self.logins_changed[engine_key] = self.logins_changed.get(engine_key, 0) + 1
            self._changing_logins.add((engine_key, pid))
        elif tag in _TRANSACTION_ENDS and (engine_key, pid) in self._changing_logins:
            self._changing_logins.discard((engine_key, pid))
            self.logins_changed[engine_key] = self.logins_changed.get(engine_key, 0) + 1

    def session_ended(self, engine_key: str, pid: int) -> None:
        self._unrecorded.pop((engine_key, pid), None)
        self._changing_logins.discard((engine_key, pid))

    def ids_known(self, engine_key: str) -> bool:
        return engine_key in self._last_ids and engine_key not in self._to_read

    def read_again(self, engine_key: str) -> None:
        """The engine is served anew (started, created, restored): read its ids before its next session.
        Its roles may be others (a restore) and its sessions are gone."""
        self._to_read.add(engine_key)
        self.logins_changed[engine_key] = self.logins_changed.get(engine_key, 0) + 1

    def read_ids(self, engine_key: str) -> int | None:
        """The highest query id in the engine's databases or reserved in it (0: none yet), after
        which a new block is reserved; None when the engine keeps no history.  Blocking: run it
        off the front's loop.  Raises when the engine is down."""
        with self._connect(engine_key, _RESERVATIONS) as conn:
            databases = [name for (name,) in conn.execute(INTERNAL_DATABASES)]
        highest = None
        for database in databases:  # one at a time: a connection to template1 holds up CREATE DATABASE
            with self._connect(engine_key, database) as conn:
                if _number(conn, _HAS_HISTORY):
                    highest = max(highest or 0, _number(conn, _HIGHEST_ID))
        if highest is None:
            return None
        with self._connect(engine_key, _RESERVATIONS) as conn:
            # Past what this service gave too: a restore may bring a shorter history and reservation.
            highest = max(highest, _number(conn, _RESERVED), self._last_ids.get(engine_key) or 0)
            self._reserve(conn, engine_key, highest + ID_BLOCK)
        return highest

    def _reserve(self, conn: psycopg.Connection, engine_key: str, reserved: int) -> None:
        """Record ``reserved`` as the engine's highest reserved id (committed before any is given)."""
        if conn.execute(_RESERVE, (reserved,)).rowcount == 0:
            conn.execute(_FIRST_RESERVATION, (reserved,))
        self._reserved[engine_key] = reserved

    def _reserve_next_block(self, engine_key: str) -> None:
        if engine_key not in self._to_reserve:
            return
        try:
            with self._connect(engine_key, _RESERVATIONS) as conn:
                self._reserve(conn, engine_key, (self._last_ids.get(engine_key) or 0) + ID_BLOCK)
        except (psycopg.Error, OSError) as e:  # the engine stopped: it reserves anew when served again
            log.debug("query ids of %s not reserved: %s", engine_key, e)
        self._to_reserve.discard(engine_key)

    def ids_read(self, engine_key: str, highest: int | None) -> None:
        """What ``read_ids`` found (on the front's loop): ids go on past it and past every id given."""
        self._to_read.discard(engine_key)
        given = self._last_ids.get(engine_key)
        self._last_ids[engine_key] = None if highest is None else max(highest, given or 0)

    def written_for(self, engine_key: str) -> int:
        """The ticket of the engine's last entry written (0: none yet); any thread."""
        return self._written.get(engine_key, 0)

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self._interval)
            self._wake.clear()
            with self._sorting:
                self._sort()
                due = {*self._pending, *self._to_reserve} - self._writers
                self._writers |= due
            for engine_key in due:
                threading.Thread(target=self._write_then_end, args=(engine_key,), daemon=True,
                                 name="localshift-query-history-writer").start()

    def _write_then_end(self, engine_key: str) -> None:
        try:
            self._write_engine(engine_key)
        finally:
            with self._sorting:
                self._writers.discard(engine_key)

    def _sort(self) -> None:
        """Move what was recorded to its engine's rows to write (``_sorting`` held)."""
        while self._queue:
            ticket, engine_key, database, table, row = self._queue.popleft()
            pending = self._pending.get(engine_key)
            if pending is None:
                pending = self._pending[engine_key] = deque(maxlen=self._max_queued)
            pending.append((ticket, database, table, row))

    def flush(self, engine_key: str | None = None) -> None:
        """Reserve the blocks of ids due, then write everything recorded so far: of ``engine_key``
        alone, or of every engine (one after the other)."""
        with self._sorting:
            self._sort()
            engines = [engine_key] if engine_key is not None else [*{*self._pending, *self._to_reserve}]
        for key in engines:
            self._write_engine(key)

    def _write_engine(self, engine_key: str) -> None:
        """Reserve the engine's next block of ids when due, then write its rows recorded so far."""
        with self._sorting:
            lock = self._engine_locks.setdefault(engine_key, threading.Lock())
        with lock:
            self._reserve_next_block(engine_key)
            with self._sorting:
                pending = self._pending.pop(engine_key, None)
            if not pending:
                return
            batches: dict[str, dict[_Log, list]] = {}
            for _, database, table, row in pending:
                batches.setdefault(database, {}).setdefault(table, []).append(table.row(database, row))
            for database, tables in batches.items():
                self._write(engine_key, database, tables)
            self._written[engine_key] = max(self.written_for(engine_key), pending[-1][0])

    def _write(self, engine_key: str, database: str, tables: "dict[_Log, list]") -> None:
        """Write each table's rows and keep its newest, over one connection to the database."""
        try:
            with self._connect(engine_key, database) as conn:
                if not _number(conn, _HAS_HISTORY):
                    return
                with conn.cursor() as cur:
                    for table, rows in tables.items():
                        first = _number(conn, table.highest) + 1 if table.highest else None
                        with cur.copy(table.copy) as copy:
                            for number, row in enumerate(rows):
                                copy.write_row(row if first is None else (first + number, *row))
                        if table.prune:
                            cur.execute(table.prune, (self._keep_rows,))
        except (psycopg.Error, OSError) as e:
            # The engine stopped or the database went away: these rows are lost.
            log.debug("query history for %s/%s not written: %s", engine_key, database, e)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()


def _row(database: str, entry: tuple) -> tuple:
    query_id, pid, user, text, start, end, tag, error = entry
    tag_text = tag.decode("utf-8", "replace") if tag is not None else None
    last = tag_text.rsplit(" ", 1)[-1] if tag_text else ""
    # Passwords masked (masking.py), here on the writer's thread, off the front's loop.
    return (query_id, pid, user, database, mask_passwords(text[:MAX_TEXT].decode("utf-8", "replace")),
            _utc(start), _utc(end),
            "failed" if error else "success", None if error else tag_text,
            int(last) if last.isdigit() and not error else None,
            error[0] if error else None, error[1] if error else None)


def _failed_refresh_row(database: str, refresh: tuple) -> tuple:
    view, pid, user, start, end = refresh
    return view, pid, user, _utc(start), _utc(end)


def _procedure_message_row(database: str, message: tuple) -> tuple:
    query_id, pid, user, time, level, text, line = message
    return query_id, pid, user, _utc(time), level, text[:1024], line


def _connection_row(database: str, event: tuple) -> tuple:
    name, time, host, port, pid, user, application, tls_version, cipher, duration = event
    return (name, _utc(time), host, port, pid, database, user, duration, tls_version, cipher, application)


class _Log(NamedTuple):
    """A table the recorder writes: how it copies rows in, prunes old ones, and makes a row of an entry;
    ``highest``: the query of its highest id when the writer numbers its rows (None: the row has its id)."""

    copy: str
    prune: str | None
    row: Callable[[str, tuple], tuple]
    highest: str | None = None


_QUERIES = _Log(_COPY, _PRUNE, _row)
_CONNECTIONS = _Log(_CONNECTION_COPY, _CONNECTION_PRUNE, _connection_row, _HIGHEST_EVENT_ID)
_FAILED_REFRESHES = _Log(_FAILED_REFRESH_COPY, None, _failed_refresh_row)
_PROCEDURE_MESSAGES = _Log(_PROCEDURE_MESSAGE_COPY, _PROCEDURE_MESSAGE_PRUNE, _procedure_message_row)


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)


def _number(conn: psycopg.Connection, query: str) -> int:
    """The value of a query of one row and column (an aggregate's, a test's)."""
    row = conn.execute(query).fetchone()
    return row[0] if row is not None else 0
