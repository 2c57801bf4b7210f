"""The lives of the Data API's connections to clusters' SQL endpoints: logged in, lent to a
statement, reset, given back to the pool, closed.  (The one module of the Data API that calls
the data plane.)

A connection is a login through the cluster's public port, as the target's user
(targets.py): with the secret's password, or with a temporary credential the Data API issues
itself for that login (valid 15 minutes, long enough to log in; the session then lasts).  A
statement without a session borrows a connection and gives it back reset (``DISCARD ALL``:
no temporary table, setting or prepared statement survives into the next statement), so
consecutive statements cost no login (a login through the endpoint's TLS costs 3-5 ms; a
statement on a kept connection well under one).  Connections are shared only between requests
of the same engine, database and login (for a secret, the same password: a changed one logs
in anew).  A kept connection is used again only while it is ``reusable``: its engine served
it without a break, and no role or database setting of the engine changed since it logged in
(a dropped user is refused at the next statement, as a new login would be); else it is closed
and a new login made.  At most ``MAX_IDLE_PER_LOGIN`` per login and ``MAX_IDLE`` in all are
kept, the oldest closed first, and idle ones are closed after ``IDLE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from datetime import timedelta
from typing import Callable

from localshift.dataplane.api import DataPlane, SqlConnectionError, SqlSession
from localshift.services.clock import Clock
from localshift.services.data_api.targets import COMING_BACK, DB_USER, IAM, SECRET, Target
from localshift.services.temporary_credentials import DEFAULT_SECONDS, IAM_PREFIX, new_login
from localshift.store.database import Database

IDLE_SECONDS = 60.0
MAX_IDLE_PER_LOGIN = 4
MAX_IDLE = 64
# A target whose engine is still starting (after a restart of the service, or while it reboots or
# resumes: targets.COMING_BACK) is waited for this long before a login gives up; in any other status
# (deleting, pausing, paused, gone) a login gives up at once: a statement queued behind others when
# its cluster was deleted fails as soon as a worker takes it.
STARTING_SECONDS = 60.0


class NotServing(Exception):
    """The target's engine serves no SQL now (paused, being created or changed, deleted)."""


class Connections:
    def __init__(self, db: Database, dataplane: DataPlane, clock: Clock,
                 status_now: Callable[[Target], str | None]) -> None:
        """``status_now``: a target's cluster's or workgroup's status now, None once it is gone."""
        self.db = db
        self.dataplane = dataplane
        self.clock = clock
        self.status_now = status_now
        self._idle: dict[tuple[str, ...], list[tuple[float, SqlSession]]] = defaultdict(list)
        self._lock = threading.Lock()

    def serving(self, target: Target) -> bool:
        """Whether the target serves SQL now, or will once its engine has started: available,
        its engine being started again after a restart of the service."""
        return target.status.lower() == "available" or self.dataplane.sql_port(target.engine_key) is not None

    def open(self, target: Target, database: str | None = None) -> SqlSession:
        """A new session as the target's user.  NotServing when its engine serves no SQL;
        SqlConnectionError (the server's words) when the login fails."""
        if not self.dataplane.serves_sql:
            raise NotServing("localshift runs without a data plane (--no-data-plane): no engine serves SQL.")
        deadline = time.monotonic() + STARTING_SECONDS
        while self.dataplane.sql_port(target.engine_key) is None:
            status = self.status_now(target)
            if status is None:
                raise NotServing(f"{target.name} no longer exists.")
            if status.lower() not in COMING_BACK or time.monotonic() >= deadline:
                raise NotServing(f"{target.name} is {status}: it serves no SQL now.")
            time.sleep(0.05)
        if target.login == SECRET:
            user, password = self._secret(target)
        else:
            user = IAM_PREFIX + target.user if target.login == DB_USER else target.user
            expires = self.clock.now() + timedelta(seconds=DEFAULT_SECONDS)
            role = target.user.lower() if target.login == DB_USER else target.user
            login, password = new_login(user, role, expires, auto_create=target.login == IAM)
            self.dataplane.allow_login(target.engine_key, login)  # for this login only: not kept
        return self.dataplane.open_sql(target.engine_key, user, password, database or target.database)

    def _secret(self, target: Target) -> tuple[str, str]:
        secret = self.db.secrets.get(target.user)
        if secret is None:
            raise SqlConnectionError(f"the secret {target.user} no longer exists")
        return secret["username"], secret["password"]

    def _key(self, target: Target, database: str | None) -> tuple[str, ...]:
        """Whose connections may serve the target: the same login, with a secret's current password."""
        if target.login != SECRET:
            return target.pool_key(database)
        try:
            password = self._secret(target)[1]
        except SqlConnectionError:
            password = ""
        return *target.pool_key(database), hashlib.sha256(password.encode()).hexdigest()

    def borrow(self, target: Target, database: str | None = None) -> SqlSession:
        """An idle session of the same login that may be used again when one is left, else a new one."""
        return self.take_idle(target, database) or self.open(target, database)

    def take_idle(self, target: Target, database: str | None = None) -> SqlSession | None:
        """An idle session of the same login that may be used again, if one is left (no login)."""
        key = self._key(target, database)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                _, session = idle.pop()
            if session.reusable():  # outside the lock: it reads the answer to the session's reset
                return session
            session.close()

    def give_back(self, target: Target, session: SqlSession, database: str | None = None) -> None:
        if not session.reset():
            return
        key, closing = self._key(target, database), [session]
        with self._lock:
            idle = self._idle[key]
            if len(idle) < MAX_IDLE_PER_LOGIN:
                idle.append((time.monotonic(), session))
                closing = self._over_max_idle()
        for extra in closing:
            extra.close()

    def _over_max_idle(self) -> list[SqlSession]:
        """The oldest idle sessions beyond MAX_IDLE, taken out (the lock held)."""
        if sum(map(len, self._idle.values())) <= MAX_IDLE:
            return []
        kept = sorted(((since, key, s) for key, idle in self._idle.items() for since, s in idle),
                      key=lambda item: item[0])
        closing = []
        for since, key, session in kept[:max(0, len(kept) - MAX_IDLE)]:
            self._idle[key].remove((since, session))
            closing.append(session)
        return closing

    def close_idle(self, older_than: float = IDLE_SECONDS) -> None:
        now = time.monotonic()
        closing = []
        with self._lock:
            for key in list(self._idle):
                kept = [(since, s) for since, s in self._idle[key] if now - since < older_than]
                closing += [s for since, s in self._idle[key] if now - since >= older_than]
                if kept:
                    self._idle[key] = kept
                else:
                    del self._idle[key]
        for session in closing:
            session.close()

    def close_all(self) -> None:
        self.close_idle(older_than=-1)
