"""Scheduled actions: Create/Update/Delete/Get/ListScheduledActions.

A scheduled action takes snapshots of a namespace on a schedule: ``at`` a time once, or on a
``cron`` expression (``(Minutes Hours Day-of-month Month Day-of-week Year)``, UTC; common/schedules.py),
between an optional startTime and endTime, while enabled.  The scheduler really takes them
(scheduled_action_runs.py), named ``<snapshotNamePrefix>-yyyy-mm-dd-hh-mm-ss``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from localshift.errors import ApiError
from localshift.services.common import scheduled_actions, schedules
from localshift.services.common.arns import IAM_ROLE_ARN
from localshift.services.context import RequestContext
from localshift.services.serverless import paging, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_own
from localshift.services.serverless.resource_records import ScheduledActionRecord
from localshift.services.serverless.validation import conflict, validation_error

NEXT_INVOCATIONS = 10
# Scheduled actions per account and region (ServiceQuotaExceededException past it: not in this API's
# model for CreateScheduledAction, so a ConflictException says it).
QUOTA = 200


def snapshot_name(prefix: str, moment: datetime) -> str:
    return f"{prefix}-{moment:%Y-%m-%d-%H-%M-%S}"


def parse_schedule(at: datetime | None, cron: str | None) -> schedules.Schedule:
    """The Schedule union: ``at`` a timestamp, or a ``cron`` expression in parentheses (``cron(...)`` too)."""
    if at is not None:
        return schedules.At(f"at({at:%Y-%m-%dT%H:%M:%S})", at)
    text = (cron or "").strip()
    return schedules.parse(text if text.startswith("cron(") else f"cron{text}")


def schedule_of(action: ScheduledActionRecord) -> schedules.Schedule:
    return parse_schedule(action.schedule_at, action.schedule_cron)


def action_view(action: ScheduledActionRecord, now: datetime) -> dict[str, Any]:
    upcoming = schedules.next_invocations(schedule_of(action), now, action.start_time, action.end_time,
                                          NEXT_INVOCATIONS) if action.enabled else []
    return {
        "scheduledActionName": action.name,
        "scheduledActionUuid": action.uuid,
        "namespaceName": action.namespace_name,
        "roleArn": action.role_arn,
        "schedule": {"at": action.schedule_at} if action.schedule_at is not None else {"cron": action.schedule_cron},
        "scheduledActionDescription": action.description,
        "state": "ACTIVE" if action.enabled else "DISABLED",
        "nextInvocations": upcoming,
        "startTime": action.start_time,
        "endTime": action.end_time,
        "targetAction": {"createSnapshot": dict(action.create_snapshot)},
    }


def find_action(backend: ServerlessBackend, ctx: RequestContext, name: str) -> ScheduledActionRecord:
    return find_own(backend.scheduled_actions, ctx, name, "Scheduled action")


def next_due(action: ScheduledActionRecord, now: datetime) -> datetime | None:
    """When the scheduler runs the action next (None: disabled, or no invocation left)."""
    if not action.enabled:
        return None
    return schedules.next_due(schedule_of(action), now, action.start_time, action.end_time)


# --- checks ------------------------------------------------------------------------------------


def _schedule(schedule: dict[str, Any], now: datetime) -> tuple[datetime | None, str | None]:
    """(at, cron) of a Schedule union, checked."""
    at, cron = schedule.get("at"), schedule.get("cron")
    try:
        if cron is not None:
            schedules.check_unpadded(cron)
        parsed = parse_schedule(at, cron)
        schedules.check_spacing(parsed, now)
    except schedules.ScheduleError as error:
        raise validation_error(f"The schedule is not valid: {error}.") from None
    if isinstance(parsed, schedules.At) and parsed.moment <= now:
        raise validation_error("The schedule is not valid: its time has passed.")
    return at, cron


def _role(ctx: RequestContext, role: str) -> str:
    match = IAM_ROLE_ARN.fullmatch(role)
    if match is None or match.group(1) != ctx.account:
        raise validation_error(f"roleArn {role} is not valid: give an IAM role of account {ctx.account}.")
    return role


def _create_snapshot(target: dict[str, Any], namespace_name: str) -> dict[str, Any]:
    params = dict(target["createSnapshot"])
    if params["namespaceName"] != namespace_name:
        raise validation_error("The createSnapshot target must name the scheduled action's namespace.")
    # The snapshots it takes must be valid snapshot names.
    validation.snapshot_name(snapshot_name(params["snapshotNamePrefix"], datetime(2000, 1, 1)), "snapshotNamePrefix")
    if "retentionPeriod" in params:
        validation.retention(params["retentionPeriod"])
    validation.tags(params.get("tags", []))
    return params


def _window_error() -> ApiError:
    return validation_error("startTime must be earlier than endTime.")


# --- operations ----------------------------------------------------------------------------------


def create_scheduled_action(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name, namespace_name = p["scheduledActionName"], p["namespaceName"]
    at, cron = _schedule(p["schedule"], ctx.now)
    if p.get("startTime") and p.get("endTime") and p["startTime"] >= p["endTime"]:
        raise _window_error()
    action = ScheduledActionRecord(
        account=ctx.account, region=ctx.region, name=name, uuid=str(uuid.uuid4()), namespace_name=namespace_name,
        role_arn=_role(ctx, p["roleArn"]), schedule_at=at, schedule_cron=cron,
        create_snapshot=_create_snapshot(p["targetAction"], namespace_name),
        description=p.get("scheduledActionDescription"), start_time=p.get("startTime"), end_time=p.get("endTime"),
        enabled=p.get("enabled", True),
    )
    action.next_run = next_due(action, ctx.now)
    scheduled_actions.insert(
        backend.scheduled_actions, action, QUOTA, conflict(f"Scheduled action {name} already exists."),
        conflict(f"The account already has the maximum of {QUOTA} scheduled actions in {ctx.region}."),
        check=lambda: find_namespace(backend, ctx, namespace_name))
    return {"scheduledAction": action_view(action, ctx.now)}


def update_scheduled_action(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    schedule = _schedule(p["schedule"], ctx.now) if "schedule" in p else None
    role = _role(ctx, p["roleArn"]) if "roleArn" in p else None

    def apply(action: ScheduledActionRecord) -> None:
        if "targetAction" in p:
            action.create_snapshot = _create_snapshot(p["targetAction"], action.namespace_name)
        if schedule is not None:
            action.schedule_at, action.schedule_cron = schedule
        action.role_arn = role or action.role_arn
        action.description = p.get("scheduledActionDescription", action.description)

    action = scheduled_actions.modify(
        backend.scheduled_actions, lambda: find_action(backend, ctx, p["scheduledActionName"]), apply, p,
        ("startTime", "endTime", "enabled"), _window_error(), lambda changed: next_due(changed, ctx.now))
    return {"scheduledAction": action_view(action, ctx.now)}


def delete_scheduled_action(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        action = find_action(backend, ctx, p["scheduledActionName"])
        backend.scheduled_actions.delete(action)
    return {"scheduledAction": action_view(action, ctx.now)}


def get_scheduled_action(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"scheduledAction": action_view(find_action(backend, ctx, p["scheduledActionName"]), ctx.now)}


def list_scheduled_actions(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    namespace_name = p.get("namespaceName")
    if namespace_name is not None:
        find_namespace(backend, ctx, namespace_name)
    actions = [a for a in backend.scheduled_actions.all_of(ctx.account, ctx.region)
               if namespace_name in (None, a.namespace_name)]
    chosen, token = paging.page(actions, lambda a: a.row_id, p, "scheduled-actions")
    listed = [{"scheduledActionName": a.name, "namespaceName": a.namespace_name} for a in chosen]
    return {"scheduledActions": listed, "nextToken": token}


OPERATIONS = {
    "CreateScheduledAction": create_scheduled_action,
    "UpdateScheduledAction": update_scheduled_action,
    "DeleteScheduledAction": delete_scheduled_action,
    "GetScheduledAction": get_scheduled_action,
    "ListScheduledActions": list_scheduled_actions,
}
