"""IdlePool (worker_pools.py): its threads end once idle and come back with work; its bound, failures
and shutdown are ThreadPoolExecutor's."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError

import pytest

from localshift.worker_pools import IdlePool
from support import wait_for


def named(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(name)]


def test_idle_threads_end_and_come_back_with_work():
    forgotten: list[IdlePool] = []
    pool = IdlePool(3, "test-idle-pool", 0.2, forgotten.append)
    go = threading.Event()
    held = [pool.submit(go.wait, 30) for _ in range(3)]
    assert pool.threads == 3 and len(named("test-idle-pool")) == 3
    go.set()
    assert all(job.result(timeout=30) for job in held)
    wait_for(lambda: not named("test-idle-pool"))
    assert pool.threads == 0 and pool.idle() and forgotten == [pool]
    assert pool.submit(lambda: "again").result(timeout=30) == "again"
    assert pool.threads == 1
    wait_for(lambda: not named("test-idle-pool"))
    assert forgotten == [pool, pool]


def test_no_more_threads_than_its_bound_and_a_waiting_one_takes_the_next_job():
    pool = IdlePool(2, "test-bound-pool", 30)
    go = threading.Event()
    jobs = [pool.submit(go.wait, 30) for _ in range(5)]
    assert pool.threads == 2
    go.set()
    assert all(job.result(timeout=30) for job in jobs)
    for number in range(10):  # one at a time: the waiting workers take them
        assert pool.submit(lambda n=number: n).result(timeout=30) == number
    assert pool.threads == 2
    pool.shutdown()
    assert pool.threads == 0 and not named("test-bound-pool")


def test_a_failure_is_the_futures_and_the_worker_goes_on():
    pool = IdlePool(1, "test-failing-pool", 30)
    failed = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=30)
    assert pool.submit(lambda: "next").result(timeout=30) == "next"
    assert pool.threads == 1
    pool.shutdown()


def test_shutdown_runs_the_queued_work_or_cancels_it_and_refuses_more():
    pool = IdlePool(1, "test-shut-pool", 30)
    go = threading.Event()
    running = pool.submit(go.wait, 30)
    queued = pool.submit(lambda: "queued")
    threading.Timer(0.2, go.set).start()
    pool.shutdown(wait=True)
    assert running.result(timeout=1) and queued.result(timeout=1) == "queued"
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)

    forgotten: list[IdlePool] = []
    pool = IdlePool(1, "test-cancel-pool", 30, forgotten.append)
    go.clear()
    running = pool.submit(go.wait, 30)
    queued = pool.submit(lambda: "queued")
    threading.Timer(0.2, go.set).start()
    pool.shutdown(wait=True, cancel_futures=True)
    assert running.result(timeout=1)
    with pytest.raises(CancelledError):
        queued.result(timeout=1)
    assert not named("test-cancel-pool") and forgotten == []  # a pool shut down is not "idle": nobody forgets it
