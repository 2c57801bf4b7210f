"""Cross-account snapshot sharing: AuthorizeSnapshotAccess and RevokeSnapshotAccess."""

from __future__ import annotations

import re
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.common.grants import check_grantee, check_new_grantee
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.snapshot_lookup import not_found, owned_snapshot, snapshot_ref
from localshift.services.redshift.snapshots import render
from localshift.services.redshift.views import SUPPORT_ALIAS
from localshift.store.serverless import ServerlessSnapshotRecord


def _grantee(ctx: RequestContext, p: dict[str, Any]) -> str:
    account = p["AccountWithRestoreAccess"]
    if account != SUPPORT_ALIAS and not re.fullmatch(r"\d{12}", account):
        raise invalid_parameter(
            f"Invalid AccountWithRestoreAccess {account}: give a 12-digit account id or {SUPPORT_ALIAS}."
        )
    if account == ctx.account:
        # The owner always has access; naming it is an error (code unverified, see docs/behaviour.md).
        raise invalid_parameter("You can't authorize or revoke access for the account that owns the snapshot.")
    return account


def _owned_serverless(
    backend: RedshiftBackend, ctx: RequestContext, arn: str, grantee_error: str
) -> ServerlessSnapshotRecord:
    """A serverless snapshot named by ARN that the caller owns; grantees get ``grantee_error``."""
    snapshot = backend.serverless_snapshots.find(ctx, arn)
    if snapshot is None:
        raise not_found(arn)
    if snapshot.account != ctx.account:
        if grantee_error == "AccessToSnapshotDenied":
            raise ApiError("AccessToSnapshotDenied", f"Only the owner of snapshot {arn} can perform this operation.")
        raise not_found(arn)
    return snapshot


def authorize_snapshot_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    ref = snapshot_ref(ctx, p)
    assert ref is not None
    grantee = _grantee(ctx, p)
    if ref.serverless_arn is not None:
        # A serverless snapshot shared for restore into provisioned clusters
        # (accountsWithProvisionedRestoreAccess on the serverless side).
        serverless = _owned_serverless(backend, ctx, ref.serverless_arn, "ClusterSnapshotNotFound")
        backend.serverless_snapshots.grant_restore(serverless, grantee)
        return {"Snapshot": backend.serverless_snapshots.snapshot_view(ctx, serverless)}
    snapshot = owned_snapshot(backend, ctx, ref)
    if snapshot.snapshot_type != "manual":
        raise ApiError(
            "UnsupportedOperation",
            f"Snapshot {snapshot.identifier} is an automated snapshot. Only manual snapshots can be shared; "
            "copy it to a manual snapshot first.",
        )
    if snapshot.status != "available":
        raise ApiError(
            "InvalidClusterSnapshotState", f"Snapshot {snapshot.identifier} is not in the available state."
        )
    with backend.db.transaction():
        check_new_grantee(backend.snapshots.grantees(snapshot), grantee, snapshot.identifier)
        backend.snapshots.add_grant(snapshot, grantee)
    return {"Snapshot": render(backend, ctx, snapshot)}


def revoke_snapshot_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    ref = snapshot_ref(ctx, p)
    assert ref is not None
    if ref.serverless_arn is not None:
        serverless = _owned_serverless(backend, ctx, ref.serverless_arn, "AccessToSnapshotDenied")
        backend.serverless_snapshots.revoke_restore(serverless, _grantee(ctx, p))
        return {"Snapshot": backend.serverless_snapshots.snapshot_view(ctx, serverless)}
    snapshot = owned_snapshot(backend, ctx, ref, grantee_error="AccessToSnapshotDenied")
    grantee = _grantee(ctx, p)
    with backend.db.transaction():
        check_grantee(backend.snapshots.grantees(snapshot), grantee, snapshot.identifier)
        backend.snapshots.remove_grant(snapshot, grantee)
    return {"Snapshot": render(backend, ctx, snapshot)}


OPERATIONS = {
    "AuthorizeSnapshotAccess": authorize_snapshot_access,
    "RevokeSnapshotAccess": revoke_snapshot_access,
}
