"""Threads for the wire front's blocking work on an engine, each engine's own.

The front's event loop hands what blocks (writing a session's query history before it reads
it, reading an engine's query ids, letting a temporary credential in, closing an engine to the
service's connections for a DROP DATABASE) to threads.  That work waits on the engine, and an
engine's user can make it wait (a ``LOCK`` of the history table in an open transaction holds it
until the service's lock timeout, two minutes by default).  With one pool for every engine, a
few such sessions of one account took all its threads, and every other account's sessions waited
behind them; each engine has threads of its own instead, so what waits on one engine never holds
up another's.  Used on the front's event loop thread only.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

# Blocking calls one engine may have under way at once; more wait for one of them.
PER_ENGINE = 4


class EngineWorkers:
    def __init__(self) -> None:
        self._pools: dict[str, ThreadPoolExecutor] = {}  # by engine (socket path), made at its first work

    def run(self, engine_key: str, work: Callable[..., Any], *args: Any) -> asyncio.Future:
        """``work(*args)`` on a thread of the engine ``engine_key``'s; awaitable on the running loop."""
        pool = self._pools.get(engine_key)
        if pool is None:
            pool = self._pools[engine_key] = ThreadPoolExecutor(PER_ENGINE, thread_name_prefix="localshift-front-work")
        return asyncio.get_running_loop().run_in_executor(pool, work, *args)

    def shutdown(self) -> None:
        """Let the threads end once their work is done (any thread)."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=False)
