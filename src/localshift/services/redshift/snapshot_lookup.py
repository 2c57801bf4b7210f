"""Finding the snapshot a request names, by identifier or by ARN, as the caller may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.errors import ApiError, invalid_combination
from localshift.records import SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.redshift.arns import parse_snapshot_arn, snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot a request names: the owner account and identifier."""

    owner: str
    identifier: str
    cluster_identifier: str | None
    by_arn: bool


def not_found(identifier: str) -> ApiError:
    return ApiError("ClusterSnapshotNotFound", f"Snapshot {identifier} not found.")


def snapshot_ref(
    ctx: RequestContext, p: dict[str, Any], *, id_key: str = "SnapshotIdentifier", required: bool = True
) -> SnapshotRef | None:
    """Read SnapshotIdentifier (+ SnapshotClusterIdentifier, OwnerAccount) or SnapshotArn.

    Exactly one of the identifier and the ARN names the snapshot: both, or
    neither where one is required, is InvalidParameterCombination.
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
        if parsed.service == "redshift-serverless" or parsed.region != ctx.region:
            # Serverless snapshots are not yet served; ARNs of other regions name nothing here.
            raise not_found(arn)
        cluster, _, name = parsed.resource.partition("/")
        return SnapshotRef(parsed.account, name.lower(), cluster.lower(), True)
    owner = p.get("OwnerAccount") or ctx.account
    cluster = p.get("SnapshotClusterIdentifier")
    return SnapshotRef(owner, identifier.lower(), cluster.lower() if cluster else None, False)


def lookup(backend: RedshiftBackend, ctx: RequestContext, ref: SnapshotRef) -> SnapshotRecord | None:
    """The named snapshot if it exists in the caller's region (visible or not)."""
    snapshot = backend.snapshots.get(ref.owner, ctx.region, ref.identifier)
    if snapshot is None:
        return None
    if ref.cluster_identifier is not None and snapshot.cluster_identifier != ref.cluster_identifier:
        return None
    return snapshot


def can_see(backend: RedshiftBackend, ctx: RequestContext, snapshot: SnapshotRecord) -> bool:
    return snapshot.account == ctx.account or backend.snapshots.is_shared_with(snapshot, ctx.account)


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
