"""Engines served before they start (the service restarting, engine_lifecycle.serve_engine): a
session opened meanwhile waits for its engine's start to end rather than being refused as not
available.  The start's end (served, failed, stopped, destroyed, given up by the job that was to
start it, or the front closing) wakes its waiting sessions; one that did not serve the engine
then finds none and is refused as not available (wire_front.py).  The wait's bound is a last
resort only: every way a start can end ends it (engine_lifecycle.py)."""

from __future__ import annotations

import asyncio
import threading


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():  # a wait that reached its limit is over already
        waiter.set_result(None)


class EngineStarts:
    """The starts announced (by socket path) and the sessions waiting for them.  Starts begin and
    end on the data plane's threads; sessions wait on the front's loop.  One lock orders them, so
    a session either sees the start over or is registered before its end wakes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    def begin(self, socket_path: str) -> None:
        """The engine behind ``socket_path`` is served before it starts: its sessions wait."""
        with self._lock:
            self._waiters.setdefault(socket_path, [])

    def end(self, socket_path: str) -> None:
        """The engine's start is over, however it ended: its waiting sessions go on (no error when
        no start was announced)."""
        with self._lock:
            waiters = self._waiters.pop(socket_path, [])
        for waiter in waiters:
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    def end_all(self) -> None:
        """No engine is served any more (the service stopping): every start is over."""
        for socket_path in list(self._waiters):
            self.end(socket_path)

    async def wait(self, socket_path: str, limit: float = 120.0) -> None:
        """Wait (at most ``limit`` seconds) while the engine behind ``socket_path`` is starting."""
        with self._lock:
            waiters = self._waiters.get(socket_path)
            if waiters is None:
                return
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, limit)
        except asyncio.TimeoutError:
            with self._lock:
                if waiter in self._waiters.get(socket_path, []):
                    self._waiters[socket_path].remove(waiter)
