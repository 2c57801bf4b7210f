"""Time-driven serverless work: retention expiry, recovery points, scheduled actions, and resuming unfinished
work at start."""

from __future__ import annotations

import logging
from datetime import timedelta

from localshift.services.events import INTERRUPTED
from localshift.services.common import table_restore_lifecycle
from localshift.services.serverless import endpoint_lifecycle, lifecycle, recovery_point_lifecycle, scheduled_action_runs
from localshift.services.serverless import engine_failure_lifecycle, workgroup_lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.store.events import SERVERLESS_SNAPSHOT

log = logging.getLogger("localshift.scheduler")


def expire_snapshots(backend: ServerlessBackend) -> None:
    """Delete snapshots past their retention period, unless they are shared (as provisioned ones)."""
    now = backend.clock.now()
    for snapshot in backend.snapshots.with_retention():
        start = snapshot.retention_start_time
        if snapshot.status != "AVAILABLE" or start is None:
            continue
        if start + timedelta(days=snapshot.retention_period) <= now and not backend.snapshots.is_shared(snapshot):
            try:
                lifecycle.remove_snapshot(backend, snapshot)
            except Exception:
                log.exception("snapshot %s could not be expired; tried again at the next tick", snapshot.name)


def tick(backend: ServerlessBackend) -> None:
    moved_back = backend.clock_moved_back(backend.clock.now())
    expire_snapshots(backend)
    recovery_point_lifecycle.take_due_recovery_points(backend)
    recovery_point_lifecycle.expire_recovery_points(backend)
    scheduled_action_runs.run_due(backend, moved_back)


def recover(backend: ServerlessBackend) -> None:
    """Resume the work a previous run of the service left unfinished, or end it in a final status; from
    now on, hear of namespaces' engines that die."""
    engine_failure_lifecycle.watch_engines(backend)
    recovery_point_lifecycle.fail_interrupted(backend)
    table_restore_lifecycle.fail_interrupted(backend, backend.table_restores)
    final_snapshots = set()
    for namespace in backend.namespaces.in_statuses(["DELETING"]):
        final = namespace.delete_plan.final_snapshot_row_id if namespace.delete_plan else None
        final_snapshots.add(final)
        backend.submit_for(namespace.account, lifecycle.delete_namespace, namespace.row_id, final)
    for snapshot in backend.snapshots.in_statuses(["CREATING", "COPYING"]):
        if snapshot.row_id not in final_snapshots:
            # Its data would no longer be that of snapshotCreateTime: it failed.
            backend.mutate_snapshot(snapshot.row_id, lambda s: setattr(s, "status", "FAILED"))
            lifecycle.failed(backend, snapshot, SERVERLESS_SNAPSHOT, "take", INTERRUPTED)
    for namespace in backend.namespaces.in_statuses(["MODIFYING"]):
        if namespace.restore_plan is not None:
            backend.submit_for(namespace.account, workgroup_lifecycle.restore_namespace, namespace.row_id)
        elif namespace.credentials_plan is not None:
            backend.submit_for(namespace.account, lifecycle.set_admin_credentials, namespace.row_id)
        else:
            backend.mutate_namespace(namespace.row_id, lambda n: setattr(n, "status", "AVAILABLE"))
    restoring = {
        namespace.restore_plan.workgroup_row_id
        for namespace in backend.namespaces.in_statuses(["MODIFYING"])
        if namespace.restore_plan is not None
    }
    for workgroup in backend.workgroups.in_statuses(["CREATING", "AVAILABLE", "MODIFYING", "DELETING"]):
        if workgroup.status == "DELETING":
            backend.submit_for(workgroup.account, workgroup_lifecycle.delete_workgroup, workgroup.row_id)
        elif workgroup.row_id not in restoring:
            workgroup_lifecycle.serve_again(backend, workgroup)
    endpoint_lifecycle.recover(backend)
