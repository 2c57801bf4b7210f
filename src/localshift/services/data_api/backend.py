"""The Redshift Data API backend: statements, their results, sessions, connections, workers.

Statements run on worker threads, each account's on its own (``WORKER_THREADS`` at once per
account; more wait SUBMITTED: one account's long statements never hold another's up), through
the clusters' SQL endpoints (connection_lifecycle.py).  A ticker, every second, removes statements
older than 24 hours with their results, ends sessions whose keep-alive ran out, stops
statements that ran 24 hours, and closes idle connections.  At start, a statement the last
service left SUBMITTED, PICKED or STARTED is FAILED: it did not finish and never will.
"""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Collection

from localshift.dataplane.api import DataPlane, SqlSession, mask_passwords
from localshift.services.clock import Clock
from localshift.services.common.backend import ServiceBackend
from localshift.services.data_api.connection_lifecycle import Connections
from localshift.services.data_api.sessions import DataSession, Sessions
from localshift.services.data_api.targets import Target, status_now
from localshift.store.data_api import ACTIVE, FAILED, StatementRecord, StatementRepository
from localshift.store.database import Database

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
    """A statement submitted and not ended (``record``, as submitted): where it runs, and what
    CancelStatement needs to reach it.  ``failure``: why it was stopped when that was not a
    CancelStatement (it then ends FAILED, not ABORTED)."""
    record: StatementRecord
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


class DataApiBackend(ServiceBackend):
    def __init__(self, db: Database, dataplane: DataPlane, clock: Clock, redshift: Any, serverless: Any,
                 results_dir: Path, *, tick_seconds: float = 1.0, worker_threads: int = WORKER_THREADS) -> None:
        super().__init__(db, dataplane, clock, name="data-api", worker_threads=worker_threads,
                         tick_seconds=tick_seconds)
        self.redshift = redshift
        self.serverless = serverless
        self.results_dir = results_dir
        self.statements = StatementRepository(db, mask_passwords)  # the store keeps no password
        self.connections = Connections(db, dataplane, clock, lambda target: status_now(self, target))
        self.sessions = Sessions()
        self.running: dict[str, Running] = {}
        self.running_lock = threading.Lock()

    def result_path(self, statement_id: str, part: int) -> Path:
        """Where a result too large for the store is written (results.py makes the directory then)."""
        return self.results_dir / f"{statement_id}.{part}"

    def run(self, job: Callable[..., None], statement_id: str, running: Running) -> Future[None]:
        """Hand a submitted statement to a worker of its account's."""
        with self.running_lock:
            self.running[statement_id] = running
        return self.submit_for(running.record.account, job, statement_id)

    def remove_results(self, record: StatementRecord) -> None:
        for part in record.parts:
            if part.result_file:
                (self.results_dir / part.result_file).unlink(missing_ok=True)

    def stop_all(self, reason: str) -> None:
        """Stop every statement running or waiting, ending them FAILED with ``reason``."""
        with self.running_lock:
            running = list(self.running.values())
        for held in running:
            held.cancel(reason)

    def shutdown(self) -> None:
        self.stop_all(INTERRUPTED)
        super().shutdown()
        self.sessions.end_all()
        self.connections.close_all()
        recover(self)  # what was still waiting did not run

    def reset(self, accounts: Collection[str] | None = None) -> None:
        """Forget everything, or what ``accounts`` own: their statements stop, their sessions end,
        their results go (the rows go with the store's wipe; connections to their engines close
        as the engines are destroyed)."""
        if accounts is None:
            self.stop_all(INTERRUPTED)
            self.sessions.end_all()
            self.connections.close_all()
            shutil.rmtree(self.results_dir, ignore_errors=True)
            return
        owned = self.statements.of_accounts(accounts)
        with self.running_lock:
            running = [self.running[record.id] for record in owned if record.id in self.running]
        for held in running:
            held.cancel(INTERRUPTED)
        self.sessions.end_of(accounts)
        for record in owned:
            self.remove_results(record)


def recover(backend: DataApiBackend) -> None:
    """At start: statements a previous service left running did not finish; they failed."""
    now = backend.clock.now()
    for record in backend.statements.active():
        mark_interrupted(record, now)
        backend.statements.update(record)


def tick(backend: DataApiBackend) -> None:
    """Every second: statements and their results go after 24 hours, statements running 24 hours
    are stopped, sessions whose keep-alive ran out end, idle connections close."""
    now = backend.clock.now()
    expired = backend.statements.older_than(now - RETENTION)
    if expired:
        for record in expired:
            backend.remove_results(record)
        backend.statements.delete([record.id for record in expired])
    with backend.running_lock:
        running = list(backend.running.items())
    for statement_id, held in running:
        started = backend.statements.get(statement_id)
        if started is not None and now - started.created_at >= MAX_DURATION and not held.cancelled:
            held.cancel(TOO_LONG)
    backend.sessions.expire(now)
    backend.connections.close_idle()


def mark_interrupted(record: StatementRecord, now: Any) -> None:
    record.status, record.error, record.updated_at = FAILED, INTERRUPTED, now
    for part in record.parts:
        if part.status in ACTIVE:
            part.status, part.error, part.updated_at = FAILED, INTERRUPTED, now
