"""RestoreFromClusterSnapshot: a new cluster from a snapshot the caller owns or was shared."""

from __future__ import annotations

import uuid
from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import SnapshotRecord
from localshift.services.common.jobs import release_lease, take_lease
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift import arns, hsm, placement, reserved_node_exchange, restore_lifecycle, snapshot_timing
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import check_quotas, insert_cluster, new_cluster, render
from localshift.services.redshift.node_types import CATALOG, NodeType, snapshot_restorable_types, storage_mb
from localshift.services.redshift.snapshot_lookup import readable_snapshot, snapshot_ref

# Parameters naming resources localshift does not model: any value names a
# resource that does not exist, so AWS's not-found error is the faithful answer.
_UNKNOWN_RESOURCES = {
    "RedshiftIdcApplicationArn": ("RedshiftIdcApplicationNotExists", "Redshift IAM Identity Center application"),
}


def _target_shape(p: dict[str, Any], snapshot: SnapshotRecord) -> tuple[NodeType, int]:
    """Node type and count of the restored cluster, within the compatibility rules."""
    node_type_name = p.get("NodeType", snapshot.node_type)
    target = CATALOG.get(node_type_name)
    if target is None:
        raise invalid_parameter(f"Invalid node type: {node_type_name}.")
    allowed = snapshot_restorable_types(snapshot.node_type, snapshot.number_of_nodes, snapshot.from_serverless)
    if target.name not in allowed:
        raise ApiError(
            "InvalidRestore",
            f"Snapshot {snapshot.identifier} of a {snapshot.node_type} cluster can't be restored into node type "
            f"{target.name}. Restorable node types: {', '.join(allowed)}.",
        )
    nodes = p.get("NumberOfNodes", snapshot.number_of_nodes if target.name == snapshot.node_type else None)
    if nodes is None:
        # A new node type with no count given: the smallest count that holds the data.
        nodes = max(target.create_nodes[0], 1 if target.single_node else 2)
        while storage_mb(target, nodes) < snapshot.total_size_mb and nodes < target.max_nodes:
            nodes += 1
    if nodes < 1 or (nodes == 1 and not target.single_node) or (1 < nodes < target.create_nodes[0]):
        raise ApiError("InvalidRestore", f"{nodes} nodes is not a valid size for node type {target.name}.")
    if nodes > target.max_nodes:
        raise ApiError(
            "NumberOfNodesPerClusterLimitExceeded",
            f"The number of nodes {nodes} exceeds the limit of {target.max_nodes} nodes for node type {target.name}.",
        )
    if storage_mb(target, nodes) < snapshot.total_size_mb:
        raise ApiError(
            "InvalidRestore",
            f"{nodes} x {target.name} holds {storage_mb(target, nodes)} MB, less than the snapshot's "
            f"{snapshot.total_size_mb:.0f} MB of data.",
        )
    return target, nodes


def _check_references(p: dict[str, Any]) -> None:
    for parameter, (code, what) in _UNKNOWN_RESOURCES.items():
        if parameter in p:
            raise ApiError(code, f"The {what} {p[parameter]} was not found.")
    if "ElasticIp" in p:
        raise ApiError("InvalidElasticIpFault", f"The Elastic IP {p['ElasticIp']} is not allocated to this account.")
    if "MaintenanceTrackName" in p:
        validation.maintenance_track(p["MaintenanceTrackName"])


def _check_roles(p: dict[str, Any], default: list[str]) -> list[str]:
    roles = validation.iam_roles(p.get("IamRoles", default))
    validation.default_iam_role(p.get("DefaultIamRoleArn"), roles)
    return roles


def _encryption(ctx: RequestContext, p: dict[str, Any], snapshot: SnapshotRecord) -> tuple[bool, str | None]:
    kms_key = validation.kms_key_id(p["KmsKeyId"]) if "KmsKeyId" in p else None
    encrypted = p.get("Encrypted", snapshot.encrypted or kms_key is not None)
    if snapshot.encrypted and not encrypted:
        raise invalid_combination("An encrypted snapshot can only be restored into an encrypted cluster.")
    own = snapshot.account == ctx.account
    if encrypted and not snapshot.encrypted and not own:
        # Encrypting an unencrypted snapshot at restore works only in the owner's account.
        raise invalid_combination("Only the snapshot's owner can encrypt an unencrypted snapshot during restore.")
    if kms_key is not None and own and snapshot.encrypted is False and not encrypted:
        raise invalid_combination("KmsKeyId needs Encrypted=true for an unencrypted snapshot.")
    return encrypted, kms_key if kms_key is not None else snapshot.kms_key_id


