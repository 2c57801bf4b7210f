"""Records -> the API's Cluster and Snapshot shapes (dicts of model member names)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.common.jobs import retention_days_left
from localshift.services.redshift import arns, network
from localshift.services.redshift.node_types import CATALOG, elastic_resize_counts, snapshot_restorable_types, storage_mb
from localshift.services.redshift.snapshot_timing import ACTIVE

SUPPORT_ALIAS = "amazon-redshift-support"
# The engine build shown in EngineFullVersion (ClusterVersion.ENGINE_BUILD).
ENGINE_BUILD = "87003"

# ClusterStatus -> ClusterAvailabilityStatus, as the Management Guide pairs them. A cluster being deleted
# (its final snapshot, then the delete) is `Modifying`, not `Unavailable`: the Terraform AWS provider's
# delete waiter accepts only `Modifying` or `Maintenance` until the cluster is gone.
_AVAILABILITY = {
    "available": "Available",
    "creating": "Modifying",
    "modifying": "Modifying",
    "renaming": "Modifying",
    "resizing": "Modifying",
    "cancelling-resize": "Modifying",
    "rotating-keys": "Modifying",
    "rebooting": "Maintenance",
    "paused": "Unavailable",
    "deleting": "Modifying",
    "final-snapshot": "Modifying",
    "incompatible-restore": "Failed",
    "hardware-failure": "Failed",
}


def secondary_zone(cluster: ClusterRecord) -> str:
    """A Multi-AZ cluster's secondary zone: until a failover swaps them, the region's zone after its primary."""
    return cluster.secondary_availability_zone or network.next_zone(cluster.region, cluster.availability_zone)


def tags_view(tags: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags]


# KmsKeyId of a cluster or snapshot encrypted without a key of the user's (as Redshift Serverless shows it).
AWS_OWNED_KMS_KEY = "AWS_OWNED_KMS_KEY"


def whole_mb(size_mb: float) -> float:
    """Snapshot sizes as Redshift reports them: whole megabytes (in a double)."""
    return float(round(size_mb))


def kms_key_view(encrypted: bool, kms_key_id: str | None) -> str | None:
    return kms_key_id or (AWS_OWNED_KMS_KEY if encrypted else None)


def cluster_view(cluster: ClusterRecord, tags: list[tuple[str, str]], now: datetime,
                 parameter_groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The Cluster shape; ``parameter_groups`` is its ClusterParameterGroups (parameter_status.py)."""
    node_type = CATALOG[cluster.node_type]
    view: dict[str, Any] = {
        "ClusterIdentifier": cluster.identifier,
        "NodeType": cluster.node_type,
        "ClusterStatus": cluster.status,
        "ClusterAvailabilityStatus": _AVAILABILITY.get(cluster.status, "Unavailable"),
        "MasterUsername": cluster.master_username,
        "DBName": cluster.db_name,
        "ClusterCreateTime": cluster.create_time,
        "AutomatedSnapshotRetentionPeriod": cluster.automated_snapshot_retention_period,
        "ManualSnapshotRetentionPeriod": cluster.manual_snapshot_retention_period,
        "ClusterSecurityGroups": [
            {"ClusterSecurityGroupName": name, "Status": "active"} for name in cluster.cluster_security_groups
        ],
        "VpcSecurityGroups": [
            {"VpcSecurityGroupId": group, "Status": "active"} for group in cluster.vpc_security_group_ids
        ],
        "ClusterParameterGroups": parameter_groups,
        "ClusterSubnetGroupName": cluster.cluster_subnet_group_name,
        "VpcId": cluster.vpc_id,
        "AvailabilityZone": cluster.availability_zone,
        "PreferredMaintenanceWindow": cluster.preferred_maintenance_window,
        "PendingModifiedValues": _pending_values(cluster),
        "ClusterVersion": cluster.cluster_version,
        "AllowVersionUpgrade": cluster.allow_version_upgrade,
        "NumberOfNodes": cluster.number_of_nodes,
        "PubliclyAccessible": cluster.publicly_accessible,
        "Encrypted": cluster.encrypted,
        "KmsKeyId": kms_key_view(cluster.encrypted, cluster.kms_key_id),
        "ClusterPublicKey": f"ssh-rsa localshift-{cluster.namespace_id} Amazon-Redshift",
        "ClusterNodes": _nodes(cluster),
        "ClusterRevisionNumber": cluster.db_revision or ENGINE_BUILD,
        "Tags": tags_view(tags),
        "EnhancedVpcRouting": cluster.enhanced_vpc_routing,
        "IamRoles": [{"IamRoleArn": role, "ApplyStatus": "in-sync"} for role in cluster.iam_roles],
        "PendingActions": [],
        "MaintenanceTrackName": cluster.maintenance_track_name,
        "ElasticResizeNumberOfNodeOptions": _elastic_resize_options(cluster),
        "DeferredMaintenanceWindows": _deferrals(cluster, now),
        "SnapshotScheduleIdentifier": cluster.snapshot_schedule_identifier,
        "SnapshotScheduleState": cluster.snapshot_schedule_state,
        "NextMaintenanceWindowStartTime": next_maintenance_window(cluster, now),
        "AvailabilityZoneRelocationStatus": "enabled" if cluster.availability_zone_relocation else "disabled",
        "ClusterNamespaceArn": arns.namespace_arn(cluster.region, cluster.account, cluster.namespace_id),
        "TotalStorageCapacityInMegaBytes": storage_mb(node_type, cluster.number_of_nodes),
        "AquaConfiguration": aqua_view(cluster),
        "DefaultIamRoleArn": cluster.default_iam_role_arn,
        "IpAddressType": cluster.ip_address_type,
        "MultiAZ": "Enabled" if cluster.multi_az else "Disabled",
        "MasterPasswordSecretArn": cluster.master_password_secret_arn,
        "MasterPasswordSecretKmsKeyId": cluster.master_password_secret_kms_key_id,
        "CustomDomainName": cluster.custom_domain_name,
        "CustomDomainCertificateArn": cluster.custom_domain_certificate_arn,
        "CustomDomainCertificateExpiryDate": cluster.custom_domain_certificate_expiry,
    }
    if cluster.multi_az:
        view["MultiAZSecondary"] = {"AvailabilityZone": secondary_zone(cluster), "ClusterNodes": _nodes(cluster)}
    if cluster.snapshot_copy is not None:
        view["ClusterSnapshotCopyStatus"] = {
            "DestinationRegion": cluster.snapshot_copy.destination_region,
            "RetentionPeriod": cluster.snapshot_copy.retention_period,
            "ManualSnapshotRetentionPeriod": cluster.snapshot_copy.manual_retention_period,
            "SnapshotCopyGrantName": cluster.snapshot_copy.grant_name,
        }
    due = cluster.next_automated_snapshot_time
    if cluster.snapshot_schedule_state == ACTIVE and due is not None:
        # Only for clusters following a snapshot schedule, with automated snapshots on.
        view["ExpectedNextSnapshotScheduleTime"] = due
        view["ExpectedNextSnapshotScheduleTimeStatus"] = "OnTrack" if due > now else "Pending"
    # A deleting cluster still reports its endpoint, as AWS's DeleteCluster answer does.
    if cluster.endpoint_port is not None and cluster.status not in ("creating", "paused"):
        view["Endpoint"] = {"Address": "127.0.0.1", "Port": cluster.endpoint_port}
    if cluster.resize is not None and cluster.resize.status in ("IN_PROGRESS", "CANCELLING"):
        view["ResizeInfo"] = {"ResizeType": cluster.resize.resize_type,
                              "AllowCancelResize": cluster.resize.resize_type == "ClassicResize"}
    if cluster.hsm_client_certificate_identifier or cluster.hsm_configuration_identifier:
        view["HsmStatus"] = {"HsmClientCertificateIdentifier": cluster.hsm_client_certificate_identifier,
                             "HsmConfigurationIdentifier": cluster.hsm_configuration_identifier, "Status": "active"}
    if cluster.restore_status is not None:
        view["RestoreStatus"] = {
            "Status": cluster.restore_status,
            "CurrentRestoreRateInMegaBytesPerSecond": cluster.restore_rate_mb_per_s,
            "SnapshotSizeInMegaBytes": round(cluster.restore_snapshot_size_mb),
            "ProgressInMegaBytes": round(cluster.restore_progress_mb),
            "ElapsedTimeInSeconds": cluster.restore_elapsed_seconds,
            "EstimatedTimeToCompletionInSeconds": cluster.restore_estimated_seconds,
        }
    return view


