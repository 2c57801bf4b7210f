"""Threads for the wire front's blocking work on an engine, each engine's own.

The front's event loop hands what blocks (writing a session's query history before it reads
it, reading an engine's query ids, letting a temporary credential in, closing an engine to the
service's connections for a DROP DATABASE) to threads.  That work waits on the engine, and an
engine's user can make it wait (a ``LOCK`` of the history table in an open transaction holds it
until the service's lock timeout, two minutes by default).  With one pool for every engine, a
few such sessions of one account took all its threads, and every other account's sessions waited
behind them; each engine has threads of its own instead, so what waits on one engine never holds
up another's.  Work comes from the front's event loop thread.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from localshift.worker_pools import IdlePool

# Blocking calls one engine may have under way at once; more wait for one of them.
PER_ENGINE = 4
# How long an engine's threads wait for more work before they end (made again as work comes): a
# long-lived server that served many engines holds threads only for those at work.
IDLE_SECONDS = 30.0


class EngineWorkers:
    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._pools: dict[str, IdlePool] = {}  # by engine (socket path), while they have threads
        self._lock = threading.Lock()  # the front's loop makes pools; their last threads and destroy_engine forget them

    def run(self, engine_key: str, work: Callable[..., Any], *args: Any) -> asyncio.Future:
        """``work(*args)`` on a thread of the engine ``engine_key``'s; awaitable on the running loop."""
        with self._lock:
            pool = self._pools.get(engine_key)
            if pool is None:
                pool = self._pools[engine_key] = IdlePool(PER_ENGINE, "localshift-front-work", self.idle_seconds,
                                                          lambda idle: self._forget_idle(engine_key, idle))
            return asyncio.get_running_loop().run_in_executor(pool, work, *args)

    def _forget_idle(self, engine_key: str, pool: IdlePool) -> None:
        with self._lock:  # run() submits under it: no work comes between the check and the removal
            if self._pools.get(engine_key) is pool and pool.idle():
                del self._pools[engine_key]

    def forget(self, engine_key: str) -> None:
        """The engine stopped or is gone (its cluster or workgroup paused or deleted): its threads end once
        their work is done."""
        with self._lock:
            pool = self._pools.pop(engine_key, None)
        if pool is not None:
            pool.shutdown(wait=False)

    def shutdown(self) -> None:
        """Let the threads end once their work is done (any thread)."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False)
