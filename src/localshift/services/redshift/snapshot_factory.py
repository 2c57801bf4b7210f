"""Making new snapshot records from a cluster (manual, final, automated)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.redshift.arns import snapshot_arn
from localshift.store.database import DuplicateError

if TYPE_CHECKING:
    from localshift.services.redshift.backend import RedshiftBackend

# Configuration a restore copies from the snapshot's source cluster.
RESTORED_SETTINGS = (
    "automated_snapshot_retention_period",
    "manual_snapshot_retention_period",
    "preferred_maintenance_window",
    "allow_version_upgrade",
    "publicly_accessible",
    "enhanced_vpc_routing",
    "cluster_subnet_group_name",
    "iam_roles",
    "default_iam_role_arn",
    "availability_zone_relocation",
    "multi_az",
    "ip_address_type",
    "master_password_md5",
)


def snapshot_from_cluster(
    cluster: ClusterRecord, identifier: str, snapshot_type: str, status: str, now: datetime, retention: int
) -> SnapshotRecord:
    return SnapshotRecord(
        account=cluster.account,
        region=cluster.region,
        identifier=identifier,
        cluster_identifier=cluster.identifier,
        snapshot_type=snapshot_type,
        status=status,
        create_time=now,
        cluster_create_time=cluster.create_time,
        node_type=cluster.node_type,
        number_of_nodes=cluster.number_of_nodes,
        master_username=cluster.master_username,
        db_name=cluster.db_name,
        port=cluster.port,
        availability_zone=cluster.availability_zone,
        cluster_version=cluster.cluster_version,
        encrypted=cluster.encrypted,
        kms_key_id=cluster.kms_key_id,
        enhanced_vpc_routing=cluster.enhanced_vpc_routing,
        maintenance_track_name=cluster.maintenance_track_name,
        vpc_id=cluster.vpc_id,
        manual_snapshot_retention_period=retention,
        cluster_config={name: getattr(cluster, name) for name in RESTORED_SETTINGS},
        cluster_row_id=cluster.row_id,
    )


def insert_snapshot(backend: RedshiftBackend, snapshot: SnapshotRecord) -> SnapshotRecord:
    arn = snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier)
    try:
        return backend.snapshots.insert(snapshot, arn)
    except DuplicateError:
        raise ApiError(
            "ClusterSnapshotAlreadyExists",
            f"Cannot create the snapshot because a snapshot with the identifier {snapshot.identifier} already exists.",
        ) from None


def check_manual_quota(backend: RedshiftBackend, account: str, region: str) -> None:
    if backend.snapshots.count_manual(account, region) >= backend.settings.manual_snapshot_quota:
        raise ApiError(
            "ClusterSnapshotQuotaExceeded",
            "The request would result in the user exceeding the allowed number of cluster snapshots.",
        )


def automated_identifier(cluster: ClusterRecord, now: datetime) -> str:
    # rs:<cluster>-YYYY-MM-DD-HH-MM-SS, in UTC, the snapshot's start time to the second.
    return f"rs:{cluster.identifier}-{now.strftime('%Y-%m-%d-%H-%M-%S')}"


def new_automated_snapshot(backend: RedshiftBackend, cluster: ClusterRecord, now: datetime) -> SnapshotRecord | None:
    snapshot = snapshot_from_cluster(cluster, automated_identifier(cluster, now), "automated", "creating", now, -1)
    try:
        return insert_snapshot(backend, snapshot)
    except ApiError:
        return None  # one already taken this second
