"""Background work that moves clusters and snapshots through their statuses.

Each job does the real work in the data plane first and only then records the
new status, so a status is never ahead of what actually happened.  Jobs
re-read their record before writing, so API changes made meanwhile (tags,
retention, renames) are not lost.  This is the only module that talks to the
data plane.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.redshift.arns import cluster_arn, snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.snapshot_factory import new_automated_snapshot

log = logging.getLogger("localshift.lifecycle")

MB = 1024 * 1024


def cluster_key(cluster: ClusterRecord) -> str:
    # Keyed by row id, which survives renames.
    return f"cluster-{cluster.row_id}"


def snapshot_key(snapshot: SnapshotRecord) -> str:
    return f"snapshot-{snapshot.row_id}"


class _ProgressRecorder:
    """Turns data-plane progress callbacks into throttled snapshot updates."""

    def __init__(self, write: Callable[[float, float, float, int, int], None]) -> None:
        self.write = write
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.25 and done < total:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / MB / elapsed
        remaining = int((total - done) / MB / rate) if rate > 0 else 0
        self.write(done / MB, total / MB, rate, int(elapsed), remaining)


# --- clusters ----------------------------------------------------------------


def create_cluster(backend: RedshiftBackend, row_id: int) -> None:
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    backend.dataplane.destroy_cluster(cluster_key(cluster))  # leftovers of an interrupted create
    # Every local cluster shares 127.0.0.1, so two clusters asking for 5439 cannot both have it:
    # the data plane serves another free port then, and Endpoint.Port names the one served.
    port = backend.dataplane.create_cluster(
        cluster_key(cluster), cluster.port, cluster.master_username, cluster.master_password, cluster.db_name
    )
    _became_available(backend, row_id, port)


def _became_available(backend: RedshiftBackend, row_id: int, port: int) -> None:
    now = backend.clock.now()

    def change(c: ClusterRecord) -> None:
        c.status = "available"
        c.endpoint_port = port
        if c.automated_snapshot_retention_period > 0:
            # Redshift takes the first automated snapshot once a cluster is available.
            c.next_automated_snapshot_time = now

    backend.mutate_cluster(row_id, change)
    take_due_automated_snapshots(backend)


def start_engine(backend: RedshiftBackend, row_id: int) -> None:
    """Serve an available cluster again after the service restarted."""
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    port = backend.dataplane.start_cluster(cluster_key(cluster), cluster.endpoint_port or cluster.port)
    backend.mutate_cluster(row_id, lambda c: setattr(c, "endpoint_port", port))


def pause_cluster(backend: RedshiftBackend, row_id: int) -> None:
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    backend.dataplane.stop_cluster(cluster_key(cluster))
    backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "paused"))


def resume_cluster(backend: RedshiftBackend, row_id: int) -> None:
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    port = backend.dataplane.start_cluster(cluster_key(cluster), cluster.endpoint_port or cluster.port)

    def change(c: ClusterRecord) -> None:
        c.status = "available"
        c.endpoint_port = port

    backend.mutate_cluster(row_id, change)


def apply_modification(backend: RedshiftBackend, row_id: int, new_password: str | None) -> None:
    """Finish a ModifyCluster: set the new password in the engine, then clear pending values."""
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    if new_password is not None:
        backend.dataplane.set_master_password(cluster_key(cluster), cluster.master_username, new_password)

    def change(c: ClusterRecord) -> None:
        if new_password is not None:
            c.master_password = new_password
        c.pending_modified = {}
        c.status = "available"

    backend.mutate_cluster(row_id, change)


def delete_cluster(backend: RedshiftBackend, row_id: int, final_snapshot_id: int | None) -> None:
    if final_snapshot_id is not None:
        if not take_snapshot(backend, final_snapshot_id):
            # No final snapshot, no deletion: the cluster and its data stay.
            backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "available"))
            return
        backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "deleting"))
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    backend.dataplane.destroy_cluster(cluster_key(cluster))
    # Automated snapshots go with their cluster; manual ones (the final one too) stay.
    for snapshot in backend.snapshots.of_cluster(cluster.account, cluster.region, cluster.identifier, "automated"):
        remove_snapshot(backend, snapshot)
    with backend.db.transaction():
        backend.tags.remove_all(cluster_arn(cluster.region, cluster.account, cluster.identifier))
        backend.clusters.delete(cluster)


# --- snapshots ---------------------------------------------------------------


def take_snapshot(backend: RedshiftBackend, snapshot_row_id: int) -> bool:
    """Copy a cluster's data into a snapshot that is in 'creating' or 'final snapshot'; True when it holds it."""
    snapshot = backend.snapshots.get_by_id(snapshot_row_id)
    if snapshot is None:
        return False
    cluster = backend.clusters.get(snapshot.account, snapshot.region, snapshot.cluster_identifier)

    def write_progress(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(s: SnapshotRecord) -> None:
            s.progress_mb, s.total_size_mb, s.rate_mb_per_s = done_mb, total_mb, rate
            s.elapsed_seconds, s.estimated_seconds_to_completion = elapsed, remaining

        backend.mutate_snapshot(snapshot_row_id, change)

    try:
        if cluster is None:
            raise RuntimeError("the source cluster is gone")
        # Leftovers of an attempt cut short by a restart would make the store refuse the key.
        backend.dataplane.delete_snapshot(snapshot_key(snapshot))
        stats = backend.dataplane.create_snapshot(
            cluster_key(cluster), snapshot_key(snapshot), _ProgressRecorder(write_progress)
        )
    except Exception:
        log.exception("snapshot %s failed", snapshot.identifier)
        backend.mutate_snapshot(snapshot_row_id, lambda s: setattr(s, "status", "failed"))
        return False
    finished = backend.clock.now()

    def change(s: SnapshotRecord) -> None:
        _completed(s, stats.total_bytes / MB, stats.incremental_bytes / MB, stats.elapsed_seconds, finished)
        if stats.consistent_at is not None:
            # The data is that committed at the instant the online backup became
            # consistent; SnapshotCreateTime names the instant the data is of.
            at = stats.consistent_at.astimezone(timezone.utc)
            s.create_time = at.replace(microsecond=at.microsecond // 1000 * 1000)

    if backend.mutate_snapshot(snapshot_row_id, change) is None:
        # Deleted while it ran (an automated snapshot of a cluster being deleted).
        backend.dataplane.delete_snapshot(snapshot_key(snapshot))
        return False
    return True


def _completed(s: SnapshotRecord, total_mb: float, incremental_mb: float, elapsed: float, finished: datetime) -> None:
    s.status = "available"
    s.total_size_mb = total_mb
    s.incremental_size_mb = incremental_mb
    s.progress_mb = total_mb
    s.rate_mb_per_s = 0.0
    s.estimated_seconds_to_completion = 0
    s.elapsed_seconds = int(elapsed)
    s.data_key = snapshot_key(s)
    # The retention period starts when the snapshot completes.
    s.retention_start_time = finished


def copy_snapshot_data(backend: RedshiftBackend, source_row_id: int, target_row_id: int) -> None:
    source = backend.snapshots.get_by_id(source_row_id)
    target = backend.snapshots.get_by_id(target_row_id)
    if target is None:
        return
    try:
        if source is None or source.data_key is None:
            raise RuntimeError("the source snapshot is gone")
        stats = backend.dataplane.copy_snapshot(source.data_key, snapshot_key(target))
    except Exception:
        log.exception("copy to %s failed", target.identifier)
        backend.mutate_snapshot(target_row_id, lambda s: setattr(s, "status", "failed"))
        return
    finished = backend.clock.now()
    total_mb = source.total_size_mb if source else 0.0
    # A copy in the same region shares the source's data: nothing new is stored.
    backend.mutate_snapshot(
        target_row_id, lambda s: _completed(s, total_mb, stats.incremental_bytes / MB, stats.elapsed_seconds, finished)
    )


def remove_snapshot(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    """Delete a snapshot's row, tags and data."""
    with backend.db.transaction():
        backend.tags.remove_all(
            snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier)
        )
        backend.snapshots.delete(snapshot)
    # Also when no data key was recorded: a snapshot cut short by a restart may have stored data.
    backend.dataplane.delete_snapshot(snapshot.data_key or snapshot_key(snapshot))


def take_due_automated_snapshots(backend: RedshiftBackend) -> None:
    now = backend.clock.now()
    for cluster in backend.clusters.in_statuses(["available"]):
        due = cluster.next_automated_snapshot_time
        if due is None or due > now or cluster.automated_snapshot_retention_period == 0:
            continue
        interval = backend.settings.automated_snapshot_interval
        backend.mutate_cluster(
            cluster.row_id,  # type: ignore[arg-type]
            lambda c: setattr(c, "next_automated_snapshot_time", _next_due(due, now, interval)),
        )
        snapshot = new_automated_snapshot(backend, cluster, now)
        if snapshot is not None:
            backend.submit(take_snapshot, snapshot.row_id)


def _next_due(due: datetime, now: datetime, interval: float) -> datetime:
    step = timedelta(seconds=interval)
    following = due + step
    while following <= now:
        following += step
    return following


def restore_cluster(backend: RedshiftBackend, cluster_row_id: int) -> None:
    """Bring a snapshot's data back as a new cluster; RestoreStatus follows the real work.

    The restore reads from a lease on the snapshot's data taken when the
    restore was accepted, so it finishes even if access to the snapshot is
    revoked or the snapshot is deleted meanwhile (as AWS documents).
    """
    cluster = backend.clusters.get_by_id(cluster_row_id)
    if cluster is None:
        return
    snapshot_data_key = cluster.restore_data_key

    def write_progress(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(c: ClusterRecord) -> None:
            c.restore_status = "restoring"
            c.restore_progress_mb, c.restore_snapshot_size_mb = done_mb, total_mb
            c.restore_rate_mb_per_s, c.restore_elapsed_seconds = rate, elapsed
            c.restore_estimated_seconds = remaining

        backend.mutate_cluster(cluster_row_id, change)

    started = time.monotonic()
    backend.mutate_cluster(cluster_row_id, lambda c: setattr(c, "restore_status", "restoring"))
    try:
        backend.dataplane.destroy_cluster(cluster_key(cluster))
        if snapshot_data_key is None:
            raise RuntimeError("the snapshot holds no data")
        port = backend.dataplane.restore_snapshot(
            snapshot_data_key,
            cluster_key(cluster),
            cluster.port,
            _ProgressRecorder(write_progress),
            cluster.master_username,
            cluster.master_password,
        )
    except Exception:
        # A damaged snapshot (checksum mismatch) or any engine failure.
        log.exception("restore of %s failed", cluster.identifier)
        backend.dataplane.destroy_cluster(cluster_key(cluster))
        _release_lease(backend, cluster_row_id, snapshot_data_key)

        def failed(c: ClusterRecord) -> None:
            # AWS's failure state for a restore: the cluster never serves partial data.
            c.restore_status = "failed"
            c.status = "incompatible-restore"

        backend.mutate_cluster(cluster_row_id, failed)
        return

    def completed(c: ClusterRecord) -> None:
        c.restore_status = "completed"
        c.restore_progress_mb = c.restore_snapshot_size_mb
        c.restore_rate_mb_per_s = 0.0
        c.restore_estimated_seconds = 0
        c.restore_elapsed_seconds = int(time.monotonic() - started)

    backend.mutate_cluster(cluster_row_id, completed)
    _release_lease(backend, cluster_row_id, snapshot_data_key)
    _became_available(backend, cluster_row_id, port)


def restore_lease_key(cluster: ClusterRecord) -> str:
    return f"restore-lease-{cluster.row_id}"


def _release_lease(backend: RedshiftBackend, cluster_row_id: int, data_key: str | None) -> None:
    if data_key:
        backend.dataplane.delete_snapshot(data_key)
    backend.mutate_cluster(cluster_row_id, lambda c: setattr(c, "restore_data_key", None))
