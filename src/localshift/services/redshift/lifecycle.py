"""Background work that moves clusters through their statuses (snapshot_lifecycle.py: snapshots).

Each job does the real work in the data plane first and only then records the
new status, so a status is never ahead of what actually happened.  Every
write re-reads the record and changes it in one transaction
(``backend.mutate_*``), so API changes made meanwhile (tags, retention,
renames) are never lost.  Every job ends its resource in a final status: when
the work fails, the failure is logged, its reason kept as an event, and the
resource moved to AWS's failure status (or back to where it was, the change
rolled back).  Restores are restore_lifecycle.py's; snapshots, snapshot_lifecycle.py's.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Collection

from localshift.dataplane.api import ClusterFacts
from localshift.records import ClusterRecord
from localshift.services import event_catalog, events
from localshift.services.common import jobs, restart_lifecycle, table_restore_lifecycle
from localshift.services.common.jobs import release_lease
from localshift.services.redshift import cluster_dependents
from localshift.services.redshift.arns import cluster_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.resize_plan import pending_values, resizing
from localshift.services.redshift.snapshot_lifecycle import (delete_snapshot_data, remove_snapshot,
                                                             take_due_automated_snapshots, take_snapshot)
from localshift.services.redshift.snapshot_timing import first_due
from localshift.store.events import CLUSTER
from localshift.store.secrets import pending_key

log = logging.getLogger("localshift.lifecycle")

# AWS's status for a cluster whose nodes failed: it can be deleted, and a snapshot restores its data.
HARDWARE_FAILURE = "hardware-failure"


# --- failures ----------------------------------------------------------------

Settle = Callable[[RedshiftBackend, ClusterRecord], Callable[[ClusterRecord], None]]


def serving_or_failed(backend: RedshiftBackend, cluster: ClusterRecord) -> Callable[[ClusterRecord], None]:
    """Where a cluster goes when work on its engine failed: back to ``available``, the
    change rolled back, while its engine still serves; else ``hardware-failure``, the
    modification it had accepted still pending (``_still_pending``)."""
    serving = backend.dataplane.is_running(cluster_key(cluster))

    def change(c: ClusterRecord) -> None:
        c.pending_modified = {} if serving else _still_pending(c)
        if serving:
            c.pending_master_password_md5 = None
            c.pending_port = None
        if c.resize is not None and c.resize.status in ("IN_PROGRESS", "CANCELLING"):
            c.resize.status, c.resize.message = "FAILED", "The resize operation failed."
        c.status = "available" if serving else HARDWARE_FAILURE
        if not serving:
            c.endpoint_port = None

    return change


def _still_pending(cluster: ClusterRecord) -> dict[str, Any]:
    """PendingModifiedValues of a cluster whose engine failed with a modification accepted and not
    applied: a new password, and the target of a resize (not of one being cancelled).  This attempt
    failed (DescribeResize says so), but AWS does not drop the change: it retries a failed resize
    (event 3500, "Operation will be retried within a few minutes") once the cluster is healthy.  A
    rename is no longer pending: the cluster already has its new identifier."""
    still = pending_values(cluster)
    if cluster.pending_master_password_md5 is not None:
        still["MasterUserPassword"] = "****"
    return still


def cluster_job(
    backend: RedshiftBackend, row_id: int, action: str, work: Callable[[ClusterRecord], None],
    settle: Settle = serving_or_failed, failure_event: str | None = None,
) -> bool:
    """Run ``work`` on a cluster; True when it succeeded, else the cluster is settled (``settle``) and the
    failure kept as an event (``failure_event``: Redshift's id for it, if any)."""
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return False
    return jobs.run_work(backend, lambda: work(cluster), lambda: backend.mutate_cluster(row_id, settle(backend, cluster)),
                         cluster.account, cluster.region, CLUSTER, cluster.identifier,
                         f"Amazon Redshift could not {action} cluster {cluster.identifier}",
                         event_id=failure_event, arn=cluster_arn(cluster.region, cluster.account, cluster.identifier))


# --- clusters ----------------------------------------------------------------


def create_cluster(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        backend.dataplane.destroy_engine(cluster_key(cluster))  # leftovers of an interrupted create
        # Every local cluster shares 127.0.0.1, so two clusters asking for 5439 cannot both have it: the data
        # plane binds another free port then, and Endpoint.Port names the port it serves.
        port = backend.dataplane.create_engine(
            cluster_key(cluster), cluster.port, cluster.master_username, cluster.master_password_md5, cluster.db_name
        )
        apply_parameters(backend, cluster)
        became_available(backend, row_id, port)
        events.record(backend, cluster, event_catalog.CLUSTER_CREATED, cluster=current_name(backend, cluster))

    if cluster_job(backend, row_id, "create", work):
        take_due_automated_snapshots(backend)


def apply_parameters(backend: RedshiftBackend, cluster: ClusterRecord) -> None:
    """Give a new engine the parameter values its cluster starts with (parameter_status.py), and the
    facts its SQL reads (a restored engine has its source cluster's until then)."""
    if cluster.applied_parameters:
        backend.dataplane.apply_settings(cluster_key(cluster), cluster.applied_parameters)
    _write_facts(backend, cluster)


def _write_facts(backend: RedshiftBackend, cluster: ClusterRecord) -> None:
    """CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE (the id of ClusterNamespaceArn), DEFAULT_IAM_ROLE()."""
    backend.dataplane.set_cluster_facts(
        cluster_key(cluster), ClusterFacts(cluster.account, cluster.namespace_id, cluster.default_iam_role_arn))


def write_facts(backend: RedshiftBackend, row_id: int) -> None:
    """After ModifyClusterIamRoles: DEFAULT_IAM_ROLE() answers the cluster's default role now.  On a
    failure the engine keeps the role it had until its next start here (start_engine) writes it."""
    with backend.engine_lock(row_id):  # after a job that stops or moves the engine
        cluster = backend.clusters.get_by_id(row_id)
        if cluster is None or cluster.status not in ENGINE_SERVES:
            return
        try:
            _write_facts(backend, cluster)
        except Exception:
            log.exception("the default IAM role of cluster %s could not reach its engine", cluster.identifier)


def current_name(backend: RedshiftBackend, cluster: ClusterRecord) -> str:
    """A cluster's identifier now (a rename may have come while a job ran)."""
    current = backend.clusters.get_by_id(cluster.row_id)
    return current.identifier if current is not None else cluster.identifier


def became_available(backend: RedshiftBackend, row_id: int, port: int) -> None:
    now = backend.clock.now()

    def change(c: ClusterRecord) -> None:
        c.status = "available"
        c.endpoint_port = port
        # Redshift takes the first automated snapshot once a cluster is available (with a schedule: at its next time).
        c.next_automated_snapshot_time = first_due(backend, c, now)

    backend.mutate_cluster(row_id, change)


def serve_again(backend: RedshiftBackend, cluster: ClusterRecord) -> None:
    """At the service's start: serve an available cluster's port again (restart_lifecycle.py); its
    engine starts in a job submitted here (start_engine)."""
    restart_lifecycle.serve_again(
        backend, cluster.account, cluster_key(cluster), cluster.endpoint_port, cluster.port, f"cluster {cluster.identifier}",
        lambda port: backend.mutate_cluster(cluster.row_id, lambda c: setattr(c, "endpoint_port", port)),
        lambda: start_engine(backend, cluster.row_id))


# The statuses in which a cluster's engine serves, so the restart job starts it: the work of each
# (a new password, a resize, a final snapshot...) needs the engine, and ends with it serving.  Not
# in them: pausing, paused and deleting, whose jobs stop or destroy the engine, resuming, whose job
# starts it, and the failure statuses.
ENGINE_SERVES = frozenset({"available", "modifying", "renaming", "resizing", "cancelling-resize", "rotating-keys",
                           "rebooting", "final-snapshot"})


def start_engine(backend: RedshiftBackend, row_id: int) -> bool:
    """Serve a cluster's engine again after the service restarted; False when the start failed
    (the cluster is settled then, as every job's failure is).

    Requests are answered before this job runs, so the cluster may be paused, deleted or
    moved to another port by then: the job reads it under the cluster's engine lock, which the
    jobs that stop, destroy or move the engine hold too, and starts the engine only in a status
    of ``ENGINE_SERVES``, on the port recorded then.  Whichever job comes second sees what the
    first did, so a paused or deleted cluster's engine never runs."""

    def work(cluster: ClusterRecord) -> None:
        with backend.engine_lock(row_id):
            current = backend.clusters.get_by_id(row_id)
            if current is None or current.status not in ENGINE_SERVES:
                return  # its engine is another job's: pausing, deleting, resuming...
            port = backend.dataplane.start_engine(cluster_key(current), current.endpoint_port or current.port)
            _write_facts(backend, current)  # in case write_facts failed before the restart
            backend.mutate_cluster(row_id, lambda c: setattr(c, "endpoint_port", port))

    return cluster_job(backend, row_id, "restart", work)


def pause_cluster(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        with backend.engine_lock(row_id):  # after a restart job that is starting it (start_engine)
            backend.dataplane.stop_engine(cluster_key(cluster))
        backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "paused"))
        events.record(backend, cluster, event_catalog.PAUSED, cluster=cluster.identifier)

    cluster_job(backend, row_id, "pause", work)


def resume_cluster(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        port = backend.dataplane.start_engine(cluster_key(cluster), cluster.endpoint_port or cluster.port)

        def change(c: ClusterRecord) -> None:
            c.status = "available"
            c.endpoint_port = port

        backend.mutate_cluster(row_id, change)
        events.record(backend, cluster, event_catalog.RESUMED, cluster=cluster.identifier)

    cluster_job(backend, row_id, "resume", work)


def apply_modification(backend: RedshiftBackend, row_id: int) -> None:
    """Finish a ModifyCluster: set a new password in the engine, move it to a new port, clear pending values.

    What the job must do is on the record (pending_*), so a restart finishes it
    too; each step is recorded once the engine has it.
    """

    def work(cluster: ClusterRecord) -> None:
        key = cluster_key(cluster)
        verifier = cluster.pending_master_password_md5
        if verifier is not None:
            backend.dataplane.set_password(key, cluster.master_username, verifier)

            def password_set(c: ClusterRecord) -> None:
                c.master_password_md5, c.pending_master_password_md5 = verifier, None

            backend.mutate_cluster(row_id, password_set)
            events.record(backend, cluster, event_catalog.CREDENTIALS_UPDATED, cluster=current_name(backend, cluster))
        if cluster.pending_port is not None:

            def moved(c: ClusterRecord) -> None:
                c.port, c.pending_port, c.endpoint_port = c.pending_port or c.port, None, port

            # A restart job comes before (and this moves the engine it started) or after (and starts it here).
            with backend.engine_lock(row_id):
                port = backend.dataplane.start_engine(key, cluster.pending_port)
                backend.mutate_cluster(row_id, moved)

        def applied(c: ClusterRecord) -> None:
            # Network settings take effect as the modification ends (there is no network to change locally).
            c.publicly_accessible = c.pending_modified.get("PubliclyAccessible", c.publicly_accessible)
            c.enhanced_vpc_routing = c.pending_modified.get("EnhancedVpcRouting", c.enhanced_vpc_routing)
            # A resize asked for in the same ModifyCluster comes next (maintenance_lifecycle.py).
            c.pending_modified = pending_values(c)
            c.status = "resizing" if resizing(c) else "available"

        backend.mutate_cluster(row_id, applied)

    cluster_job(backend, row_id, "modify", work)


def delete_cluster(backend: RedshiftBackend, row_id: int, final_snapshot_id: int | None, paused: bool = False) -> None:
    """Take the final snapshot (of a ``paused`` cluster too), then destroy the engine."""
    if final_snapshot_id is not None:
        if not take_snapshot(backend, final_snapshot_id):
            # No final snapshot, no deletion: the cluster and its data stay, a paused one paused.
            kept = _still_paused if paused else serving_or_failed
            cluster_job(backend, row_id, "delete", _final_snapshot_failed, kept)
            return
        backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "deleting"))

    def work(cluster: ClusterRecord) -> None:
        with backend.engine_lock(row_id):  # after a restart job that is starting it (start_engine)
            backend.dataplane.destroy_engine(cluster_key(cluster))
        release_lease(backend, cluster.restore_data_key)
        # Automated snapshots go with their cluster; manual ones (the final one too) stay.
        for snapshot in backend.snapshots.of_cluster(cluster.account, cluster.region, cluster.identifier, "automated"):
            remove_snapshot(backend, snapshot)
        with backend.db.transaction():
            backend.tags.remove_all(cluster_arn(cluster.region, cluster.account, cluster.identifier))
            cluster_dependents.forget_cluster(backend, cluster.account, cluster.region, cluster.row_id)
            backend.clusters.delete(cluster)
            events.record(backend, cluster, event_catalog.CLUSTER_DELETED, cluster=cluster.identifier,
                          final="was" if final_snapshot_id is not None else "was not")
        if cluster.master_password_secret_arn:
            # Redshift deletes the secret of a managed master password with its cluster.
            backend.secrets.delete(cluster.master_password_secret_arn, pending_key(cluster.master_password_secret_arn))

    cluster_job(backend, row_id, "delete", work)


def _final_snapshot_failed(cluster: ClusterRecord) -> None:
    raise RuntimeError("its final snapshot failed, so it was kept")


def _still_paused(backend: RedshiftBackend, cluster: ClusterRecord) -> Callable[[ClusterRecord], None]:
    """A paused cluster whose final snapshot failed: paused again, its engine stopped as before."""
    return lambda c: setattr(c, "status", "paused")


# --- reset ---------------------------------------------------------------------


def release_all(backend: RedshiftBackend, accounts: Collection[str] | None = None) -> None:
    """Destroy every cluster's engine, every snapshot's data and every delivered audit log, or only
    those of ``accounts`` (before the rows are wiped)."""
    for cluster in backend.clusters.everything():
        if accounts is not None and cluster.account not in accounts:
            continue
        backend.dataplane.destroy_engine(cluster_key(cluster))
        release_lease(backend, cluster.restore_data_key)
    for snapshot in backend.snapshots.everything():
        if accounts is None or snapshot.account in accounts:
            delete_snapshot_data(backend, snapshot)
    table_restore_lifecycle.release_all(backend, backend.table_restores, accounts)
    # Delivered audit logs outlive their cluster, as in a bucket; a reset takes them too.
    backend.dataplane.discard_logs(accounts)
