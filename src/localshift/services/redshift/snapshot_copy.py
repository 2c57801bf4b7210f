"""Configuring cross-region snapshot copy: EnableSnapshotCopy, DisableSnapshotCopy,
ModifySnapshotCopyRetentionPeriod (cross_region.py: the copies it makes)."""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotCopySettings
from localshift.services.common.regions import is_copy_destination
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster, render
from localshift.services.redshift.copy_grants import find_grant, grant_name

DEFAULT_RETENTION = 7
MAX_AUTOMATED_RETENTION = 35
# Statuses in which a cluster's snapshot copy can be configured.
CONFIGURABLE = {"available", "paused"}


def _check_configurable(cluster: ClusterRecord) -> None:
    if cluster.status not in CONFIGURABLE:
        raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")


def _automated_retention(value: int) -> int:
    if not 1 <= value <= MAX_AUTOMATED_RETENTION:
        raise ApiError(
            "InvalidRetentionPeriodFault",
            f"Retention period {value} is not valid for copied automated snapshots. "
            f"It must be between 1 and {MAX_AUTOMATED_RETENTION} days.",
        )
    return value


def enable_snapshot_copy(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    destination = p["DestinationRegion"]
    retention = _automated_retention(p.get("RetentionPeriod", DEFAULT_RETENTION))
    manual_retention = validation.manual_retention(p.get("ManualSnapshotRetentionPeriod", -1))
    grant = grant_name(p["SnapshotCopyGrantName"]) if "SnapshotCopyGrantName" in p else None

    def change(cluster: ClusterRecord) -> None:
        if cluster.snapshot_copy is not None:
            raise ApiError("SnapshotCopyAlreadyEnabledFault",
                           f"Snapshot Copy is already enabled on Cluster {cluster.identifier}.")
        _check_configurable(cluster)
        if not is_copy_destination("redshift", ctx.region, destination):
            raise ApiError(
                "UnknownSnapshotCopyRegionFault",
                f"The destination region {destination} is not valid: name another AWS Region where Amazon "
                f"Redshift is available, in the same partition as {ctx.region}.",
            )
        if grant is not None:
            find_grant(backend, ctx.account, destination, grant)  # it must exist in the destination region
        cluster.snapshot_copy = SnapshotCopySettings(destination, retention, manual_retention, grant)

    return {"Cluster": render(backend, ctx, change_cluster(backend, ctx, p["ClusterIdentifier"], change))}


def disable_snapshot_copy(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(cluster: ClusterRecord) -> None:
        if cluster.snapshot_copy is None:
            raise ApiError("SnapshotCopyAlreadyDisabledFault",
                           f"Snapshot Copy is already disabled on Cluster {cluster.identifier}.")
        _check_configurable(cluster)
        # Copies already made stay in the destination region until their retention ends.
        cluster.snapshot_copy = None

    return {"Cluster": render(backend, ctx, change_cluster(backend, ctx, p["ClusterIdentifier"], change))}


def modify_snapshot_copy_retention_period(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    manual = p.get("Manual", False)
    retention = validation.manual_retention(p["RetentionPeriod"]) if manual else _automated_retention(
        p["RetentionPeriod"])

    def change(cluster: ClusterRecord) -> None:
        settings = cluster.snapshot_copy
        if settings is None:
            raise ApiError(
                "SnapshotCopyDisabledFault",
                f"Cannot modify retention period because snapshot copy is disabled on Cluster {cluster.identifier}.",
            )
        _check_configurable(cluster)
        if manual:
            # Only manual snapshots copied from now on are kept for the new period.
            settings.manual_retention_period = retention
            return
        # The automated snapshots already copied take the new period too; those now past it
        # are deleted at the next retention check (within seconds).
        settings.retention_period = retention
        for copy in backend.snapshots.copies_of(cluster, settings.destination_region, "automated"):
            backend.mutate_snapshot(copy.row_id, lambda s: setattr(s, "copy_retention_period", retention))

    return {"Cluster": render(backend, ctx, change_cluster(backend, ctx, p["ClusterIdentifier"], change))}


OPERATIONS = {
    "EnableSnapshotCopy": enable_snapshot_copy,
    "DisableSnapshotCopy": disable_snapshot_copy,
    "ModifySnapshotCopyRetentionPeriod": modify_snapshot_copy_retention_period,
}
