"""Finding the snapshot a request names, by identifier or by ARN, as the caller may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.errors import ApiError, invalid_combination
from localshift.records import SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.common.arns import SERVERLESS
from localshift.services.redshift.arns import parse_snapshot_arn, snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot a request names: the owner account and identifier."""

    owner: str
    identifier: str
    cluster_identifier: str | None
    by_arn: bool
    # Set when the ARN names a Redshift Serverless snapshot (arn:aws:redshift-serverless:…:snapshot/UUID).
    serverless_arn: str | None = None


def not_found(identifier: str) -> ApiError:
    return ApiError("ClusterSnapshotNotFound", f"Snapshot {identifier} not found.")


def snapshot_ref(
    ctx: RequestContext, p: dict[str, Any], *, id_key: str = "SnapshotIdentifier", required: bool = True
) -> SnapshotRef | None:
    """Read SnapshotIdentifier (+ SnapshotClusterIdentifier, OwnerAccount) or SnapshotArn (+ OwnerAccount).

    Exactly one of the identifier and the ARN names the snapshot: both, or
    neither where one is required, is InvalidParameterCombination, and so is
    an OwnerAccount that is not the ARN's account.
    """
    identifier = p.get(id_key)
    arn = p.get("SnapshotArn")
    if identifier is not None and arn is not None:
        raise invalid_combination(f"You can't specify both {id_key} and SnapshotArn.")
    if identifier is None and arn is None:
        if required:
            raise invalid_combination(f"You must specify either {id_key} or SnapshotArn.")
        return None
    if arn is not None:
        parsed = parse_snapshot_arn(arn)
        if p.get("OwnerAccount") not in (None, parsed.account):
            # The ARN names its owner: another OwnerAccount beside it contradicts it.
            raise invalid_combination(f"OwnerAccount {p['OwnerAccount']} does not own snapshot {arn}.")
        if parsed.region != ctx.region:
            # ARNs of other regions name nothing here.
            raise not_found(arn)
        if parsed.service == SERVERLESS:
            return SnapshotRef(parsed.account, arn, None, True, serverless_arn=arn)
        cluster, _, name = parsed.resource.partition("/")
        return SnapshotRef(parsed.account, name.lower(), cluster.lower(), True)
    assert identifier is not None  # (the ARN is None here: the identifier names the snapshot)
    owner = p.get("OwnerAccount") or ctx.account
    cluster_id = p.get("SnapshotClusterIdentifier")
    return SnapshotRef(owner, identifier.lower(), cluster_id.lower() if cluster_id else None, False)


def lookup(backend: RedshiftBackend, ctx: RequestContext, ref: SnapshotRef) -> SnapshotRecord | None:
    """The named snapshot if it exists in the caller's region (visible or not).

    A serverless snapshot is found only when the caller may see it (it owns it
    or was granted either kind of restore), as a provisioned-shaped record.
    """
    if ref.serverless_arn is not None:
        found = backend.serverless_snapshots.find(ctx, ref.serverless_arn)
        return backend.serverless_snapshots.as_snapshot_record(found) if found is not None else None
    snapshot = backend.snapshots.get(ref.owner, ctx.region, ref.identifier)
    if snapshot is None:
        return None
    if ref.cluster_identifier is not None and snapshot.cluster_identifier != ref.cluster_identifier:
        return None
    return snapshot


def can_see(backend: RedshiftBackend, ctx: RequestContext, snapshot: SnapshotRecord) -> bool:
    # lookup() returns a serverless snapshot only to callers that may see it.
    return (
        snapshot.account == ctx.account
        or snapshot.from_serverless
        or backend.snapshots.is_shared_with(snapshot, ctx.account)
    )


def owned_snapshot(
    backend: RedshiftBackend, ctx: RequestContext, ref: SnapshotRef, *, grantee_error: str = "ClusterSnapshotNotFound"
) -> SnapshotRecord:
    """A snapshot the caller must own (delete, modify, copy, authorize, revoke).

    Grantees may only describe and restore.  Operations whose model lists
    AccessToSnapshotDenied (RevokeSnapshotAccess) answer a grantee with it;
    the others answer as if the snapshot did not exist.
    """
    snapshot = lookup(backend, ctx, ref)
    if snapshot is None or not can_see(backend, ctx, snapshot):
        raise not_found(ref.identifier)
    if snapshot.account != ctx.account:
        if grantee_error == "AccessToSnapshotDenied":
            raise ApiError(
                "AccessToSnapshotDenied",
                f"Only the owner of snapshot {ref.identifier} can perform this operation.",
            )
        raise not_found(ref.identifier)
    return snapshot


def readable_snapshot(backend: RedshiftBackend, ctx: RequestContext, ref: SnapshotRef) -> SnapshotRecord:
    """A snapshot the caller owns or that was shared with it (restore, node options).

    A grantee names another account's snapshot with OwnerAccount (or its ARN);
    without OwnerAccount the lookup runs in the caller's own account and finds
    nothing, as AWS answers "Snapshot not found for cluster".
    """
    if ref.serverless_arn is not None:
        return _restorable_serverless(backend, ctx, ref.serverless_arn)
    snapshot = lookup(backend, ctx, ref)
    if snapshot is None:
        raise not_found(ref.identifier)
    if not can_see(backend, ctx, snapshot):
        if ref.by_arn:
            raise not_found(snapshot_arn(ctx.region, ref.owner, snapshot.cluster_identifier, ref.identifier))
        raise ApiError(
            "AccessToSnapshotDenied",
            f"Account {ctx.account} is not authorized to access snapshot {ref.identifier}.",
        )
    return snapshot


def _restorable_serverless(backend: RedshiftBackend, ctx: RequestContext, arn: str) -> SnapshotRecord:
    """A serverless snapshot the caller may restore into a provisioned cluster.

    Its owner may; another account needs a provisioned-restore grant
    (AuthorizeSnapshotAccess).  A grant to restore into a namespace only
    (PutResourcePolicy) shows the snapshot but does not allow this.
    """
    found = backend.serverless_snapshots.find(ctx, arn)
    if found is None:
        raise not_found(arn)
    if not backend.serverless_snapshots.can_restore(ctx, found):
        raise ApiError(
            "AccessToSnapshotDenied",
            f"Account {ctx.account} is not authorized to restore snapshot {arn} into a provisioned cluster.",
        )
    return backend.serverless_snapshots.as_snapshot_record(found)


def shared_snapshot_by_arn(
    backend: RedshiftBackend, ctx: RequestContext, arn: str, owner: str | None = None
) -> SnapshotRecord | None:
    """The provisioned snapshot ``arn`` names in the caller's region, if the caller owns it or it was
    shared with the caller (and ``owner``, when given, owns it); raises InvalidParameterValue for a
    malformed ARN.  Redshift Serverless restores from it (RestoreFromSnapshot)."""
    parsed = parse_snapshot_arn(arn)
    if parsed.region != ctx.region or owner not in (None, parsed.account):
        return None
    cluster, _, name = parsed.resource.partition("/")
    # Provisioned identifiers are kept in lowercase, so their ARNs are too.
    snapshot = backend.snapshots.get_by_arn(snapshot_arn(parsed.region, parsed.account, cluster.lower(), name.lower()))
    if snapshot is None or not (snapshot.account == ctx.account or backend.snapshots.is_shared_with(snapshot, ctx.account)):
        return None
    return snapshot
