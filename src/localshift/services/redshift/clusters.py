"""Cluster operations: CreateCluster, DescribeClusters, ModifyCluster, DeleteCluster, Pause/Resume."""

from __future__ import annotations

import uuid
from typing import Any, Callable

from localshift.errors import ApiError, invalid_combination
from localshift.records import ClusterRecord, password_verifier
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift import hsm, lifecycle, placement, snapshot_timing, validation
from localshift.services.redshift import maintenance_lifecycle, parameter_status
from localshift.services.redshift.arns import cluster_arn, snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.common.passwords import managed_password, managed_password_secret
from localshift.services.redshift.cluster_checks import check_node_count, check_quotas, node_type_of
from localshift.services.redshift.node_types import NodeType
from localshift.services.redshift.parameter_catalog import DEFAULT_GROUP
from localshift.services.redshift.resize_plan import pending_values, plan_resize, resizing, target_of
from localshift.services.redshift.snapshot_factory import check_manual_quota, insert_snapshot, snapshot_from_cluster
from localshift.services.redshift.views import cluster_view
from localshift.store.database import DuplicateError
from localshift.store.paging import decode_marker, encode_marker

# Statuses in which a cluster accepts DeleteCluster.
DELETABLE = {"available", "paused", "incompatible-restore", "incompatible-network", "hardware-failure", "storage-full"}


def find_cluster(backend: RedshiftBackend, ctx: RequestContext, identifier: str) -> ClusterRecord:
    cluster = backend.clusters.get(ctx.account, ctx.region, identifier.lower())
    if cluster is None:
        raise ApiError("ClusterNotFound", f"Cluster {identifier} not found.")
    return cluster


def change_cluster(
    backend: RedshiftBackend, ctx: RequestContext, identifier: str, change: Callable[[ClusterRecord], None]
) -> ClusterRecord:
    """Find a cluster and change it in one transaction; an ApiError from ``change`` undoes everything."""
    with backend.db.transaction():
        cluster = backend.mutate_cluster(find_cluster(backend, ctx, identifier).row_id, change)
    assert cluster is not None  # found in this very transaction
    return cluster


def render(backend: RedshiftBackend, ctx: RequestContext, cluster: ClusterRecord) -> dict[str, Any]:
    return render_many(backend, ctx, [cluster])[0]


def render_many(backend: RedshiftBackend, ctx: RequestContext, clusters: list[ClusterRecord]) -> list[dict[str, Any]]:
    arns = [cluster_arn(c.region, c.account, c.identifier) for c in clusters]
    tags = backend.tags.get_many(arns)
    parameter_groups = parameter_status.cluster_parameter_groups(backend, clusters)
    return [cluster_view(c, tags[arn], ctx.now, parameter_groups[c.row_id]) for c, arn in zip(clusters, arns)]


def insert_cluster(backend: RedshiftBackend, cluster: ClusterRecord, tags: list[tuple[str, str]]) -> ClusterRecord:
    """Insert a new cluster.  One with a managed master password (a secret, no verifier yet) gets
    its password made up first; the secret goes again if the cluster cannot be inserted."""
    secret = None if cluster.master_password_md5 else cluster.master_password_secret_arn  # None: not made up
    if secret is not None:
        cluster.master_password_md5 = managed_password(backend.secrets, secret, cluster.master_username)
    try:
        with backend.db.transaction():
            try:
                backend.clusters.insert(cluster)
            except DuplicateError:
                raise ApiError("ClusterAlreadyExists", f"Cluster {cluster.identifier} already exists.") from None
            if tags:
                backend.tags.put(cluster_arn(cluster.region, cluster.account, cluster.identifier),
                                 cluster.account, cluster.region, "cluster", tags)
    except ApiError:
        if secret is not None:
            backend.secrets.delete(secret)
        raise
    return cluster


