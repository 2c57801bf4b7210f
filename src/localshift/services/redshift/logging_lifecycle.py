"""Audit logging in the engines: turning it on and off, and delivering the logs (docs/logging.md).

The engine logs what the cluster's log types need; the ticker delivers what it logged
to the cluster's destination every tick.  The user activity log needs
``enable_user_activity_logging`` among the parameter values the engine has (a static
parameter: a reboot brings a change).
"""

from __future__ import annotations

import logging
from datetime import datetime

from localshift.dataplane.api import LogTarget
from localshift.records import ClusterRecord
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key

log = logging.getLogger("localshift.logging")

LOG_TYPES = ("connectionlog", "userlog", "useractivitylog")
# Statuses in which an engine serves, so it has something to deliver.
DELIVERING = ["available", "modifying", "renaming", "resizing", "cancelling-resize", "rotating-keys"]


def capture_types(cluster: ClusterRecord) -> list[str]:
    """The log types the engine of ``cluster`` produces now."""
    settings = cluster.logging
    if settings is None or not settings.enabled:
        return []
    types = list(settings.log_exports or LOG_TYPES)
    if cluster.applied_parameters.get("enable_user_activity_logging", "false") != "true":
        # As in Redshift: without the parameter, connection and user logs only.
        types = [t for t in types if t != "useractivitylog"]
    return types


def log_target(cluster: ClusterRecord) -> LogTarget:
    """Amazon S3's key layout (AWSLogs/<account>/redshift/<region>/...), or a CloudWatch log group
    /aws/redshift/cluster/<cluster>/<log type>, below the service's log directory."""
    settings = cluster.logging
    assert settings is not None
    if settings.destination_type == "cloudwatch":
        return LogTarget("cloudwatch", ("cloudwatch", cluster.account, cluster.region, "aws", "redshift", "cluster",
                                        cluster.identifier))
    prefix = [part for part in (settings.s3_key_prefix or "").split("/") if part]
    return LogTarget(
        "s3", ("s3", settings.bucket_name or "", *prefix, "AWSLogs", cluster.account, "redshift", cluster.region),
        f"{cluster.account}_redshift_{cluster.region}_{cluster.identifier}",
    )


def capture(backend: RedshiftBackend, row_id: int) -> None:
    """Make the engine log what the cluster's logging needs now (on EnableLogging, at a reboot)."""
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is not None:
        try:
            backend.dataplane.set_audit_logging(cluster_key(cluster), capture_types(cluster))
        except Exception as error:
            _failed(backend, cluster, error)


def stop_logging(backend: RedshiftBackend, row_id: int, types: list[str], target: LogTarget) -> None:
    """After DisableLogging: deliver what is left, then stop logging in the engine."""
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is None:
        return
    try:
        backend.dataplane.deliver_logs(cluster_key(cluster), types, target, backend.clock.now())
        backend.dataplane.set_audit_logging(cluster_key(cluster), [])
    except Exception as error:
        _failed(backend, cluster, error)


def deliver_due_logs(backend: RedshiftBackend) -> None:
    """The ticker's delivery: what every logging cluster's engine logged since the last one."""
    for cluster in backend.clusters.in_statuses(DELIVERING):
        types = capture_types(cluster)
        if not types:
            continue
        now = backend.clock.now()
        try:
            delivered = backend.dataplane.deliver_logs(cluster_key(cluster), types, log_target(cluster), now)
        except Exception as error:
            _failed(backend, cluster, error)
            continue
        if delivered:
            backend.mutate_cluster(cluster.row_id, lambda c: _delivered(c, now))


def _delivered(cluster: ClusterRecord, now: datetime) -> None:
    if cluster.logging is not None:
        cluster.logging.last_successful_delivery_time = now


def _failed(backend: RedshiftBackend, cluster: ClusterRecord, error: Exception) -> None:
    """LastFailureTime and LastFailureMessage say why logs could not be delivered."""
    log.warning("audit logs of cluster %s could not be delivered: %s", cluster.identifier, error)
    now = backend.clock.now()

    def change(c: ClusterRecord) -> None:
        if c.logging is not None:
            c.logging.last_failure_time = now
            c.logging.last_failure_message = f"Audit logs could not be delivered: {error}"

    backend.mutate_cluster(cluster.row_id, change)
