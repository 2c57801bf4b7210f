"""Time-driven serverless work: retention expiry, and resuming unfinished work at start."""

from __future__ import annotations

from datetime import timedelta

from localshift.services.serverless import lifecycle
from localshift.services.serverless.backend import ServerlessBackend


def expire_snapshots(backend: ServerlessBackend) -> None:
    """Delete snapshots past their retention period, unless they are shared (as provisioned ones)."""
    now = backend.clock.now()
    for snapshot in backend.snapshots.with_retention():
        start = snapshot.retention_start_time
        if snapshot.status != "AVAILABLE" or start is None:
            continue
        if start + timedelta(days=snapshot.retention_period) <= now and not backend.snapshots.is_shared(snapshot):
            lifecycle.remove_snapshot(backend, snapshot)


def recover(backend: ServerlessBackend) -> None:
    """Resume the work a previous run of the service left unfinished."""
    final_snapshots = set()
    for namespace in backend.namespaces.in_statuses(["DELETING"]):
        final = namespace.pending.get("delete", {}).get("final_snapshot_row_id")
        final_snapshots.add(final)
        backend.submit(lifecycle.delete_namespace, namespace.row_id, final)
    for snapshot in backend.snapshots.in_statuses(["CREATING"]):
        if snapshot.row_id not in final_snapshots:
            # Its data would no longer be that of snapshotCreateTime: it failed.
            backend.mutate_snapshot(snapshot.row_id, lambda s: setattr(s, "status", "FAILED"))  # type: ignore[arg-type]
    for namespace in backend.namespaces.in_statuses(["MODIFYING"]):
        if "restore" in namespace.pending:
            backend.submit(lifecycle.restore_namespace, namespace.row_id)
        elif "credentials" in namespace.pending:
            backend.submit(lifecycle.set_admin_credentials, namespace.row_id)
    restoring = {
        namespace.pending["restore"]["workgroup_row_id"]
        for namespace in backend.namespaces.in_statuses(["MODIFYING"])
        if "restore" in namespace.pending
    }
    for workgroup in backend.workgroups.in_statuses(["CREATING", "AVAILABLE", "MODIFYING", "DELETING"]):
        if workgroup.status == "DELETING":
            backend.submit(lifecycle.delete_workgroup, workgroup.row_id)
        elif workgroup.row_id not in restoring:
            backend.submit(lifecycle.serve_workgroup, workgroup.row_id)
