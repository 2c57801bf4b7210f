"""Scheduled actions: Create/Modify/Delete/DescribeScheduledActions.

A scheduled action runs PauseCluster, ResumeCluster or ResizeCluster on a schedule
(``at(...)`` once, or ``cron(...)``; common/schedules.py), between an optional StartTime and
EndTime, while enabled.  The scheduler really runs them (scheduled_action_runs.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.common import scheduled_actions, schedules
from localshift.services.common.arns import IAM_ROLE_ARN
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import check_node_count, find_cluster, node_type_of
from localshift.services.redshift.resource_records import ScheduledActionRecord
from localshift.store.paging import decode_marker, encode_marker

TARGET_TYPES = ("ResizeCluster", "PauseCluster", "ResumeCluster")
# Scheduled actions per account and region (ScheduledActionQuotaExceeded past it).
QUOTA = 200
# How many upcoming invocations NextInvocations lists.
NEXT_INVOCATIONS = 10
_NAME = re.compile(r"[A-Za-z0-9-]{1,60}")


def find_action(backend: RedshiftBackend, ctx: RequestContext, name: str) -> ScheduledActionRecord:
    action = backend.scheduled_actions.get(ctx.account, ctx.region, name)
    if action is None:
        raise ApiError("ScheduledActionNotFound", f"Scheduled action {name} not found.")
    return action


def action_view(action: ScheduledActionRecord, now: datetime) -> dict[str, Any]:
    schedule = schedules.parse(action.schedule)
    upcoming = schedules.next_invocations(schedule, now, action.start_time, action.end_time, NEXT_INVOCATIONS)
    return {
        "ScheduledActionName": action.name,
        "TargetAction": {action.target_type: dict(action.target)},
        "Schedule": action.schedule,
        "IamRole": action.iam_role,
        "ScheduledActionDescription": action.description or None,
        "State": "ACTIVE" if action.enabled else "DISABLED",
        "NextInvocations": upcoming if action.enabled else [],
        "StartTime": action.start_time,
        "EndTime": action.end_time,
    }


# --- checks ------------------------------------------------------------------------------------


def _schedule(text: str, now: datetime) -> schedules.Schedule:
    try:
        schedule = schedules.parse(schedules.check_unpadded(text))
        schedules.check_spacing(schedule, now)
    except schedules.ScheduleError as error:
        raise ApiError("InvalidSchedule", f"The schedule {text} isn't valid: {error}.") from None
    if isinstance(schedule, schedules.At) and schedule.moment <= now:
        # A one-time action in the past would never run.
        raise ApiError("InvalidSchedule", f"The schedule {text} isn't valid: the time has passed.")
    return schedule


def _iam_role(ctx: RequestContext, role: str) -> str:
    match = IAM_ROLE_ARN.fullmatch(role)
    if match is None:
        raise invalid_parameter(f"Invalid IAM role ARN: {role}.")
    if match.group(1) != ctx.account:
        # The scheduler assumes the role in the caller's account; another account's role can't be passed.
        raise ApiError("UnauthorizedOperation", f"The IAM role {role} belongs to another account.")
    return role


def _target(backend: RedshiftBackend, ctx: RequestContext, target: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(type, parameters) of a TargetAction naming exactly one action on an existing cluster."""
    given = [kind for kind in TARGET_TYPES if kind in target]
    if len(given) != 1:
        raise ApiError("InvalidScheduledAction",
                       "The target action must name exactly one of ResizeCluster, PauseCluster and ResumeCluster.")
    kind = given[0]
    params = dict(target[kind])
    cluster = find_cluster(backend, ctx, params["ClusterIdentifier"])
    params["ClusterIdentifier"] = cluster.identifier
    if kind == "ResizeCluster":
        _check_resize(params, cluster.node_type, cluster.number_of_nodes)
    return kind, params


def _check_resize(params: dict[str, Any], node_type: str, nodes: int) -> None:
    if params.get("Classic") or "ReservedNodeId" in params or "TargetReservedNodeOfferingId" in params:
        # Scheduled resizes are elastic; reserved-node exchanges are not emulated.
        raise ApiError("ScheduledActionTypeUnsupported",
                       "A scheduled ResizeCluster is an elastic resize without a reserved-node exchange.")
    if not {"NodeType", "NumberOfNodes", "ClusterType"} & set(params):
        raise ApiError("InvalidScheduledAction", "A scheduled ResizeCluster needs NodeType, NumberOfNodes or ClusterType.")
    target_type = node_type_of(params.get("NodeType", node_type))
    count = params.get("NumberOfNodes", nodes if "ClusterType" not in params else None)
    check_node_count(target_type, params.get("ClusterType"), count)


def _window_error() -> ApiError:
    return ApiError("InvalidScheduledAction", "The scheduled action's StartTime must be earlier than its EndTime.")