def aqua_view(cluster: ClusterRecord) -> dict[str, str]:
    status = "enabled" if cluster.aqua_configuration_status == "enabled" else "disabled"
    return {"AquaStatus": status, "AquaConfigurationStatus": cluster.aqua_configuration_status}


def _deferrals(cluster: ClusterRecord, now: datetime) -> list[dict[str, Any]]:
    """The deferred maintenance window, while it has not ended."""
    deferral = cluster.deferred_maintenance
    if deferral is None or deferral.end_time <= now:
        return []
    return [{"DeferMaintenanceIdentifier": deferral.identifier, "DeferMaintenanceStartTime": deferral.start_time,
             "DeferMaintenanceEndTime": deferral.end_time}]


def _pending_values(cluster: ClusterRecord) -> dict[str, Any]:
    pending = dict(cluster.pending_modified)
    if cluster.pending_maintenance_track is not None:
        pending["MaintenanceTrackName"] = cluster.pending_maintenance_track
    return pending


def next_maintenance_window(cluster: ClusterRecord, after: datetime) -> datetime:
    """The start of the cluster's first maintenance window after ``after`` that no deferral covers:
    one that starts within a deferred window is skipped, maintenance resumes once it has ended (a
    window before a deferral that has not begun is kept)."""
    window = _next_window(cluster.preferred_maintenance_window, after)
    deferral = cluster.deferred_maintenance
    if deferral is not None and deferral.start_time <= window < deferral.end_time:
        window = _next_window(cluster.preferred_maintenance_window, deferral.end_time)
    return window