def new_cluster(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any], identifier: str, node_type: NodeType, nodes: int,
    **settings: Any
) -> ClusterRecord:
    """A new cluster in ``creating``: ``settings`` (what CreateCluster and a restore choose apart),
    and what both take from the request alike, with the same defaults."""
    # A restored cluster too gets the default parameter group, not the source's.
    group, values = parameter_status.chosen_group(backend, ctx, p.get("ClusterParameterGroupName", DEFAULT_GROUP))
    cluster = ClusterRecord(
        account=ctx.account,
        region=ctx.region,
        identifier=identifier,
        node_type=node_type.name,
        number_of_nodes=nodes,
        status="creating",
        create_time=ctx.now,
        namespace_id=str(uuid.uuid4()),
        allow_version_upgrade=p.get("AllowVersionUpgrade", True),
        publicly_accessible=p.get("PubliclyAccessible", False),
        default_iam_role_arn=p.get("DefaultIamRoleArn") or None,
        availability_zone_relocation=p.get("AvailabilityZoneRelocation", False),
        multi_az=p.get("MultiAZ", False),
        aqua_configuration_status=p.get("AquaConfigurationStatus", "auto"),
        master_password_secret_arn=managed_password_secret(ctx, identifier) if p.get("ManageMasterPassword") else None,
        master_password_secret_kms_key_id=p.get("MasterPasswordSecretKmsKeyId"),
        cluster_parameter_group_name=group,
        **settings,
    )
    parameter_status.start_in_sync(cluster, values)
    return cluster


