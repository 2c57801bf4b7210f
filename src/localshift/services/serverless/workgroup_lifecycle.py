"""Background work on what a workgroup serves: creating, moving and deleting workgroups, and restores.

A workgroup serves its namespace's engine on its port.  A restore builds a new
engine (the next generation) beside the old one and swaps them only once the
restore succeeded, so a failed restore leaves the namespace's data as it was.
Failures end as lifecycle.py describes: the reason kept as an event, and the
resource back to AVAILABLE with the change rolled back; a workgroup whose
creation failed is removed again (the model has no failure status for it).
"""

from __future__ import annotations

import logging

from localshift.services.common import restart_lifecycle
from localshift.services.common.jobs import release_lease
from localshift.services.serverless import endpoint_lifecycle, usage_limits
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import apply_config, engine_key, ensure_engine, failed, run_job
from localshift.store.events import NAMESPACE, WORKGROUP
from localshift.store.secrets import pending_key
from localshift.store.serverless import NamespaceRecord, RestorePlan, WorkgroupRecord

log = logging.getLogger("localshift.lifecycle")


def _namespace_of(backend: ServerlessBackend, workgroup: WorkgroupRecord) -> NamespaceRecord | None:
    return backend.namespaces.get(workgroup.account, workgroup.region, workgroup.namespace_name)


def _serving(backend: ServerlessBackend, namespace_row_id: int) -> bool:
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    return bool(namespace and namespace.engine_generation and backend.dataplane.is_running(
        engine_key(namespace_row_id, namespace.engine_generation)))


def _forget_workgroup(backend: ServerlessBackend, workgroup: WorkgroupRecord) -> None:
    with backend.db.transaction():
        backend.tags.remove_all(workgroup.arn)
        usage_limits.forget_limits_of(backend, workgroup)
        backend.workgroups.delete(workgroup)


def serve_again(backend: ServerlessBackend, workgroup: WorkgroupRecord) -> None:
    """At the service's start: serve an available workgroup's port again (restart_lifecycle.py); its
    engine starts in serve_workgroup's job, submitted here.  A workgroup moving to a new port, or
    whose namespace has no engine yet, is left to that job."""
    namespace = _namespace_of(backend, workgroup)
    if workgroup.status != "AVAILABLE" or workgroup.pending_port or not (namespace and namespace.engine_generation):
        backend.submit_for(workgroup.account, serve_workgroup, workgroup.row_id)
        return
    restart_lifecycle.serve_again(
        backend, workgroup.account, engine_key(namespace.row_id, namespace.engine_generation), workgroup.endpoint_port,
        workgroup.port, f"workgroup {workgroup.name}",
        lambda port: backend.mutate_workgroup(workgroup.row_id, lambda w: setattr(w, "endpoint_port", port)),
        lambda: serve_workgroup(backend, workgroup.row_id))


