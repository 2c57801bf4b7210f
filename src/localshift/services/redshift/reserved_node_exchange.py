"""Reserved node exchanges: GetReservedNodeExchangeOfferings, AcceptReservedNodeExchange,
GetReservedNodeExchangeConfigurationOptions, DescribeReservedNodeExchangeStatus, and the exchange
that ResizeCluster and RestoreFromClusterSnapshot make with ReservedNodeId.

AWS's API reference still speaks of DC1 to DC2 exchanges; DC1 is retired and the exchange
offered today is from DC2 reservations to RA3 ones (the Management Guide's "Upgrading to RA3").
An active DC2 reservation is exchanged for an RA3 offering of the same term and payment type;
the new reservation holds as many nodes as keep the reservation's hourly value (rounded up: an
illustration, like the offerings' prices).  The exchange is immediate: the source is retired, the
new reservation active, and the request SUCCEEDED.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.node_types import CATALOG, snapshot_restorable_types, storage_mb, valid_counts
from localshift.services.redshift.reserved_nodes import (
    HOURLY_RATE, OFFERINGS, find_node, find_offering, node_state, node_view,
)
from localshift.services.redshift.resource_records import ReservedNodeExchangeRecord, ReservedNodeRecord
from localshift.services.redshift.snapshot_lookup import readable_snapshot, snapshot_ref
from localshift.store.paging import decode_marker, page_after, page_of

SOURCE_FAMILY = "dc2."
TARGET_FAMILY = "ra3."
ACTION_TYPES = ("restore-cluster", "resize-cluster")


def _exchangeable(backend: RedshiftBackend, ctx: RequestContext, node_id: str) -> ReservedNodeRecord:
    node = find_node(backend, ctx, node_id)
    if node.exchanged:
        raise ApiError("ReservedNodeAlreadyMigrated", f"Reserved node {node_id} has already been exchanged.")
    if node_state(node, ctx.now) != "active":
        raise ApiError("InvalidReservedNodeState", f"Reserved node {node_id} is not active.")
    if not node.node_type.startswith(SOURCE_FAMILY):
        raise ApiError("UnsupportedOperation",
                       f"Only DC2 reserved nodes can be exchanged; {node_id} reserves {node.node_type} nodes.")
    return node


def _targets(node: ReservedNodeRecord) -> list[dict[str, Any]]:
    """The RA3 offerings of the node's term and payment type."""
    return [o for o in OFFERINGS.values() if o["NodeType"].startswith(TARGET_FAMILY)
            and o["Duration"] == node.duration and o["OfferingType"] == node.offering_type]


def target_count(node: ReservedNodeRecord, offering: dict[str, Any], at_least: int = 1) -> int:
    """The nodes the reservation is exchanged for: as many as keep its hourly value (rounded up), and
    at least ``at_least``, rounded up to a size a cluster of the offering's node type may have (a
    2-node dc2.large reservation is worth one ra3.large, but ra3.4xlarge clusters have two nodes or
    more), so that the count offered is one a resize or restore to it accepts."""
    worth = math.ceil(node.node_count * HOURLY_RATE[node.node_type] / HOURLY_RATE[offering["NodeType"]])
    wanted = max(worth, at_least)
    return next((n for n in valid_counts(CATALOG[offering["NodeType"]]) if n >= wanted), wanted)


def _offering_key(offering: dict[str, Any]) -> str:
    return f"{offering['NodeType']}/{offering['Duration']}/{offering['OfferingType']}"


def _limit(p: dict[str, Any]) -> int:
    return validation.max_records(p.get("MaxRecords"), 20, 100, 100)


def _position(p: dict[str, Any]) -> int:
    """Where the page starts (a marker of one integer), checked before anything the request names is looked up."""
    return decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0


