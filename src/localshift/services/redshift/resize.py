"""ResizeCluster, DescribeResize, CancelResize (what a resize may do: resize_plan.py; the work:
maintenance_lifecycle.resize_cluster)."""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import maintenance_lifecycle, reserved_node_exchange
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster, find_cluster, render
from localshift.services.redshift.resize_plan import CLASSIC, pending_values, plan_resize


def resize_cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    exchanging = reserved_node_exchange.check_exchange(p)

    def change(cluster: ClusterRecord) -> None:
        if cluster.status != "available":
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")
        resize = plan_resize(backend, ctx, cluster, p, classic=p.get("Classic", False))
        if exchanging:
            # The reservation is exchanged for one of the new node type with the resize (one transaction).
            reserved_node_exchange.exchange(backend, ctx, p["ReservedNodeId"], p["TargetReservedNodeOfferingId"],
                                            resize.target_node_type)
        cluster.pending_modified = pending_values(cluster)
        cluster.status = "resizing"

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    backend.submit_for(ctx.account, maintenance_lifecycle.resize_cluster, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


def resize_view(cluster: ClusterRecord) -> dict[str, Any]:
    resize = cluster.resize
    assert resize is not None
    view: dict[str, Any] = {
        "TargetNodeType": resize.target_node_type,
        "TargetNumberOfNodes": resize.target_number_of_nodes,
        "TargetClusterType": resize.target_cluster_type,
        "Status": resize.status,
        "AvgResizeRateInMegaBytesPerSecond": resize.rate_mb_per_s,
        "TotalResizeDataInMegaBytes": resize.total_mb,
        "ProgressInMegaBytes": resize.progress_mb,
        "ElapsedTimeInSeconds": resize.elapsed_seconds,
        "EstimatedTimeToCompletionInSeconds": resize.estimated_seconds,
        "ResizeType": resize.resize_type,
        "TargetEncryptionType": "KMS" if cluster.encrypted else "NONE",
        "DataTransferProgressPercent": round(100.0 * resize.progress_mb / resize.total_mb, 2) if resize.total_mb
        else (100.0 if resize.status == "SUCCEEDED" else 0.0),
    }
    if resize.resize_type == CLASSIC:
        # A classic resize copies tables one by one; locally the data moves as one.
        view.update(ImportTablesCompleted=[], ImportTablesInProgress=[], ImportTablesNotStarted=[])
    if resize.message:
        view["Message"] = resize.message
    return view


def describe_resize(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    cluster = find_cluster(backend, ctx, p["ClusterIdentifier"])
    if cluster.resize is None:
        raise ApiError("ResizeNotFound", f"Resize operation for cluster {cluster.identifier} not found.")
    return resize_view(cluster)


def cancel_resize(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(cluster: ClusterRecord) -> None:
        resize = cluster.resize
        if resize is None or resize.status != "IN_PROGRESS":
            raise ApiError("ResizeNotFound", f"No resize operation in progress for cluster {cluster.identifier}.")
        if resize.resize_type != CLASSIC:
            raise ApiError("UnsupportedOperation", "An elastic resize can't be cancelled.")
        resize.status = "CANCELLING"
        cluster.status = "cancelling-resize"

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    return resize_view(cluster)


OPERATIONS = {"ResizeCluster": resize_cluster, "DescribeResize": describe_resize, "CancelResize": cancel_resize}