def create_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    identifier = validation.cluster_identifier(p["ClusterIdentifier"])
    node_type = node_type_of(p["NodeType"])
    nodes = check_node_count(node_type, p.get("ClusterType"), p.get("NumberOfNodes"))
    username = validation.master_username(p["MasterUsername"])
    if p.get("MasterPasswordSecretKmsKeyId") and not p.get("ManageMasterPassword"):
        raise invalid_combination("MasterPasswordSecretKmsKeyId can only be given with ManageMasterPassword=true.")
    if p.get("ManageMasterPassword"):
        if "MasterUserPassword" in p:
            raise invalid_combination("You can't specify both MasterUserPassword and ManageMasterPassword.")
    elif "MasterUserPassword" not in p:
        raise ApiError("MissingParameter", "The request must contain the parameter MasterUserPassword.")
    # A managed password is made up when the cluster is inserted.
    verifier = password_verifier(username, validation.master_password(p["MasterUserPassword"])) if (
        "MasterUserPassword" in p) else ""
    tags = validation.tag_list(p.get("Tags", []))
    check_quotas(backend, ctx, nodes)
    cluster = new_cluster(
        backend,
        ctx,
        p,
        identifier,
        node_type,
        nodes,
        master_username=username,
        master_password_md5=verifier,
        # An empty DBName is no name: the default database, as AWS makes it (Terraform's provider sends
        # DBName="" for every cluster whose database_name is left out, and reads back "dev").
        db_name=validation.db_name(p.get("DBName") or "dev"),
        port=validation.port(p.get("Port", 5439), node_type.family),
        automated_snapshot_retention_period=validation.automated_retention(
            p.get("AutomatedSnapshotRetentionPeriod", 1), node_type.family
        ),
        manual_snapshot_retention_period=validation.manual_retention(p.get("ManualSnapshotRetentionPeriod", -1)),
        preferred_maintenance_window=validation.maintenance_window(
            p.get("PreferredMaintenanceWindow", "sat:10:00-sat:10:30")
        ),
        cluster_version=validation.cluster_version(p.get("ClusterVersion", validation.CLUSTER_VERSION)),
        # Clusters are encrypted by default; Encrypted=false is refused by AWS today.
        encrypted=p.get("Encrypted", True),
        kms_key_id=validation.kms_key_id(p["KmsKeyId"]) if "KmsKeyId" in p else None,
        enhanced_vpc_routing=p.get("EnhancedVpcRouting", False),
        maintenance_track_name=validation.maintenance_track(p.get("MaintenanceTrackName", "current")),
        iam_roles=validation.iam_roles(p.get("IamRoles", [])),
        elastic_ip=p.get("ElasticIp"),
        ip_address_type=validation.ip_address_type(p.get("IpAddressType", "ipv4")),
        **snapshot_timing.schedule_association(backend, ctx, p),
        **placement.cluster_settings(backend, ctx, p),
        **hsm.cluster_settings(backend, ctx, p),
    )
    validation.default_iam_role(cluster.default_iam_role_arn, cluster.iam_roles)
    insert_cluster(backend, cluster, tags)
    backend.submit_for(ctx.account, lifecycle.create_cluster, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


def describe_clusters(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    if "ClusterIdentifier" in p:
        if p.get("TagKeys") or p.get("TagValues"):
            raise invalid_combination("A tag key or value can't be given together with a cluster identifier.")
        return {"Clusters": [render(backend, ctx, find_cluster(backend, ctx, p["ClusterIdentifier"]))]}
    identifiers = None
    if p.get("TagKeys") or p.get("TagValues"):
        matches = backend.tags.search(ctx.account, ctx.region, "cluster", None, p.get("TagKeys", []),
                                      p.get("TagValues", []), 0, 1_000_000)
        identifiers = sorted({arn.rsplit(":", 1)[1] for _, arn, _, _, _ in matches})
    clusters = backend.clusters.page(ctx.account, ctx.region, after, limit + 1, identifiers)
    result: dict[str, Any] = {"Clusters": render_many(backend, ctx, clusters[:limit])}
    if len(clusters) > limit:
        result["Marker"] = encode_marker([clusters[limit - 1].row_id])
    return result


def modify_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    new_password = validation.master_password(p["MasterUserPassword"]) if "MasterUserPassword" in p else None
    window = validation.maintenance_window(p["PreferredMaintenanceWindow"]) if "PreferredMaintenanceWindow" in p else None
    manual_retention = (
        validation.manual_retention(p["ManualSnapshotRetentionPeriod"]) if "ManualSnapshotRetentionPeriod" in p else None
    )
    new_id = (
        validation.cluster_identifier(p["NewClusterIdentifier"], "NewClusterIdentifier")
        if "NewClusterIdentifier" in p else None
    )
    group = parameter_status.chosen_group(backend, ctx, p["ClusterParameterGroupName"])[0] if (
        "ClusterParameterGroupName" in p) else None
    track = validation.maintenance_track(p["MaintenanceTrackName"]) if "MaintenanceTrackName" in p else None
    # The rest of what ModifyCluster may set: checked before anything changes.
    for parameter, check in (("ClusterVersion", validation.cluster_version), ("KmsKeyId", validation.kms_key_id),
                             ("IpAddressType", validation.ip_address_type)):
        if parameter in p:
            check(p[parameter])

    def change(cluster: ClusterRecord) -> None:
        if cluster.status != "available":
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")
        placement.check_modification(backend, cluster, p)
        pending: dict[str, Any] = {}
        target, nodes = target_of(cluster, p)
        if (target.name, nodes) != (cluster.node_type, cluster.number_of_nodes):
            # ModifyCluster resizes by classic resize (DescribeResize follows it); naming the size
            # the cluster has changes nothing.
            plan_resize(backend, ctx, cluster, p, classic=True)
        group_changed = group is not None and group != cluster.cluster_parameter_group_name
        if group is not None:
            cluster.cluster_parameter_group_name = group  # applied at the next reboot
        if new_password is not None:
            if cluster.master_password_secret_arn:
                # The secret would no longer open the cluster (AWS: one or the other, as at create).
                raise invalid_combination(
                    "You can't use MasterUserPassword while Amazon Redshift manages the master password."
                )
            # The engine learns the new password in the background; a restart meanwhile still applies it.
            cluster.pending_master_password_md5 = password_verifier(cluster.master_username, new_password)
            pending["MasterUserPassword"] = "****"
        if "AutomatedSnapshotRetentionPeriod" in p:
            cluster.automated_snapshot_retention_period = validation.automated_retention(
                p["AutomatedSnapshotRetentionPeriod"], target.family
            )
            if cluster.automated_snapshot_retention_period == 0:
                cluster.next_automated_snapshot_time = None
            elif cluster.next_automated_snapshot_time is None:
                cluster.next_automated_snapshot_time = snapshot_timing.first_due(backend, cluster, ctx.now)
        if manual_retention is not None:
            cluster.manual_snapshot_retention_period = manual_retention
        if window is not None:
            cluster.preferred_maintenance_window = window
        if track is not None:
            # AWS switches tracks at the next maintenance window, not at once; naming the track the
            # cluster is on drops a switch still pending.
            switching = track != cluster.maintenance_track_name
            cluster.pending_maintenance_track = track if switching else None
            cluster.pending_maintenance_track_since = ctx.now if switching else None
        if "Port" in p and validation.port(p["Port"], target.family) != cluster.port:
            # The engine moves to the new port in the background (Endpoint.Port follows).
            cluster.pending_port = p["Port"]
        for param, attribute in _NETWORK_SETTINGS.items():
            if param in p and p[param] != getattr(cluster, attribute):
                pending[param] = p[param]  # applied by the modify job (lifecycle.apply_modification)
        changed = {param for param, attribute in _SIMPLE_SETTINGS.items()
                   if param in p and p[param] != getattr(cluster, attribute)}
        for param in changed:
            setattr(cluster, _SIMPLE_SETTINGS[param], p[param])
        renamed = new_id if new_id != cluster.identifier else None
        if renamed is not None:
            pending["ClusterIdentifier"] = renamed
            _rename(backend, cluster, renamed)
            events.record(backend, ctx, event_catalog.CLUSTER_RENAMED, new_cluster=cluster.identifier)
        if "VpcSecurityGroupIds" in changed:
            events.record(backend, ctx, event_catalog.VPC_SECURITY_GROUPS_UPDATED, cluster=cluster.identifier)
        if group_changed:
            events.record(backend, ctx, event_catalog.PARAMETER_GROUP_CHANGED, cluster=cluster.identifier,
                          parameter_group=cluster.cluster_parameter_group_name)
        cluster.pending_modified = {**pending, **pending_values(cluster)}
        # Changes that need work in the engine show as 'modifying' until done, then a resize as 'resizing'.
        if pending or cluster.pending_port is not None:
            only_renamed = renamed is not None and len(pending) == 1 and cluster.pending_port is None and not resizing(cluster)
            cluster.status = "renaming" if only_renamed else "modifying"
        elif resizing(cluster):
            cluster.status = "resizing"

    try:
        cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    except DuplicateError:
        raise ApiError("ClusterAlreadyExists", f"Cluster {new_id} already exists.") from None
    if cluster.status == "resizing":
        backend.submit_for(ctx.account, maintenance_lifecycle.resize_cluster, cluster.row_id)
    elif cluster.status != "available":
        backend.submit_for(ctx.account, maintenance_lifecycle.modify_and_resize, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


# ModifyCluster parameters AWS applies in the background: the cluster shows `modifying` with the new value
# in PendingModifiedValues (which has members for them) until the change is in progress no more.
_NETWORK_SETTINGS = {
    "PubliclyAccessible": "publicly_accessible",
    "EnhancedVpcRouting": "enhanced_vpc_routing",
}
# ModifyCluster parameters that only change the record.
_SIMPLE_SETTINGS = {
    "AllowVersionUpgrade": "allow_version_upgrade",
    "Encrypted": "encrypted",
    "KmsKeyId": "kms_key_id",
    "VpcSecurityGroupIds": "vpc_security_group_ids",
    "AvailabilityZoneRelocation": "availability_zone_relocation",
    "AvailabilityZone": "availability_zone",
    "IpAddressType": "ip_address_type",
    "MultiAZ": "multi_az",
    "ClusterVersion": "cluster_version",
}


def _rename(backend: RedshiftBackend, cluster: ClusterRecord, new_id: str) -> None:
    """Rename a cluster (within its caller's transaction): its tags, and its automated snapshots,
    which AWS reports under the new ClusterIdentifier.  Manual snapshots keep the name they were taken under."""
    if backend.clusters.get(cluster.account, cluster.region, new_id):
        raise ApiError("ClusterAlreadyExists", f"Cluster {new_id} already exists.")
    old_id, account, region = cluster.identifier, cluster.account, cluster.region
    backend.tags.rename(cluster_arn(region, account, old_id), cluster_arn(region, account, new_id))
    for snapshot in backend.snapshots.of_cluster(account, region, old_id, "automated"):
        new_arn = snapshot_arn(region, account, new_id, snapshot.identifier)
        backend.tags.rename(snapshot_arn(region, account, old_id, snapshot.identifier), new_arn)
        backend.snapshots.move_to_cluster(snapshot, new_id, new_arn)
    cluster.identifier = new_id


def delete_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    find_cluster(backend, ctx, p["ClusterIdentifier"])  # a missing cluster is named before the parameters
    skip = p.get("SkipFinalClusterSnapshot", False)
    final_id = p.get("FinalClusterSnapshotIdentifier")
    if skip and final_id:
        raise invalid_combination("FinalClusterSnapshotIdentifier cannot be given when SkipFinalClusterSnapshot is true.")
    if not skip and not final_id:
        raise invalid_combination("FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is true.")
    retention = validation.manual_retention(p.get("FinalClusterSnapshotRetentionPeriod", -1))
    final_row: int | None = None
    was_paused = False

    def change(cluster: ClusterRecord) -> None:
        nonlocal final_row, was_paused
        if cluster.status not in DELETABLE or backend.snapshots.manual_in_progress(cluster):
            # A manual snapshot in progress blocks deletion; an automated one is
            # abandoned, since automated snapshots are deleted with their cluster.
            raise ApiError(
                "InvalidClusterState",
                "There is an operation running on the Cluster. Please try to delete it at a later time.",
            )
        if not final_id:
            cluster.status = "deleting"
            return
        # AWS takes the final snapshot of a paused cluster too ("If you delete a paused cluster without
        # requesting a final snapshot, then you can't restore the cluster"): its engine is started for it.
        if cluster.status not in ("available", "paused"):
            raise ApiError("InvalidClusterState",
                           f"Cluster {cluster.identifier} must be available or paused to take a final snapshot.")
        was_paused = cluster.status == "paused"
        check_manual_quota(backend, ctx.account, ctx.region)
        identifier = validation.snapshot_identifier(final_id, "FinalClusterSnapshotIdentifier")
        snapshot = snapshot_from_cluster(cluster, identifier, "manual", "final snapshot", ctx.now, retention)
        final_row = insert_snapshot(backend, snapshot).row_id
        events.record(backend, ctx, event_catalog.FINAL_SNAPSHOT_STARTED, cluster=cluster.identifier, snapshot=identifier)
        cluster.status = "final-snapshot"

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    backend.submit_for(ctx.account, lifecycle.delete_cluster, cluster.row_id, final_row, was_paused)
    return {"Cluster": render(backend, ctx, cluster)}


def _start_transition(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any], needed: str, interim: str, job: Any, verb: str,
    started: str,
) -> dict[str, Any]:
    """Pause and resume: check the status, show the interim one (and the ``started`` event), let a job finish."""

    def change(cluster: ClusterRecord) -> None:
        if cluster.status != needed:
            raise ApiError(
                "InvalidClusterState",
                f"You can only {verb} a cluster that is {needed}; {cluster.identifier} is {cluster.status}.",
            )
        cluster.status = interim
        events.record(backend, ctx, started, cluster=cluster.identifier)

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    backend.submit_for(ctx.account, job, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


def pause_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _start_transition(backend, ctx, p, "available", "pausing", lifecycle.pause_cluster, "pause",
                             event_catalog.PAUSE_STARTED)


def resume_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _start_transition(backend, ctx, p, "paused", "resuming", lifecycle.resume_cluster, "resume",
                             event_catalog.RESUME_STARTED)


OPERATIONS = {
    "CreateCluster": create_cluster,
    "DescribeClusters": describe_clusters,
    "ModifyCluster": modify_cluster,
    "DeleteCluster": delete_cluster,
    "PauseCluster": pause_cluster,
    "ResumeCluster": resume_cluster,
}
