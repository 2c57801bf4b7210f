"""DescribeNodeConfigurationOptions: node types and counts for a restore, an elastic resize or a recommendation.

The model (see docs/node-configurations.md for every choice AWS does not
document):

* ``restore-cluster`` lists, for each of the snapshot's RestorableNodeTypes,
  the counts from the one with the source's compute (slices) up to double it.
* ``resize-cluster`` lists the cluster's elastic-resize targets: half to double
  the current count of its own type (as ElasticResizeNumberOfNodeOptions) and
  half to double the compute-equivalent count of each type it may change to.
* ``recommend-node-config`` gives, per candidate type, a ``standard``
  configuration (the source's compute) and a ``high-performance`` one (double).

EstimatedDiskUtilizationPercent is the source's data over the option's storage;
options that cannot hold the data are left out.  Rows are in catalog order of
node type, then node count, then mode; the marker is the last row's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.cluster_checks import cluster_data_size_mb
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.node_option_filters import HIGH_PERFORMANCE, MODES, STANDARD, parse_filters
from localshift.services.redshift.node_types import (
    CATALOG,
    NodeType,
    catalog_rank,
    elastic_resize_counts,
    equivalent_nodes,
    restorable_node_types,
    snapshot_restorable_types,
    utilization_percent,
    valid_counts,
)
from localshift.services.redshift.snapshot_lookup import readable_snapshot, snapshot_ref
from localshift.store.paging import decode_marker, encode_marker

RESTORE, RECOMMEND, RESIZE = "restore-cluster", "recommend-node-config", "resize-cluster"
_MODE_RANK = {None: 0, STANDARD: 1, HIGH_PERFORMANCE: 2}

MAX_RECORDS = (100, 500, 500)  # minimum, maximum, default


# --- the rows ------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What the options are computed from: a configuration and the data it holds."""

    node_type: NodeType
    number_of_nodes: int
    size_mb: float
    # The node types this source may move to (a snapshot's RestorableNodeTypes).
    restorable: tuple[str, ...]


@dataclass(frozen=True)
class NodeOption:
    node_type: str
    number_of_nodes: int
    percent: float  # EstimatedDiskUtilizationPercent, rounded to 2 decimals
    mode: str | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return catalog_rank(self.node_type), self.number_of_nodes, _MODE_RANK[self.mode]

    def marker_values(self) -> list[Any]:
        return [self.node_type, self.number_of_nodes, self.mode or ""]

    def view(self) -> dict[str, Any]:
        return {
            "NodeType": self.node_type,
            "NumberOfNodes": self.number_of_nodes,
            "EstimatedDiskUtilizationPercent": self.percent,
            "Mode": self.mode,
        }


def estimated_utilization(size_mb: float, node_type: NodeType, number_of_nodes: int) -> float | None:
    """EstimatedDiskUtilizationPercent of ``size_mb`` on a configuration, or None if it does not fit.

    ``size / storage_mb(type, n) x 100`` rounded to two decimals; a
    configuration whose storage is smaller than the data is no option.
    """
    percent = utilization_percent(size_mb, node_type, number_of_nodes)
    if percent > 100:
        return None
    return round(percent, 2)


def _option(source: Source, target: NodeType, count: int, mode: str | None = None) -> NodeOption | None:
    percent = estimated_utilization(source.size_mb, target, count)
    return None if percent is None else NodeOption(target.name, count, percent, mode)


def _window(counts: list[int], low: int, high: int) -> list[int]:
    return [c for c in counts if low <= c <= high]


def snapshot_source(snapshot: SnapshotRecord) -> Source:
    restorable = snapshot_restorable_types(snapshot.node_type, snapshot.number_of_nodes, snapshot.from_serverless)
    return Source(CATALOG[snapshot.node_type], snapshot.number_of_nodes, snapshot.total_size_mb, tuple(restorable))


def cluster_source(backend: RedshiftBackend, cluster: ClusterRecord) -> Source:
    node_type = CATALOG[cluster.node_type]
    restorable = tuple(restorable_node_types(node_type, cluster.number_of_nodes))
    return Source(node_type, cluster.number_of_nodes, cluster_data_size_mb(backend, cluster), restorable)


def restore_options(source: Source) -> list[NodeOption]:
    """Configurations a snapshot of ``source`` can be restored into.

    For each restorable node type, the counts from the smallest with at least
    the source's slices up to double that, within the counts the type allows
    (single node where the type has it, then its minimum to its maximum).
    """
    options: list[NodeOption] = []
    for name in source.restorable:
        target = CATALOG[name]
        counts = valid_counts(target)
        needed = equivalent_nodes(source.node_type, source.number_of_nodes, target)
        low = next((c for c in counts if c >= needed), counts[-1])
        for count in _window(counts, low, 2 * low):
            option = _option(source, target, count)
            if option is not None:
                options.append(option)
    return sorted(options, key=lambda o: o.key)


