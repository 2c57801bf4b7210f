"""PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy: resource policies of clusters.

A provisioned resource policy authorizes zero-ETL integrations into a cluster (AWS's documented
target: the cluster's namespace ARN, ``arn:aws:redshift:REGION:ACCOUNT:namespace:UUID``); localshift
also takes the cluster's own ARN.  Integrations are not emulated, so the policy is kept, checked
as a JSON policy document and given back; it goes with its cluster (cluster_dependents.py).
"""

from __future__ import annotations

import json
from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.common.arns import PROVISIONED, parse_arn
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import ResourcePolicyRecord


def _not_found(arn: str) -> ApiError:
    return ApiError("ResourceNotFoundFault", f"The resource {arn} could not be found.")


def _cluster_of(backend: RedshiftBackend, ctx: RequestContext, arn: str) -> ClusterRecord:
    """The caller's cluster a cluster or namespace ARN names (of the caller's account and region)."""
    parsed = parse_arn(arn, "ResourceArn")
    if (parsed.service, parsed.account, parsed.region) != (PROVISIONED, ctx.account, ctx.region):
        raise _not_found(arn)
    cluster = None
    if parsed.resource_type == "cluster":
        cluster = backend.clusters.get(ctx.account, ctx.region, parsed.resource.lower())
    elif parsed.resource_type == "namespace":
        cluster = next((c for c in backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000)
                        if c.namespace_id == parsed.resource), None)
    if cluster is None or cluster.status == "deleting":
        raise _not_found(arn)
    return cluster


def _checked_policy(text: str) -> str:
    # An IAM policy document: a JSON object with its statements.
    try:
        document = json.loads(text)
    except ValueError:
        raise ApiError("InvalidPolicyFault", "The resource policy isn't valid: it is not a JSON document.") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise ApiError("InvalidPolicyFault",
                       "The resource policy isn't valid: it must be a JSON object with a Statement.")
    return text


def _view(policy: ResourcePolicyRecord) -> dict[str, Any]:
    return {"ResourcePolicy": {"ResourceArn": policy.name, "Policy": policy.policy}}


def _existing(backend: RedshiftBackend, ctx: RequestContext, arn: str) -> ResourcePolicyRecord:
    _cluster_of(backend, ctx, arn)
    policy = backend.resource_policies.get(ctx.account, ctx.region, arn)
    if policy is None:
        raise ApiError("ResourceNotFoundFault", f"The resource {arn} has no resource policy.")
    return policy


def put_resource_policy(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    arn, text = p["ResourceArn"], _checked_policy(p["Policy"])
    with backend.db.transaction():
        cluster = _cluster_of(backend, ctx, arn)
        existing = backend.resource_policies.get(ctx.account, ctx.region, arn)
        if existing is None:
            policy = backend.resource_policies.insert(
                ResourcePolicyRecord(ctx.account, ctx.region, arn, text, cluster.row_id))
        else:
            changed = backend.resource_policies.mutate(existing.row_id, lambda r: setattr(r, "policy", text))
            assert changed is not None  # (read in this transaction: it is there)
            policy = changed
    return _view(policy)


def get_resource_policy(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _view(_existing(backend, ctx, p["ResourceArn"]))


def delete_resource_policy(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        backend.resource_policies.delete(_existing(backend, ctx, p["ResourceArn"]))
    return {}


OPERATIONS = {
    "PutResourcePolicy": put_resource_policy,
    "GetResourcePolicy": get_resource_policy,
    "DeleteResourcePolicy": delete_resource_policy,
}
