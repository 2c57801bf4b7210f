"""Snapshot operations: create, copy, modify, batch modify, delete, batch delete, describe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import SnapshotRecord
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift import snapshot_lifecycle, validation
from localshift.services.redshift.arns import snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.snapshot_factory import check_manual_quota, insert_snapshot, snapshot_from_cluster
from localshift.services.redshift.snapshot_lookup import (
    SnapshotRef,
    lookup,
    not_found,
    owned_snapshot,
    snapshot_ref,
)
from localshift.services.redshift.views import snapshot_view
from localshift.store.snapshots import SORT_KEYS, SnapshotFilter

# Statuses from which DeleteClusterSnapshot may delete (its documentation).
DELETABLE_STATUSES = {"available", "failed", "cancelled"}


def render(backend: RedshiftBackend, ctx: RequestContext, snapshot: SnapshotRecord) -> dict[str, Any]:
    return render_many(backend, ctx, [snapshot])[0]


def render_many(backend: RedshiftBackend, ctx: RequestContext, snapshots: list[SnapshotRecord]) -> list[dict[str, Any]]:
    """Snapshot shapes for a page, with tags and grants read in one query each."""
    arns = [snapshot_arn(s.region, s.account, s.cluster_identifier, s.identifier) for s in snapshots]
    tags = backend.tags.get_many(arns)
    # AccountsWithRestoreAccess is visible to the owner only.
    owned = [s.row_id for s in snapshots if s.account == ctx.account]
    grants = backend.snapshots.grantees_of_many(owned)
    return [
        snapshot_view(s, tags[arn], grants.get(s.row_id) if s.account == ctx.account else None, ctx.now)
        for s, arn in zip(snapshots, arns)
    ]


def create_cluster_snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    identifier = validation.snapshot_identifier(p["SnapshotIdentifier"])
    tags = validation.tag_list(p.get("Tags", []))
    with backend.db.transaction():
        # The cluster as it is now, in the transaction that records the snapshot.
        cluster = find_cluster(backend, ctx, p["ClusterIdentifier"])
        retention = validation.manual_retention(
            p.get("ManualSnapshotRetentionPeriod", cluster.manual_snapshot_retention_period)
        )
        if cluster.status != "available":
            raise ApiError("InvalidClusterState", f"Cluster {cluster.identifier} is not in the available state.")
        check_manual_quota(backend, ctx.account, ctx.region)
        snapshot = insert_snapshot(
            backend, snapshot_from_cluster(cluster, identifier, "manual", "creating", ctx.now, retention)
        )
        if tags:
            backend.tags.put(
                snapshot_arn(ctx.region, ctx.account, cluster.identifier, identifier), ctx.account, ctx.region,
                "snapshot", tags,
            )
        events.record(backend, ctx, event_catalog.SNAPSHOT_STARTED, cluster=cluster.identifier, snapshot=identifier)
    backend.submit_for(ctx.account, snapshot_lifecycle.take_snapshot, snapshot.row_id)
    return {"Snapshot": render(backend, ctx, snapshot)}


def delete_cluster_snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    ref = snapshot_ref(ctx, p)
    assert ref is not None
    with backend.db.transaction():
        snapshot = owned_snapshot(backend, ctx, ref)
        check_deletable(backend, snapshot)
        view = render(backend, ctx, snapshot)
        snapshot_lifecycle.forget_snapshot(backend, snapshot)
    snapshot_lifecycle.delete_snapshot_data(backend, snapshot)
    view["Status"] = "deleted"
    return {"Snapshot": view}


def check_deletable(backend: RedshiftBackend, snapshot: SnapshotRecord) -> None:
    if snapshot.snapshot_type != "manual":
        # Only Redshift deletes automated snapshots (retention, or with their cluster).
        raise ApiError(
            "InvalidClusterSnapshotState",
            f"Cannot delete the snapshot {snapshot.identifier} because only manual snapshots may be deleted.",
        )
    if snapshot.status not in DELETABLE_STATUSES:
        raise ApiError(
            "InvalidClusterSnapshotState",
            f"Cannot delete the snapshot {snapshot.identifier} because it is in the {snapshot.status} state.",
        )
    if backend.snapshots.grantees(snapshot):
        raise ApiError(
            "InvalidClusterSnapshotState",
            f"Cannot delete the snapshot {snapshot.identifier} because other accounts are authorized to access it. "
            "Revoke their access first.",
        )


def batch_delete_cluster_snapshots(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    items = p["Identifiers"]
    if len(items) > 100:
        raise ApiError("BatchDeleteRequestSizeExceeded", "The maximum number of snapshots to delete at once is 100.")
    deleted: list[str] = []
    errors: list[dict[str, str]] = []
    for item in items:
        try:
            ref = snapshot_ref(ctx, item)
            assert ref is not None
            with backend.db.transaction():
                snapshot = owned_snapshot(backend, ctx, ref)
                check_deletable(backend, snapshot)
                snapshot_lifecycle.forget_snapshot(backend, snapshot)
            snapshot_lifecycle.delete_snapshot_data(backend, snapshot)
            deleted.append(snapshot.identifier)
        except ApiError as error:
            errors.append({
                "SnapshotIdentifier": item.get("SnapshotIdentifier", ""),
                "SnapshotClusterIdentifier": item.get("SnapshotClusterIdentifier"),
                "FailureCode": error.code,
                "FailureReason": error.message,
            })
    # AWS leaves Errors out when every snapshot was deleted.
    return {"Resources": deleted, **({"Errors": errors} if errors else {})}


def copy_cluster_snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    source_ref = SnapshotRef(
        ctx.account,
        p["SourceSnapshotIdentifier"].lower(),
        (p.get("SourceSnapshotClusterIdentifier") or "").lower() or None,
        False,
    )
    target_id = validation.snapshot_identifier(p["TargetSnapshotIdentifier"], "TargetSnapshotIdentifier")
    retention = validation.manual_retention(p.get("ManualSnapshotRetentionPeriod", -1))
    with backend.db.transaction():
        source = owned_snapshot(backend, ctx, source_ref)
        # CopyClusterSnapshot copies automated snapshots into manual ones.
        if source.snapshot_type != "automated":
            raise ApiError(
                "InvalidClusterSnapshotState",
                f"Snapshot {source.identifier} is a manual snapshot; only automated snapshots can be copied.",
            )
        if source.status != "available":
            raise ApiError("InvalidClusterSnapshotState", f"Snapshot {source.identifier} is not in the available state.")
        check_manual_quota(backend, ctx.account, ctx.region)
        target = SnapshotRecord(**{
            **{f: getattr(source, f) for f in source.__dataclass_fields__ if f not in ("row_id", "data_key")},
            "identifier": target_id,
            "snapshot_type": "manual",
            "status": "creating",
            "manual_snapshot_retention_period": retention,
            "retention_start_time": None,
            "copied_from": snapshot_arn(source.region, source.account, source.cluster_identifier, source.identifier),
        })
        target = insert_snapshot(backend, target)
        events.record(backend, ctx, event_catalog.SNAPSHOT_STARTED, cluster=target.cluster_identifier,
                      snapshot=target.identifier)
    # A copy in the same region shares the source's data (a new manifest, no bytes copied), so it is made
    # before the answer, which shows it available as AWS's example does.
    snapshot_lifecycle.copy_snapshot_data(backend, source.row_id, target.row_id)
    copied = backend.snapshots.get_by_id(target.row_id)
    return {"Snapshot": render(backend, ctx, copied or target)}


def modify_cluster_snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    retention = validation.manual_retention(p.get("ManualSnapshotRetentionPeriod", -1))
    view, gone = _change_retention(backend, ctx, p["SnapshotIdentifier"], retention, p.get("Force", False))
    if gone is not None:
        snapshot_lifecycle.delete_snapshot_data(backend, gone)
    return {"Snapshot": view}


def batch_modify_cluster_snapshots(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    identifiers = p["SnapshotIdentifierList"]
    if len(identifiers) > 100:
        raise ApiError("BatchModifyClusterSnapshotsLimitExceededFault",
                       "The maximum number of snapshots to modify at once is 100.")
    retention = validation.manual_retention(p.get("ManualSnapshotRetentionPeriod", -1))
    modified: list[str] = []
    errors: list[dict[str, str]] = []
    for identifier in identifiers:
        try:
            view, gone = _change_retention(backend, ctx, identifier, retention, p.get("Force", False))
        except ApiError as error:
            errors.append({"SnapshotIdentifier": identifier, "FailureCode": error.code, "FailureReason": error.message})
            continue
        modified.append(view["SnapshotIdentifier"])
        if gone is not None:
            snapshot_lifecycle.delete_snapshot_data(backend, gone)
    result: dict[str, Any] = {"Resources": modified}
    if errors:
        # AWS leaves Errors out when every snapshot was modified.
        result["Errors"] = errors
    return result


def _change_retention(
    backend: RedshiftBackend, ctx: RequestContext, identifier: str, retention: int, force: bool
) -> tuple[dict[str, Any], SnapshotRecord | None]:
    """Give a manual snapshot a new retention period, in one transaction: its view, and, when ``force``
    deleted it because the period has already passed, the snapshot whose data the caller deletes next."""
    ref = SnapshotRef(ctx.account, identifier.lower(), None, False)
    with backend.db.transaction():
        # Re-read and changed in one transaction: a snapshot job finishing meanwhile is never undone.
        snapshot = owned_snapshot(backend, ctx, ref)
        if snapshot.snapshot_type != "manual":
            raise ApiError(
                "InvalidClusterSnapshotState",
                f"The retention period of automated snapshot {snapshot.identifier} can't be changed.",
            )
        start = snapshot.retention_start_time or snapshot.create_time
        expired = retention != -1 and start + timedelta(days=retention) <= ctx.now
        if expired and not force:
            raise ApiError(
                "InvalidRetentionPeriodFault",
                f"The new retention period of snapshot {snapshot.identifier} has already passed. "
                "Use Force to delete the snapshot now.",
            )
        if not expired:
            changed = backend.mutate_snapshot(
                snapshot.row_id, lambda s: setattr(s, "manual_snapshot_retention_period", retention))
            assert changed is not None  # found in this very transaction
            return render(backend, ctx, changed), None
        # Force: a snapshot already past its new retention period is deleted at once.
        check_deletable(backend, snapshot)
        snapshot.manual_snapshot_retention_period = retention
        view = render(backend, ctx, snapshot)
        view["Status"] = "deleted"
        snapshot_lifecycle.forget_snapshot(backend, snapshot)
        return view, snapshot


def describe_cluster_snapshots(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    flt = SnapshotFilter(caller=ctx.account, region=ctx.region, owner=p.get("OwnerAccount"))
    ref = snapshot_ref(ctx, p, required=False)
    if ref is not None and ref.serverless_arn is not None:
        return _describe_serverless(backend, ctx, p, ref.serverless_arn)
    snapshot_type = p.get("SnapshotType")
    if snapshot_type is not None and snapshot_type not in ("automated", "manual"):
        raise invalid_parameter(f"Invalid snapshot type: {snapshot_type}. Valid values: automated, manual.")
    if ref is not None:
        snapshot = lookup(backend, ctx, ref)
        if snapshot is None or not (
            (snapshot.account == ctx.account or backend.snapshots.is_shared_with(snapshot, ctx.account))
            # A named snapshot of the other type is not found, as one that does not exist (AWS unverified).
            and snapshot_type in (None, snapshot.snapshot_type)
        ):
            raise not_found(p.get("SnapshotArn") or p.get("SnapshotIdentifier", ""))
        flt.owner = snapshot.account
        flt.snapshot_identifier = ref.identifier
    if "ClusterIdentifier" in p:
        flt.cluster_identifier = p["ClusterIdentifier"].lower()
    flt.snapshot_type = snapshot_type
    flt.start_time, flt.end_time = p.get("StartTime"), p.get("EndTime")
    if flt.start_time and flt.end_time and flt.start_time > flt.end_time:
        raise invalid_combination("StartTime must be earlier than or equal to EndTime.")
    flt.tag_keys, flt.tag_values = p.get("TagKeys", []), p.get("TagValues", [])
    if "ClusterExists" in p:
        flt.cluster_exists = p["ClusterExists"]
        if flt.cluster_exists:
            if flt.cluster_identifier is None:
                raise invalid_parameter("ClusterIdentifier is required when ClusterExists is true.")
            # ClusterExists=true names a cluster that must exist.
            find_cluster(backend, ctx, flt.cluster_identifier)
    for entity in p.get("SortingEntities", []):
        if entity["Attribute"] not in SORT_KEYS:
            raise invalid_parameter(f"Invalid sort attribute: {entity['Attribute']}.")
        flt.sort.append((entity["Attribute"], entity.get("SortOrder", "ASC") == "DESC"))
    if len({attribute for attribute, _ in flt.sort}) != len(flt.sort):
        raise invalid_combination("Each sort attribute can be given only once.")
    records, marker = backend.snapshots.page(flt, limit, p.get("Marker"))
    result: dict[str, Any] = {"Snapshots": render_many(backend, ctx, records)}
    if marker:
        result["Marker"] = marker
    return result


def _describe_serverless(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any], arn: str) -> dict[str, Any]:
    """DescribeClusterSnapshots(SnapshotArn=<serverless ARN>): that snapshot in the provisioned shape.

    Other filters still apply (a serverless snapshot is a manual snapshot of
    no provisioned cluster); OwnerAccount must name its owner.
    """
    snapshot = backend.serverless_snapshots.find(ctx, arn, p.get("OwnerAccount"))
    if snapshot is None:
        raise not_found(arn)
    view = backend.serverless_snapshots.snapshot_view(ctx, snapshot)
    keys, values = p.get("TagKeys", []), p.get("TagValues", [])
    tags_match = any(
        (not keys or tag["Key"] in keys) and (not values or tag["Value"] in values) for tag in view["Tags"]
    )
    excluded = (
        p.get("SnapshotType") == "automated"
        or p.get("ClusterExists") is True
        or "ClusterIdentifier" in p
        # Tag filters match only the caller's own snapshots.
        or bool(keys or values) and (snapshot.account != ctx.account or not tags_match)
    )
    return {"Snapshots": [] if excluded else [view]}


OPERATIONS = {
    "CreateClusterSnapshot": create_cluster_snapshot,
    "DeleteClusterSnapshot": delete_cluster_snapshot,
    "BatchDeleteClusterSnapshots": batch_delete_cluster_snapshots,
    "CopyClusterSnapshot": copy_cluster_snapshot,
    "ModifyClusterSnapshot": modify_cluster_snapshot,
    "BatchModifyClusterSnapshots": batch_modify_cluster_snapshots,
    "DescribeClusterSnapshots": describe_cluster_snapshots,
}
