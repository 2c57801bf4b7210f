"""Resource policies on snapshots: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy.

Sharing a snapshot for restore into another account's namespace is a resource
policy on the snapshot's ARN whose statements allow
``redshift-serverless:RestoreFromSnapshot`` to account principals (the model's
own example).  The accounts it names are kept as grants (``accountsWithRestoreAccess``)
beside the policy text, which GetResourcePolicy returns as it was put.
"""

from __future__ import annotations

import json
import re
from typing import Any

from localshift.errors import ApiError
from localshift.services.common.grants import MAX_GRANTEES
from localshift.services.context import RequestContext
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import snapshot_by_arn
from localshift.services.serverless.validation import conflict, not_found, validation_error
from localshift.store.serverless import RESTORE, ServerlessSnapshotRecord

RESTORE_ACTION = "redshift-serverless:RestoreFromSnapshot"
_ACTIONS = {RESTORE_ACTION, "redshift-serverless:*"}
_PRINCIPAL = re.compile(r"(?:(\d{12})|arn:aws[a-z-]*:iam::(\d{12}):root)")


def _owned_snapshot(backend: ServerlessBackend, ctx: RequestContext, resource_arn: str) -> ServerlessSnapshotRecord:
    """Only the owner manages a snapshot's policy; to others it does not exist."""
    snapshot = snapshot_by_arn(backend, ctx, resource_arn, "resourceArn")
    if snapshot is None or snapshot.account != ctx.account:
        raise not_found(f"Resource {resource_arn} does not exist.")
    return snapshot


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_grantees(policy: str, owner: str) -> list[str]:
    """The accounts a policy allows to restore the snapshot, or ValidationException."""
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        raise validation_error("The policy is not valid JSON.") from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not statements:
        raise validation_error("The policy must have a Statement.")
    grantees: list[str] = []
    for statement in _as_list(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            raise validation_error("Each policy statement must be an object with Effect Allow.")
        actions = _as_list(statement.get("Action"))
        if not actions or any(not isinstance(action, str) or action not in _ACTIONS for action in actions):
            raise validation_error(f"A snapshot's policy can only allow {RESTORE_ACTION}.")
        principal = statement.get("Principal")
        accounts = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
        if not accounts:
            raise validation_error("Each policy statement must name AWS account principals.")
        for account in accounts:
            match = _PRINCIPAL.fullmatch(account) if isinstance(account, str) else None
            if match is None:
                raise validation_error(f"Principal {account} is not an account id or an account root ARN.")
            grantee = match.group(1) or match.group(2)
            if grantee == owner:
                raise validation_error("The snapshot's owner always has access; don't name it in the policy.")
            if grantee not in grantees:
                grantees.append(grantee)
    return grantees


def put_resource_policy(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    grantees = policy_grantees(p["policy"], ctx.account)
    if len(grantees) > MAX_GRANTEES:
        raise ApiError(
            "ServiceQuotaExceededException", f"A snapshot can be shared with at most {MAX_GRANTEES} accounts."
        )
    with backend.db.transaction():
        snapshot = _owned_snapshot(backend, ctx, p["resourceArn"])
        if snapshot.status != "AVAILABLE":
            raise conflict(f"Snapshot {snapshot.name} is {snapshot.status}; it can be shared when AVAILABLE.")
        backend.snapshots.set_grantees(snapshot, RESTORE, grantees)
        snapshot.resource_policy = p["policy"]
        backend.snapshots.update(snapshot)
    return {"resourcePolicy": {"resourceArn": snapshot.arn, "policy": snapshot.resource_policy}}


def get_resource_policy(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    snapshot = _owned_snapshot(backend, ctx, p["resourceArn"])
    if snapshot.resource_policy is None:
        raise not_found(f"The resource policy of {snapshot.arn} does not exist.")
    return {"resourcePolicy": {"resourceArn": snapshot.arn, "policy": snapshot.resource_policy}}


def delete_resource_policy(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        snapshot = _owned_snapshot(backend, ctx, p["resourceArn"])
        if snapshot.resource_policy is None:
            raise not_found(f"The resource policy of {snapshot.arn} does not exist.")
        backend.snapshots.set_grantees(snapshot, RESTORE, [])
        snapshot.resource_policy = None
        backend.snapshots.update(snapshot)
    return {}


OPERATIONS = {
    "PutResourcePolicy": put_resource_policy,
    "GetResourcePolicy": get_resource_policy,
    "DeleteResourcePolicy": delete_resource_policy,
}
