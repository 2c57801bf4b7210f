"""Running a submitted statement on a worker thread, through its real statuses.

SUBMITTED (queued) -> PICKED (a worker took it and logs in) -> STARTED (the SQL is on the
engine; RedshiftPid is the engine's backend) -> FINISHED, FAILED (the engine's error, or
a login that failed) or ABORTED (CancelStatement).  A statement that needs no login (a
kept connection is at hand: its session's, or the pool's) goes from SUBMITTED to STARTED.
Each change is written to the store as it happens.  A batch runs in one transaction: its
parts run in order, each with its own status, times and result; when one fails, the
transaction is rolled back, the parts after it are ABORTED and the statement is FAILED with
that part's error.  A failure of localshift's own (a bug) still ends the statement, FAILED, and
closes its connection: no statement is left SUBMITTED, PICKED or STARTED.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from localshift.dataplane.api import Column, SqlConnectionError, SqlError, SqlSession
from localshift.services.data_api.backend import DataApiBackend, Running
from localshift.services.data_api.connection_lifecycle import NotServing
from localshift.services.data_api.parameters import bind, parameter_values
from localshift.services.data_api.results import RESULT_NOT_KEPT, ResultTooLarge, ResultWriter, column_metadata
from localshift.store.data_api import (ABORTED, ACTIVE, FAILED, FINISHED, PICKED, STARTED, SUBMITTED, StatementPart,
                                       StatementRecord)

log = logging.getLogger("localshift.work")
# localshift's own words for a statement it failed to run (AWS's Data API answers such a failure of its own
# with InternalServerException; a statement already accepted can only end FAILED).
INTERNAL_ERROR = "The statement failed inside localshift"


class _Stopped(Exception):
    """The statement ended before it finished; ``status`` and ``error`` say how, ``query_id`` what
    the query history calls it when it got as far as the engine (-1: it did not)."""

    def __init__(self, status: str, error: str | None, query_id: int = -1) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.query_id = query_id


def run_statement(backend: DataApiBackend, statement_id: str) -> None:
    held = backend.running[statement_id]
    try:
        _run(backend, statement_id, held)
    except Exception as error:
        # localshift's own failure, not the statement's: it still ends (FAILED), never left running.
        log.exception("Data API statement %s failed", statement_id)
        record = backend.statements.get(statement_id)
        if record is not None and record.status in ACTIVE:
            _end(backend, record, _Stopped(FAILED, f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"))
    finally:
        with backend.running_lock:
            backend.running.pop(statement_id, None)
        if held.session is not None:
            backend.sessions.release(held.session, backend.clock.now())


def _run(backend: DataApiBackend, statement_id: str, held: Running) -> None:
    # Before the lock (a CancelStatement waits for it): taking a kept connection reads the answer to its reset.
    kept = _at_hand(backend, held)
    if kept is None:
        _run_after_login(backend, statement_id, held)
    else:
        _run_kept(backend, statement_id, held, kept)


def _run_kept(backend: DataApiBackend, statement_id: str, held: Running, connection: SqlSession) -> None:
    """No login to wait for: SUBMITTED -> STARTED at once (under the lock, so a cancel sees it running)."""
    if _take(backend, statement_id, held, STARTED, connection):
        _run_on(backend, held, connection, cancelled=False)
    elif held.session is None:  # stopped while it waited: the pool's connection goes back unused
        backend.connections.give_back(held.target, connection)


def _run_after_login(backend: DataApiBackend, statement_id: str, held: Running) -> None:
    """SUBMITTED -> PICKED while it logs in -> STARTED."""
    if not _take(backend, statement_id, held, PICKED):
        return
    try:
        connection = _log_in(backend, held)
    except _Stopped as stop:
        _end(backend, held.record, stop)
        return
    with held.lock:
        held.connection = connection
        cancelled = held.cancelled  # during the login: no cancel could reach the engine
    held.record.redshift_pid = connection.pid
    _set(backend, held.record, STARTED)
    _run_on(backend, held, connection, cancelled)


def _take(backend: DataApiBackend, statement_id: str, held: Running, status: str,
          connection: SqlSession | None = None) -> bool:
    """A worker takes the statement: ``status`` written under the lock, with the ``connection`` it
    runs on when one is at hand.  False when it was stopped while it waited: it is then ended,
    unless CancelStatement ended it already or a reset wiped it."""
    with held.lock:
        if held.cancelled:
            record = backend.statements.get(statement_id)
            if record is not None and record.status == SUBMITTED:
                _end(backend, record, _stopped(held))
            return False
        # held.record is as submitted: nothing but a stop changes it before a worker takes it.
        if connection is not None:
            held.connection = connection
            held.record.redshift_pid = connection.pid
        _set(backend, held.record, status)
        return True


def _run_on(backend: DataApiBackend, held: Running, connection: SqlSession, cancelled: bool) -> None:
    """Run the STARTED statement's parts on ``connection`` to its end.  The connection then stays
    the session's, goes back to the pool, or is closed when a cancel may still be on its way."""
    record = held.record
    try:
        if cancelled:
            raise _stopped(held)
        _run_parts(backend, record, connection, held)
    except _Stopped as stop:
        _end(backend, record, stop)
    except Exception:
        connection.close()  # in whatever state the failure left it: used by no later statement
        raise
    else:
        _end(backend, record, None)
    finally:
        with held.lock:
            held.connection = None
            held.ended.set()
        if held.session is None and held.cancelled:
            connection.close()  # a cancel still on its way must not reach the next statement
        elif held.session is None:
            backend.connections.give_back(held.target, connection)


