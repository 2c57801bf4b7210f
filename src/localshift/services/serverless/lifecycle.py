"""Background work that moves namespaces and snapshots through their statuses
(workgroup_lifecycle.py: workgroups, and restores).

A namespace's data is one data-plane engine, keyed ``namespace-<row id>-<generation>``.
It is created the first time anything needs the namespace's data (its first
workgroup, or a snapshot), served on the workgroup's port while a workgroup
exists, stopped when the workgroup is deleted, and destroyed with the
namespace.

As in the provisioned lifecycle, each job does the real work first and only
then records the new status; every write re-reads the record and changes it in
one transaction (``backend.mutate_*``), so API changes made meanwhile are
kept.  Every job ends its resource in a final status: when the work fails, the
failure is logged, its reason kept as an event, and the resource is FAILED
(snapshots) or back to AVAILABLE with the change rolled back (the model has no
failure status for namespaces and workgroups).  With workgroup_lifecycle.py,
the only serverless modules that talk to the data plane.
"""

from __future__ import annotations

import logging
import re
from typing import Callable, Collection

from localshift.dataplane.api import ClusterFacts, SnapshotStats
from localshift.services.common import jobs, table_restore_lifecycle
from localshift.services.common.jobs import MB, release_lease, snapshot_completed, snapshot_progress
from localshift.services.events import record_failure
from localshift.services.serverless import snapshot_copies
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.validation import REQUIRE_SSL
from localshift.services.serverless.views import DEFAULT_ADMIN_USERNAME
from localshift.store.events import NAMESPACE, SERVERLESS_SNAPSHOT
from localshift.store.secrets import pending_key
from localshift.store.serverless import NamespaceRecord, ServerlessSnapshotRecord, WorkgroupRecord

log = logging.getLogger("localshift.lifecycle")

# The engine's login when a namespace was created without adminUsername (its password is random
# unless adminUserPassword was given).
DEFAULT_ENGINE_USER = DEFAULT_ADMIN_USERNAME

_NOUNS = {SERVERLESS_SNAPSHOT: "snapshot"}

Resource = NamespaceRecord | WorkgroupRecord | ServerlessSnapshotRecord


def engine_key(namespace_row_id: int, generation: int) -> str:
    return f"namespace-{namespace_row_id}-{generation}"


_ENGINE_KEY = re.compile(r"namespace-(\d+)-(\d+)")


def engine_of_key(key: str) -> tuple[int, int] | None:
    """(namespace row id, generation) of an ``engine_key``; None: not a namespace's engine."""
    match = _ENGINE_KEY.fullmatch(key)
    return (int(match[1]), int(match[2])) if match else None


def snapshot_data_key(snapshot: ServerlessSnapshotRecord) -> str:
    return f"serverless-snapshot-{snapshot.row_id}"


def engine_user(namespace: NamespaceRecord) -> str:
    return namespace.admin_username or DEFAULT_ENGINE_USER


# --- failures ------------------------------------------------------------------------


def _failure(record: Resource, source_type: str, action: str) -> str:
    return f"Amazon Redshift Serverless could not {action} {_NOUNS.get(source_type, source_type)} {record.name}"


def failed(backend: ServerlessBackend, record: Resource, source_type: str, action: str, error: Exception) -> None:
    """Log a failed job and keep its reason as an event of its resource."""
    record_failure(backend.events, backend.clock.now(), record.account, record.region, source_type, record.name,
                   _failure(record, source_type, action), error)


def run_job(
    backend: ServerlessBackend, record: Resource, source_type: str, action: str,
    work: Callable[[], bool], settle: Callable[[], object],
) -> bool:
    """Run ``work``; its result when it succeeded.  When it fails, the reason is recorded and
    ``settle`` puts the resource in a final status."""
    return jobs.run_job(backend, work, settle, record.account, record.region, source_type, record.name,
                        _failure(record, source_type, action))


# --- the namespace's engine ------------------------------------------------------


