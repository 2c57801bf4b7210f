"""Table-level restore: RestoreTableFromClusterSnapshot and DescribeTableRestoreStatus.

One table of a snapshot is copied, with its rows at snapshot time, into a running cluster as a
new table (table_restore_lifecycle.py; the data plane's restore_table).  As AWS documents, the
snapshot must have been taken of that cluster: here, of a cluster of that identifier.  Only the
caller's own snapshots qualify: one another account shared was taken of that account's cluster,
never of the caller's, whatever its name (the request has no OwnerAccount, so a shared snapshot is
not found, as RestoreFromClusterSnapshot finds none without one).  AWS also refuses a snapshot taken before the cluster was resized, except across an elastic resize
that kept the node type.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotRecord, TableRestoreRecord
from localshift.services.common.table_restores import accept_restore, restore_in_progress, table_names
from localshift.services.context import RequestContext
from localshift.services.redshift import table_restore_lifecycle, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.resize_plan import CLASSIC
from localshift.services.redshift.snapshot_lookup import not_found
from localshift.store.paging import page_after

_PARAMETERS = {
    "source_database": "SourceDatabaseName",
    "source_schema": "SourceSchemaName",
    "source_table": "SourceTableName",
    "target_database": "TargetDatabaseName",
    "target_schema": "TargetSchemaName",
    "new_table": "NewTableName",
}

def _invalid(message: str) -> ApiError:
    return ApiError("InvalidTableRestoreArgument", message)


def _source_snapshot(backend: RedshiftBackend, ctx: RequestContext, cluster: ClusterRecord,
                     identifier: str) -> SnapshotRecord:
    """The caller's snapshot ``identifier``, for a table restore into ``cluster``."""
    snapshot = backend.snapshots.get(ctx.account, ctx.region, identifier.lower())
    if snapshot is None:
        raise not_found(identifier)
    if snapshot.cluster_identifier != cluster.identifier:
        raise _invalid(
            f"Snapshot {identifier} was not taken of cluster {cluster.identifier}: a table can only be restored "
            "into the cluster its snapshot was taken from."
        )
    if _predates_a_resize(snapshot, cluster):
        raise _invalid(
            f"Snapshot {identifier} was taken before cluster {cluster.identifier} was resized: tables can't be "
            "restored from it (only an elastic resize that kept the node type allows it)."
        )
    if snapshot.status != "available":
        raise ApiError("InvalidClusterSnapshotState", f"Snapshot {snapshot.identifier} is not in the available state.")
    return snapshot


def _predates_a_resize(snapshot: SnapshotRecord, cluster: ClusterRecord) -> bool:
    """Whether a resize AWS's rule excludes came between the snapshot and now: any that changed the node
    type (the snapshot's differs from the cluster's), or a classic one after the snapshot (the cluster
    records its latest resize only)."""
    if snapshot.node_type != cluster.node_type:
        return True
    resize = cluster.resize
    return (resize is not None and resize.resize_type == CLASSIC and resize.status == "SUCCEEDED"
            and resize.started > snapshot.create_time)


def render(record: TableRestoreRecord) -> dict[str, Any]:
    return {
        "TableRestoreRequestId": record.name,
        "Status": record.status,
        "Message": record.message,
        "RequestTime": record.request_time,
        "ProgressInMegaBytes": math.ceil(record.progress_mb),
        "TotalDataInMegaBytes": math.ceil(record.total_mb),
        "ClusterIdentifier": record.target,
        "SnapshotIdentifier": record.snapshot_name,
        "SourceDatabaseName": record.table.source_database,
        "SourceSchemaName": record.table.source_schema,
        "SourceTableName": record.table.source_table,
        "TargetDatabaseName": record.table.target_database,
        "TargetSchemaName": record.table.target_schema,
        "NewTableName": record.table.new_table,
    }


def restore_table_from_cluster_snapshot(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    names = table_names(p, _PARAMETERS, p.get("EnableCaseSensitiveIdentifier", False), _invalid)
    target = find_cluster(backend, ctx, p["ClusterIdentifier"])
    snapshot = _source_snapshot(backend, ctx, target, p["SnapshotIdentifier"])

    def checked() -> TableRestoreRecord:
        cluster = find_cluster(backend, ctx, p["ClusterIdentifier"])
        if cluster.status != "available":
            raise ApiError(
                "InvalidClusterState",
                "There is an operation running on the Cluster. Please try to restore table from snapshot at a later "
                "time.",
            )
        if restore_in_progress(backend.table_restores, ctx.account, ctx.region, cluster.row_id):
            raise ApiError(
                "InProgressTableRestoreQuotaExceededFault",
                "You have exceeded the allowed number of table restore requests. Wait for your current table "
                "restore requests to complete before making a new request.",
            )
        return TableRestoreRecord(
            account=ctx.account, region=ctx.region, name=str(uuid.uuid4()), status="PENDING", request_time=ctx.now,
            target=cluster.identifier, target_row_id=cluster.row_id, snapshot_name=snapshot.identifier, table=names,
        )

    unavailable = ApiError("InvalidClusterSnapshotState",
                           f"Snapshot {snapshot.identifier} can't be restored: its data is no longer available.")
    record = accept_restore(backend, backend.table_restores, snapshot.data_key, unavailable, checked)
    backend.submit_for(ctx.account, table_restore_lifecycle.restore_table, record.row_id)
    return {"TableRestoreStatus": render(record)}


def describe_table_restore_status(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    cluster = find_cluster(backend, ctx, p["ClusterIdentifier"]) if "ClusterIdentifier" in p else None
    request_id = p.get("TableRestoreRequestId")
    if request_id is not None and backend.table_restores.get(ctx.account, ctx.region, request_id) is None:
        raise ApiError("TableRestoreNotFoundFault", f"Table restore request {request_id} not found.")
    records = [
        r for r in backend.table_restores.all_of(ctx.account, ctx.region)
        if (cluster is None or r.target_row_id == cluster.row_id) and (request_id is None or r.name == request_id)
    ]
    page, marker = page_after(records, p.get("Marker"), limit)
    result: dict[str, Any] = {"TableRestoreStatusDetails": [render(r) for r in page]}
    if marker:
        result["Marker"] = marker
    return result


OPERATIONS = {
    "RestoreTableFromClusterSnapshot": restore_table_from_cluster_snapshot,
    "DescribeTableRestoreStatus": describe_table_restore_status,
}