def resize_options(source: Source) -> list[NodeOption]:
    """Elastic-resize targets of a cluster configured as ``source``.

    Its own type: half to double its node count (ElasticResizeNumberOfNodeOptions).
    Each other type it may move to (its RestorableNodeTypes that can be
    created): half to double the count with the same slices.  A single-node
    cluster has no elastic-resize targets.
    """
    if source.number_of_nodes == 1:
        return []
    options: list[NodeOption] = []
    for count in elastic_resize_counts(source.node_type, source.number_of_nodes):
        option = _option(source, source.node_type, count)
        if option is not None:
            options.append(option)
    for name in source.restorable:
        target = CATALOG[name]
        if target.name == source.node_type.name or not target.creatable:
            continue
        needed = equivalent_nodes(source.node_type, source.number_of_nodes, target)
        for count in _window(valid_counts(target, single_node=False), -(-needed // 2), 2 * needed):
            option = _option(source, target, count)
            if option is not None:
                options.append(option)
    return sorted(options, key=lambda o: o.key)


def recommend_options(source: Source) -> list[NodeOption]:
    """Recommended configurations: per candidate type, ``standard`` and ``high-performance``.

    Candidates are the source's RestorableNodeTypes that can still be created.
    ``standard`` is the smallest count that has the source's slices and holds
    the data (a type that cannot reach the source's slices is not recommended);
    ``high-performance`` the smallest with at least double the standard count
    (or the type's largest, when that is bigger than standard).
    """
    options: list[NodeOption] = []
    for name in source.restorable:
        target = CATALOG[name]
        if not target.creatable:
            continue
        fitting = [c for c in valid_counts(target) if estimated_utilization(source.size_mb, target, c) is not None]
        if not fitting:
            continue
        needed = equivalent_nodes(source.node_type, source.number_of_nodes, target)
        standard = next((c for c in fitting if c >= needed), None)
        if standard is None:
            continue  # the type can't match the source's compute: no recommendation
        faster = next((c for c in fitting if c >= 2 * standard), fitting[-1])
        for count, mode in ((standard, STANDARD), (faster, HIGH_PERFORMANCE)):
            if mode == HIGH_PERFORMANCE and count <= standard:
                continue
            option = _option(source, target, count, mode)
            if option is not None:
                options.append(option)
    return sorted(options, key=lambda o: o.key)


# --- the operation -------------------------------------------------------------


def _marker_key(marker: str) -> tuple[int, int, int]:
    node_type, count, mode = decode_marker(marker, (str, int, str))
    if node_type not in CATALOG or mode not in ("", *MODES):
        raise invalid_parameter("Invalid marker value.")
    return catalog_rank(node_type), count, _MODE_RANK[mode or None]


def _check_identifiers(p: dict[str, Any], action: str) -> None:
    """Which of ClusterIdentifier and the snapshot parameters the action takes."""
    names_snapshot = "SnapshotIdentifier" in p or "SnapshotArn" in p
    if action == RESTORE and "ClusterIdentifier" in p:
        raise invalid_combination("ClusterIdentifier can't be used with ActionType restore-cluster: "
                                  "name the snapshot with SnapshotIdentifier or SnapshotArn.")
    if action == RESIZE:
        for name in ("SnapshotIdentifier", "SnapshotArn", "OwnerAccount"):
            if name in p:
                raise invalid_combination(f"{name} can't be used with ActionType resize-cluster.")
        if "ClusterIdentifier" not in p:
            raise invalid_combination("ClusterIdentifier is required when ActionType is resize-cluster.")
    if action == RECOMMEND:
        if "ClusterIdentifier" in p and (names_snapshot or "OwnerAccount" in p):
            raise invalid_combination("Give either ClusterIdentifier or a snapshot (SnapshotIdentifier or "
                                      "SnapshotArn) with ActionType recommend-node-config, not both.")
        if "ClusterIdentifier" not in p and not names_snapshot:
            raise invalid_combination("ActionType recommend-node-config needs ClusterIdentifier, "
                                      "SnapshotIdentifier or SnapshotArn.")


def _snapshot(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> SnapshotRecord:
    ref = snapshot_ref(ctx, p)
    assert ref is not None
    snapshot = readable_snapshot(backend, ctx, ref)
    if snapshot.status != "available":
        raise ApiError(
            "InvalidClusterSnapshotState",
            f"Snapshot {snapshot.identifier} is {snapshot.status}; node configurations need an available snapshot.",
        )
    return snapshot


def options_for(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> list[NodeOption]:
    """Every option the request's action gives for the resource it names, in row order."""
    action = p["ActionType"]
    if action == RESTORE:
        return restore_options(snapshot_source(_snapshot(backend, ctx, p)))
    if action == RESIZE:
        return resize_options(cluster_source(backend, find_cluster(backend, ctx, p["ClusterIdentifier"])))
    if "ClusterIdentifier" in p:
        return recommend_options(cluster_source(backend, find_cluster(backend, ctx, p["ClusterIdentifier"])))
    return recommend_options(snapshot_source(_snapshot(backend, ctx, p)))


def describe_node_configuration_options(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    action = p["ActionType"]
    if action not in (RESTORE, RECOMMEND, RESIZE):  # the protocol layer checks the enum too
        raise invalid_parameter(f"Invalid ActionType {action}.")
    limit = validation.max_records(p.get("MaxRecords"), *MAX_RECORDS)
    filters = parse_filters(p.get("Filters", []))
    after = _marker_key(p["Marker"]) if p.get("Marker") else None
    _check_identifiers(p, action)
    rows = [o for o in options_for(backend, ctx, p) if all(f.matches(o) for f in filters)]
    if after is not None:
        rows = [o for o in rows if o.key > after]
    result: dict[str, Any] = {"NodeConfigurationOptionList": [o.view() for o in rows[:limit]]}
    if len(rows) > limit:
        result["Marker"] = encode_marker(rows[limit - 1].marker_values())
    return result


OPERATIONS = {
    "DescribeNodeConfigurationOptions": describe_node_configuration_options,
}