def ensure_engine(backend: ServerlessBackend, namespace_row_id: int, serve_port: int | None) -> tuple[str, int]:
    """The namespace's engine key, creating the engine first if it has none, and the port it
    is served on.

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
                return key, backend.dataplane.start_engine(key, serve_port)
            return key, 0
        key = engine_key(namespace_row_id, 1)
        backend.dataplane.destroy_engine(key)  # leftovers of an interrupted create
        port = backend.dataplane.create_engine(
            key, serve_port or 0, engine_user(namespace), namespace.admin_password_md5, namespace.db_name
        )
        if serve_port is None:
            backend.dataplane.stop_engine(key)
            port = 0
        backend.mutate_namespace(namespace_row_id, lambda n: setattr(n, "engine_generation", 1))
        return key, port


def apply_config(backend: ServerlessBackend, key: str, workgroup: WorkgroupRecord, namespace_row_id: int) -> None:
    """Give the engine the workgroup's config parameters the SQL front honours (require_ssl), and the
    facts of its namespace its SQL reads (a restored engine has its source namespace's until then)."""
    backend.dataplane.apply_settings(key, {REQUIRE_SSL: workgroup.config_parameters.get(REQUIRE_SSL, "false")})
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is not None:
        _write_facts(backend, key, namespace)


def _write_facts(backend: ServerlessBackend, key: str, namespace: NamespaceRecord) -> None:
    """CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE (the namespace's namespaceId), DEFAULT_IAM_ROLE()."""
    backend.dataplane.set_cluster_facts(
        key, ClusterFacts(namespace.account, namespace.namespace_id, namespace.default_iam_role_arn))


def write_facts(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """After UpdateNamespace of its IAM roles: DEFAULT_IAM_ROLE() answers the namespace's default role
    now, in an engine that serves (one that does not gets it when a workgroup serves it: apply_config).
    A failure is logged; the engine keeps the role it had until it is served again."""
    with backend.engine_lock(namespace_row_id):
        namespace = backend.namespaces.get_by_id(namespace_row_id)
        if namespace is None or not namespace.engine_generation:
            return
        key = engine_key(namespace_row_id, namespace.engine_generation)
        try:
            if backend.dataplane.is_running(key):
                _write_facts(backend, key, namespace)
        except Exception:
            log.exception("the default IAM role of namespace %s could not reach its engine", namespace.name)


# --- namespaces ----------------------------------------------------------------------


def set_admin_credentials(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """Finish an UpdateNamespace of the admin credentials in the engine; if the engine refuses,
    the namespace keeps the credentials it had."""
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or namespace.credentials_plan is None:
        return
    plan = namespace.credentials_plan
    secret = namespace.admin_password_secret_arn

    def work() -> bool:
        if namespace.engine_generation:
            key = engine_key(namespace_row_id, namespace.engine_generation)
            backend.dataplane.set_password(key, plan.username, plan.password_md5)

        def applied(n: NamespaceRecord) -> None:
            n.admin_username, n.admin_password_md5 = plan.username, plan.password_md5
            n.credentials_plan = None
            n.status = "AVAILABLE"

        if secret:
            # The engine has the new password: the secret says so before the namespace is available.
            backend.secrets.promote(secret)
        backend.mutate_namespace(namespace_row_id, applied)
        return True

    def rolled_back() -> None:
        backend.mutate_namespace(namespace_row_id, _settled)
        if secret:
            backend.secrets.delete(pending_key(secret))

    run_job(backend, namespace, NAMESPACE, "update the admin credentials of", work, rolled_back)


def _settled(n: NamespaceRecord) -> None:
    """A namespace whose update or deletion failed: AVAILABLE again, as it was."""
    n.credentials_plan = n.delete_plan = None
    n.status = "AVAILABLE"


def delete_namespace(backend: ServerlessBackend, namespace_row_id: int, final_snapshot_row_id: int | None) -> None:
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None:
        return

    def work() -> bool:
        if final_snapshot_row_id is not None and not take_snapshot(backend, final_snapshot_row_id):
            raise RuntimeError("its final snapshot failed, so it was kept")
        if namespace.engine_generation:
            with backend.engine_lock(namespace_row_id):
                backend.dataplane.destroy_engine(engine_key(namespace_row_id, namespace.engine_generation))
        with backend.db.transaction():
            backend.tags.remove_all(namespace.arn)
            snapshot_copies.forget_namespace(backend, namespace)
            backend.namespaces.delete(namespace)
        if namespace.admin_password_secret_arn:
            # The secret of a managed admin password goes with its namespace.
            backend.secrets.delete(namespace.admin_password_secret_arn, pending_key(namespace.admin_password_secret_arn))
        return True

    # Without its final snapshot, or its engine still there, the namespace is kept, data and all.
    run_job(backend, namespace, NAMESPACE, "delete", work, lambda: backend.mutate_namespace(namespace_row_id, _settled))


# --- snapshots -----------------------------------------------------------------------


def take_snapshot(backend: ServerlessBackend, snapshot_row_id: int) -> bool:
    """Copy the namespace's data into a CREATING snapshot; True when it became AVAILABLE."""

    def store(snapshot: ServerlessSnapshotRecord, data_key: str) -> tuple[SnapshotStats, float]:
        key, _ = ensure_engine(backend, snapshot.namespace_row_id, None)
        backend.dataplane.delete_snapshot(data_key)  # leftovers of an interrupted final snapshot
        progress = snapshot_progress(lambda change: backend.mutate_snapshot(snapshot_row_id, change))
        stats = backend.dataplane.create_snapshot(key, data_key, progress)
        return stats, stats.total_bytes / MB

    return _store_snapshot(backend, snapshot_row_id, "take", store)


def fill_snapshot(backend: ServerlessBackend, snapshot_row_id: int, source_data_key: str, total_mb: float) -> bool:
    """Copy data already stored (a snapshot's, into its copy in another region; a recovery point's,
    into the snapshot made of it) into a new snapshot; True when it became AVAILABLE."""

    def store(snapshot: ServerlessSnapshotRecord, data_key: str) -> tuple[SnapshotStats, float]:
        return backend.dataplane.copy_snapshot(source_data_key, data_key), total_mb

    return _store_snapshot(backend, snapshot_row_id, "copy", store)


def _store_snapshot(
    backend: ServerlessBackend, snapshot_row_id: int, action: str,
    store: Callable[[ServerlessSnapshotRecord, str], tuple[SnapshotStats, float]],
) -> bool:
    """Store a snapshot's data (``store``: the data-plane work, its stats and the data's size in MB),
    then make it AVAILABLE, or FAILED; an AVAILABLE one is copied to other regions where configured."""
    snapshot = backend.snapshots.get_by_id(snapshot_row_id)
    if snapshot is None:
        return False
    data_key = snapshot_data_key(snapshot)

    def work() -> bool:
        stats, total_mb = store(snapshot, data_key)
        finished = backend.clock.now()

        def available(s: ServerlessSnapshotRecord) -> None:
            snapshot_completed(s, "AVAILABLE", data_key, total_mb, stats.incremental_bytes / MB, stats.elapsed_seconds,
                               finished)

        if backend.mutate_snapshot(snapshot_row_id, available) is None:
            backend.dataplane.delete_snapshot(data_key)  # deleted while it ran
            return False
        return True

    def failed() -> None:
        backend.mutate_snapshot(snapshot_row_id, lambda s: setattr(s, "status", "FAILED"))

    if not run_job(backend, snapshot, SERVERLESS_SNAPSHOT, action, work, failed):
        return False
    # Cross-region snapshot copy: the copies in the destination regions of the namespace's copy
    # configurations, whose data jobs of their own copy.
    for copy in snapshot_copies.new_copies(backend, snapshot_row_id):
        backend.submit_for(copy.account, fill_snapshot, copy.row_id, data_key, copy.total_size_mb)
    return True


def forget_snapshot(backend: ServerlessBackend, snapshot: ServerlessSnapshotRecord) -> None:
    """Delete a snapshot's row (its grants go with it) and tags; its data is deleted after."""
    with backend.db.transaction():
        backend.tags.remove_all(snapshot.arn)
        backend.snapshots.delete(snapshot)


def delete_snapshot_data(backend: ServerlessBackend, snapshot: ServerlessSnapshotRecord) -> None:
    """Delete a forgotten snapshot's data; a failure is logged (the snapshot is gone already)."""
    try:
        if snapshot.data_key:
            backend.dataplane.delete_snapshot(snapshot.data_key)
    except Exception:
        log.exception("the data of deleted snapshot %s could not be deleted", snapshot.name)


def remove_snapshot(backend: ServerlessBackend, snapshot: ServerlessSnapshotRecord) -> None:
    """Delete a snapshot's row, tags and data."""
    forget_snapshot(backend, snapshot)
    delete_snapshot_data(backend, snapshot)


# --- reset ---------------------------------------------------------------------------


def release_all(backend: ServerlessBackend, accounts: Collection[str] | None = None) -> None:
    """Destroy every namespace's engine and every snapshot's data, or only those of ``accounts``
    (before the rows are wiped)."""
    for namespace in backend.namespaces.all():
        if accounts is not None and namespace.account not in accounts:
            continue
        if namespace.engine_generation:
            backend.dataplane.destroy_engine(engine_key(namespace.row_id, namespace.engine_generation))
        if namespace.restore_plan is not None:
            release_lease(backend, namespace.restore_plan.lease)
    for snapshot in backend.snapshots.all():
        if snapshot.data_key and (accounts is None or snapshot.account in accounts):
            backend.dataplane.delete_snapshot(snapshot.data_key)
    # The recovery points one clock jump made due all name one snapshot's data: it is deleted once.
    for key in {point.data_key for point in backend.recovery_points.everything()
                if point.data_key and (accounts is None or point.account in accounts)}:
        backend.dataplane.delete_snapshot(key)
    table_restore_lifecycle.release_all(backend, backend.table_restores, accounts)
