"""Recovery points: ListRecoveryPoints, GetRecoveryPoint, RestoreFromRecoveryPoint,
ConvertRecoveryPointToSnapshot (recovery_point_lifecycle.py: how they are taken and expire).

A recovery point belongs to its namespace's account and is seen by it alone; one being taken (or
whose taking failed) is not listed.  RestoreFromRecoveryPoint brings the namespace's data back to
that moment, in that namespace: its admin credentials stay those it has now.
"""

from __future__ import annotations

from typing import Any

from localshift.services.context import RequestContext
from localshift.services.serverless import lifecycle, paging, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import engine_user
from localshift.services.serverless.lookup import find_namespace
from localshift.services.serverless.restore import RestoreSource, start_restore
from localshift.services.serverless.snapshots import check_snapshot_quota, insert_snapshot, render
from localshift.services.serverless.validation import conflict, not_found, validation_error
from localshift.services.serverless.views import namespace_view
from localshift.store.serverless import RecoveryPointRecord


def recovery_point_view(point: RecoveryPointRecord) -> dict[str, Any]:
    return {
        "recoveryPointId": point.name,
        "recoveryPointCreateTime": point.create_time,
        "namespaceName": point.namespace_name,
        "namespaceArn": point.namespace_arn,
        "workgroupName": point.workgroup_name,
        "totalSizeInMegaBytes": point.total_size_mb,
    }


def find_recovery_point(backend: ServerlessBackend, ctx: RequestContext, point_id: str) -> RecoveryPointRecord:
    """An AVAILABLE recovery point of the caller's."""
    point = backend.recovery_points.get(ctx.account, ctx.region, point_id)
    if point is None or point.status != "AVAILABLE":
        raise not_found(f"Recovery point {point_id} not found.")
    return point


def list_recovery_points(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    start, end = p.get("startTime"), p.get("endTime")
    validation.time_window(start, end)
    namespace_arn = p.get("namespaceArn")
    if namespace_arn is not None and validation.parse_arn(namespace_arn, "namespaceArn").resource_type != "namespace":
        raise validation_error(f"namespaceArn {namespace_arn} is not a namespace ARN.")
    points = [
        point for point in backend.recovery_points.all_of(ctx.account, ctx.region)
        if point.status == "AVAILABLE"
        and p.get("namespaceName") in (None, point.namespace_name)
        and namespace_arn in (None, point.namespace_arn)
        and (start is None or point.create_time >= start)
        and (end is None or point.create_time <= end)
    ]
    page, token = paging.page(points, lambda record: record.row_id, p, "recovery-points")
    return {"recoveryPoints": [recovery_point_view(point) for point in page], "nextToken": token}


def get_recovery_point(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"recoveryPoint": recovery_point_view(find_recovery_point(backend, ctx, p["recoveryPointId"]))}


def restore_from_recovery_point(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    point = find_recovery_point(backend, ctx, p["recoveryPointId"])
    namespace = find_namespace(backend, ctx, p["namespaceName"])
    if point.namespace_row_id != namespace.row_id:
        raise validation_error(
            f"Recovery point {point.name} is of namespace {point.namespace_name}: it can only be restored into it.")
    source = RestoreSource(
        owner=ctx.account,
        name=point.name,
        # GetRecoveryPoint shows no ARN, but IAM names recovery points by one (recoverypoint/ID): the
        # lineage names the recovery point itself, not just the namespace it was taken of.
        arn=validation.arn(point.region, point.account, "recoverypoint", point.name),
        available=True,
        data_key=point.data_key,
        admin_username=namespace.admin_username,
        engine_username=engine_user(namespace),
        password_md5=namespace.admin_password_md5,
        db_name=namespace.db_name,
        kind="Recovery point",
    )
    namespace = start_restore(backend, ctx, p, source)
    return {"namespace": namespace_view(namespace), "recoveryPointId": point.name}


def convert_recovery_point_to_snapshot(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    name = validation.snapshot_name(p["snapshotName"])
    retention = validation.retention(p.get("retentionPeriod", -1))
    tags = validation.tags(p.get("tags", []))
    with backend.db.transaction():
        point = find_recovery_point(backend, ctx, p["recoveryPointId"])
        namespace = backend.namespaces.get_by_id(point.namespace_row_id)
        if namespace is None:
            raise not_found(f"Recovery point {point.name} not found.")  # its namespace is being deleted
        if namespace.status == "DELETING":
            raise conflict(f"Namespace {namespace.name} is being deleted.")
        check_snapshot_quota(backend, ctx)
        # The snapshot holds the data of the recovery point's time.
        snapshot = insert_snapshot(backend, ctx, namespace, name, retention, point.create_time)
        backend.tags.put(snapshot.arn, tags)
    backend.submit_for(ctx.account, lifecycle.fill_snapshot, snapshot.row_id, point.data_key, point.total_size_mb)
    return {"snapshot": render(backend, ctx, snapshot)}


OPERATIONS = {
    "ListRecoveryPoints": list_recovery_points,
    "GetRecoveryPoint": get_recovery_point,
    "RestoreFromRecoveryPoint": restore_from_recovery_point,
    "ConvertRecoveryPointToSnapshot": convert_recovery_point_to_snapshot,
}
