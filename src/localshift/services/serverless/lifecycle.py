"""Background work that moves namespaces, workgroups and snapshots through their statuses.

A namespace's data is one data-plane engine, keyed ``namespace-<row id>-<generation>``.
It is created the first time anything needs the namespace's data (its first
workgroup, or a snapshot), served on the workgroup's port while a workgroup
exists, stopped when the workgroup is deleted, and destroyed with the
namespace.  A restore builds a new engine (the next generation) beside the old
one and swaps them only once the restore succeeded, so a failed restore leaves
the namespace's data as it was.

As in the provisioned lifecycle, each job does the real work first and only then
records the new status, re-reading the record so API changes made meanwhile are
kept.  This is the only serverless module that talks to the data plane.
"""

from __future__ import annotations

import logging

from localshift.services.redshift.lifecycle import MB
from localshift.services.redshift.lifecycle import _ProgressRecorder as ProgressRecorder
from localshift.services.serverless.backend import ServerlessBackend
from localshift.store.serverless import NamespaceRecord, ServerlessSnapshotRecord, WorkgroupRecord

log = logging.getLogger("localshift.lifecycle")

# The engine's login when a namespace was created without adminUsername (its password is random).
DEFAULT_ENGINE_USER = "admin"


def engine_key(namespace_row_id: int, generation: int) -> str:
    return f"namespace-{namespace_row_id}-{generation}"


def snapshot_data_key(snapshot: ServerlessSnapshotRecord) -> str:
    return f"serverless-snapshot-{snapshot.row_id}"


def engine_user(namespace: NamespaceRecord) -> str:
    return namespace.admin_username or DEFAULT_ENGINE_USER


# --- the namespace's engine ------------------------------------------------------


def ensure_engine(backend: ServerlessBackend, namespace_row_id: int, serve_port: int | None) -> tuple[str, int]:
    """The namespace's engine key, creating the engine first if it has none, and the port
    it is served on.

    With ``serve_port`` the engine is (re)started and served there, or on another free port
    when that one is taken; without it a newly created engine is stopped again (a snapshot
    reads a stopped engine) and the port is 0.
    """
    with backend.engine_lock(namespace_row_id):
        namespace = backend.namespaces.get_by_id(namespace_row_id)
        if namespace is None:
            raise RuntimeError(f"namespace {namespace_row_id} is gone")
        if namespace.engine_generation:
            key = engine_key(namespace_row_id, namespace.engine_generation)
            if serve_port is not None:
                return key, backend.dataplane.start_cluster(key, serve_port)
            return key, 0
        key = engine_key(namespace_row_id, 1)
        backend.dataplane.destroy_cluster(key)  # leftovers of an interrupted create
        port = backend.dataplane.create_cluster(
            key, serve_port or 0, engine_user(namespace), namespace.admin_password, namespace.db_name
        )
        if serve_port is None:
            backend.dataplane.stop_cluster(key)
            port = 0
        backend.mutate_namespace(namespace_row_id, lambda n: setattr(n, "engine_generation", 1))
        return key, port


def _namespace_of(backend: ServerlessBackend, workgroup: WorkgroupRecord) -> NamespaceRecord | None:
    return backend.namespaces.get(workgroup.account, workgroup.region, workgroup.namespace_name)


# --- workgroups ----------------------------------------------------------------------


