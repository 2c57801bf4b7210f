"""Time-driven work: schedule associations, automated snapshots, retention expiry, events' age; recovery at start."""

from __future__ import annotations

import logging
from datetime import timedelta

from localshift.records import SnapshotRecord
from localshift.services import events
from localshift.services.common import table_restore_lifecycle
from localshift.services.redshift import cross_region, endpoint_lifecycle, lifecycle, snapshot_lifecycle, snapshot_timing
from localshift.services.redshift import scheduled_action_runs
from localshift.services.redshift import logging_lifecycle, maintenance_lifecycle, node_failure_lifecycle, restore_lifecycle
from localshift.services.events import INTERRUPTED, record_failure
from localshift.services.redshift.backend import RedshiftBackend
from localshift.store.events import CLUSTER_SNAPSHOT

log = logging.getLogger("localshift.scheduler")


def expire_snapshots(backend: RedshiftBackend) -> None:
    now = backend.clock.now()
    for cluster in backend.clusters.in_statuses(["available", "paused", "modifying", "renaming", "hardware-failure"]):
        automated = backend.snapshots.of_cluster(cluster.account, cluster.region, cluster.identifier, "automated")
        retention = cluster.automated_snapshot_retention_period
        keep_after = now - timedelta(days=retention)
        available = [s for s in automated if s.status == "available"]
        # Redshift keeps the newest automated snapshot while automated snapshots are on;
        # failed ones are kept for their retention period too, then go.
        newest = {available[-1].row_id} if available and retention > 0 else set()
        for snapshot in automated:
            finished = snapshot.status in ("available", "failed")
            if finished and snapshot.row_id not in newest and (retention == 0 or snapshot.create_time < keep_after):
                _expire(backend, snapshot)
    for snapshot in backend.snapshots.manual_with_retention():
        start = snapshot.retention_start_time
        if start is None or snapshot.status != "available":
            continue
        if start + timedelta(days=snapshot.manual_snapshot_retention_period) <= now:
            if not backend.snapshots.grantees(snapshot):
                _expire(backend, snapshot)


def _expire(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    """Remove a snapshot past its retention; one that cannot be removed now is tried at the next tick."""
    try:
        snapshot_lifecycle.remove_snapshot(backend, snapshot)
    except Exception:
        log.exception("snapshot %s could not be expired", snapshot.identifier)


def tick(backend: RedshiftBackend) -> None:
    now = backend.clock.now()
    moved_back = backend.clock_moved_back(now)
    if moved_back:
        snapshot_timing.rewind_due_times(backend, now)
    snapshot_timing.apply_schedule_changes(backend)
    snapshot_lifecycle.take_due_automated_snapshots(backend)
    expire_snapshots(backend)
    logging_lifecycle.deliver_due_logs(backend)
    for copy in cross_region.expired_copies(backend, backend.clock.now()):
        _expire(backend, copy)
    events.prune(backend)
    scheduled_action_runs.run_due(backend, moved_back)
    maintenance_lifecycle.switch_due_tracks(backend)


def recover(backend: RedshiftBackend) -> None:
    """Resume the work a previous run of the service left unfinished, or end it in a final status; from
    now on, hear of clusters' engines that die."""
    node_failure_lifecycle.watch_engines(backend)
    table_restore_lifecycle.fail_interrupted(backend, backend.table_restores)
    for snapshot in backend.snapshots.in_statuses(["creating"]):
        # Its data would no longer be that of SnapshotCreateTime: it failed.
        backend.mutate_snapshot(snapshot.row_id, lambda s: setattr(s, "status", "failed"))
        record_failure(backend.events, backend.clock.now(), snapshot.account, snapshot.region, CLUSTER_SNAPSHOT,
                       snapshot.identifier, f"Amazon Redshift could not take snapshot {snapshot.identifier}",
                       INTERRUPTED, **snapshot_lifecycle.failure_event(snapshot))
    for cluster in backend.clusters.in_statuses(
        ["available", "modifying", "renaming", "creating", "final-snapshot", "deleting", "pausing", "resuming",
         *maintenance_lifecycle.RESUMED]
    ):
        row_id = cluster.row_id
        if cluster.status == "creating" and cluster.restore_status is not None:
            backend.submit_for(cluster.account, restore_lifecycle.restore_cluster, row_id)
        elif cluster.status == "creating":
            backend.submit_for(cluster.account, lifecycle.create_cluster, row_id)
        elif cluster.status in ("final-snapshot", "deleting"):
            final = [
                s
                for s in backend.snapshots.of_cluster(cluster.account, cluster.region, cluster.identifier, "manual")
                if s.status == "final snapshot"
            ]
            backend.submit_for(cluster.account, lifecycle.delete_cluster, row_id, final[0].row_id if final else None)
        elif cluster.status == "pausing":
            backend.submit_for(cluster.account, lifecycle.pause_cluster, row_id)
        elif cluster.status == "resuming":
            backend.submit_for(cluster.account, lifecycle.resume_cluster, row_id)
        elif cluster.status in ("modifying", "renaming", *maintenance_lifecycle.RESUMED) or cluster.parameters_applying:
            # A new password, port or size accepted before the stop is applied now.
            maintenance_lifecycle.resume(backend, cluster)
        else:
            lifecycle.serve_again(backend, cluster)
    endpoint_lifecycle.recover(backend)

