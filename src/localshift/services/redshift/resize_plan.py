"""What a resize may do: ResizeCluster's, and ModifyCluster's when it changes the node type or count.

Elastic resize (ResizeCluster's default) keeps the node type within the counts the
cluster's ElasticResizeNumberOfNodeOptions offers, or moves to another node type within
that type's range; single-node clusters change only by classic resize.  A classic resize
(ModifyCluster's) goes to any valid configuration that holds the data, and can be
cancelled while it runs.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError, invalid_combination
from localshift.records import ClusterRecord, ResizeProgress
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.cluster_checks import check_node_quota, cluster_data_size_mb, node_type_of
from localshift.services.redshift.node_types import CATALOG, NodeType, elastic_resize_counts, storage_mb, valid_counts

ELASTIC, CLASSIC = "ElasticResize", "ClassicResize"


def cluster_type_of(nodes: int) -> str:
    return "single-node" if nodes == 1 else "multi-node"


def target_of(cluster: ClusterRecord, p: dict[str, Any]) -> tuple[NodeType, int]:
    """The node type and count a request names (NodeType, NumberOfNodes, ClusterType), the cluster's own
    where it names none."""
    target = node_type_of(p.get("NodeType", cluster.node_type))
    cluster_type = p.get("ClusterType")
    if cluster_type not in (None, "single-node", "multi-node"):
        raise ApiError("InvalidParameterValue", f"Invalid cluster type: {cluster_type}. Valid values: single-node, multi-node.")
    return target, p.get("NumberOfNodes", 1 if cluster_type == "single-node" else cluster.number_of_nodes)


def plan_resize(backend: RedshiftBackend, ctx: RequestContext, cluster: ClusterRecord, p: dict[str, Any],
                classic: bool) -> ResizeProgress:
    """Check a resize of ``cluster`` to what ``p`` asks (NodeType, NumberOfNodes, ClusterType) and record it
    (its target shows in PendingModifiedValues: pending_values); the resize recorded."""
    target, nodes = target_of(cluster, p)
    cluster_type = p.get("ClusterType")
    if cluster_type == "single-node" and nodes != 1:
        raise invalid_combination("Number of nodes for cluster type single-node must be 1.")
    if cluster_type == "multi-node" and nodes < 2:
        raise invalid_combination("Number of nodes for cluster type multi-node must be greater than or equal to 2.")
    if (target.name, nodes) == (cluster.node_type, cluster.number_of_nodes):
        raise invalid_combination("No modifications were requested: the cluster already has this node type and count.")
    if nodes > target.max_nodes:
        raise ApiError("NumberOfNodesPerClusterLimitExceeded",
                       f"The number of nodes {nodes} exceeds the limit of {target.max_nodes} nodes for node type "
                       f"{target.name}.")
    if nodes not in valid_counts(target):
        raise invalid_combination(f"{nodes} nodes is not a valid size for node type {target.name}.")
    if not classic:
        _check_elastic(cluster, target.name, nodes)
    size_mb = cluster_data_size_mb(backend, cluster)
    if storage_mb(target, nodes) < size_mb:
        raise ApiError("UnsupportedOperation",
                       f"{nodes} x {target.name} holds {storage_mb(target, nodes)} MB, less than the cluster's "
                       f"{size_mb:.0f} MB of data.")
    check_node_quota(backend, ctx, nodes - cluster.number_of_nodes)
    cluster.resize = resize = ResizeProgress(
        resize_type=CLASSIC if classic else ELASTIC, status="IN_PROGRESS", target_node_type=target.name,
        target_number_of_nodes=nodes, target_cluster_type=cluster_type_of(nodes), source_node_type=cluster.node_type,
        source_number_of_nodes=cluster.number_of_nodes, started=ctx.now, total_mb=int(size_mb),
    )
    events.record(backend, ctx, event_catalog.RESIZE_ACKNOWLEDGED, cluster=cluster.identifier)
    return resize


def resizing(cluster: ClusterRecord) -> bool:
    return cluster.resize is not None and cluster.resize.status == "IN_PROGRESS"


def pending_values(cluster: ClusterRecord) -> dict[str, Any]:
    """PendingModifiedValues of a resize in progress (none otherwise)."""
    if not resizing(cluster):
        return {}
    resize = cluster.resize
    assert resize is not None
    return {"NodeType": resize.target_node_type, "NumberOfNodes": resize.target_number_of_nodes,
            "ClusterType": resize.target_cluster_type}


def _check_elastic(cluster: ClusterRecord, node_type: str, nodes: int) -> None:
    if cluster.number_of_nodes == 1 or nodes == 1:
        raise ApiError("UnsupportedOperation",
                       "Elastic resize isn't available for single-node clusters. Use a classic resize.")
    if node_type == cluster.node_type:
        allowed = elastic_resize_counts(CATALOG[node_type], cluster.number_of_nodes)
        if nodes not in allowed:
            raise ApiError("UnsupportedOperation",
                           f"Elastic resize of cluster {cluster.identifier} can change its {cluster.number_of_nodes} "
                           f"nodes to {', '.join(map(str, allowed))} only. Use a classic resize.")
