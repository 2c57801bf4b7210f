"""The node-type catalog, as data.

Figures from the Redshift Management Guide's node-type table (see
docs/behaviour.md).  ``create_nodes`` is the node count range CreateCluster
accepts for multi-node clusters; ``max_nodes`` the largest count any resize or
restore may reach.  RA3 storage is Redshift Managed Storage per node.
ra3.large and rg.* figures are not published in the guide we read: they are
our documented estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class NodeType:
    name: str
    family: str  # dc2, ra3, rg, ds2, dc1
    slices_per_node: int
    storage_mb_per_node: int
    create_nodes: tuple[int, int]  # multi-node range accepted by CreateCluster
    max_nodes: int
    single_node: bool  # may run as a one-node cluster
    creatable: bool = True  # False for legacy types that only old snapshots carry


_TB = 1024 * 1024  # megabytes in a terabyte (binary, as Redshift reports capacities)

CATALOG: dict[str, NodeType] = {
    t.name: t
    for t in [
        NodeType("dc2.large", "dc2", 2, 160 * 1024, (2, 32), 32, True),
        NodeType("dc2.8xlarge", "dc2", 16, int(2.56 * _TB), (2, 128), 128, False),
        NodeType("ra3.large", "ra3", 2, 8 * _TB, (2, 16), 32, True),
        NodeType("ra3.xlplus", "ra3", 2, 32 * _TB, (2, 16), 32, True),
        NodeType("ra3.4xlarge", "ra3", 4, 128 * _TB, (2, 32), 64, False),
        NodeType("ra3.16xlarge", "ra3", 16, 128 * _TB, (2, 128), 128, False),
        NodeType("rg.xlarge", "rg", 2, 32 * _TB, (2, 16), 32, True),
        NodeType("rg.4xlarge", "rg", 4, 128 * _TB, (2, 32), 64, False),
        NodeType("ds2.xlarge", "ds2", 2, 2 * _TB, (2, 32), 32, True, creatable=False),
        NodeType("ds2.8xlarge", "ds2", 16, 16 * _TB, (2, 128), 128, False, creatable=False),
    ]
}

# A single-node ra3.xlplus has 4 TB of managed storage, not 32 TB.
SINGLE_NODE_STORAGE_MB = {"ra3.xlplus": 4 * _TB, "ra3.large": 1 * _TB}

# Account-wide quota of nodes across clusters (Management Guide, quotas).
ACCOUNT_NODE_QUOTA = 200


def storage_mb(node_type: NodeType, number_of_nodes: int) -> int:
    if number_of_nodes == 1:
        return SINGLE_NODE_STORAGE_MB.get(node_type.name, node_type.storage_mb_per_node)
    return node_type.storage_mb_per_node * number_of_nodes


def creatable_names() -> list[str]:
    return [name for name, t in CATALOG.items() if t.creatable]


def restorable_node_types(source: NodeType, number_of_nodes: int) -> list[str]:
    return list(_restorable(source, number_of_nodes))


# Serverless data lives in Redshift Managed Storage: its snapshots restore into RA3 only.
SERVERLESS_RESTORABLE = tuple(name for name, t in CATALOG.items() if t.family == "ra3" and t.creatable)


def snapshot_restorable_types(node_type: str, number_of_nodes: int, from_serverless: bool) -> list[str]:
    """A snapshot's RestorableNodeTypes: by its source cluster, or RA3 for a serverless snapshot."""
    if from_serverless:
        return list(SERVERLESS_RESTORABLE)
    return restorable_node_types(CATALOG[node_type], number_of_nodes)


@lru_cache(maxsize=None)
def _restorable(source: NodeType, number_of_nodes: int) -> tuple[str, ...]:
    """Node types a snapshot of a ``source`` cluster can be restored into.

    Same-type restores always work.  DC2 and DS2 snapshots may move to RA3
    (the documented upgrade path); a DS2 snapshot may also move to the other
    DS2 size (the Management Guide's restore example lists ds2.8xlarge options
    for a ds2.xlarge snapshot); RA3 and RG restore across their generation,
    except that a single-node cluster changes type only by classic resize,
    never by restore.
    """
    family = source.family
    if family in ("ra3", "rg") and number_of_nodes == 1:
        return (source.name,)
    if family in ("ra3", "rg"):
        return tuple(n for n, t in CATALOG.items() if t.family in ("ra3", "rg") and t.creatable)
    upgrades = [n for n, t in CATALOG.items() if t.family == "ra3" and t.creatable]
    if family == "ds2":
        return (*[n for n, t in CATALOG.items() if t.family == "ds2"], *upgrades)
    if family in ("dc2", "dc1"):
        return (source.name, *upgrades)
    return (source.name,)


def catalog_rank(name: str) -> int:
    """A node type's position in the catalog: the order node-configuration rows are listed in."""
    return list(CATALOG).index(name)


def valid_counts(node_type: NodeType, *, single_node: bool = True) -> list[int]:
    """Node counts a cluster of ``node_type`` may have (single-node, then the multi-node range).

    The multi-node range runs from the type's CreateCluster minimum to its
    ``max_nodes``, the largest count a restore or resize may reach.
    """
    counts = [1] if single_node and node_type.single_node else []
    return counts + list(range(node_type.create_nodes[0], node_type.max_nodes + 1))


def equivalent_nodes(source: NodeType, number_of_nodes: int, target: NodeType) -> int:
    """Nodes of ``target`` with at least the compute (slices) of ``number_of_nodes`` x ``source``."""
    slices = source.slices_per_node * number_of_nodes
    return max(1, -(-slices // target.slices_per_node))


def elastic_resize_counts(node_type: NodeType, number_of_nodes: int) -> list[int]:
    """Node counts an elastic resize of a cluster may move to without changing node type.

    From half to double the current count, within the type's multi-node range,
    the current count excluded; single-node clusters have none (they change
    size only by classic resize).  Same rule as Cluster.ElasticResizeNumberOfNodeOptions.
    """
    if number_of_nodes == 1:
        return []
    low = max(node_type.create_nodes[0], (number_of_nodes + 1) // 2)
    high = min(node_type.max_nodes, number_of_nodes * 2)
    return [n for n in range(low, high + 1) if n != number_of_nodes]


def utilization_percent(size_mb: float, node_type: NodeType, number_of_nodes: int) -> float:
    """``size_mb`` of data as a percentage of the configuration's storage (unrounded)."""
    return size_mb / storage_mb(node_type, number_of_nodes) * 100