def next_due(action: ScheduledActionRecord, now: datetime) -> datetime | None:
    """When the scheduler runs the action next (None: disabled, or no invocation left)."""
    if not action.enabled:
        return None
    return schedules.next_due(schedules.parse(action.schedule), now, action.start_time, action.end_time)


# --- operations ----------------------------------------------------------------------------------


def create_scheduled_action(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["ScheduledActionName"]
    if not _NAME.fullmatch(name):
        raise ApiError("InvalidScheduledAction",
                       "The scheduled action name must be 1 to 60 letters, digits or hyphens.")
    _schedule(p["Schedule"], ctx.now)
    if p.get("StartTime") and p.get("EndTime") and p["StartTime"] >= p["EndTime"]:
        raise _window_error()
    kind, target = _target(backend, ctx, p["TargetAction"])
    action = ScheduledActionRecord(
        account=ctx.account, region=ctx.region, name=name, target_type=kind, target=target,
        schedule=p["Schedule"], iam_role=_iam_role(ctx, p["IamRole"]),
        description=p.get("ScheduledActionDescription", ""), start_time=p.get("StartTime"),
        end_time=p.get("EndTime"), enabled=p.get("Enable", True),
    )
    action.next_run = next_due(action, ctx.now)
    scheduled_actions.insert(
        backend.scheduled_actions, action, QUOTA,
        ApiError("ScheduledActionAlreadyExists", f"Scheduled action {name} already exists."),
        ApiError("ScheduledActionQuotaExceeded",
                 f"The account already has the maximum of {QUOTA} scheduled actions in {ctx.region}."))
    return action_view(action, ctx.now)


def modify_scheduled_action(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if "Schedule" in p:
        _schedule(p["Schedule"], ctx.now)
    target = _target(backend, ctx, p["TargetAction"]) if "TargetAction" in p else None
    role = _iam_role(ctx, p["IamRole"]) if "IamRole" in p else None

    def apply(action: ScheduledActionRecord) -> None:
        if target is not None:
            action.target_type, action.target = target
        if role is not None:
            action.iam_role = role
        action.schedule = p.get("Schedule", action.schedule)
        action.description = p.get("ScheduledActionDescription", action.description)

    action = scheduled_actions.modify(
        backend.scheduled_actions, lambda: find_action(backend, ctx, p["ScheduledActionName"]), apply, p,
        ("StartTime", "EndTime", "Enable"), _window_error(), lambda changed: next_due(changed, ctx.now))
    return action_view(action, ctx.now)


def delete_scheduled_action(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        backend.scheduled_actions.delete(find_action(backend, ctx, p["ScheduledActionName"]))
    return {}


def _matches(action: ScheduledActionRecord, p: dict[str, Any], filters: dict[str, set[str]], now: datetime) -> bool:
    if "TargetActionType" in p and action.target_type != p["TargetActionType"]:
        return False
    if "Active" in p and action.enabled != p["Active"]:
        return False
    if "cluster-identifier" in filters and action.target["ClusterIdentifier"] not in filters["cluster-identifier"]:
        return False
    if "iam-role" in filters and action.iam_role not in filters["iam-role"]:
        return False
    if "StartTime" in p or "EndTime" in p:
        # Only active actions with an invocation between StartTime and EndTime (past ones count).
        lower = p.get("StartTime", now) - timedelta(seconds=1)
        end = min(filter(None, [p.get("EndTime"), action.end_time]), default=None)
        schedule = schedules.parse(action.schedule)
        return action.enabled and bool(schedules.next_invocations(schedule, lower, action.start_time, end, 1))
    return True


def describe_scheduled_actions(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    if "StartTime" in p and "EndTime" in p and p["StartTime"] > p["EndTime"]:
        raise ApiError("InvalidParameterCombination", "StartTime must be earlier than EndTime.")
    filters: dict[str, set[str]] = {}
    for item in p.get("Filters", []):
        filters.setdefault(item["Name"], set()).update(item["Values"])
    if "ScheduledActionName" in p:
        candidates = [find_action(backend, ctx, p["ScheduledActionName"])]
    else:
        candidates = backend.scheduled_actions.page(ctx.account, ctx.region, after, 1_000_000)
    matching = [a for a in candidates if a.row_id > after and _matches(a, p, filters, ctx.now)]
    result: dict[str, Any] = {"ScheduledActions": [action_view(a, ctx.now) for a in matching[:limit]]}
    if len(matching) > limit:
        result["Marker"] = encode_marker([matching[limit - 1].row_id])
    return result


OPERATIONS = {
    "CreateScheduledAction": create_scheduled_action,
    "ModifyScheduledAction": modify_scheduled_action,
    "DeleteScheduledAction": delete_scheduled_action,
    "DescribeScheduledActions": describe_scheduled_actions,
}
