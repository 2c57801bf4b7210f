"""Checks a cluster's node type and count must pass (create, restore, resize), the account's quotas,
and the data a cluster holds."""

from __future__ import annotations

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.node_types import ACCOUNT_NODE_QUOTA, CATALOG, NodeType, creatable_names


def node_type_of(name: str) -> NodeType:
    node_type = CATALOG.get(name)
    if node_type is None or not node_type.creatable:
        raise invalid_parameter(f"Invalid node type: {name}. Valid node types: {', '.join(creatable_names())}.")
    return node_type


def check_node_count(node_type: NodeType, cluster_type: str | None, number_of_nodes: int | None) -> int:
    """Apply ClusterType/NumberOfNodes rules and return the node count."""
    if cluster_type is None:
        cluster_type = "multi-node" if (number_of_nodes or 1) > 1 else "single-node"
    if cluster_type not in ("single-node", "multi-node"):
        raise invalid_parameter(f"Invalid cluster type: {cluster_type}. Valid values: single-node, multi-node.")
    if cluster_type == "single-node":
        if number_of_nodes not in (None, 1):
            raise invalid_combination("Number of nodes for cluster type single-node must be 1.")
        if not node_type.single_node:
            raise invalid_parameter(f"Node type {node_type.name} cannot be used for a single-node cluster.")
        return 1
    if number_of_nodes is None:
        raise ApiError("MissingParameter", "The request must contain the parameter NumberOfNodes.")
    low, high = node_type.create_nodes
    if number_of_nodes < low:
        raise invalid_combination(f"Number of nodes for cluster type multi-node must be greater than or equal to {low}.")
    if number_of_nodes > node_type.max_nodes or number_of_nodes > high:
        raise ApiError(
            "NumberOfNodesPerClusterLimitExceeded",
            f"The number of nodes {number_of_nodes} exceeds the limit of {high} nodes for node type {node_type.name}.",
        )
    return number_of_nodes


def check_quotas(backend: RedshiftBackend, ctx: RequestContext, new_nodes: int) -> None:
    """A new cluster of ``new_nodes`` nodes must fit the account's cluster and node quotas."""
    quota = backend.settings.cluster_quota
    if len(backend.clusters.page(ctx.account, ctx.region, 0, quota)) >= quota:
        raise ApiError("ClusterQuotaExceeded", "The request would exceed the allowed number of clusters for this account.")
    check_node_quota(backend, ctx, new_nodes)


def check_node_quota(backend: RedshiftBackend, ctx: RequestContext, extra_nodes: int) -> None:
    if backend.clusters.count_nodes(ctx.account, ctx.region) + extra_nodes > ACCOUNT_NODE_QUOTA:
        raise ApiError(
            "NumberOfNodesQuotaExceeded",
            f"The operation would exceed the number of nodes allowed for the account ({ACCOUNT_NODE_QUOTA}).",
        )


def cluster_data_size_mb(backend: RedshiftBackend, cluster: ClusterRecord) -> float:
    """The data a cluster holds, as far as the control plane knows it.

    Clusters carry no size of their own: the newest available snapshot (manual
    or automated) taken of this cluster gives it; a restored cluster with none
    yet holds its source snapshot's data; otherwise 0.
    """
    newest: SnapshotRecord | None = None
    for kind in ("manual", "automated"):
        for snapshot in backend.snapshots.of_cluster(cluster.account, cluster.region, cluster.identifier, kind):
            # Snapshots of an earlier cluster that had the same name say nothing about this one.
            if snapshot.status != "available" or snapshot.cluster_create_time != cluster.create_time:
                continue
            if newest is None or (snapshot.create_time, snapshot.row_id) > (newest.create_time, newest.row_id):
                newest = snapshot
    if newest is not None:
        return newest.total_size_mb
    return cluster.restore_snapshot_size_mb or 0.0
