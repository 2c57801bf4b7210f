"""Background work on snapshots: taking, copying and deleting their data, automated snapshots.

As in lifecycle.py (clusters), each job does the real work first and only then
records the new status, every write is a read-modify-write of the current
record in one transaction, and a job that fails leaves its snapshot ``failed``
with the reason kept as an event.  With lifecycle.py, the only modules that
talk to the data plane.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services import event_catalog, events
from localshift.services.common import jobs
from localshift.services.redshift import cross_region
from localshift.services.common.jobs import MB, snapshot_completed, snapshot_progress
from localshift.services.redshift.arns import snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key, snapshot_key
from localshift.services.redshift.node_types import CATALOG
from localshift.services.redshift.snapshot_factory import new_automated_snapshot
from localshift.services.redshift.snapshot_timing import next_due
from localshift.store.events import CLUSTER_SNAPSHOT

log = logging.getLogger("localshift.lifecycle")


def _snapshot_job(
    backend: RedshiftBackend, row_id: int, action: str, work: Callable[[SnapshotRecord], bool]
) -> bool:
    """Run ``work`` on a snapshot; its result, or False after marking the snapshot ``failed``."""
    snapshot = backend.snapshots.get_by_id(row_id)
    if snapshot is None:
        return False
    return jobs.run_job(backend, lambda: work(snapshot),
                        lambda: backend.mutate_snapshot(row_id, lambda s: setattr(s, "status", "failed")),
                        snapshot.account, snapshot.region, CLUSTER_SNAPSHOT, snapshot.identifier,
                        f"Amazon Redshift could not {action} snapshot {snapshot.identifier}", **failure_event(snapshot))


def failure_event(snapshot: SnapshotRecord) -> dict[str, str | None]:
    """How a snapshot's failure is kept: Redshift's event id for it, and the snapshot's ARN."""
    return {
        "event_id": _user_event(snapshot, event_catalog.FINAL_SNAPSHOT_FAILED, event_catalog.SNAPSHOT_FAILED),
        "arn": snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier),
    }


def _user_event(snapshot: SnapshotRecord, final: str, manual: str) -> str | None:
    """Redshift's event for what happened to a final or manual snapshot; automated snapshots have none."""
    if snapshot.status == "final snapshot":
        return final
    return manual if snapshot.snapshot_type == "manual" else None


def _record_user_event(backend: RedshiftBackend, snapshot: SnapshotRecord, final: str, manual: str) -> None:
    event_id = _user_event(snapshot, final, manual)
    if event_id is not None:
        events.record(backend, snapshot, event_id, cluster=snapshot.cluster_identifier, snapshot=snapshot.identifier)


def source_cluster(backend: RedshiftBackend, snapshot: SnapshotRecord) -> ClusterRecord | None:
    """The cluster a snapshot is taken of, found by row id so that renames do not lose it."""
    if snapshot.cluster_row_id is not None:
        return backend.clusters.get_by_id(snapshot.cluster_row_id)
    return backend.clusters.get(snapshot.account, snapshot.region, snapshot.cluster_identifier)


