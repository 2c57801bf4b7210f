"""The Redshift backend: repositories, clock, data plane and background work."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.clock import Clock
from localshift.store.clusters import ClusterRepository
from localshift.store.database import Database
from localshift.store.events import EventRepository
from localshift.store.snapshots import SnapshotRepository
from localshift.store.tags import TagRepository


@dataclass(frozen=True)
class BackendSettings:
    # Seconds between automated snapshots of a cluster (Redshift: about 8 hours).
    automated_snapshot_interval: float = 8 * 3600
    # Seconds between checks for due automated snapshots and expired snapshots.
    tick_seconds: float = 1.0
    # Manual snapshots per account and region (Redshift's quota; adjustable in AWS).
    manual_snapshot_quota: int = 20
    # Clusters per account and region.
    cluster_quota: int = 100
    worker_threads: int = 4


class RedshiftBackend:
    def __init__(self, db: Database, dataplane: Any, clock: Clock, settings: BackendSettings) -> None:
        self.db = db
        self.dataplane = dataplane
        self.clock = clock
        self.settings = settings
        self.clusters = ClusterRepository(db)
        self.snapshots = SnapshotRepository(db)
        self.tags = TagRepository(db)
        self.events = EventRepository(db)
        self.secrets = db.secrets
        self._pool = ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="localshift-work")

    def submit(self, job: Callable[..., None], *args: Any) -> Future[None]:
        """Run background work (engine starts, snapshots, restores) off the request path.

        Each job ends its resource in a final status itself, failures included
        (lifecycle.py); what still escapes a job is logged here."""
        future = self._pool.submit(job, self, *args)
        future.add_done_callback(_log_failure)
        return future

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def mutate_cluster(self, row_id: int, change: Callable[[ClusterRecord], None]) -> ClusterRecord | None:
        """Re-read a cluster, change it and write it back in one transaction."""
        with self.db.transaction():
            record = self.clusters.get_by_id(row_id)
            if record is None:
                return None
            change(record)
            self.clusters.update(record)
            return record

    def mutate_snapshot(self, row_id: int, change: Callable[[SnapshotRecord], None]) -> SnapshotRecord | None:
        with self.db.transaction():
            record = self.snapshots.get_by_id(row_id)
            if record is None:
                return None
            change(record)
            self.snapshots.update(record)
            return record


def _log_failure(future: Future[None]) -> None:
    error = future.exception() if not future.cancelled() else None
    if error is not None:
        logging.getLogger("localshift.work").error("background job failed", exc_info=error)