def restore_from_cluster_snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    identifier = validation.cluster_identifier(p["ClusterIdentifier"])
    ref = snapshot_ref(ctx, p)
    assert ref is not None
    snapshot = readable_snapshot(backend, ctx, ref)
    if snapshot.status != "available":
        raise ApiError("InvalidClusterSnapshotState", f"Snapshot {snapshot.identifier} is not in the available state.")
    target, nodes = _target_shape(p, snapshot)
    config = snapshot.cluster_config
    _check_references(p)
    if p.get("MasterPasswordSecretKmsKeyId") and not p.get("ManageMasterPassword"):
        raise invalid_combination("MasterPasswordSecretKmsKeyId can only be given with ManageMasterPassword=true.")
    ip_type = validation.ip_address_type(p.get("IpAddressType", config.get("ip_address_type", "ipv4")))
    encrypted, kms_key = _encryption(ctx, p, snapshot)
    roles = _check_roles(p, config.get("iam_roles", []))
    check_quotas(backend, ctx, nodes)
    cluster = new_cluster(
        backend,
        ctx,
        p,
        identifier,
        target,
        nodes,
        master_username=snapshot.master_username,
        # The snapshot's master password comes back with its data; a managed one is made up anew.
        master_password_md5="" if p.get("ManageMasterPassword") else config.get("master_password_md5", ""),
        db_name=snapshot.db_name,
        port=validation.port(p.get("Port", snapshot.port), target.family),
        automated_snapshot_retention_period=validation.automated_retention(
            p.get("AutomatedSnapshotRetentionPeriod", max(config.get("automated_snapshot_retention_period", 1),
                                                          1 if target.family in ("ra3", "rg") else 0)),
            target.family,
        ),
        manual_snapshot_retention_period=validation.manual_retention(
            p.get("ManualSnapshotRetentionPeriod", config.get("manual_snapshot_retention_period", -1))
        ),
        preferred_maintenance_window=validation.maintenance_window(
            p.get("PreferredMaintenanceWindow", config.get("preferred_maintenance_window", "sat:10:00-sat:10:30"))
        ),
        cluster_version=snapshot.cluster_version,
        encrypted=encrypted,
        kms_key_id=kms_key,
        enhanced_vpc_routing=p.get("EnhancedVpcRouting", snapshot.enhanced_vpc_routing),
        maintenance_track_name=p.get("MaintenanceTrackName", snapshot.maintenance_track_name),
        iam_roles=roles,
        ip_address_type=ip_type,
        restore_status="starting",
        restore_snapshot_size_mb=snapshot.total_size_mb,
        restore_source_snapshot=snapshot.identifier,
        restored_from=arns.snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier,
                                        snapshot.identifier),
        **snapshot_timing.schedule_association(backend, ctx, p),
        **placement.cluster_settings(backend, ctx, p),
        **hsm.cluster_settings(backend, ctx, p),
    )
    exchanging = reserved_node_exchange.check_exchange(p)
    cluster.restore_data_key = _lease(backend, snapshot)
    try:
        with backend.db.transaction():
            if exchanging:
                # The reservation is exchanged for one of the restored node type with the restore.
                reserved_node_exchange.exchange(backend, ctx, p["ReservedNodeId"], p["TargetReservedNodeOfferingId"],
                                                target.name)
            insert_cluster(backend, cluster, [])
    except ApiError:
        release_lease(backend, cluster.restore_data_key)
        raise
    events.record(backend, ctx, event_catalog.RESTORE_STARTED, cluster=cluster.identifier, snapshot=snapshot.identifier)
    backend.submit_for(ctx.account, restore_lifecycle.restore_cluster, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


def _lease(backend: RedshiftBackend, snapshot: SnapshotRecord) -> str | None:
    """Hold the snapshot's data for this restore before the cluster exists, so a revoke or
    delete meanwhile doesn't stop it, and a snapshot whose data is gone is refused up front."""
    if snapshot.data_key is None:
        return None  # a snapshot of the control plane alone (--no-data-plane) holds no data
    try:
        return take_lease(backend, snapshot.data_key, f"restore-lease-{uuid.uuid4().hex}")
    except Exception:
        raise ApiError(
            "InvalidClusterSnapshotState",
            f"Snapshot {snapshot.identifier} can't be restored: its data is no longer available.",
        ) from None


OPERATIONS = {"RestoreFromClusterSnapshot": restore_from_cluster_snapshot}
