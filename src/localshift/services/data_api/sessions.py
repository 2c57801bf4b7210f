"""Data API sessions (SessionKeepAliveSeconds, SessionId): one connection kept for a caller.

A statement submitted with SessionKeepAliveSeconds opens a session: its connection stays
open after the statement, for that many seconds, so temporary tables, ``SET`` and open
transactions carry over to the next statement submitted with its SessionId.  A session runs
one statement at a time (another one submitted meanwhile is refused with
ActiveSessionsExceededException); each statement restarts its keep-alive, which a statement
may change.  No session lives beyond 24 hours.  A session that expired, ended or was lost to
a restart is "not available"; one that never existed (or is another account's) is invalid.
Sessions live in memory: a restart ends them all.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection

from localshift.dataplane.api import SqlSession
from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.data_api.errors import validation
from localshift.services.data_api.targets import Target

MAX_LIFETIME = timedelta(hours=24)
# Open sessions per account and region.
MAX_SESSIONS = 500


@dataclass
class DataSession:
    id: str
    account: str
    region: str
    target: Target
    keep_alive: int
    created_at: datetime
    expires_at: datetime
    busy_with: str | None = None  # the statement running in it
    connection: SqlSession | None = None  # opened by its first statement
    ended: bool = False


class Sessions:
    def __init__(self) -> None:
        self._sessions: dict[str, DataSession] = {}
        self._ended: set[str] = set()  # ids of sessions that existed (their statements name them)
        self._lock = threading.Lock()

    def open(self, ctx: RequestContext, target: Target, keep_alive: int, statement_id: str) -> DataSession:
        """A new session, running ``statement_id`` first."""
        with self._lock:
            if sum(1 for s in self._sessions.values() if (s.account, s.region) == (ctx.account, ctx.region)) >= MAX_SESSIONS:
                raise ApiError("ActiveSessionsExceededException",
                               f"The account has {MAX_SESSIONS} open sessions, the most it may have.")
            session = DataSession(str(uuid.uuid4()), ctx.account, ctx.region, target, keep_alive, ctx.now,
                                  ctx.now + MAX_LIFETIME, busy_with=statement_id)
            self._sessions[session.id] = session
            return session

    def claim(self, ctx: RequestContext, session_id: str, statement_id: str, keep_alive: int | None) -> DataSession:
        """The session ``session_id``, now running ``statement_id``."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or (session.account, session.region) != (ctx.account, ctx.region):
                if session_id in self._ended and session is None:
                    raise validation("Session is not available")
                raise validation(f"Session with Id: {session_id} is invalid")
            if session.ended or ctx.now >= session.expires_at:
                raise validation("Session is not available")
            if session.busy_with is not None:
                raise ApiError("ActiveSessionsExceededException",
                               f"Session {session_id} is running statement {session.busy_with}: "
                               "a session runs one statement at a time.")
            session.busy_with = statement_id
            if keep_alive is not None:
                session.keep_alive = keep_alive
            return session

    def release(self, session: DataSession, now: datetime) -> None:
        """The session's statement ended: it stays open for its keep-alive (0: it ends now)."""
        with self._lock:
            session.busy_with = None
            session.expires_at = min(now + timedelta(seconds=session.keep_alive), session.created_at + MAX_LIFETIME)
            if session.keep_alive == 0 or session.connection is None or session.connection.closed:
                self._end(session)

    def expire(self, now: datetime) -> None:
        """End the idle sessions whose time is up (a running one ends when its statement does)."""
        with self._lock:
            for session in list(self._sessions.values()):
                if session.busy_with is None and now >= session.expires_at:
                    self._end(session)

    def end_all(self) -> None:
        with self._lock:
            for session in list(self._sessions.values()):
                self._end(session)
            self._ended.clear()

    def end_of(self, accounts: Collection[str]) -> None:
        with self._lock:
            for session in [s for s in self._sessions.values() if s.account in accounts]:
                self._end(session)

    def _end(self, session: DataSession) -> None:
        session.ended = True
        self._sessions.pop(session.id, None)
        self._ended.add(session.id)
        if session.connection is not None:
            session.connection.close()
