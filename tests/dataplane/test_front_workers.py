"""The wire front's threads for an engine's blocking work (front_workers.py): they end once idle, and
when the engine stops or is destroyed, so many engines made and deleted over a long-lived server leave none."""

from __future__ import annotations

import asyncio
import threading

from localshift.dataplane.front_workers import EngineWorkers
from support import wait_for

from .helpers import DB, PASSWORD, USER, connect, free_port


def front_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("localshift-front-work")]


def test_an_engines_idle_threads_end_and_come_back_with_work():
    workers = EngineWorkers(idle_seconds=0.2)

    async def run_on(engine_key: str) -> str:
        return await workers.run(engine_key, lambda: engine_key)

    async def on_three_engines() -> list[str]:
        return list(await asyncio.gather(*(run_on(f"/engine-{n}") for n in range(3))))

    assert asyncio.run(on_three_engines()) == ["/engine-0", "/engine-1", "/engine-2"]
    assert len(front_threads()) == 3
    wait_for(lambda: not front_threads())
    assert asyncio.run(run_on("/engine-0")) == "/engine-0"
    workers.forget("/engine-0")
    wait_for(lambda: not front_threads())
    workers.shutdown()


def test_a_stopped_or_destroyed_engines_threads_end(dp):
    """A deleted cluster's engine is destroyed; a deleted workgroup's (or a paused cluster's) is stopped."""
    before = len(front_threads())
    for key in ("c1", "c2", "c3"):
        port = dp.create_engine(key, free_port(), USER, PASSWORD, DB)
        with connect(port) as conn:  # a session's first statement reads the engine's query ids on a thread
            assert conn.execute("select 1").fetchone() == (1,)
        assert len(front_threads()) > before
        if key == "c1":
            dp.stop_engine(key)
        else:
            dp.destroy_engine(key)
        wait_for(lambda: len(front_threads()) == before)
