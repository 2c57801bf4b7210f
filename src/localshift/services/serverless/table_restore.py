"""Serverless table-level restores: RestoreTableFromSnapshot, RestoreTableFromRecoveryPoint,
GetTableRestoreStatus, ListTableRestoreStatus.

One table of a snapshot (the caller's own, named in its region) or of a recovery point of the
namespace is copied, with its rows of that moment, into the namespace as a new table, through
its workgroup's engine: the same machinery as provisioned table restores
(common/table_restore_lifecycle.py).  The snapshot may be of any of the caller's namespaces.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, TypedDict

from localshift.records import TableRestoreRecord
from localshift.services.common.table_restores import accept_restore, restore_in_progress, table_names
from localshift.services.context import RequestContext
from localshift.services.serverless import paging, table_restore_lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_own, find_workgroup, own_snapshot
from localshift.services.serverless.recovery_points import find_recovery_point
from localshift.services.serverless.validation import conflict, validation_error

_PARAMETERS = {
    "source_database": "sourceDatabaseName",
    "source_schema": "sourceSchemaName",
    "source_table": "sourceTableName",
    "target_database": "targetDatabaseName",
    "target_schema": "targetSchemaName",
    "new_table": "newTableName",
}


def render(record: TableRestoreRecord) -> dict[str, Any]:
    return {
        "tableRestoreRequestId": record.name,
        "status": record.status,
        "message": record.message,
        "requestTime": record.request_time,
        "progressInMegaBytes": math.ceil(record.progress_mb),
        "totalDataInMegaBytes": math.ceil(record.total_mb),
        "namespaceName": record.target,
        "workgroupName": record.workgroup_name,
        "snapshotName": record.snapshot_name,
        "recoveryPointId": record.recovery_point_id,
        "sourceDatabaseName": record.table.source_database,
        "sourceSchemaName": record.table.source_schema,
        "sourceTableName": record.table.source_table,
        "targetDatabaseName": record.table.target_database,
        "targetSchemaName": record.table.target_schema,
        "newTableName": record.table.new_table,
    }


class _Source(TypedDict, total=False):
    """What a restore copies from: a snapshot's name or a recovery point's id."""

    snapshot_name: str
    recovery_point_id: str


def _accept(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any], data_key: str | None,
            source: _Source, what: str) -> dict[str, Any]:
    """Check the target namespace and workgroup, then store the restore (PENDING) and start its job.
    ``source``: the record's snapshot_name or recovery_point_id; ``what``: the source in messages."""
    names = table_names(p, _PARAMETERS, p.get("activateCaseSensitiveIdentifier", False), validation_error)

    def checked() -> TableRestoreRecord:
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        workgroup = find_workgroup(backend, ctx, p["workgroupName"])
        if workgroup.namespace_name != namespace.name:
            raise validation_error(f"Workgroup {workgroup.name} is not associated with namespace {namespace.name}.")
        for kind, resource in (("Namespace", namespace), ("Workgroup", workgroup)):
            if resource.status != "AVAILABLE":
                raise conflict(f"{kind} {resource.name} is {resource.status}; a table restore needs it AVAILABLE.")
        if restore_in_progress(backend.table_restores, ctx.account, ctx.region, namespace.row_id):
            raise conflict(f"A table restore into namespace {namespace.name} is in progress. Wait for it to finish.")
        return TableRestoreRecord(
            account=ctx.account, region=ctx.region, name=str(uuid.uuid4()), status="PENDING", request_time=ctx.now,
            target=namespace.name, target_row_id=namespace.row_id, workgroup_name=workgroup.name, **source, table=names,
        )

    unavailable = conflict(f"{what} can't be restored: its data is no longer available.")
    record = accept_restore(backend, backend.table_restores, data_key, unavailable, checked)
    backend.submit_for(ctx.account, table_restore_lifecycle.restore_table, record.row_id)
    return {"tableRestoreStatus": render(record)}


def restore_table_from_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    snapshot = own_snapshot(backend, ctx, p["snapshotName"])
    if snapshot.status != "AVAILABLE":
        raise conflict(f"Snapshot {snapshot.name} is not AVAILABLE.")
    return _accept(backend, ctx, p, snapshot.data_key, {"snapshot_name": snapshot.name}, f"Snapshot {snapshot.name}")


def restore_table_from_recovery_point(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    point = find_recovery_point(backend, ctx, p["recoveryPointId"])
    return _accept(backend, ctx, p, point.data_key, {"recovery_point_id": point.name},
                   f"Recovery point {point.name}")


def get_table_restore_status(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    record = find_own(backend.table_restores, ctx, p["tableRestoreRequestId"], "Table restore request")
    return {"tableRestoreStatus": render(record)}


def list_table_restore_status(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    records = [
        r for r in backend.table_restores.all_of(ctx.account, ctx.region)
        if p.get("namespaceName") in (None, r.target) and p.get("workgroupName") in (None, r.workgroup_name)
    ]
    page, token = paging.page(records, lambda record: record.row_id, p, "table-restores")
    return {"tableRestoreStatuses": [render(r) for r in page], "nextToken": token}


OPERATIONS = {
    "RestoreTableFromSnapshot": restore_table_from_snapshot,
    "RestoreTableFromRecoveryPoint": restore_table_from_recovery_point,
    "GetTableRestoreStatus": get_table_restore_status,
    "ListTableRestoreStatus": list_table_restore_status,
}
