"""The base of every service's backend: store, data plane, clock, a worker pool and a ticker."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable

from localshift.dataplane.api import DataPlane
from localshift.services.clock import Clock
from localshift.store.database import Database
from localshift.store.events import EventRepository
from localshift.worker_pools import IdlePool

log = logging.getLogger("localshift.work")

# How long an account's workers wait for more work before they end (its pool is made again as work comes).
IDLE_SECONDS = 60.0


class ServiceBackend:
    """Repositories are added by each service; this holds what every service needs.

    ``submit_for`` runs the work of an account's requests (engines, snapshots, restores,
    resizes, Data API statements: up to 24 hours) off the request path on a small pool of
    that account's own, so one account's long work never keeps another's waiting for a
    worker; its threads end after ``idle_seconds`` without work, and the pool is forgotten
    then (however many accounts a long-lived server has seen, only busy ones hold threads); ``submit_background`` runs the work the service does on its own schedule
    (recovery points) one job at a time on a thread of its own, so that however much of it
    a clock jump makes due, a user's delete never queues behind it.  ``start``
    resumes unfinished work and runs the service's ``tick`` every ``tick_seconds`` on a
    daemon thread until ``shutdown``.
    """

    def __init__(
        self, db: Database, dataplane: DataPlane, clock: Clock, *, name: str, worker_threads: int, tick_seconds: float,
        idle_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.dataplane = dataplane
        self.clock = clock
        self.name = name
        self.tick_seconds = tick_seconds
        self.events = EventRepository(db)
        self.secrets = db.secrets
        self.worker_threads = worker_threads
        self.idle_seconds = IDLE_SECONDS if idle_seconds is None else idle_seconds
        self._account_pools: dict[str, IdlePool] = {}  # submit_for's, by account, while they have workers
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._engine_locks: dict[int, threading.RLock] = {}
        self._guard = threading.Lock()
        self._background = self._background_executor()
        # The service clock at the scheduler's last tick (clock_moved_back).
        self._last_tick_time: datetime | None = None

    def engine_lock(self, row_id: int) -> threading.RLock:
        """Held while a resource's engine is created, started, moved, stopped or replaced, and by the
        restart job while it decides whether to start it (restart_lifecycle.py): jobs on the same
        engine are ordered, and each reads the record under it.  ``row_id``: the cluster's, or the
        namespace's (a serverless engine is its namespace's).  Reentrant: a job holding it may call
        work that takes it too."""
        with self._guard:
            return self._engine_locks.setdefault(row_id, threading.RLock())

    def clock_moved_back(self, now: datetime) -> bool:
        """Whether the scheduler's tick reads ``now`` earlier than the tick before it did: time travel
        moved the clock back, and due times counted from the later clock must be counted again, or
        they would hold their work back until the clock caught up.  Called once per tick."""
        moved_back = self._last_tick_time is not None and now < self._last_tick_time
        self._last_tick_time = now
        return moved_back

    def submit_for(self, account: str, job: Callable[..., Any], *args: Any) -> Future[None]:
        """Run ``job(self, *args)`` on ``account``'s own pool (up to ``worker_threads`` workers, made as
        jobs come and ended when idle): the account whose request the job serves, or whose resource it works on.  Each
        job ends its resource in a final status itself, failures included (the lifecycle modules);
        what still escapes is logged here."""
        with self._guard:
            pool = self._account_pools.get(account)
            if pool is None and self._stop.is_set():
                raise RuntimeError("cannot schedule new futures after shutdown")  # as the pools refuse them
            if pool is None:
                pool = self._account_pools[account] = IdlePool(
                    self.worker_threads, f"localshift-{self.name}-{account}", self.idle_seconds,
                    lambda idle: self._forget_pool(account, idle))
            return self._run_on(pool, job, args)

    def _forget_pool(self, account: str, pool: IdlePool) -> None:
        """An account's pool whose last worker ended idle: forgotten, unless a job came meanwhile
        (submit_for holds the guard while it submits, so none comes between the check and the removal)."""
        with self._guard:
            if self._account_pools.get(account) is pool and pool.idle():
                del self._account_pools[account]

    def submit_background(self, job: Callable[..., Any], *args: Any) -> Future[None]:
        """Run ``job(self, *args)`` on the background thread, after the background jobs before it."""
        with self._guard:
            return self._run_on(self._background, job, args)

    def cancel_background(self) -> None:
        """Drop the background jobs queued and wait for the one running to end: a reset is about to
        remove everything they would work on.  Jobs submitted from now on run on a fresh thread."""
        with self._guard:
            cancelled, self._background = self._background, self._background_executor()
        cancelled.shutdown(wait=True, cancel_futures=True)

    def _background_executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(1, thread_name_prefix=f"localshift-{self.name}-background")

    def _run_on(self, executor: ThreadPoolExecutor | IdlePool, job: Callable[..., Any], args: tuple[Any, ...]) -> Future[None]:
        future = executor.submit(job, self, *args)
        future.add_done_callback(self._log_failure)
        return future

    def _log_failure(self, future: Future[None]) -> None:
        error = future.exception() if not future.cancelled() else None
        if error is not None:
            log.error("%s background job failed", self.name, exc_info=error)

    def start(self, recover: Callable[[Any], None], tick: Callable[[Any], None]) -> None:
        """Resume unfinished work, then run ``tick`` every tick_seconds."""
        recover(self)

        def run() -> None:
            while not self._stop.wait(self.tick_seconds):
                try:
                    tick(self)
                except Exception:
                    logging.getLogger("localshift.scheduler").exception("%s scheduled work failed", self.name)

        self._ticker = threading.Thread(target=run, name=f"localshift-{self.name}-ticker", daemon=True)
        self._ticker.start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self._background.shutdown(wait=True, cancel_futures=True)
        with self._guard:
            pools = list(self._account_pools.values())
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
