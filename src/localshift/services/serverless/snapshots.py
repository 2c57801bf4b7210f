"""Snapshot operations: CreateSnapshot, GetSnapshot, ListSnapshots, UpdateSnapshot, DeleteSnapshot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from localshift.services.context import RequestContext
from localshift.services.serverless import lifecycle, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, owner_account, own_snapshot, visible_snapshot
from localshift.services.serverless.validation import conflict, quota_exceeded, validation_error
from localshift.services.serverless.views import snapshot_view
from localshift.store.database import DuplicateError
from localshift.store.serverless import (
    PROVISIONED_RESTORE,
    RESTORE,
    NamespaceRecord,
    ServerlessSnapshotRecord,
)
from localshift.store.serverless_snapshots import SnapshotFilter

DEFAULT_PAGE = 100


def render_many(
    backend: ServerlessBackend, ctx: RequestContext, snapshots: list[ServerlessSnapshotRecord]
) -> list[dict[str, Any]]:
    """Snapshot shapes for a page; the grantee lists are read in one query per kind, for the owner only."""
    owned = [s.row_id for s in snapshots if s.account == ctx.account]
    restore = backend.snapshots.grantees_of_many(owned, RESTORE)
    provisioned = backend.snapshots.grantees_of_many(owned, PROVISIONED_RESTORE)
    return [snapshot_view(s, ctx.now, restore.get(s.row_id), provisioned.get(s.row_id)) for s in snapshots]


def render(backend: ServerlessBackend, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> dict[str, Any]:
    return render_many(backend, ctx, [snapshot])[0]


def check_snapshot_quota(backend: ServerlessBackend, ctx: RequestContext) -> None:
    if backend.snapshots.count(ctx.account, ctx.region) >= backend.snapshot_quota:
        raise quota_exceeded(
            f"The account already has the maximum of {backend.snapshot_quota} snapshots in {ctx.region}."
        )


def insert_snapshot(
    backend: ServerlessBackend, ctx: RequestContext, namespace: NamespaceRecord, name: str, retention: int,
    create_time: datetime | None = None,
) -> ServerlessSnapshotRecord:
    """A new CREATING snapshot of a namespace, with the namespace's settings at this moment
    (``create_time``: the time its data is of, when not now)."""
    workgroups = backend.workgroups.of_namespace(namespace.account, namespace.region, namespace.name)
    snapshot_id = str(uuid.uuid4())
    snapshot = ServerlessSnapshotRecord(
        account=ctx.account,
        region=ctx.region,
        name=name,
        snapshot_id=snapshot_id,
        arn=validation.arn(ctx.region, ctx.account, "snapshot", snapshot_id),
        namespace_name=namespace.name,
        namespace_arn=namespace.arn,
        namespace_row_id=namespace.row_id,
        status="CREATING",
        create_time=create_time or ctx.now,
        namespace_create_time=namespace.create_time,
        db_name=namespace.db_name,
        admin_username=namespace.admin_username,
        admin_password_md5=namespace.admin_password_md5,
        engine_username=lifecycle.engine_user(namespace),
        admin_password_secret_arn=namespace.admin_password_secret_arn,
        admin_password_secret_kms_key_id=namespace.admin_password_secret_kms_key_id,
        kms_key_id=namespace.kms_key_id,
        base_capacity=workgroups[0].base_capacity if workgroups else None,
        retention_period=retention,
    )
    try:
        return backend.snapshots.insert(snapshot)
    except DuplicateError:
        raise conflict(f"A snapshot named {name} already exists.") from None


def create_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    namespace = find_namespace(backend, ctx, p["namespaceName"])
    name = validation.snapshot_name(p["snapshotName"])
    retention = validation.retention(p.get("retentionPeriod", -1))
    tags = validation.tags(p.get("tags", []))
    with backend.db.transaction():
        namespace = find_namespace(backend, ctx, namespace.name)
        if namespace.status != "AVAILABLE":
            raise conflict(f"Namespace {namespace.name} is {namespace.status}; a snapshot needs it AVAILABLE.")
        check_snapshot_quota(backend, ctx)
        snapshot = insert_snapshot(backend, ctx, namespace, name, retention)
        backend.tags.put(snapshot.arn, tags)
    backend.submit_for(ctx.account, lifecycle.take_snapshot, snapshot.row_id)
    return {"snapshot": render(backend, ctx, snapshot)}


def get_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    snapshot = visible_snapshot(backend, ctx, p.get("snapshotName"), p.get("snapshotArn"), p.get("ownerAccount"))
    return {"snapshot": render(backend, ctx, snapshot)}


def list_snapshots(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    namespace_arn = p.get("namespaceArn")
    if namespace_arn is not None and validation.parse_arn(namespace_arn, "namespaceArn").resource_type != "namespace":
        raise validation_error(f"namespaceArn {namespace_arn} is not a namespace ARN.")
    flt = SnapshotFilter(
        caller=ctx.account,
        region=ctx.region,
        owner=owner_account(p.get("ownerAccount")),
        namespace_name=p.get("namespaceName"),
        namespace_arn=namespace_arn,
        start_time=p.get("startTime"),
        end_time=p.get("endTime"),
    )
    validation.time_window(flt.start_time, flt.end_time)
    token = validation.page_token(p.get("nextToken"), (str, int))
    records, next_token = backend.snapshots.list_page(flt, p.get("maxResults", DEFAULT_PAGE), token)
    return {"snapshots": render_many(backend, ctx, records), "nextToken": next_token}


def update_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    retention = validation.retention(p["retentionPeriod"]) if "retentionPeriod" in p else None
    with backend.db.transaction():
        snapshot = own_snapshot(backend, ctx, p["snapshotName"])
        if retention is not None:
            # A period that has already passed takes effect at the next expiry check (within seconds).
            changed = backend.mutate_snapshot(snapshot.row_id, lambda s: setattr(s, "retention_period", retention))
            assert changed is not None  # found in this very transaction
            snapshot = changed
    return {"snapshot": render(backend, ctx, snapshot)}


def check_deletable(backend: ServerlessBackend, snapshot: ServerlessSnapshotRecord) -> None:
    if snapshot.status in ("CREATING", "COPYING"):
        raise conflict(f"Snapshot {snapshot.name} is being created; delete it once it is AVAILABLE.")
    if backend.snapshots.is_shared(snapshot):
        raise conflict(
            f"Snapshot {snapshot.name} is shared with other accounts. Remove its resource policy and "
            "provisioned restore access first."
        )


def delete_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        snapshot = own_snapshot(backend, ctx, p["snapshotName"])
        check_deletable(backend, snapshot)
        view = render(backend, ctx, snapshot)
        lifecycle.forget_snapshot(backend, snapshot)
    lifecycle.delete_snapshot_data(backend, snapshot)
    view["status"] = "DELETED"
    return {"snapshot": view}


OPERATIONS = {
    "CreateSnapshot": create_snapshot,
    "GetSnapshot": get_snapshot,
    "ListSnapshots": list_snapshots,
    "UpdateSnapshot": update_snapshot,
    "DeleteSnapshot": delete_snapshot,
}