def create_workgroup(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Serve the namespace's data on the workgroup's port (creating the engine the first time)."""
    serve_workgroup(backend, workgroup_row_id)


def serve_workgroup(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Serve the namespace's engine on the workgroup's (new) port: after a create, an UpdateWorkgroup
    of the port, or a restart of the service."""
    workgroup = backend.workgroups.get_by_id(workgroup_row_id)
    namespace = _namespace_of(backend, workgroup) if workgroup else None
    if workgroup is None or namespace is None:
        return
    namespace_row_id = namespace.row_id

    def work() -> bool:
        # Requests are answered meanwhile (this job may be a restart's): the workgroup is read again
        # under its engine's lock, which DeleteWorkgroup's job and other moves hold too, so the job that
        # comes second sees what the first did.  One being deleted: that job stops the engine.
        with backend.engine_lock(namespace_row_id):
            current = backend.workgroups.get_by_id(workgroup_row_id)
            if current is None or current.status == "DELETING":
                return False
            wanted = current.pending_port or current.endpoint_port or current.port
            key, port = ensure_engine(backend, namespace_row_id, wanted)
            apply_config(backend, key, current, namespace_row_id)

            def available(w: WorkgroupRecord) -> None:
                w.port, w.pending_port = w.pending_port or w.port, None
                if w.status != "DELETING":  # a DeleteWorkgroup accepted meanwhile goes on
                    w.status = "AVAILABLE"
                w.endpoint_port = port

            backend.mutate_workgroup(workgroup_row_id, available)
        return True

    def settle() -> None:
        if workgroup.status == "CREATING":
            _forget_workgroup(backend, workgroup)  # its creation is rolled back
            return
        serving = _serving(backend, namespace_row_id)

        def rolled_back(w: WorkgroupRecord) -> None:
            w.pending_port = None  # a port change that failed: keep the old port
            w.status = "AVAILABLE"
            if not serving:
                w.endpoint_port = None

        backend.mutate_workgroup(workgroup_row_id, rolled_back)

    action = "create" if workgroup.status == "CREATING" else "serve"
    run_job(backend, workgroup, WORKGROUP, action, work, settle)


def delete_workgroup(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Stop serving the namespace's engine (its data stays with the namespace), then forget the workgroup."""
    workgroup = backend.workgroups.get_by_id(workgroup_row_id)
    if workgroup is None:
        return
    namespace = _namespace_of(backend, workgroup)

    def work() -> bool:
        if namespace is not None and namespace.engine_generation:
            with backend.engine_lock(namespace.row_id):
                backend.dataplane.stop_engine(engine_key(namespace.row_id, namespace.engine_generation))
        _forget_workgroup(backend, workgroup)
        return True

    run_job(backend, workgroup, WORKGROUP, "delete", work,
            lambda: backend.mutate_workgroup(workgroup_row_id, lambda w: setattr(w, "status", "AVAILABLE")))


def restore_namespace(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """Replace a namespace's data with a snapshot's, then serve it on its workgroup's port.

    Whatever happens, the namespace and its workgroup end AVAILABLE: with the
    snapshot's data, or with the data (and credentials) they had.
    """
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or namespace.restore_plan is None:
        return
    plan = namespace.restore_plan
    workgroup = backend.workgroups.get_by_id(plan.workgroup_row_id)
    old_key = engine_key(namespace_row_id, namespace.engine_generation) if namespace.engine_generation else None
    generation = namespace.engine_generation + 1
    new_key = engine_key(namespace_row_id, generation)
    wanted_port = (workgroup.endpoint_port or workgroup.port) if workgroup else 0
    served: list[int] = []
    restored = False
    try:
        with backend.engine_lock(namespace_row_id):
            try:
                if old_key:
                    backend.dataplane.stop_engine(old_key)  # frees the workgroup's port
                backend.dataplane.destroy_engine(new_key)  # leftovers of an interrupted restore
                if plan.lease is None:
                    raise RuntimeError("the snapshot holds no data")
                port = backend.dataplane.restore_snapshot(
                    plan.lease, new_key, wanted_port, None, plan.engine_username, plan.password_md5
                )
                restored = True
                served.append(port)
                if workgroup is not None:
                    apply_config(backend, new_key, workgroup, namespace_row_id)
            except Exception as error:
                # A damaged snapshot or an engine failure: the namespace keeps the data it had.
                failed(backend, namespace, NAMESPACE, "restore a snapshot into", error)
                served.extend(_serve_old_engine(backend, new_key, old_key, wanted_port))
            if restored:
                _retire_old_engine(backend, old_key, new_key if workgroup is None else None)
    finally:
        _finish_restore(backend, namespace, plan, generation if restored else None, served[0] if served else None)
    if restored:
        # The old engine's endpoint ports went with it: the new engine serves them.
        endpoint_lifecycle.serve_endpoints_of(backend, plan.workgroup_row_id)


def _serve_old_engine(backend: ServerlessBackend, new_key: str, old_key: str | None, wanted_port: int) -> list[int]:
    """After a failed restore: drop the new engine and serve the old one again; the port it serves on, if any."""
    try:
        backend.dataplane.destroy_engine(new_key)
        if old_key:
            return [backend.dataplane.start_engine(old_key, wanted_port)]
    except Exception:
        log.exception("the namespace's engine %s could not be served again", old_key)
    return []


def _retire_old_engine(backend: ServerlessBackend, old_key: str | None, unserved_key: str | None) -> None:
    """After a restore: the old engine goes; a new one without a workgroup is stopped until one is created."""
    try:
        if old_key:
            backend.dataplane.destroy_engine(old_key)
        if unserved_key:
            backend.dataplane.stop_engine(unserved_key)
    except Exception:
        log.exception("the namespace's previous engine %s could not be removed", old_key)


def _finish_restore(
    backend: ServerlessBackend, namespace: NamespaceRecord, plan: RestorePlan, generation: int | None, port: int | None
) -> None:
    """Record how a restore ended (``generation``: the new engine's, None when it failed) and let go of its lease."""
    try:
        release_lease(backend, plan.lease)
    except Exception:
        log.exception("the restore lease %s could not be released", plan.lease)

    def finished(n: NamespaceRecord) -> None:
        n.restore_plan = None
        n.status = "AVAILABLE"
        if generation is not None:
            n.engine_generation = generation
            n.restored_from = plan.snapshot_arn
            n.admin_username, n.admin_password_md5, n.db_name = plan.admin_username, plan.password_md5, plan.db_name
            n.admin_password_secret_arn = plan.secret_arn
            n.admin_password_secret_kms_key_id = plan.secret_kms_key_id

    def workgroup_finished(w: WorkgroupRecord) -> None:
        w.status = "AVAILABLE"
        w.endpoint_port = port

    if plan.secret_arn:
        # The secret holds the password of the data the namespace now has, before anyone is told
        # the namespace is available (the engine already has that password).
        if generation is not None:
            backend.secrets.promote(plan.secret_arn)
        else:
            backend.secrets.delete(pending_key(plan.secret_arn))
    backend.mutate_namespace(namespace.row_id, finished)
    backend.mutate_workgroup(plan.workgroup_row_id, workgroup_finished)