def _nodes(cluster: ClusterRecord) -> list[dict[str, str]]:
    roles = ["SHARED"] if cluster.number_of_nodes == 1 else ["LEADER"] + [
        f"COMPUTE-{i}" for i in range(cluster.number_of_nodes)
    ]
    return [
        {"NodeRole": role, "PrivateIPAddress": "127.0.0.1", "PublicIPAddress": "127.0.0.1"} for role in roles
    ]


def _elastic_resize_options(cluster: ClusterRecord) -> str | None:
    counts = elastic_resize_counts(CATALOG[cluster.node_type], cluster.number_of_nodes)
    return "[" + ",".join(str(n) for n in counts) + "]" if counts else None


def _next_window(window: str, now: datetime) -> datetime:
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    day, hour, minute = window.split("-")[0].split(":")
    start = now.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
    start += timedelta(days=(days.index(day) - now.weekday()) % 7)
    return start if start > now else start + timedelta(days=7)


def snapshot_view(
    snapshot: SnapshotRecord,
    tags: list[tuple[str, str]],
    grantees: list[str] | None,
    now: datetime,
) -> dict[str, Any]:
    """The Snapshot shape.  ``grantees`` is None unless the caller owns it:
    AccountsWithRestoreAccess is visible to the owner only."""
    view: dict[str, Any] = {
        "SnapshotIdentifier": snapshot.identifier,
        "ClusterIdentifier": snapshot.cluster_identifier,
        "SnapshotCreateTime": snapshot.create_time,
        "Status": snapshot.status,
        "Port": snapshot.port,
        "AvailabilityZone": snapshot.availability_zone,
        "ClusterCreateTime": snapshot.cluster_create_time,
        "MasterUsername": snapshot.master_username,
        "ClusterVersion": snapshot.cluster_version,
        "EngineFullVersion": f"{snapshot.cluster_version}.{ENGINE_BUILD}",
        "SnapshotType": snapshot.snapshot_type,
        "NodeType": snapshot.node_type,
        "NumberOfNodes": snapshot.number_of_nodes,
        "DBName": snapshot.db_name,
        "VpcId": snapshot.vpc_id,
        "Encrypted": snapshot.encrypted,
        "KmsKeyId": kms_key_view(snapshot.encrypted, snapshot.kms_key_id),
        "EncryptedWithHSM": False,
        "OwnerAccount": snapshot.account,
        "TotalBackupSizeInMegaBytes": whole_mb(snapshot.total_size_mb),
        "ActualIncrementalBackupSizeInMegaBytes": whole_mb(snapshot.incremental_size_mb),
        "BackupProgressInMegaBytes": whole_mb(snapshot.progress_mb),
        "CurrentBackupRateInMegaBytesPerSecond": snapshot.rate_mb_per_s,
        "EstimatedSecondsToCompletion": snapshot.estimated_seconds_to_completion,
        "ElapsedTimeInSeconds": snapshot.elapsed_seconds,
        "SourceRegion": snapshot.source_region,
        "Tags": tags_view(tags),
        "RestorableNodeTypes": snapshot_restorable_types(
            snapshot.node_type, snapshot.number_of_nodes, snapshot.from_serverless
        ),
        "EnhancedVpcRouting": snapshot.enhanced_vpc_routing,
        "MaintenanceTrackName": snapshot.maintenance_track_name,
        "SnapshotArn": arns.snapshot_arn(
            snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier
        ),
    }
    if snapshot.snapshot_type == "manual":
        view["ManualSnapshotRetentionPeriod"] = snapshot.manual_snapshot_retention_period
        view["ManualSnapshotRemainingDays"] = remaining_days(snapshot, now)
        view["SnapshotRetentionStartTime"] = snapshot.retention_start_time
    if grantees:
        view["AccountsWithRestoreAccess"] = [
            {"AccountAlias": g} if g == SUPPORT_ALIAS else {"AccountId": g} for g in grantees
        ]
    return view



def remaining_days(snapshot: SnapshotRecord, now: datetime) -> int:
    """Days until a manual snapshot passes its retention period; -1 when kept indefinitely."""
    period = snapshot.manual_snapshot_retention_period
    if period == -1:
        return -1
    return retention_days_left(period, snapshot.retention_start_time or snapshot.create_time, now)
