"""The wire front's side of the query history (redshift_sql/history.py): the ids it gives
statements, and what a session holding a statement waits for.

* Before an engine's first session, and its first after the engine is served anew (started,
  created, restored), the front reads the highest query id the engine holds, on an executor
  thread; the ids it gives as statements complete go on from there.
* A session holding a statement that reads the history (redshift_sql/session.py
  ``on_hold``) has the recorder write what it recorded, on an executor thread, then goes on.
* Sessions are known by engine and backend pid: a caller in this process whose connection
  goes through the front learns the id of the statement it just ran (``last_query_id``, what
  the Data API reports as RedshiftQueryId) without a query, and without waiting for the
  history to be written.  The session has the id before the client reads the statement's
  completion, since the front reads each completion before passing it on.
* Such a caller may run statements of its own that are not the user's (the Data API's column
  descriptions and resets): ``unrecorded`` and ``skip_next`` keep the statements of its
  session's next Query out of the history.  Only code in this process can ask it: a user's SQL cannot.
* A session let in by the engine is logged as STL_CONNECTION_LOG logs it (initiating session,
  authenticated; disconnecting session with its duration when it ends), with the client's address,
  TLS version and cipher and application name.  Logins the engine refused are not logged.
* ``logins_changed`` counts, per engine, what may make a session logged in earlier unlike a
  new one: a role or a database's settings changed (through the front), the engine served
  anew.  The Data API reuses a connection only while the count is the one it logged in with.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Sequence

import psycopg

from .front_workers import EngineWorkers
from .redshift_sql.history import QueryRecorder
from .redshift_sql.session import SqlSession

if TYPE_CHECKING:
    from .front_client import ClientSide

log = logging.getLogger(__name__)


class FrontHistory:
    """``recorder``: where completed statements go (None: nowhere; every id is then -1).
    ``workers``: the threads its blocking work runs on, each engine's own."""

    def __init__(self, recorder: QueryRecorder | None, workers: EngineWorkers) -> None:
        self.recorder = recorder
        self.workers = workers
        self._sessions: dict[tuple[str, int], SqlSession] = {}  # (engine, pid) -> session; loop only
        self._reading: dict[str, asyncio.Future] = {}  # engine -> its ids being read; loop only
        self._served: dict[str, int] = {}  # engine -> times served (without a recorder)
        self._opened: dict[tuple[str, int], tuple] = {}  # (engine, pid) -> its authenticated event; loop only

    def served(self, engine_key: str) -> None:
        """The engine is served anew: its history may be another (a restore, a re-created engine)."""
        if self.recorder is not None:
            self.recorder.read_again(engine_key)
        else:
            self._served[engine_key] = self._served.get(engine_key, 0) + 1

    def logins_changed(self, engine_key: str) -> int:
        """A count that changes when a session logged in earlier may differ from a new one (any thread)."""
        if self.recorder is None:
            return self._served.get(engine_key, 0)
        return self.recorder.logins_changed.get(engine_key, 0)

    @contextmanager
    def unrecorded(self, engine_key: str, pid: int, statements: Sequence[str]) -> Iterator[None]:
        """While in it, the session ``pid`` runs ``statements`` (one Query's, in order), which are kept out
        of the history (any thread)."""
        self.skip_next(engine_key, pid, statements)
        try:
            yield
        finally:
            if self.recorder is not None:
                self.recorder.skip_next(engine_key, pid, None)

    def skip_next(self, engine_key: str, pid: int, statements: Sequence[str]) -> None:
        """The session ``pid`` runs ``statements`` next (one Query's, in order), which are kept out of the
        history (any thread): until the front sees them complete, or the session ends."""
        if self.recorder is not None:
            self.recorder.skip_next(engine_key, pid, [statement.encode() for statement in statements])

    async def ids_ready(self, engine_key: str) -> None:
        """Read the engine's highest query id unless known (one read however many sessions wait)."""
        if self.recorder is None or self.recorder.ids_known(engine_key):
            return
        reading = self._reading.get(engine_key)
        if reading is None:
            reading = self._reading[engine_key] = asyncio.ensure_future(self._read_ids(self.recorder, engine_key))
        await asyncio.shield(reading)

    async def _read_ids(self, recorder: QueryRecorder, engine_key: str) -> None:
        try:
            highest = await self.workers.run(engine_key, recorder.read_ids, engine_key)
        except (psycopg.Error, OSError) as e:
            # The engine is down, so the session cannot start either: read at the next one.
            log.debug("query ids of %s not read: %s", engine_key, e)
        except Exception:  # noqa: BLE001 - the sessions waiting must start all the same (unrecorded)
            log.exception("query ids of %s not read", engine_key)
        else:
            recorder.ids_read(engine_key, highest)
        finally:
            del self._reading[engine_key]

    def session_started(self, engine_key: str, session: SqlSession, client: "ClientSide") -> None:
        """The engine let the client's session in: it is known by its pid, and its connection logged."""
        self._sessions[(engine_key, session.pid)] = session
        if self.recorder is not None:
            peer = client.transport.get_extra_info("peername") or ("", "")
            tls = client.transport.get_extra_info("ssl_object")
            authenticated = ("authenticated", time.time(), str(peer[0]), str(peer[1]), session.pid, session.user,
                             client.application_name, tls.version() if tls else "", tls.cipher()[0] if tls else "", 0)
            self._opened[(engine_key, session.pid)] = authenticated
            self.recorder.record_connection(engine_key, session.database, ("initiating session", *authenticated[1:]))
            self.recorder.record_connection(engine_key, session.database, authenticated)

    def session_ended(self, engine_key: str, session: SqlSession) -> None:
        if self._sessions.get((engine_key, session.pid)) is session:
            del self._sessions[(engine_key, session.pid)]
            opened = self._opened.pop((engine_key, session.pid), None)
            if self.recorder is not None:
                self.recorder.session_ended(engine_key, session.pid)
                if opened is not None:
                    now = time.time()
                    self.recorder.record_connection(engine_key, session.database, (
                        "disconnecting session", now, *opened[2:9], int((now - opened[1]) * 1_000_000)))

    def last_query_id(self, engine_key: str, pid: int) -> int:
        """The query id of the last statement the session of backend ``pid`` completed (any
        thread); -1 before any, or when it is not recorded."""
        session = self._sessions.get((engine_key, pid))
        return -1 if session is None else session.last_query_id

    def write_then_release(self, client: "ClientSide") -> None:
        """The client's session holds a statement until its engine's history is written: write it
        (off the loop; another engine's writer, held up by that engine, is not waited for), then let
        the session go on."""
        recorder = self.recorder
        if recorder is None:  # nothing recorded, nothing to write first
            _release(client)
            return
        engine_key = client.listener.socket_path
        future = self.workers.run(engine_key, recorder.flush, engine_key)
        future.add_done_callback(lambda _: _release(client))


def _release(client: "ClientSide") -> None:
    engine, session = client.engine, client.session
    if engine is not None and session is not None and not client.transport.is_closing():
        engine.write(session.release())
