"""Reserved nodes: DescribeReservedNodeOfferings (a catalogue), PurchaseReservedNodeOffering, DescribeReservedNodes.

Offerings exist for every node type a cluster can be created with: one and three years,
No / Partial / All Upfront, with stable ids.  Their prices are localshift's illustration
(fractions of an hourly on-demand rate per node type), not AWS's price list.  A purchase
is ``payment-pending`` in its answer, ``active`` afterwards, and ``retired`` once its
term has run out on the service clock.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.node_types import ACCOUNT_NODE_QUOTA, CATALOG
from localshift.services.redshift.resource_records import ReservedNodeRecord
from localshift.store.paging import decode_marker, encode_marker, page_of

_OFFERING_NAMESPACE = uuid.UUID("6c0e8f5c-2b7a-4f6e-9a57-5f0c1d6b7e21")
HOURS = {31536000: 24 * 365, 94608000: 24 * 365 * 3}  # one and three years, in seconds
# Hourly on-demand rates the illustration starts from (USD per node).
HOURLY_RATE = {"dc2.large": 0.25, "dc2.8xlarge": 4.80, "ra3.large": 0.543, "ra3.xlplus": 1.086,
               "ra3.4xlarge": 3.26, "ra3.16xlarge": 13.04, "rg.xlarge": 0.978, "rg.4xlarge": 2.934}
# (offering type, share of the term's on-demand cost paid up front, share of the hourly rate paid hourly)
_TERMS = {
    31536000: [("No Upfront", 0.0, 0.80), ("Partial Upfront", 0.42, 0.35), ("All Upfront", 0.75, 0.0)],
    94608000: [("No Upfront", 0.0, 0.55), ("Partial Upfront", 0.28, 0.20), ("All Upfront", 0.43, 0.0)],
}


def _offerings() -> list[dict[str, Any]]:
    offerings = []
    for node_type in (t for t in CATALOG.values() if t.creatable):
        rate = HOURLY_RATE[node_type.name]
        for duration, terms in _TERMS.items():
            for offering_type, upfront, hourly in terms:
                offerings.append({
                    "ReservedNodeOfferingId": str(uuid.uuid5(_OFFERING_NAMESPACE,
                                                             f"{node_type.name}:{duration}:{offering_type}")),
                    "NodeType": node_type.name,
                    "Duration": duration,
                    "FixedPrice": round(rate * HOURS[duration] * upfront, 2),
                    "UsagePrice": 0.0,
                    "CurrencyCode": "USD",
                    "OfferingType": offering_type,
                    "RecurringCharges": [{"RecurringChargeAmount": round(rate * hourly, 3),
                                          "RecurringChargeFrequency": "Hourly"}],
                    "ReservedNodeOfferingType": "Regular",
                })
    return offerings


OFFERINGS = {offering["ReservedNodeOfferingId"]: offering for offering in _offerings()}


def find_offering(offering_id: str) -> dict[str, Any]:
    offering = OFFERINGS.get(offering_id)
    if offering is None:
        raise ApiError("ReservedNodeOfferingNotFound", f"Reserved node offering {offering_id} not found.")
    return offering


def describe_reserved_node_offerings(backend: RedshiftBackend, ctx: RequestContext,
                                     p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    if "ReservedNodeOfferingId" in p:
        return {"ReservedNodeOfferings": [find_offering(p["ReservedNodeOfferingId"])]}
    page, marker = page_of(list(OFFERINGS.values()), lambda o: f"{o['NodeType']}/{o['Duration']}/{o['OfferingType']}",
                           p.get("Marker"), limit)
    result: dict[str, Any] = {"ReservedNodeOfferings": page}
    if marker:
        result["Marker"] = marker
    return result


def node_state(node: ReservedNodeRecord, now: datetime) -> str:
    """``retired`` once exchanged or once its term has run out, else ``active``."""
    return "retired" if node.exchanged or node.start_time + timedelta(seconds=node.duration) <= now else "active"


def find_node(backend: RedshiftBackend, ctx: RequestContext, node_id: str) -> ReservedNodeRecord:
    node = backend.reserved_nodes.get(ctx.account, ctx.region, node_id)
    if node is None:
        raise ApiError("ReservedNodeNotFound", f"Reserved node {node_id} not found.")
    return node


def node_view(node: ReservedNodeRecord, state: str) -> dict[str, Any]:
    return {
        "ReservedNodeId": node.name, "ReservedNodeOfferingId": node.offering_id, "NodeType": node.node_type,
        "StartTime": node.start_time, "Duration": node.duration, "FixedPrice": node.fixed_price,
        "UsagePrice": node.usage_price, "CurrencyCode": "USD", "NodeCount": node.node_count, "State": state,
        "OfferingType": node.offering_type, "ReservedNodeOfferingType": "Regular",
        "RecurringCharges": OFFERINGS[node.offering_id]["RecurringCharges"],
    }


def purchase_reserved_node_offering(backend: RedshiftBackend, ctx: RequestContext,
                                    p: dict[str, Any]) -> dict[str, Any]:
    offering = find_offering(p["ReservedNodeOfferingId"])
    count = p.get("NodeCount", 1)
    if count < 1:
        raise invalid_parameter("NodeCount must be at least 1.")
    with backend.db.transaction():
        reserved = sum(node.node_count for node in backend.reserved_nodes.all_of(ctx.account, ctx.region))
        if reserved + count > ACCOUNT_NODE_QUOTA:
            raise ApiError("ReservedNodeQuotaExceeded",
                           f"The request would exceed the account's quota of {ACCOUNT_NODE_QUOTA} reserved nodes.")
        node = backend.reserved_nodes.insert(ReservedNodeRecord(
            ctx.account, ctx.region, str(uuid.uuid4()), offering["ReservedNodeOfferingId"], offering["NodeType"],
            count, ctx.now, offering["Duration"], offering["FixedPrice"], offering["UsagePrice"],
            offering["OfferingType"],
        ))
    return {"ReservedNode": node_view(node, "payment-pending")}


def describe_reserved_nodes(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)

    if "ReservedNodeId" in p:
        node = find_node(backend, ctx, p["ReservedNodeId"])
        return {"ReservedNodes": [node_view(node, node_state(node, ctx.now))]}
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    nodes = backend.reserved_nodes.page(ctx.account, ctx.region, after, limit + 1)
    result: dict[str, Any] = {"ReservedNodes": [node_view(node, node_state(node, ctx.now)) for node in nodes[:limit]]}
    if len(nodes) > limit:
        result["Marker"] = encode_marker([nodes[limit - 1].row_id])
    return result


OPERATIONS = {
    "DescribeReservedNodeOfferings": describe_reserved_node_offerings,
    "PurchaseReservedNodeOffering": purchase_reserved_node_offering,
    "DescribeReservedNodes": describe_reserved_nodes,
}
