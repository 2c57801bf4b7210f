"""Snapshot copy grants: CreateSnapshotCopyGrant, DeleteSnapshotCopyGrant, DescribeSnapshotCopyGrants.

A grant lives in the region snapshots are copied *to*: EnableSnapshotCopy names a grant of its
destination region, and copies of the cluster's snapshots there are encrypted with the grant's
KMS key.  Grants are tagged resources (ARN type ``snapshotcopygrant``).
"""

from __future__ import annotations

import re
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.records import SnapshotCopyGrantRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.arns import copy_grant_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.views import tags_view
from localshift.store.database import DuplicateError
from localshift.store.paging import decode_marker, encode_marker

# Snapshot copy grants per account and region.
GRANT_QUOTA = 100
_GRANT_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


def grant_name(value: str, parameter: str = "SnapshotCopyGrantName") -> str:
    """1 to 63 letters, digits or hyphens, starting with a letter; kept in lowercase like identifiers."""
    name = value.lower()
    if not _GRANT_NAME.fullmatch(name) or name.endswith("-") or "--" in name:
        raise invalid_parameter(
            f"{parameter} must contain from 1 to 63 alphanumeric characters or hyphens, start with a letter, "
            "and cannot end with a hyphen or contain two consecutive hyphens."
        )
    return name


def grant_not_found(name: str) -> ApiError:
    return ApiError("SnapshotCopyGrantNotFoundFault", f"Snapshot copy grant not found: {name}")


def find_grant(backend: RedshiftBackend, account: str, region: str, name: str) -> SnapshotCopyGrantRecord:
    grant = backend.copy_grants.get(account, region, name.lower())
    if grant is None:
        raise grant_not_found(name)
    return grant


def _render_many(backend: RedshiftBackend, grants: list[SnapshotCopyGrantRecord]) -> list[dict[str, Any]]:
    arns = [copy_grant_arn(g.region, g.account, g.name) for g in grants]
    tags = backend.tags.get_many(arns)
    return [
        {"SnapshotCopyGrantName": g.name, "KmsKeyId": g.kms_key_id, "Tags": tags_view(tags[arn])}
        for g, arn in zip(grants, arns)
    ]


def create_snapshot_copy_grant(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = grant_name(p["SnapshotCopyGrantName"])
    # Without KmsKeyId the grant is for the account's default Redshift key in this region.
    key = validation.kms_key_id(p["KmsKeyId"]) if "KmsKeyId" in p else (
        f"arn:aws:kms:{ctx.region}:{ctx.account}:alias/aws/redshift")
    tags = validation.tag_list(p.get("Tags", []))
    with backend.db.transaction():
        if backend.copy_grants.count(ctx.account, ctx.region) >= GRANT_QUOTA:
            raise ApiError(
                "SnapshotCopyGrantQuotaExceededFault",
                f"The account already has the maximum of {GRANT_QUOTA} snapshot copy grants in {ctx.region}.",
            )
        try:
            grant = backend.copy_grants.insert(SnapshotCopyGrantRecord(ctx.account, ctx.region, name, key))
        except DuplicateError:
            raise ApiError(
                "SnapshotCopyGrantAlreadyExistsFault",
                f"Cannot create the snapshot copy grant because a grant with the identifier '{name}' already exists",
            ) from None
        if tags:
            backend.tags.put(copy_grant_arn(ctx.region, ctx.account, name), ctx.account, ctx.region,
                             "snapshotcopygrant", tags)
    return {"SnapshotCopyGrant": _render_many(backend, [grant])[0]}


def delete_snapshot_copy_grant(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        grant = find_grant(backend, ctx.account, ctx.region, p["SnapshotCopyGrantName"])
        if backend.clusters.using_copy_grant(ctx.account, ctx.region, grant.name):
            raise ApiError(
                "InvalidSnapshotCopyGrantStateFault",
                f"The snapshot copy grant {grant.name} can't be deleted because a cluster copies its snapshots "
                "with it. Disable snapshot copy on that cluster first.",
            )
        backend.tags.remove_all(copy_grant_arn(ctx.region, ctx.account, grant.name))
        backend.copy_grants.delete(grant)
    return {}


def describe_snapshot_copy_grants(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    names: list[str] | None = None
    if p.get("SnapshotCopyGrantName"):
        names = [find_grant(backend, ctx.account, ctx.region, p["SnapshotCopyGrantName"]).name]
    keys, values = p.get("TagKeys", []), p.get("TagValues", [])
    if keys or values:
        # A grant matches when it has any of the keys or any of the values.
        tagged = backend.tags.search(ctx.account, ctx.region, "snapshotcopygrant", None, keys, values, 0, 1_000_000)
        matching = {arn.rsplit(":", 1)[1] for _, arn, _, _, _ in tagged}
        names = sorted(matching if names is None else matching & set(names))
    grants = backend.copy_grants.page(ctx.account, ctx.region, after, limit + 1, names)
    result: dict[str, Any] = {"SnapshotCopyGrants": _render_many(backend, grants[:limit])}
    if len(grants) > limit:
        result["Marker"] = encode_marker([grants[limit - 1].row_id])
    return result


OPERATIONS = {
    "CreateSnapshotCopyGrant": create_snapshot_copy_grant,
    "DeleteSnapshotCopyGrant": delete_snapshot_copy_grant,
    "DescribeSnapshotCopyGrants": describe_snapshot_copy_grants,
}