def get_reserved_node_exchange_offerings(backend: RedshiftBackend, ctx: RequestContext,
                                         p: dict[str, Any]) -> dict[str, Any]:
    _position(p)
    node = _exchangeable(backend, ctx, p["ReservedNodeId"])
    page, marker = page_of(_targets(node), _offering_key, p.get("Marker"), _limit(p))
    return {"ReservedNodeOfferings": page, **({"Marker": marker} if marker else {})}


def exchange(backend: RedshiftBackend, ctx: RequestContext, node_id: str, offering_id: str,
             node_type: str | None = None) -> ReservedNodeRecord:
    """Exchange a reservation for one of ``offering_id`` (of ``node_type``, when a resize or restore names
    it); the new reservation."""
    with backend.db.transaction():
        node = _exchangeable(backend, ctx, node_id)
        offering = find_offering(offering_id)
        if offering not in _targets(node):
            raise invalid_parameter(
                f"Reserved node {node_id} can only be exchanged for an RA3 offering of the same term and payment "
                f"type; {offering_id} is not one.")
        if node_type is not None and offering["NodeType"] != node_type:
            raise invalid_combination(
                f"The target reserved node offering is for {offering['NodeType']} nodes, not {node_type}.")
        count = target_count(node, offering)
        backend.reserved_nodes.mutate(node.row_id, lambda n: setattr(n, "exchanged", True))
        new = backend.reserved_nodes.insert(ReservedNodeRecord(
            ctx.account, ctx.region, str(uuid.uuid4()), offering_id, offering["NodeType"], count, ctx.now,
            offering["Duration"], offering["FixedPrice"], offering["UsagePrice"], offering["OfferingType"],
        ))
        backend.reserved_node_exchanges.insert(ReservedNodeExchangeRecord(
            ctx.account, ctx.region, str(uuid.uuid4()), node.name, node.node_type, node.node_count, offering_id,
            offering["NodeType"], count, ctx.now,
        ))
    return new


