"""Serverless snapshots as the provisioned (Query) API sees them: the internal API its operations call.

A serverless snapshot reaches the provisioned API only through a ``SnapshotArn``
(``arn:aws:redshift-serverless:REGION:ACCOUNT:snapshot/UUID``): it has no
cluster/snapshot identifier pair.  These functions take the provisioned
backend (they read the serverless tables through its database) and raise the
provisioned API's error codes:

* ``find_serverless_snapshot``: the record an ARN names, if the caller may see it;
* ``can_restore_to_provisioned``: the owner, or an account granted provisioned restore;
* ``grant_provisioned_restore`` / ``revoke_provisioned_restore``: AuthorizeSnapshotAccess and
  RevokeSnapshotAccess after the caller checked ownership and the grantee (as for provisioned
  snapshots); grantees appear in ``accountsWithProvisionedRestoreAccess``;
* ``provisioned_snapshot_record``: a SnapshotRecord the restore and node-options code can use;
* ``provisioned_snapshot_view``: the provisioned Snapshot shape, for DescribeClusterSnapshots.

Serverless data lives in Redshift Managed Storage, so a serverless snapshot
restores only into RA3 node types (``node_types.SERVERLESS_RESTORABLE``).
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.views import snapshot_view
from localshift.services.serverless.validation import SERVICE, parse_arn
from localshift.store.serverless import (
    PROVISIONED_RESTORE,
    ServerlessSnapshotRecord,
    ServerlessSnapshotRepository,
    ServerlessTagRepository,
)

# The configuration a serverless snapshot shows as NodeType/NumberOfNodes in the provisioned
# shape, and node-configuration options start from: the smallest multi-node RA3 cluster.
EQUIVALENT_NODE_TYPE, EQUIVALENT_NODES = "ra3.xlplus", 2
# At most 20 accounts may restore one snapshot into provisioned clusters (the provisioned quota).
MAX_GRANTEES = 20
_STATUS = {"AVAILABLE": "available", "CREATING": "creating", "COPYING": "creating", "FAILED": "failed",
           "CANCELLED": "cancelled", "DELETED": "deleted"}


def is_serverless_arn(arn: str) -> bool:
    parts = arn.split(":", 3)
    return len(parts) > 2 and parts[2] == SERVICE


def find_serverless_snapshot(
    backend: RedshiftBackend, ctx: RequestContext, arn: str, owner_account: str | None = None
) -> ServerlessSnapshotRecord | None:
    """The serverless snapshot ``arn`` names in the caller's region, if the caller owns it or it is
    shared with the caller (either kind of grant); None otherwise, or for a malformed ARN."""
    try:
        parsed = parse_arn(arn, "SnapshotArn")
    except ApiError:
        return None
    if parsed.resource_type != "snapshot" or parsed.region != ctx.region:
        return None
    if owner_account is not None and owner_account != parsed.account:
        return None
    snapshots = ServerlessSnapshotRepository(backend.db)
    snapshot = snapshots.get_by_arn(arn)
    if snapshot is None:
        return None
    if snapshot.account != ctx.account and not snapshots.grant_kinds(snapshot, ctx.account):
        return None
    return snapshot


def can_restore_to_provisioned(backend: RedshiftBackend, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> bool:
    if snapshot.account == ctx.account:
        return True
    return PROVISIONED_RESTORE in ServerlessSnapshotRepository(backend.db).grant_kinds(snapshot, ctx.account)


def provisioned_grantees(backend: RedshiftBackend, snapshot: ServerlessSnapshotRecord) -> list[str]:
    return ServerlessSnapshotRepository(backend.db).grantees(snapshot, PROVISIONED_RESTORE)


def grant_provisioned_restore(backend: RedshiftBackend, snapshot: ServerlessSnapshotRecord, account: str) -> None:
    """Let ``account`` restore the snapshot into a provisioned cluster (AuthorizeSnapshotAccess)."""
    snapshots = ServerlessSnapshotRepository(backend.db)
    with backend.db.transaction():
        current = snapshots.get_by_id(snapshot.row_id)  # type: ignore[arg-type]
        if current is None or current.status != "AVAILABLE":
            raise ApiError("InvalidClusterSnapshotState", f"Snapshot {snapshot.arn} is not in the available state.")
        grantees = snapshots.grantees(current, PROVISIONED_RESTORE)
        if account in grantees:
            raise ApiError(
                "AuthorizationAlreadyExists", f"Account {account} is already authorized to restore snapshot {snapshot.arn}."
            )
        if len(grantees) >= MAX_GRANTEES:
            raise ApiError(
                "AuthorizationQuotaExceeded",
                f"Snapshot {snapshot.arn} is already shared with the maximum of {MAX_GRANTEES} accounts.",
            )
        snapshots.set_grantees(current, PROVISIONED_RESTORE, [*grantees, account])


def revoke_provisioned_restore(backend: RedshiftBackend, snapshot: ServerlessSnapshotRecord, account: str) -> None:
    """Stop ``account`` restoring the snapshot into provisioned clusters (RevokeSnapshotAccess).
    Restores already accepted finish: they read a lease on the data."""
    snapshots = ServerlessSnapshotRepository(backend.db)
    with backend.db.transaction():
        grantees = snapshots.grantees(snapshot, PROVISIONED_RESTORE)
        if account not in grantees:
            raise ApiError(
                "AuthorizationNotFound", f"Account {account} is not authorized to restore snapshot {snapshot.arn}."
            )
        snapshots.set_grantees(snapshot, PROVISIONED_RESTORE, [g for g in grantees if g != account])


def provisioned_snapshot_record(snapshot: ServerlessSnapshotRecord) -> SnapshotRecord:
    """The serverless snapshot as a (never stored) provisioned SnapshotRecord: its data key, size,
    admin credentials and database, for RestoreFromClusterSnapshot and DescribeNodeConfigurationOptions."""
    return SnapshotRecord(
        account=snapshot.account,
        region=snapshot.region,
        identifier=snapshot.name,
        cluster_identifier=snapshot.namespace_name,
        snapshot_type="manual",
        status=_STATUS.get(snapshot.status, snapshot.status.lower()),
        create_time=snapshot.create_time,
        cluster_create_time=snapshot.namespace_create_time,
        node_type=EQUIVALENT_NODE_TYPE,
        number_of_nodes=EQUIVALENT_NODES,
        master_username=snapshot.engine_username,
        db_name=snapshot.db_name,
        port=5439,
        availability_zone=f"{snapshot.region}a",
        cluster_version="1.0",
        encrypted=True,  # serverless data is always encrypted
        kms_key_id=snapshot.kms_key_id,
        enhanced_vpc_routing=False,
        maintenance_track_name="current",
        vpc_id=None,
        manual_snapshot_retention_period=snapshot.retention_period,
        retention_start_time=snapshot.retention_start_time,
        total_size_mb=snapshot.total_size_mb,
        incremental_size_mb=snapshot.incremental_size_mb,
        progress_mb=snapshot.progress_mb,
        rate_mb_per_s=snapshot.rate_mb_per_s,
        elapsed_seconds=snapshot.elapsed_seconds,
        estimated_seconds_to_completion=snapshot.estimated_seconds_to_completion,
        cluster_config={"master_password_md5": snapshot.admin_password_md5},
        data_key=snapshot.data_key,
        from_serverless=True,
    )


def provisioned_snapshot_view(backend: RedshiftBackend, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> dict[str, Any]:
    """The provisioned Snapshot shape of a serverless snapshot.  AccountsWithRestoreAccess lists the
    provisioned-restore grantees, to the owner only (as for provisioned snapshots)."""
    tags = ServerlessTagRepository(backend.db).get(snapshot.arn)
    grantees = provisioned_grantees(backend, snapshot) if snapshot.account == ctx.account else None
    view = snapshot_view(provisioned_snapshot_record(snapshot), tags, grantees, ctx.now)
    view["SnapshotArn"] = snapshot.arn
    return view
