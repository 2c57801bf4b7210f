"""Finding the namespace, workgroup, snapshot or other resource a request names, as the caller may see it.

Namespaces, workgroups and the other resources belong to one account: only it can see them.  A
snapshot is seen by its owner and by the accounts it is shared with (either
kind of grant); the others are told it does not exist.  A grantee names another
account's snapshot by ARN, or by name with ``ownerAccount``.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from localshift.services.context import RequestContext
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.validation import not_found, parse_arn, validation_error
from localshift.store.serverless import NamespaceRecord, ServerlessSnapshotRecord, WorkgroupRecord

_ACCOUNT = re.compile(r"\d{12}")

Found = TypeVar("Found", covariant=True)


class ByName(Protocol[Found]):
    """Resources stored per account and region under their name (the repositories)."""

    def get(self, account: str, region: str, name: str) -> Found | None: ...


def find_own(resources: ByName[Found], ctx: RequestContext, name: str, what: str) -> Found:
    """The caller's resource ``name`` in its region; else ResourceNotFoundException "<what> <name> not found."."""
    found = resources.get(ctx.account, ctx.region, name)
    if found is None:
        raise not_found(f"{what} {name} not found.")
    return found


def find_namespace(backend: ServerlessBackend, ctx: RequestContext, name: str) -> NamespaceRecord:
    return find_own(backend.namespaces, ctx, name, "Serverless namespace")


def find_workgroup(backend: ServerlessBackend, ctx: RequestContext, name: str) -> WorkgroupRecord:
    return find_own(backend.workgroups, ctx, name, "Serverless workgroup")


def owner_account(value: str | None) -> str | None:
    if value is not None and not _ACCOUNT.fullmatch(value):
        raise validation_error(f"ownerAccount {value} is not a 12-digit account id.")
    return value


def own_snapshot(backend: ServerlessBackend, ctx: RequestContext, name: str) -> ServerlessSnapshotRecord:
    """A snapshot of the caller's own, by name (update, delete)."""
    snapshot = backend.snapshots.get(ctx.account, ctx.region, name.lower())
    if snapshot is None:
        raise not_found(f"Serverless snapshot {name} not found.")
    return snapshot


def snapshot_by_arn(backend: ServerlessBackend, ctx: RequestContext, arn: str, parameter: str) -> ServerlessSnapshotRecord | None:
    """The snapshot a serverless snapshot ARN names in the caller's region (visible or not)."""
    parsed = parse_arn(arn, parameter)
    if parsed.resource_type != "snapshot":
        raise validation_error(f"{parameter} {arn} is not a snapshot ARN.")
    if parsed.region != ctx.region:
        return None  # an ARN of another region names nothing here
    return backend.snapshots.get_by_arn(arn)


def can_see(backend: ServerlessBackend, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> bool:
    return snapshot.account == ctx.account or bool(backend.snapshots.grant_kinds(snapshot, ctx.account))


def visible_snapshot(
    backend: ServerlessBackend, ctx: RequestContext, name: str | None, arn: str | None, owner: str | None
) -> ServerlessSnapshotRecord:
    """A snapshot named by exactly one of ``name`` (with ``owner``) and ``arn``, that the caller may see."""
    if name is not None and arn is not None:
        raise validation_error("You can't specify both snapshotName and snapshotArn.")
    if name is None and arn is None:
        raise validation_error("You must specify snapshotName or snapshotArn.")
    owner = owner_account(owner)
    if arn is not None:
        snapshot = snapshot_by_arn(backend, ctx, arn, "snapshotArn")
        if snapshot is not None and owner is not None and snapshot.account != owner:
            snapshot = None
    elif name is not None:
        snapshot = backend.snapshots.get(owner or ctx.account, ctx.region, name.lower())
    if snapshot is None or not can_see(backend, ctx, snapshot):
        raise not_found(f"Serverless snapshot {arn or name} not found.")
    return snapshot