def _at_hand(backend: DataApiBackend, held: Running) -> SqlSession | None:
    """A connection the statement may use without logging in: its session's, or an idle one of the pool."""
    session = held.session
    if session is None:
        return backend.connections.take_idle(held.target)
    return session.connection if session.connection is not None and not session.connection.closed else None


def _log_in(backend: DataApiBackend, held: Running) -> SqlSession:
    try:
        connection = backend.connections.open(held.target)
    except NotServing as reason:
        raise _Stopped(FAILED, f"Connection to the database failed: {reason}") from None
    except SqlConnectionError as reason:
        raise _Stopped(FAILED, f"FATAL: {reason}") from None
    if held.session is not None:
        held.session.connection = connection
    return connection


def _run_parts(backend: DataApiBackend, record: StatementRecord, connection: SqlSession, held: Running) -> None:
    values = parameter_values(record.parameters)
    if record.is_batch:
        _engine(held, lambda: connection.run("BEGIN"))
    for index, part in enumerate(record.parts):
        started = time.monotonic_ns()
        if record.is_batch:
            part.status, part.updated_at = STARTED, backend.clock.now()
            backend.statements.update(record)
        try:
            _run_part(backend, record, index, part, connection, held, values)
        except _Stopped as stop:
            part.status, part.error, part.redshift_query_id = stop.status, stop.error, stop.query_id
            part.duration_ns, part.updated_at = time.monotonic_ns() - started, backend.clock.now()
            for later in record.parts[index + 1:]:
                later.status, later.updated_at = ABORTED, part.updated_at
            if record.is_batch and not connection.closed:
                _rollback(connection)
            raise
        part.status, part.duration_ns, part.updated_at = FINISHED, time.monotonic_ns() - started, backend.clock.now()
    if record.is_batch:
        _engine(held, lambda: connection.run("COMMIT"))


def _run_part(backend: DataApiBackend, record: StatementRecord, index: int, part: StatementPart,
              connection: SqlSession, held: Running, values: dict[str, str]) -> None:
    if held.cancelled:  # between two parts of a batch
        raise _stopped(held)
    sql, ordered = bind(part.query, values)
    path = backend.result_path(record.id, index)
    writer: list[ResultWriter] = []

    def rows(columns: tuple[Column, ...], chunk: list[tuple]) -> None:
        if not writer:
            writer.append(ResultWriter(path, columns, record.result_format == "CSV"))
        writer[0].add(chunk)

    try:
        completion = _engine(held, lambda: connection.run(sql, ordered, rows))
        if completion.columns is not None and not writer:
            writer.append(ResultWriter(path, completion.columns, record.result_format == "CSV"))
        if writer:
            writer[0].close()
    except (_Stopped, ResultTooLarge, OSError) as stop:
        if writer:
            writer[0].discard()
        if isinstance(stop, ResultTooLarge):
            raise _Stopped(FAILED, str(stop)) from None
        if isinstance(stop, OSError):  # the data dir's disk is full or not writable
            raise _Stopped(FAILED, f"{RESULT_NOT_KEPT}: {stop.strerror or stop}") from None
        raise
    part.redshift_query_id = completion.query_id
    part.has_result_set = completion.columns is not None
    part.result_rows = max(completion.rows, 0)
    part.result_size = 0
    if writer:
        result = writer[0]
        part.columns = [column_metadata(c) for c in completion.columns or ()]
        part.result_text, part.result_file = result.inline, None if result.inline is not None else path.name
        part.pages, part.result_size = result.pages, result.bytes


def _engine(held: Running, call: Callable[[], Any]) -> Any:
    """Run ``call`` on the engine; its failures as the statement's end."""
    try:
        return call()
    except SqlError as error:
        if error.cancelled and held.cancelled:
            raise _stopped(held, error.query_id) from None
        raise _Stopped(FAILED, f"ERROR: {error.message}", error.query_id) from None
    except SqlConnectionError as error:
        raise _Stopped(FAILED, f"FATAL: {error}") from None


def _rollback(connection: SqlSession) -> None:
    try:
        connection.run("ROLLBACK")
    except (SqlError, SqlConnectionError):
        pass  # the connection is gone: so is its transaction


def _stopped(held: Running, query_id: int = -1) -> _Stopped:
    return _Stopped(FAILED, held.failure, query_id) if held.failure else _Stopped(ABORTED, None, query_id)


def _set(backend: DataApiBackend, record: StatementRecord, status: str) -> None:
    record.status, record.updated_at = status, backend.clock.now()
    backend.statements.update(record)


def _end(backend: DataApiBackend, record: StatementRecord, stop: _Stopped | None) -> None:
    now = backend.clock.now()
    record.status = FINISHED if stop is None else stop.status
    record.error = None if stop is None else stop.error
    for part in record.parts:
        if part.status not in (FINISHED, FAILED, ABORTED):
            part.status, part.error, part.updated_at = record.status, record.error, now
    record.duration_ns = sum(max(part.duration_ns, 0) for part in record.parts)
    record.updated_at = now
    backend.statements.update(record)
