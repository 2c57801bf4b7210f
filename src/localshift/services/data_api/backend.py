"""The Redshift Data API backend: statements, their results, sessions, connections, workers.

Statements run on worker threads (``WORKER_THREADS`` at once; more wait SUBMITTED), through
the clusters' SQL endpoints (connections.py).  A ticker, every second, removes statements
older than 24 hours with their results, ends sessions whose keep-alive ran out, stops
statements that ran 24 hours, and closes idle connections.  At start, a statement the last
service left SUBMITTED, PICKED or STARTED is FAILED: it did not finish and never will.
"""

from __future__ import annotations

import logging
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from localshift.dataplane.sql_sessions import SqlSession
from localshift.services.clock import Clock
from localshift.services.data_api.connections import Connections
from localshift.services.data_api.sessions import DataSession, Sessions
from localshift.services.data_api.targets import Target
from localshift.store.data_api import ACTIVE, FAILED, StatementRecord, StatementRepository
from localshift.store.database import Database

log = logging.getLogger("localshift.data_api")

WORKER_THREADS = 16
RETENTION = timedelta(hours=24)
MAX_DURATION = timedelta(hours=24)
# A cancel that reaches the engine before the statement does is lost: it is sent again until
# the statement ends, this often and at most this many times.
CANCEL_INTERVAL, CANCEL_ATTEMPTS = 0.25, 40
INTERRUPTED = "The statement was interrupted: localshift stopped while it ran."
TOO_LONG = "Query exceeded the Data API's maximum duration of 24 hours."


@dataclass
class Running:
    """A statement submitted and not ended: where it runs, and what CancelStatement needs to
    reach it.  ``failure``: why it was stopped when that was not a CancelStatement (it then
    ends FAILED, not ABORTED)."""
    target: Target
    session: DataSession | None = None
    cancelled: bool = False
    failure: str | None = None
    connection: SqlSession | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    ended: threading.Event = field(default_factory=threading.Event)

    def cancel(self, failure: str | None = None, while_locked: Callable[[], None] | None = None) -> None:
        """Stop the statement: the engine cancels what it runs, a worker that has not taken it yet
        will not run it.  ``while_locked`` runs before any worker can look again."""
        with self.lock:
            self.cancelled = True
            self.failure = failure
            if while_locked is not None:
                while_locked()
            connection = self.connection
        if connection is not None:
            threading.Thread(target=self._keep_cancelling, args=(connection,), daemon=True,
                             name="localshift-data-api-cancel").start()

    def _keep_cancelling(self, connection: SqlSession) -> None:
        for _ in range(CANCEL_ATTEMPTS):
            connection.cancel()
            if self.ended.wait(CANCEL_INTERVAL):
                return


class DataApiBackend:
    def __init__(self, db: Database, dataplane: Any, clock: Clock, redshift: Any, serverless: Any,
                 results_dir: Path, *, tick_seconds: float = 1.0, worker_threads: int = WORKER_THREADS) -> None:
        self.db = db
        self.dataplane = dataplane
        self.clock = clock
        self.redshift = redshift
        self.serverless = serverless
        self.results_dir = results_dir
        self.tick_seconds = tick_seconds
        self.statements = StatementRepository(db)
        self.connections = Connections(db, dataplane, clock)
        self.sessions = Sessions()
        self.running: dict[str, Running] = {}
        self.running_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(worker_threads, thread_name_prefix="localshift-data-api")
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def result_path(self, statement_id: str, part: int) -> Path:
        self.results_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.results_dir / f"{statement_id}.{part}"

    def submit(self, job: Callable[..., None], statement_id: str, running: Running) -> Future[None]:
        with self.running_lock:
            self.running[statement_id] = running
        future = self._pool.submit(job, self, statement_id)
        future.add_done_callback(_log_failure)
        return future

    def start(self) -> None:
        self.recover()

        def run() -> None:
            while not self._stop.wait(self.tick_seconds):
                try:
                    self.tick()
                except Exception:
                    log.exception("Data API housekeeping failed")

        self._ticker = threading.Thread(target=run, name="localshift-data-api-ticker", daemon=True)
        self._ticker.start()

    def recover(self) -> None:
        """Statements a previous service left running did not finish: they failed."""
        now = self.clock.now()
        for record in self.statements.active():
            mark_interrupted(record, now)
            self.statements.update(record)

    def tick(self) -> None:
        now = self.clock.now()
        expired = self.statements.older_than(now - RETENTION)
        if expired:
            for record in expired:
                self.remove_results(record)
            self.statements.delete([record.id for record in expired])
        with self.running_lock:
            running = list(self.running.items())
        for statement_id, held in running:
            record = self.statements.get(statement_id)
            if record is not None and now - record.created_at >= MAX_DURATION and not held.cancelled:
                held.cancel(TOO_LONG)
        self.sessions.expire(now)
        self.connections.close_idle()

    def remove_results(self, record: StatementRecord) -> None:
        for part in record.parts:
            if part.result_file:
                (self.results_dir / part.result_file).unlink(missing_ok=True)

    def shutdown(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        with self.running_lock:
            running = list(self.running.values())
        for held in running:
            held.cancel(INTERRUPTED)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.sessions.end_all()
        self.connections.close_all()
        self.recover()  # what was still queued did not run

    def reset(self) -> None:
        """Forget everything (the rows go with the store's wipe)."""
        with self.running_lock:
            running = list(self.running.values())
        for held in running:
            held.cancel(INTERRUPTED)
        self.sessions.end_all()
        self.connections.close_all()
        shutil.rmtree(self.results_dir, ignore_errors=True)


def mark_interrupted(record: StatementRecord, now: Any) -> None:
    record.status, record.error, record.updated_at = FAILED, INTERRUPTED, now
    for part in record.parts:
        if part.status in ACTIVE:
            part.status, part.error, part.updated_at = FAILED, INTERRUPTED, now


def _log_failure(future: Future[None]) -> None:
    error = future.exception() if not future.cancelled() else None
    if error is not None:
        log.error("Data API statement job failed", exc_info=error)
