"""Usage limits: Create/Update/Delete/Get/ListUsageLimits.

A usage limit caps a workgroup's compute (``serverless-compute``, RPU-hours) or its cross-region
data sharing (``cross-region-datasharing``, TB) per day, week or month, and says what happens past
it (``log``, ``emit-metric``, ``deactivate``).  localshift meters no usage, so a limit is never
breached; it is stored, listed and deleted with its workgroup.
"""

from __future__ import annotations

import uuid
from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.serverless import paging, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.resource_records import UsageLimitRecord
from localshift.services.serverless.validation import not_found, validation_error
from localshift.store.serverless import WorkgroupRecord

# Limits per workgroup and usage type (ServiceQuotaExceededException past it).
LIMITS_PER_USAGE_TYPE = 4


def usage_limit_view(limit: UsageLimitRecord) -> dict[str, Any]:
    return {
        "usageLimitId": limit.name,
        "usageLimitArn": limit.arn,
        "resourceArn": limit.resource_arn,
        "usageType": limit.usage_type,
        "amount": limit.amount,
        "period": limit.period,
        "breachAction": limit.breach_action,
    }


def _workgroup(backend: ServerlessBackend, ctx: RequestContext, arn: str) -> WorkgroupRecord:
    parsed = validation.parse_arn(arn, "resourceArn")
    if parsed.resource_type != "workgroup":
        raise validation_error(f"resourceArn {arn} is not a workgroup ARN: usage limits apply to workgroups.")
    workgroup = backend.workgroups.get_by_arn(arn) if parsed.region == ctx.region else None
    if workgroup is None or workgroup.account != ctx.account:
        raise not_found(f"Resource {arn} not found.")
    return workgroup


def _amount(value: int) -> int:
    if value <= 0:
        raise validation_error(f"amount {value} is not valid: the limit must be a positive number.")
    return value


def _limit(backend: ServerlessBackend, ctx: RequestContext, limit_id: str, missing: ApiError) -> UsageLimitRecord:
    limit = backend.usage_limits.get(ctx.account, ctx.region, limit_id)
    if limit is None:
        raise missing
    return limit


def _does_not_exist(limit_id: str, code: str) -> ApiError:
    # Terraform's provider takes a ValidationException "... does not exist" from GetUsageLimit as "gone".
    return ApiError(code, f"Usage limit {limit_id} does not exist.")


def create_usage_limit(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    amount = _amount(p["amount"])
    limit_id = str(uuid.uuid4())
    with backend.db.transaction():
        workgroup = _workgroup(backend, ctx, p["resourceArn"])
        same_type = [limit for limit in backend.usage_limits.all_of(ctx.account, ctx.region)
                     if limit.resource_arn == workgroup.arn and limit.usage_type == p["usageType"]]
        if len(same_type) >= LIMITS_PER_USAGE_TYPE:
            raise ApiError("ServiceQuotaExceededException",
                           f"Workgroup {workgroup.name} already has {LIMITS_PER_USAGE_TYPE} {p['usageType']} usage limits.")
        limit = backend.usage_limits.insert(UsageLimitRecord(
            account=ctx.account, region=ctx.region, name=limit_id,
            arn=validation.arn(ctx.region, ctx.account, "usagelimit", limit_id), resource_arn=workgroup.arn,
            usage_type=p["usageType"], amount=amount, period=p.get("period", "monthly"),
            breach_action=p.get("breachAction", "log"),
        ))
    return {"usageLimit": usage_limit_view(limit)}


def get_usage_limit(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    missing = _does_not_exist(p["usageLimitId"], "ValidationException")
    return {"usageLimit": usage_limit_view(_limit(backend, ctx, p["usageLimitId"], missing))}


def update_usage_limit(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    amount = _amount(p["amount"]) if "amount" in p else None
    missing = _does_not_exist(p["usageLimitId"], "ResourceNotFoundException")

    def change(limit: UsageLimitRecord) -> None:
        if amount is not None:
            limit.amount = amount
        limit.breach_action = p.get("breachAction", limit.breach_action)

    with backend.db.transaction():
        limit = backend.usage_limits.mutate(_limit(backend, ctx, p["usageLimitId"], missing).row_id, change)
    assert limit is not None  # found in this very transaction
    return {"usageLimit": usage_limit_view(limit)}


def delete_usage_limit(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        limit = _limit(backend, ctx, p["usageLimitId"], _does_not_exist(p["usageLimitId"], "ResourceNotFoundException"))
        backend.usage_limits.delete(limit)
    return {"usageLimit": usage_limit_view(limit)}


def list_usage_limits(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    resource_arn = p.get("resourceArn")
    if resource_arn is not None:
        _workgroup(backend, ctx, resource_arn)
    limits = [limit for limit in backend.usage_limits.all_of(ctx.account, ctx.region)
              if resource_arn in (None, limit.resource_arn) and p.get("usageType") in (None, limit.usage_type)]
    chosen, token = paging.page(limits, lambda limit: limit.row_id, p, "usage-limits")
    return {"usageLimits": [usage_limit_view(limit) for limit in chosen], "nextToken": token}


def forget_limits_of(backend: ServerlessBackend, workgroup: WorkgroupRecord) -> None:
    """A deleted workgroup's usage limits go with it (within the caller's transaction)."""
    for limit in backend.usage_limits.all_of(workgroup.account, workgroup.region):
        if limit.resource_arn == workgroup.arn:
            backend.usage_limits.delete(limit)


OPERATIONS = {
    "CreateUsageLimit": create_usage_limit,
    "GetUsageLimit": get_usage_limit,
    "UpdateUsageLimit": update_usage_limit,
    "DeleteUsageLimit": delete_usage_limit,
    "ListUsageLimits": list_usage_limits,
}
