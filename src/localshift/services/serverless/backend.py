"""The Redshift Serverless backend: repositories, clock, data plane, background work.

It shares the store, data plane and clock with the provisioned backend, and
holds that backend too: RestoreFromSnapshot reads provisioned snapshots.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from localshift.services.clock import Clock
from localshift.services.redshift.backend import RedshiftBackend
from localshift.store.database import Database
from localshift.store.events import EventRepository
from localshift.store.serverless import (
    NamespaceRecord,
    NamespaceRepository,
    ServerlessSnapshotRecord,
    ServerlessSnapshotRepository,
    ServerlessTagRepository,
    WorkgroupRecord,
    WorkgroupRepository,
)

Record = TypeVar("Record", NamespaceRecord, WorkgroupRecord, ServerlessSnapshotRecord)

log = logging.getLogger("localshift.work")


class ServerlessBackend:
    def __init__(
        self,
        db: Database,
        dataplane: Any,
        clock: Clock,
        redshift: RedshiftBackend,
        *,
        snapshot_quota: int = 20,
        tick_seconds: float = 1.0,
        worker_threads: int = 4,
    ) -> None:
        self.db = db
        self.dataplane = dataplane
        self.clock = clock
        self.redshift = redshift
        # Snapshots per account and region (ServiceQuotaExceededException past it).
        self.snapshot_quota = snapshot_quota
        self.tick_seconds = tick_seconds
        self.namespaces = NamespaceRepository(db)
        self.workgroups = WorkgroupRepository(db)
        self.snapshots = ServerlessSnapshotRepository(db)
        self.tags = ServerlessTagRepository(db)
        self.events = EventRepository(db)
        self.secrets = db.secrets
        self._pool = ThreadPoolExecutor(worker_threads, thread_name_prefix="localshift-serverless")
        self._engine_locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # --- background work -----------------------------------------------------
    def submit(self, job: Callable[..., None], *args: Any) -> Future[None]:
        """Run background work (engines, snapshots, restores) off the request path.

        Each job ends its resource in a final status itself, failures included
        (lifecycle.py); what still escapes a job is logged here."""
        future = self._pool.submit(job, self, *args)
        future.add_done_callback(_log_failure)
        return future

    def engine_lock(self, namespace_row_id: int) -> threading.Lock:
        """Held while a namespace's engine is created or replaced."""
        with self._guard:
            return self._engine_locks.setdefault(namespace_row_id, threading.Lock())

    def start(self, recover: Callable[["ServerlessBackend"], None], tick: Callable[["ServerlessBackend"], None]) -> None:
        """Resume unfinished work, then run ``tick`` (retention expiry) every tick_seconds."""
        recover(self)

        def run() -> None:
            while not self._stop.wait(self.tick_seconds):
                try:
                    tick(self)
                except Exception:
                    logging.getLogger("localshift.scheduler").exception("serverless scheduled work failed")

        self._ticker = threading.Thread(target=run, name="localshift-serverless-ticker", daemon=True)
        self._ticker.start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- read, change, write back in one transaction --------------------------
    def _mutate(self, repository: Any, row_id: int, change: Callable[[Record], None]) -> Record | None:
        with self.db.transaction():
            record = repository.get_by_id(row_id)
            if record is None:
                return None
            change(record)
            repository.update(record)
            return record

    def mutate_namespace(self, row_id: int, change: Callable[[NamespaceRecord], None]) -> NamespaceRecord | None:
        return self._mutate(self.namespaces, row_id, change)

    def mutate_workgroup(self, row_id: int, change: Callable[[WorkgroupRecord], None]) -> WorkgroupRecord | None:
        return self._mutate(self.workgroups, row_id, change)

    def mutate_snapshot(
        self, row_id: int, change: Callable[[ServerlessSnapshotRecord], None]
    ) -> ServerlessSnapshotRecord | None:
        return self._mutate(self.snapshots, row_id, change)


def _log_failure(future: Future[None]) -> None:
    error = future.exception() if not future.cancelled() else None
    if error is not None:
        log.error("serverless background job failed", exc_info=error)
