"""Keeping the service's own connections out of an engine while a session drops one of its
databases.

The query history is written by the engine's internal role (redshift_sql/history.py), a
superuser, through short connections to the database each statement ran in.  PostgreSQL lets
only a superuser terminate a superuser's backend, so ``DROP DATABASE d WITH (FORCE)`` run by
the master user (no host superuser) fails with "permission denied to terminate process" when
such a connection to ``d`` happens to be open, and without FORCE it fails with "database is
being accessed by other users".  Users' sessions in ``d`` still run statements up to the drop,
so their history keeps being written.

So a session's DROP DATABASE is held (redshift_sql/session.py ``on_drop``) until the guard has
closed the engine to the recorder: no new connection opens, and those open have closed.  The
drop then runs; when its result comes back (``end``), the recorder connects again.  What it had
for the dropped database is lost with the database; for the others it is only late.  A guard
left open (a client that never completes its batch) lets connections through after
``wait_limit`` seconds, so the history of the other sessions is never stopped for long.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Callable

import psycopg

if TYPE_CHECKING:
    from .front_client import ClientSide

Connect = Callable[[str, str], psycopg.Connection]


class DropGuard:
    def __init__(self, wait_limit: float = 60.0) -> None:
        self.wait_limit = wait_limit
        self._changed = threading.Condition()
        self._dropping: Counter[str] = Counter()  # engine -> drops under way
        self._connecting: Counter[str] = Counter()  # engine -> connections being opened
        self._open: dict[str, list[psycopg.Connection]] = {}  # engine -> connections handed out

    def connector(self, connect: Connect) -> Connect:
        """``connect``, kept out of engines while they drop a database."""

        def guarded(engine_key: str, dbname: str) -> psycopg.Connection:
            with self._changed:
                self._changed.wait_for(lambda: not self._dropping[engine_key], self.wait_limit)
                self._connecting[engine_key] += 1
            conn = None
            try:
                conn = connect(engine_key, dbname)
                return conn
            finally:
                with self._changed:
                    self._connecting[engine_key] -= 1
                    if conn is not None:
                        self._still_open(engine_key)  # forgets those closed since
                        self._open.setdefault(engine_key, []).append(conn)
                    self._changed.notify_all()

        return guarded

    def begin(self, engine_key: str) -> None:
        """A database of the engine is about to be dropped: once this returns, none of the
        guarded connections is open there, and none opens until ``end``.  Blocking."""
        deadline = time.monotonic() + self.wait_limit
        with self._changed:
            self._dropping[engine_key] += 1
            while self._connecting[engine_key] or self._still_open(engine_key):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                # A connection's close is not announced: look again shortly.
                self._changed.wait(min(left, 0.01))

    def end(self, engine_key: str) -> None:
        """The drop ``begin`` guarded has its result (or its session went)."""
        with self._changed:
            if self._dropping[engine_key]:
                self._dropping[engine_key] -= 1
            self._changed.notify_all()

    def _still_open(self, engine_key: str) -> bool:
        """Whether a connection handed out for the engine is still open (those closed are forgotten)."""
        conns = self._open.get(engine_key, [])
        conns[:] = [conn for conn in conns if not conn.closed]
        return bool(conns)


def guard_then_release(guard: DropGuard, client: "ClientSide") -> None:
    """The client's session holds a DROP DATABASE: close the engine to the service's own
    connections (off the loop), then let the drop go (its session calls ``end`` once it has
    the drop's result); a client gone meanwhile ends the guard at once."""
    engine_key = client.listener.socket_path
    future = client.front.workers.run(engine_key, guard.begin, engine_key)
    future.add_done_callback(lambda _: _release(guard, engine_key, client))


def _release(guard: DropGuard, engine_key: str, client: "ClientSide") -> None:
    engine, session = client.engine, client.session
    if engine is not None and session is not None and not client.transport.is_closing():
        engine.write(session.release())
    else:
        guard.end(engine_key)
