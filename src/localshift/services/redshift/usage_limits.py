"""Usage limits on clusters: Create/Modify/Delete/DescribeUsageLimits.

Limits are stored and validated; localshift runs no Spectrum, concurrency scaling or
cross-region data sharing, so no usage accrues and no breach action ever fires.
"""

from __future__ import annotations

import uuid
from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.resource_records import UsageLimitRecord
from localshift.services.redshift.views import tags_view

# FeatureType -> the LimitType AWS requires for it (data scanned in TB, time in minutes).
LIMIT_TYPES = {
    "spectrum": "data-scanned",
    "concurrency-scaling": "time",
    "cross-region-datasharing": "data-scanned",
    "extra-compute-for-automatic-optimization": "time",
}
# "You can add up to four usage limits" for each feature of a cluster.
LIMITS_PER_FEATURE = 4
_GONE = ("deleting", "final-snapshot")


def not_found(limit_id: str) -> ApiError:
    return ApiError("UsageLimitNotFound", f"Usage limit {limit_id} not found.")


def _amount(value: int) -> int:
    if value <= 0:
        raise ApiError("InvalidUsageLimit", f"The usage limit amount {value} is not valid: it must be a positive number.")
    return value


def _check_unique(backend: RedshiftBackend, limit: UsageLimitRecord) -> None:
    """At most four limits per feature of a cluster, no two with the same period and breach action."""
    same_feature = [other for other in backend.usage_limits.all_of(limit.account, limit.region)
                    if other.cluster_row_id == limit.cluster_row_id and other.feature_type == limit.feature_type
                    and other.row_id != limit.row_id]
    if any(other.period == limit.period and other.breach_action == limit.breach_action for other in same_feature):
        raise ApiError("UsageLimitAlreadyExists",
                       f"A {limit.period} {limit.feature_type} usage limit with breach action {limit.breach_action} "
                       "already exists for this cluster.")
    if len(same_feature) >= LIMITS_PER_FEATURE:
        raise ApiError("LimitExceededFault",
                       f"A cluster can have at most {LIMITS_PER_FEATURE} usage limits for {limit.feature_type}.")


def view_with(backend: RedshiftBackend) -> named_resources.View[UsageLimitRecord]:
    def view(limit: UsageLimitRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
        cluster = backend.clusters.get_by_id(limit.cluster_row_id)
        return {
            "UsageLimitId": limit.name,
            "ClusterIdentifier": cluster.identifier if cluster is not None else None,
            "FeatureType": limit.feature_type,
            "LimitType": limit.limit_type,
            "Amount": limit.amount,
            "Period": limit.period,
            "BreachAction": limit.breach_action,
            "Tags": tags_view(tags),
        }

    return view


def _render(backend: RedshiftBackend, limit: UsageLimitRecord) -> dict[str, Any]:
    return named_resources.render(backend, [limit], view_with(backend))[0]


def create_usage_limit(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    feature, limit_type = p["FeatureType"], p["LimitType"]
    if LIMIT_TYPES[feature] != limit_type:
        raise ApiError("InvalidUsageLimit",
                       f"The LimitType of a {feature} usage limit must be {LIMIT_TYPES[feature]}, not {limit_type}.")
    amount = _amount(p["Amount"])
    tags = validation.tag_list(p.get("Tags", []))
    with backend.db.transaction():
        cluster = find_cluster(backend, ctx, p["ClusterIdentifier"])
        if cluster.status in _GONE:
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is being deleted.")
        limit = UsageLimitRecord(ctx.account, ctx.region, str(uuid.uuid4()), cluster.row_id, feature, limit_type,
                                 amount, p.get("Period", "monthly"), p.get("BreachAction", "log"))
        _check_unique(backend, limit)
        named_resources.insert_tagged(backend, backend.usage_limits, limit, tags,
                                      ApiError("UsageLimitAlreadyExists", f"Usage limit {limit.name} already exists."))
    return _render(backend, limit)


def modify_usage_limit(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    amount = _amount(p["Amount"]) if "Amount" in p else None

    def change(limit: UsageLimitRecord) -> None:
        if amount is not None:
            limit.amount = amount
        limit.breach_action = p.get("BreachAction", limit.breach_action)
        _check_unique(backend, limit)

    with backend.db.transaction():
        found = named_resources.find(backend.usage_limits, ctx, p["UsageLimitId"], not_found(p["UsageLimitId"]))
        limit = backend.usage_limits.mutate(found.row_id, change)
    assert limit is not None  # found in this very transaction
    return _render(backend, limit)


def delete_usage_limit(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        limit = named_resources.find(backend.usage_limits, ctx, p["UsageLimitId"], not_found(p["UsageLimitId"]))
        named_resources.delete_tagged(backend, backend.usage_limits, limit)
    return {}


def describe_usage_limits(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    cluster_row = find_cluster(backend, ctx, p["ClusterIdentifier"]).row_id if "ClusterIdentifier" in p else None
    feature = p.get("FeatureType")

    def keep(limit: UsageLimitRecord) -> bool:
        return (cluster_row is None or limit.cluster_row_id == cluster_row) and (
            feature is None or limit.feature_type == feature)

    limit_id = p.get("UsageLimitId")
    return named_resources.describe(backend, ctx, p, backend.usage_limits, limit_id,
                                    not_found(limit_id or ""), view_with(backend), "UsageLimits", keep)


OPERATIONS = {
    "CreateUsageLimit": create_usage_limit,
    "ModifyUsageLimit": modify_usage_limit,
    "DeleteUsageLimit": delete_usage_limit,
    "DescribeUsageLimits": describe_usage_limits,
}
