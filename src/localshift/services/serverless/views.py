"""Records -> the API's Namespace, Workgroup and Snapshot shapes (dicts of model member names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localshift.services.common.jobs import retention_days_left
from localshift.store.serverless import NamespaceRecord, ServerlessSnapshotRecord, WorkgroupRecord

ENGINE_VERSION = "1.0.87003"
# The admin user of a namespace created without adminUsername.
DEFAULT_ADMIN_USERNAME = "admin"
LOCAL_ADDRESS = "127.0.0.1"


def namespace_view(namespace: NamespaceRecord) -> dict[str, Any]:
    return {
        "namespaceName": namespace.name,
        "namespaceId": namespace.namespace_id,
        "namespaceArn": namespace.arn,
        "status": namespace.status,
        "creationDate": namespace.create_time,
        "dbName": namespace.db_name,
        # Namespaces stored before the default admin user was reported have none recorded.
        "adminUsername": namespace.admin_username or DEFAULT_ADMIN_USERNAME,
        "adminPasswordSecretArn": namespace.admin_password_secret_arn,
        "adminPasswordSecretKmsKeyId": namespace.admin_password_secret_kms_key_id,
        "kmsKeyId": namespace.kms_key_id,
        "iamRoles": list(namespace.iam_roles),
        "defaultIamRoleArn": namespace.default_iam_role_arn,
        "logExports": list(namespace.log_exports),
    }


def workgroup_view(workgroup: WorkgroupRecord) -> dict[str, Any]:
    view: dict[str, Any] = {
        "workgroupName": workgroup.name,
        "workgroupId": workgroup.workgroup_id,
        "workgroupArn": workgroup.arn,
        "namespaceName": workgroup.namespace_name,
        "status": workgroup.status,
        "creationDate": workgroup.create_time,
        "baseCapacity": workgroup.base_capacity,
        "maxCapacity": workgroup.max_capacity,
        "port": workgroup.port,
        "enhancedVpcRouting": workgroup.enhanced_vpc_routing,
        "publiclyAccessible": workgroup.publicly_accessible,
        "configParameters": [
            {"parameterKey": key, "parameterValue": value} for key, value in workgroup.config_parameters.items()
        ],
        "securityGroupIds": list(workgroup.security_group_ids),
        "subnetIds": list(workgroup.subnet_ids),
        "ipAddressType": workgroup.ip_address_type,
        "trackName": workgroup.track_name,
        "pricePerformanceTarget": workgroup.price_performance_target,
        "extraComputeForAutomaticOptimization": workgroup.extra_compute_for_automatic_optimization,
        "workgroupVersion": ENGINE_VERSION,
        "patchVersion": ENGINE_VERSION,
        "crossAccountVpcs": [],
        "customDomainName": workgroup.custom_domain_name,
        "customDomainCertificateArn": workgroup.custom_domain_certificate_arn,
        "customDomainCertificateExpiryTime": workgroup.custom_domain_certificate_expiry_time,
    }
    if workgroup.endpoint_port is not None:
        # The port the namespace's engine really serves (every workgroup shares 127.0.0.1).
        view["endpoint"] = {"address": LOCAL_ADDRESS, "port": workgroup.endpoint_port, "vpcEndpoints": []}
    return view


def remaining_days(snapshot: ServerlessSnapshotRecord, now: datetime) -> int:
    """Days until the snapshot passes its retention period; -1 when kept indefinitely."""
    if snapshot.retention_period == -1:
        return -1
    return retention_days_left(
        snapshot.retention_period, snapshot.retention_start_time or snapshot.create_time, now)


def snapshot_view(
    snapshot: ServerlessSnapshotRecord,
    now: datetime,
    restore_grantees: list[str] | None = None,
    provisioned_grantees: list[str] | None = None,
) -> dict[str, Any]:
    """The Snapshot shape.  Grantees are given for the owner only: other accounts never see them."""
    return {
        "snapshotName": snapshot.name,
        "snapshotArn": snapshot.arn,
        "namespaceName": snapshot.namespace_name,
        "namespaceArn": snapshot.namespace_arn,
        "ownerAccount": snapshot.account,
        "status": snapshot.status,
        "snapshotCreateTime": snapshot.create_time,
        "snapshotRetentionPeriod": snapshot.retention_period,
        "snapshotRemainingDays": remaining_days(snapshot, now),
        "snapshotRetentionStartTime": snapshot.retention_start_time,
        "adminUsername": snapshot.admin_username or snapshot.engine_username,
        "adminPasswordSecretArn": snapshot.admin_password_secret_arn,
        "adminPasswordSecretKmsKeyId": snapshot.admin_password_secret_kms_key_id,
        "kmsKeyId": snapshot.kms_key_id,
        "totalBackupSizeInMegaBytes": snapshot.total_size_mb,
        "actualIncrementalBackupSizeInMegaBytes": snapshot.incremental_size_mb,
        "backupProgressInMegaBytes": snapshot.progress_mb,
        "currentBackupRateInMegaBytesPerSecond": snapshot.rate_mb_per_s,
        "elapsedTimeInSeconds": snapshot.elapsed_seconds,
        "estimatedSecondsToCompletion": snapshot.estimated_seconds_to_completion,
        "accountsWithRestoreAccess": restore_grantees or None,
        "accountsWithProvisionedRestoreAccess": provisioned_grantees or None,
    }
