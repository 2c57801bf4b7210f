"""Serverless snapshots as the provisioned (Query) API sees them: Redshift Serverless's
implementation of redshift/serverless_snapshots.py, wired into the provisioned backend
by the runtime.

It reads the serverless tables through Redshift Serverless's repositories and raises
the provisioned API's error codes.  Grantees of provisioned restore appear in
``accountsWithProvisionedRestoreAccess``.  Serverless data lives in Redshift Managed
Storage, so a serverless snapshot restores only into RA3 node types
(``node_types.SERVERLESS_RESTORABLE``).
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import SnapshotRecord
from localshift.services.common.arns import SERVERLESS, service_of
from localshift.services.common.grants import MAX_GRANTEES, check_grantee, check_new_grantee
from localshift.services.context import RequestContext
from localshift.services.redshift.views import snapshot_view
from localshift.services.serverless.validation import parse_arn
from localshift.store.database import Database
from localshift.store.serverless import (
    PROVISIONED_RESTORE,
    ServerlessSnapshotRecord,
    ServerlessTagRepository,
)
from localshift.store.serverless_snapshots import ServerlessSnapshotRepository

__all__ = ["MAX_GRANTEES", "ProvisionedSnapshots", "is_serverless_arn"]

# The configuration a serverless snapshot shows as NodeType/NumberOfNodes in the provisioned
# shape, and node-configuration options start from: the smallest multi-node RA3 cluster.
EQUIVALENT_NODE_TYPE, EQUIVALENT_NODES = "ra3.xlplus", 2
_STATUS = {"AVAILABLE": "available", "CREATING": "creating", "COPYING": "creating", "FAILED": "failed",
           "CANCELLED": "cancelled", "DELETED": "deleted"}


def is_serverless_arn(arn: str) -> bool:
    return service_of(arn) == SERVERLESS


class ProvisionedSnapshots:
    """Serverless snapshots for the provisioned operations (redshift.serverless_snapshots.ServerlessSnapshots)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.snapshots = ServerlessSnapshotRepository(db)
        self.tags = ServerlessTagRepository(db)

    def find(self, ctx: RequestContext, arn: str, owner_account: str | None = None) -> ServerlessSnapshotRecord | None:
        try:
            parsed = parse_arn(arn, "SnapshotArn")
        except ApiError:
            return None
        if parsed.resource_type != "snapshot" or parsed.region != ctx.region:
            return None
        if owner_account is not None and owner_account != parsed.account:
            return None
        snapshot = self.snapshots.get_by_arn(arn)
        if snapshot is None:
            return None
        if snapshot.account != ctx.account and not self.snapshots.grant_kinds(snapshot, ctx.account):
            return None
        return snapshot

    def can_restore(self, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> bool:
        return snapshot.account == ctx.account or PROVISIONED_RESTORE in self.snapshots.grant_kinds(snapshot, ctx.account)

    def grantees(self, snapshot: ServerlessSnapshotRecord) -> list[str]:
        return self.snapshots.grantees(snapshot, PROVISIONED_RESTORE)

    def grant_restore(self, snapshot: ServerlessSnapshotRecord, account: str) -> None:
        with self.db.transaction():
            current = self.snapshots.get_by_id(snapshot.row_id)
            if current is None or current.status != "AVAILABLE":
                raise ApiError("InvalidClusterSnapshotState", f"Snapshot {snapshot.arn} is not in the available state.")
            grantees = self.grantees(current)
            check_new_grantee(grantees, account, snapshot.arn)
            self.snapshots.set_grantees(current, PROVISIONED_RESTORE, [*grantees, account])

    def revoke_restore(self, snapshot: ServerlessSnapshotRecord, account: str) -> None:
        """Restores already accepted finish: they read a lease on the data."""
        with self.db.transaction():
            grantees = self.grantees(snapshot)
            check_grantee(grantees, account, snapshot.arn)
            self.snapshots.set_grantees(snapshot, PROVISIONED_RESTORE, [g for g in grantees if g != account])

    def as_snapshot_record(self, snapshot: ServerlessSnapshotRecord) -> SnapshotRecord:
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

    def snapshot_view(self, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> dict[str, Any]:
        """AccountsWithRestoreAccess lists the provisioned-restore grantees, to the owner only
        (as for provisioned snapshots)."""
        grantees = self.grantees(snapshot) if snapshot.account == ctx.account else None
        view = snapshot_view(self.as_snapshot_record(snapshot), self.tags.get(snapshot.arn), grantees, ctx.now)
        view["SnapshotArn"] = snapshot.arn
        return view