def create_workgroup(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Serve the namespace's data on the workgroup's port (creating the engine the first time)."""
    serve_workgroup(backend, workgroup_row_id, backend.workgroups.get_by_id(workgroup_row_id))


def serve_workgroup(backend: ServerlessBackend, workgroup_row_id: int, workgroup: WorkgroupRecord | None = None) -> None:
    workgroup = workgroup or backend.workgroups.get_by_id(workgroup_row_id)
    namespace = _namespace_of(backend, workgroup) if workgroup else None
    if workgroup is None or namespace is None:
        return
    wanted_port = workgroup.pending.get("port", workgroup.endpoint_port or workgroup.port)
    try:
        _, port = ensure_engine(backend, namespace.row_id, wanted_port)  # type: ignore[arg-type]
    except Exception:
        log.exception("workgroup %s could not be served", workgroup.name)

        def failed(w: WorkgroupRecord) -> None:
            if w.status == "CREATING":
                w.pending["failed"] = True  # DeleteWorkgroup may then remove it
            else:
                w.pending.pop("port", None)  # a port change that failed: keep the old port
                w.status = "AVAILABLE"

        backend.mutate_workgroup(workgroup_row_id, failed)
        return

    def available(w: WorkgroupRecord) -> None:
        w.port = w.pending.pop("port", w.port)
        w.status = "AVAILABLE"
        w.endpoint_port = port

    backend.mutate_workgroup(workgroup_row_id, available)


def delete_workgroup(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Stop serving the namespace's engine (its data stays with the namespace), then forget the workgroup."""
    workgroup = backend.workgroups.get_by_id(workgroup_row_id)
    if workgroup is None:
        return
    namespace = _namespace_of(backend, workgroup)
    if namespace is not None and namespace.engine_generation:
        with backend.engine_lock(namespace.row_id):  # type: ignore[arg-type]
            backend.dataplane.stop_cluster(engine_key(namespace.row_id, namespace.engine_generation))  # type: ignore[arg-type]
    with backend.db.transaction():
        backend.tags.remove_all(workgroup.arn)
        backend.workgroups.delete(workgroup)


# --- namespaces ----------------------------------------------------------------------


def set_admin_credentials(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """Finish an UpdateNamespace of adminUsername/adminUserPassword in the engine."""
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or "credentials" not in namespace.pending:
        return
    username, password = namespace.pending["credentials"]
    if namespace.engine_generation:
        backend.dataplane.set_master_password(engine_key(namespace_row_id, namespace.engine_generation), username, password)

    def applied(n: NamespaceRecord) -> None:
        n.admin_username, n.admin_password = username, password
        n.pending.pop("credentials", None)
        n.status = "AVAILABLE"

    backend.mutate_namespace(namespace_row_id, applied)


def delete_namespace(backend: ServerlessBackend, namespace_row_id: int, final_snapshot_row_id: int | None) -> None:
    if final_snapshot_row_id is not None and not take_snapshot(backend, final_snapshot_row_id):
        # Without its final snapshot the namespace is kept, data and all.
        def kept(n: NamespaceRecord) -> None:
            n.status = "AVAILABLE"
            n.pending.pop("delete", None)

        backend.mutate_namespace(namespace_row_id, kept)
        return
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None:
        return
    if namespace.engine_generation:
        with backend.engine_lock(namespace_row_id):
            backend.dataplane.destroy_cluster(engine_key(namespace_row_id, namespace.engine_generation))
    with backend.db.transaction():
        backend.tags.remove_all(namespace.arn)
        backend.namespaces.delete(namespace)


# --- snapshots -----------------------------------------------------------------------


def take_snapshot(backend: ServerlessBackend, snapshot_row_id: int) -> bool:
    """Copy the namespace's data into a CREATING snapshot; True when it became AVAILABLE."""
    snapshot = backend.snapshots.get_by_id(snapshot_row_id)
    if snapshot is None:
        return False
    data_key = snapshot_data_key(snapshot)

    def write_progress(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(s: ServerlessSnapshotRecord) -> None:
            s.progress_mb, s.total_size_mb, s.rate_mb_per_s = done_mb, total_mb, rate
            s.elapsed_seconds, s.estimated_seconds_to_completion = elapsed, remaining

        backend.mutate_snapshot(snapshot_row_id, change)

    try:
        key, _ = ensure_engine(backend, snapshot.namespace_row_id, None)
        backend.dataplane.delete_snapshot(data_key)  # leftovers of an interrupted final snapshot
        stats = backend.dataplane.create_snapshot(key, data_key, ProgressRecorder(write_progress))
    except Exception:
        log.exception("serverless snapshot %s failed", snapshot.name)
        backend.mutate_snapshot(snapshot_row_id, lambda s: setattr(s, "status", "FAILED"))
        return False
    finished = backend.clock.now()

    def available(s: ServerlessSnapshotRecord) -> None:
        s.status = "AVAILABLE"
        s.total_size_mb = s.progress_mb = stats.total_bytes / MB
        s.incremental_size_mb = stats.incremental_bytes / MB
        s.rate_mb_per_s = 0.0
        s.estimated_seconds_to_completion = 0
        s.elapsed_seconds = int(stats.elapsed_seconds)
        s.data_key = data_key
        s.retention_start_time = finished  # the retention period runs from completion

    if backend.mutate_snapshot(snapshot_row_id, available) is None:
        backend.dataplane.delete_snapshot(data_key)  # deleted while it ran
        return False
    return True


def remove_snapshot(backend: ServerlessBackend, snapshot: ServerlessSnapshotRecord) -> None:
    """Delete a snapshot's row (its grants go with it), tags and data."""
    with backend.db.transaction():
        backend.tags.remove_all(snapshot.arn)
        backend.snapshots.delete(snapshot)
    if snapshot.data_key:
        backend.dataplane.delete_snapshot(snapshot.data_key)


# --- restore -------------------------------------------------------------------------


def take_lease(backend: ServerlessBackend, data_key: str | None, lease_key: str) -> str | None:
    """Hold a snapshot's data for one restore (a copy sharing its bytes), so a revoke or
    delete meanwhile does not stop a restore already accepted."""
    if data_key is None:
        return None
    backend.dataplane.copy_snapshot(data_key, lease_key)
    return lease_key


def release_lease(backend: ServerlessBackend, lease: str | None) -> None:
    if lease:
        backend.dataplane.delete_snapshot(lease)


def restore_namespace(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """Replace a namespace's data with a snapshot's, then serve it on its workgroup's port."""
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or "restore" not in namespace.pending:
        return
    plan = namespace.pending["restore"]
    workgroup = backend.workgroups.get_by_id(plan["workgroup_row_id"])
    old_key = engine_key(namespace_row_id, namespace.engine_generation) if namespace.engine_generation else None
    generation = namespace.engine_generation + 1
    new_key = engine_key(namespace_row_id, generation)
    port = (workgroup.endpoint_port or workgroup.port) if workgroup else 0
    restored = False
    with backend.engine_lock(namespace_row_id):
        if old_key:
            backend.dataplane.stop_cluster(old_key)  # frees the workgroup's port
        try:
            backend.dataplane.destroy_cluster(new_key)  # leftovers of an interrupted restore
            if plan["lease"] is None:
                raise RuntimeError("the snapshot holds no data")
            port = backend.dataplane.restore_snapshot(
                plan["lease"], new_key, port, None, plan["engine_username"], plan["password"]
            )
            restored = True
        except Exception:
            # A damaged snapshot or an engine failure: the namespace keeps the data it had.
            log.exception("restore of namespace %s failed", namespace.name)
            backend.dataplane.destroy_cluster(new_key)
            if old_key:
                port = backend.dataplane.start_cluster(old_key, port)
        if restored and old_key:
            backend.dataplane.destroy_cluster(old_key)
        if restored and workgroup is None:
            backend.dataplane.stop_cluster(new_key)  # nothing serves it until a workgroup is created
    release_lease(backend, plan["lease"])

    def finished(n: NamespaceRecord) -> None:
        n.pending.pop("restore", None)
        n.status = "AVAILABLE"
        if restored:
            n.engine_generation = generation
            n.admin_username, n.admin_password, n.db_name = plan["admin_username"], plan["password"], plan["db_name"]
            n.admin_password_secret_arn = plan["secret_arn"]
            n.admin_password_secret_kms_key_id = plan["secret_kms_key_id"]

    def served(w: WorkgroupRecord) -> None:
        w.status = "AVAILABLE"
        w.endpoint_port = port

    backend.mutate_namespace(namespace_row_id, finished)
    if workgroup is not None:
        backend.mutate_workgroup(workgroup.row_id, served)  # type: ignore[arg-type]


# --- reset ---------------------------------------------------------------------------


def release_all(backend: ServerlessBackend) -> None:
    """Destroy every namespace's engine and every snapshot's data (before the rows are wiped)."""
    for namespace in backend.namespaces.all():
        if namespace.engine_generation:
            backend.dataplane.destroy_cluster(engine_key(namespace.row_id, namespace.engine_generation))  # type: ignore[arg-type]
        release_lease(backend, namespace.pending.get("restore", {}).get("lease"))
    for snapshot in backend.snapshots.all():
        if snapshot.data_key:
            backend.dataplane.delete_snapshot(snapshot.data_key)
