"""RebootCluster, ModifyClusterIamRoles, ModifyClusterMaintenance, RotateEncryptionKey,
DescribeClusterDbRevisions, ModifyClusterDbRevision, ModifyAquaConfiguration."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import ClusterRecord, MaintenanceDeferral
from localshift.services.context import RequestContext
from localshift.services.redshift import lifecycle, maintenance_lifecycle, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster, find_cluster, render
from localshift.services.redshift.views import ENGINE_BUILD, aqua_view
from localshift.store.paging import decode_marker, encode_marker

# The longest a maintenance window can be deferred, in days (ModifyClusterMaintenance's reference;
# DescribeAccountAttributes reports it as max-defer-maintenance-duration).
MAX_DEFER_DAYS = 60
# How far ahead a deferred window may start (localshift's choice: AWS documents no limit).
MAX_DEFER_START_DAYS = 365
# The one database revision localshift runs (its engine build), and when it was released.
DB_REVISION_RELEASE_DATE = datetime(2025, 1, 10, tzinfo=timezone.utc)
AQUA_NODE_TYPES = ("ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge")


def _available(cluster: ClusterRecord) -> None:
    if cluster.status != "available":
        raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")


def _change_available(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any],
                      change: Callable[[ClusterRecord], None]) -> ClusterRecord:
    def checked(cluster: ClusterRecord) -> None:
        _available(cluster)
        change(cluster)

    return change_cluster(backend, ctx, p["ClusterIdentifier"], checked)


def reboot_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    cluster = _change_available(backend, ctx, p, lambda c: setattr(c, "status", "rebooting"))
    backend.submit_for(ctx.account, maintenance_lifecycle.reboot_cluster, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


# A cluster in one of these is being changed by another operation (created, modified, rebooted...).
_BEING_CHANGED = frozenset({"creating", "modifying", "renaming", "rebooting", "resizing", "cancelling-resize",
                            "rotating-keys", "resuming", "pausing"})


def _iam_roles_changeable(cluster: ClusterRecord) -> None:
    """ModifyClusterIamRoles needs an available cluster; one being changed is refused in AWS's words for it
    (as Terraform's provider meets them when it adds roles to a cluster still being set up)."""
    if cluster.status in _BEING_CHANGED:
        raise ApiError("InvalidClusterState", "The Cluster is being modified by a concurrent operation. "
                       "Please check the Cluster's status and try again.")
    _available(cluster)


def modify_cluster_iam_roles(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    add = [validation.iam_role(arn) for arn in p.get("AddIamRoles", [])]
    remove = [validation.iam_role(arn) for arn in p.get("RemoveIamRoles", [])]
    if set(add) & set(remove):
        raise invalid_combination("An IAM role can't be both added and removed in one request.")
    default = validation.iam_role(p["DefaultIamRoleArn"]) if p.get("DefaultIamRoleArn") else None

    def change(cluster: ClusterRecord) -> None:
        _iam_roles_changeable(cluster)
        for arn in remove:
            if arn not in cluster.iam_roles:
                raise invalid_parameter(f"The IAM role {arn} is not associated with cluster {cluster.identifier}.")
        roles = [arn for arn in cluster.iam_roles if arn not in remove]
        roles += [arn for arn in dict.fromkeys(add) if arn not in roles]
        if len(roles) > validation.MAX_IAM_ROLES:
            raise invalid_parameter(f"A cluster can have at most {validation.MAX_IAM_ROLES} IAM roles.")
        validation.default_iam_role(default, roles)
        cluster.iam_roles = roles
        if default is not None:
            cluster.default_iam_role_arn = default
        elif cluster.default_iam_role_arn in remove:
            cluster.default_iam_role_arn = None  # a role removed is no longer the default

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    backend.submit_for(ctx.account, lifecycle.write_facts, cluster.row_id)  # DEFAULT_IAM_ROLE() in its SQL
    return {"Cluster": render(backend, ctx, cluster)}


def modify_cluster_maintenance(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    defer = p.get("DeferMaintenance")
    deferral = _deferral(ctx, p) if defer else None

    def change(cluster: ClusterRecord) -> None:
        current = cluster.deferred_maintenance
        if defer is False:
            identifier = p.get("DeferMaintenanceIdentifier")
            if current is None or (identifier is not None and identifier != current.identifier):
                raise invalid_parameter(f"Cluster {cluster.identifier} has no deferred maintenance window "
                                        f"{identifier or ''}".rstrip() + ".")
            cluster.deferred_maintenance = None
        elif deferral is not None:
            cluster.deferred_maintenance = deferral

    cluster = _change_available(backend, ctx, p, change)
    return {"Cluster": render(backend, ctx, cluster)}


def _deferral(ctx: RequestContext, p: dict[str, Any]) -> MaintenanceDeferral:
    start: datetime = p.get("DeferMaintenanceStartTime") or ctx.now
    if not ctx.now - timedelta(days=1) <= start <= ctx.now + timedelta(days=MAX_DEFER_START_DAYS):
        raise invalid_parameter(f"DeferMaintenanceStartTime must be from today to {MAX_DEFER_START_DAYS} days ahead.")
    if "DeferMaintenanceEndTime" in p and "DeferMaintenanceDuration" in p:
        raise invalid_combination("DeferMaintenanceEndTime and DeferMaintenanceDuration can't both be given.")
    if "DeferMaintenanceDuration" in p:
        days = p["DeferMaintenanceDuration"]
        if not 1 <= days <= MAX_DEFER_DAYS:
            raise invalid_parameter(f"DeferMaintenanceDuration must be from 1 to {MAX_DEFER_DAYS} days.")
        end = start + timedelta(days=days)
    elif "DeferMaintenanceEndTime" in p:
        end = p["DeferMaintenanceEndTime"]
        if end - start > timedelta(days=MAX_DEFER_DAYS):
            raise invalid_parameter(f"Maintenance can be deferred for at most {MAX_DEFER_DAYS} days.")
    else:
        raise invalid_combination("Either DeferMaintenanceEndTime or DeferMaintenanceDuration must be given.")
    if end <= start:
        raise invalid_parameter("DeferMaintenanceEndTime must be after DeferMaintenanceStartTime.")
    identifier = p.get("DeferMaintenanceIdentifier") or "dfm-" + "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(20))
    return MaintenanceDeferral(identifier, start, end)


def rotate_encryption_key(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(cluster: ClusterRecord) -> None:
        if not cluster.encrypted:
            raise ApiError("UnsupportedOperation", f"The cluster {cluster.identifier} is not encrypted.")
        cluster.status = "rotating-keys"

    cluster = _change_available(backend, ctx, p, change)
    backend.submit_for(ctx.account, maintenance_lifecycle.rotate_encryption_key, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


def describe_cluster_db_revisions(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """localshift runs one engine build, so no cluster has a newer revision to move to."""
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    if "ClusterIdentifier" in p:
        clusters = [find_cluster(backend, ctx, p["ClusterIdentifier"])]
        more = False
    else:
        after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
        page = backend.clusters.page(ctx.account, ctx.region, after, limit + 1)
        clusters, more = page[:limit], len(page) > limit
    result: dict[str, Any] = {"ClusterDbRevisions": [
        {"ClusterIdentifier": c.identifier, "CurrentDatabaseRevision": c.db_revision or ENGINE_BUILD,
         "DatabaseRevisionReleaseDate": DB_REVISION_RELEASE_DATE, "RevisionTargets": []}
        for c in clusters
    ]}
    if more:
        result["Marker"] = encode_marker([clusters[-1].row_id])
    return result


def modify_cluster_db_revision(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    cluster = find_cluster(backend, ctx, p["ClusterIdentifier"])
    _available(cluster)
    target = p["RevisionTarget"]
    if target == (cluster.db_revision or ENGINE_BUILD):
        raise ApiError("ClusterOnLatestRevision", f"Cluster {cluster.identifier} is already on the latest revision.")
    raise invalid_parameter(f"Invalid RevisionTarget {target}: see DescribeClusterDbRevisions for the revisions "
                            f"cluster {cluster.identifier} can move to.")


def modify_aqua_configuration(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(cluster: ClusterRecord) -> None:
        if cluster.node_type not in AQUA_NODE_TYPES:
            raise ApiError("UnsupportedOperation", f"AQUA isn't available for node type {cluster.node_type}.")
        if "AquaConfigurationStatus" in p:
            cluster.aqua_configuration_status = p["AquaConfigurationStatus"]

    cluster = _change_available(backend, ctx, p, change)
    return {"AquaConfiguration": aqua_view(cluster)}


OPERATIONS = {
    "RebootCluster": reboot_cluster,
    "ModifyClusterIamRoles": modify_cluster_iam_roles,
    "ModifyClusterMaintenance": modify_cluster_maintenance,
    "RotateEncryptionKey": rotate_encryption_key,
    "DescribeClusterDbRevisions": describe_cluster_db_revisions,
    "ModifyClusterDbRevision": modify_cluster_db_revision,
    "ModifyAquaConfiguration": modify_aqua_configuration,
}