def take_snapshot(backend: RedshiftBackend, snapshot_row_id: int) -> bool:
    """Copy a cluster's data into a snapshot that is in 'creating' or 'final snapshot'; True when it holds it."""

    def work(snapshot: SnapshotRecord) -> bool:
        cluster = source_cluster(backend, snapshot)
        if cluster is None:
            raise RuntimeError("the source cluster is gone")
        # Leftovers of an attempt cut short by a restart would make the store refuse the key.
        backend.dataplane.delete_snapshot(snapshot_key(snapshot))
        progress = snapshot_progress(lambda change: backend.mutate_snapshot(snapshot_row_id, change))
        # Snapshots leave out the rows of BACKUP NO tables, except those of RA3 and RG clusters (AWS:
        # there such tables are "treated as permanent" and always backed up).
        stats = backend.dataplane.create_snapshot(
            cluster_key(cluster), snapshot_key(snapshot), progress,
            without_no_backup_tables=CATALOG[cluster.node_type].family not in ("ra3", "rg"))
        finished = backend.clock.now()

        def change(s: SnapshotRecord) -> None:
            _completed(s, stats.total_bytes / MB, stats.incremental_bytes / MB, stats.elapsed_seconds, finished)
            if stats.consistent_at is not None:
                # The data is that committed at the instant the online backup became
                # consistent; SnapshotCreateTime names the instant the data is of (on the
                # service clock, which time travel may have moved).
                at = stats.consistent_at.astimezone(timezone.utc) + timedelta(seconds=backend.clock.offset_seconds)
                s.create_time = at.replace(microsecond=at.microsecond // 1000 * 1000)

        if backend.mutate_snapshot(snapshot_row_id, change) is None:
            # Deleted while it ran (an automated snapshot of a cluster being deleted).
            backend.dataplane.delete_snapshot(snapshot_key(snapshot))
            return False
        _record_user_event(backend, snapshot, event_catalog.FINAL_SNAPSHOT_COMPLETED, event_catalog.SNAPSHOT_COMPLETED)
        return True

    if not _snapshot_job(backend, snapshot_row_id, "take", work):
        return False
    copy_to_other_region(backend, snapshot_row_id)
    return True


def copy_to_other_region(backend: RedshiftBackend, snapshot_row_id: int) -> None:
    """Cross-region snapshot copy: a new snapshot's copy in its cluster's destination region, if it has one."""
    copy = cross_region.new_copy(backend, snapshot_row_id)
    if copy is not None:
        backend.submit_for(copy.account, copy_snapshot_data, snapshot_row_id, copy.row_id)


def _completed(s: SnapshotRecord, total_mb: float, incremental_mb: float, elapsed: float, finished: datetime) -> None:
    snapshot_completed(s, "available", snapshot_key(s), total_mb, incremental_mb, elapsed, finished)


def copy_snapshot_data(backend: RedshiftBackend, source_row_id: int, target_row_id: int) -> None:
    def work(target: SnapshotRecord) -> bool:
        source = backend.snapshots.get_by_id(source_row_id)
        if source is None or source.data_key is None:
            raise RuntimeError("the source snapshot is gone")
        stats = backend.dataplane.copy_snapshot(source.data_key, snapshot_key(target))
        finished = backend.clock.now()
        # A copy in the same region shares the source's data: nothing new is stored.
        completed = backend.mutate_snapshot(
            target_row_id,
            lambda s: _completed(s, source.total_size_mb, stats.incremental_bytes / MB, stats.elapsed_seconds, finished),
        )
        if completed is None:
            backend.dataplane.delete_snapshot(snapshot_key(target))  # deleted while it ran
            return False
        if target.source_region is not None:
            # A cross-region copy: an event of the source cluster, in its region.
            events.record(backend, source, event_catalog.SNAPSHOT_COPIED_TO_REGION, cluster=source.cluster_identifier,
                          snapshot=source.identifier, source_region=source.region, destination_region=target.region)
        else:
            events.record(backend, target, event_catalog.SNAPSHOT_COMPLETED, cluster=target.cluster_identifier,
                          snapshot=target.identifier)
        return True

    _snapshot_job(backend, target_row_id, "copy", work)


def forget_snapshot(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    """Delete a snapshot's row and tags (its grants go with the row); its data is deleted after."""
    with backend.db.transaction():
        backend.tags.remove_all(
            snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier)
        )
        backend.snapshots.delete(snapshot)
        if snapshot.snapshot_type == "manual":
            events.record(backend, snapshot, event_catalog.SNAPSHOT_DELETED, cluster=snapshot.cluster_identifier,
                          snapshot=snapshot.identifier)


def delete_snapshot_data(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    """Delete a forgotten snapshot's data.  The snapshot is gone already, so a failure here
    is logged, never answered: the request that deleted it succeeded."""
    try:
        # Also when no data key was recorded: a snapshot cut short by a restart may have stored data.
        backend.dataplane.delete_snapshot(snapshot.data_key or snapshot_key(snapshot))
    except Exception:
        log.exception("the data of deleted snapshot %s could not be deleted", snapshot.identifier)


def remove_snapshot(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    """Delete a snapshot's row, tags and data."""
    forget_snapshot(backend, snapshot)
    delete_snapshot_data(backend, snapshot)


def take_due_automated_snapshots(backend: RedshiftBackend) -> None:
    now = backend.clock.now()
    for cluster in backend.clusters.in_statuses(["available"]):
        if not _automated_snapshot_due(cluster, now):
            continue  # nothing written: a tick with nothing due leaves the store (and answers kept) as they are
        try:
            snapshot = _schedule_automated_snapshot(backend, cluster.row_id, now)
        except Exception:
            log.exception("the automated snapshot of cluster %s could not be scheduled", cluster.identifier)
            continue
        if snapshot is not None:
            backend.submit_for(snapshot.account, take_snapshot, snapshot.row_id)


def _schedule_automated_snapshot(backend: RedshiftBackend, row_id: int, now: datetime) -> SnapshotRecord | None:
    """In one transaction, if the cluster is (still) available and due: its next due time, and a new snapshot."""
    scheduled: list[SnapshotRecord | None] = []

    def change(c: ClusterRecord) -> None:
        due = c.next_automated_snapshot_time
        if due is None or not _automated_snapshot_due(c, now):
            return
        c.next_automated_snapshot_time = next_due(backend, c, due, now)
        scheduled.append(new_automated_snapshot(backend, c, now))

    backend.mutate_cluster(row_id, change)
    return scheduled[0] if scheduled else None


def _automated_snapshot_due(cluster: ClusterRecord, now: datetime) -> bool:
    due = cluster.next_automated_snapshot_time
    return (cluster.status == "available" and due is not None and due <= now
            and cluster.automated_snapshot_retention_period != 0)