def accept_reserved_node_exchange(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    new = exchange(backend, ctx, p["ReservedNodeId"], p["TargetReservedNodeOfferingId"])
    return {"ExchangedReservedNode": node_view(new, node_state(new, ctx.now))}


def check_exchange(p: dict[str, Any]) -> bool:
    """Whether a resize or restore exchanges a reservation: ReservedNodeId and TargetReservedNodeOfferingId
    go together."""
    given = ("ReservedNodeId" in p, "TargetReservedNodeOfferingId" in p)
    if given[0] != given[1]:
        raise invalid_combination("ReservedNodeId and TargetReservedNodeOfferingId must be given together.")
    return given[0]


def _source(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> ClusterRecord | SnapshotRecord:
    """The cluster a resize-cluster asks about, or the snapshot a restore-cluster does."""
    action = p["ActionType"]
    if action not in ACTION_TYPES:
        raise invalid_parameter(f"Invalid ActionType {action}: use {' or '.join(ACTION_TYPES)}.")
    if action == "resize-cluster":
        if "SnapshotIdentifier" in p or "ClusterIdentifier" not in p:
            raise invalid_combination("ActionType resize-cluster needs ClusterIdentifier and no SnapshotIdentifier.")
        return find_cluster(backend, ctx, p["ClusterIdentifier"])
    if "ClusterIdentifier" in p or "SnapshotIdentifier" not in p:
        raise invalid_combination("ActionType restore-cluster needs SnapshotIdentifier and no ClusterIdentifier.")
    ref = snapshot_ref(ctx, {"SnapshotIdentifier": p["SnapshotIdentifier"]})
    assert ref is not None
    return readable_snapshot(backend, ctx, ref)


def _option_count(source: ClusterRecord | SnapshotRecord, node: ReservedNodeRecord,
                  offering: dict[str, Any]) -> int | None:
    """The node count an exchange option offers: one the resize or restore it is for accepts with the
    option's node type, or None when there is none (a restore into a type the snapshot can't restore
    into, a count past the node type's limit)."""
    target = CATALOG[offering["NodeType"]]
    at_least = 1
    if isinstance(source, SnapshotRecord):
        if target.name not in snapshot_restorable_types(source.node_type, source.number_of_nodes,
                                                        source.from_serverless):
            return None
        # A restore needs nodes that hold the snapshot's data.
        at_least = next((n for n in valid_counts(target) if storage_mb(target, n) >= source.total_size_mb),
                        target.max_nodes + 1)
    count = target_count(node, offering, at_least)
    return count if count <= target.max_nodes else None


def get_reserved_node_exchange_configuration_options(backend: RedshiftBackend, ctx: RequestContext,
                                                     p: dict[str, Any]) -> dict[str, Any]:
    """Every exchange the account's active reservations of the cluster's (or snapshot's) node type allow."""
    _position(p)
    source = _source(backend, ctx, p)
    nodes = [n for n in backend.reserved_nodes.all_of(ctx.account, ctx.region)
             if n.node_type == source.node_type and not n.exchanged and node_state(n, ctx.now) == "active"
             and source.node_type.startswith(SOURCE_FAMILY)]
    counted = ((node, offering, _option_count(source, node, offering)) for node in nodes for offering in _targets(node))
    options = [option for option in counted if option[2] is not None]
    page, marker = page_of(options, lambda o: f"{o[0].row_id:012d}/{_offering_key(o[1])}", p.get("Marker"), _limit(p))
    listed = [{"SourceReservedNode": node_view(node, "active"), "TargetReservedNodeCount": count,
               "TargetReservedNodeOffering": offering} for node, offering, count in page]
    return {"ReservedNodeConfigurationOptionList": listed, **({"Marker": marker} if marker else {})}


def _status_view(request: ReservedNodeExchangeRecord) -> dict[str, Any]:
    return {
        "ReservedNodeExchangeRequestId": request.name, "Status": request.status, "RequestTime": request.request_time,
        "SourceReservedNodeId": request.source_node_id, "SourceReservedNodeType": request.source_node_type,
        "SourceReservedNodeCount": request.source_node_count, "TargetReservedNodeOfferingId": request.target_offering_id,
        "TargetReservedNodeType": request.target_node_type, "TargetReservedNodeCount": request.target_node_count,
    }


def describe_reserved_node_exchange_status(backend: RedshiftBackend, ctx: RequestContext,
                                           p: dict[str, Any]) -> dict[str, Any]:
    if "ReservedNodeExchangeRequestId" in p:
        request = backend.reserved_node_exchanges.get(ctx.account, ctx.region, p["ReservedNodeExchangeRequestId"])
        if request is None or p.get("ReservedNodeId", request.source_node_id) != request.source_node_id:
            # The code is spelled so in AWS's model ("NotFond").
            raise ApiError("ReservedNodeExchangeNotFond",
                           f"Reserved node exchange {p['ReservedNodeExchangeRequestId']} not found.")
        return {"ReservedNodeExchangeStatusDetails": [_status_view(request)]}
    limit = _limit(p)
    if "ReservedNodeId" in p:
        find_node(backend, ctx, p["ReservedNodeId"])
    requests = [r for r in backend.reserved_node_exchanges.all_of(ctx.account, ctx.region)
                if p.get("ReservedNodeId", r.source_node_id) == r.source_node_id]
    page, marker = page_after(requests, p.get("Marker"), limit)
    result: dict[str, Any] = {"ReservedNodeExchangeStatusDetails": [_status_view(r) for r in page]}
    return {**result, "Marker": marker} if marker else result


OPERATIONS = {
    "GetReservedNodeExchangeOfferings": get_reserved_node_exchange_offerings,
    "AcceptReservedNodeExchange": accept_reserved_node_exchange,
    "GetReservedNodeExchangeConfigurationOptions": get_reserved_node_exchange_configuration_options,
    "DescribeReservedNodeExchangeStatus": describe_reserved_node_exchange_status,
}
