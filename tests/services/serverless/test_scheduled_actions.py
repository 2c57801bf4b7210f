"""Serverless scheduled actions: CreateSnapshot on a schedule, validated, listed, updated, deleted,
and really run by the scheduler when due (time travel), a failed run kept."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from support import OWNER, aws_cli, travel_until, wait_for

ROLE = f"arn:aws:iam::{OWNER}:role/scheduler"
DAILY = {"cron": "(0 23 * * ? *)"}


def target(prefix: str = "nightly", namespace: str = "ns1", **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"createSnapshot": {"namespaceName": namespace, "snapshotNamePrefix": prefix, **extra}}


def create(owner, name: str = "snap-nightly", schedule=None, **extra) -> dict:  # type: ignore[no-untyped-def]
    extra.setdefault("targetAction", target())
    return owner.create_scheduled_action(scheduledActionName=name, namespaceName="ns1", roleArn=ROLE,
                                         schedule=schedule or DAILY, **extra)["scheduledAction"]


def server_now(owner) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.fromisoformat(json.loads(owner.server.admin("/_localshift/time-travel?seconds=0"))["now"])


def test_create_get_list_update_delete(owner):
    owner.namespace("ns1")
    created = create(owner, targetAction=target(retentionPeriod=7, tags=[{"key": "k", "value": "v"}]),
                     scheduledActionDescription="every night")
    assert (created["state"], created["namespaceName"], created["schedule"]) == ("ACTIVE", "ns1", DAILY)
    assert created["targetAction"]["createSnapshot"]["retentionPeriod"] == 7
    times = created["nextInvocations"]
    assert len(times) == 10 and all((t.hour, t.minute) == (23, 0) for t in times)
    assert owner.get_scheduled_action(scheduledActionName="snap-nightly")["scheduledAction"] == created
    disabled = owner.update_scheduled_action(scheduledActionName="snap-nightly", enabled=False)["scheduledAction"]
    assert (disabled["state"], disabled["nextInvocations"]) == ("DISABLED", [])
    weekly = owner.update_scheduled_action(scheduledActionName="snap-nightly", enabled=True,
                                           schedule={"cron": "cron(0 10 ? * MON *)"})["scheduledAction"]
    assert all(t.weekday() == 0 for t in weekly["nextInvocations"])
    listed = owner.list_scheduled_actions()["scheduledActions"]
    assert listed == [{"scheduledActionName": "snap-nightly", "namespaceName": "ns1"}]
    deleted = owner.delete_scheduled_action(scheduledActionName="snap-nightly")["scheduledAction"]
    assert deleted["scheduledActionUuid"] == created["scheduledActionUuid"]
    for call in (owner.get_scheduled_action, owner.delete_scheduled_action):
        assert owner.error(call, scheduledActionName="snap-nightly")[:2] == ("ResourceNotFoundException", 404)


def test_validation(owner):
    owner.namespace("ns1")
    now = server_now(owner)
    bad = [
        {"schedule": {"cron": "(0/20 * * * ? *)"}},  # less than an hour apart
        {"schedule": {"cron": "(0 23 * * *)"}},
        {"schedule": {"cron": " (0 10 ? * MON *)"}},  # spaces around an expression are refused, not trimmed
        {"schedule": {"cron": "cron(0 10 ? * MON *) "}},
        {"schedule": {"at": now - timedelta(hours=1)}},
        {"roleArn": "arn:aws:iam::222222222222:role/theirs"},
        {"roleArn": "not-a-role"},
        {"targetAction": target(namespace="ns2")},
        {"targetAction": target(prefix="Bad_Prefix")},
        {"targetAction": target(retentionPeriod=0)},
        {"startTime": now + timedelta(days=2), "endTime": now + timedelta(days=1)},
    ]
    for params in bad:
        params.setdefault("roleArn", ROLE)
        params.setdefault("schedule", DAILY)
        params.setdefault("targetAction", target())
        code, status, _ = owner.error(owner.create_scheduled_action, scheduledActionName="act-1", namespaceName="ns1",
                                      **params)
        assert (code, status) == ("ValidationException", 400), params
    assert owner.error(owner.create_scheduled_action, scheduledActionName="act-1", namespaceName="nope", roleArn=ROLE,
                       schedule=DAILY, targetAction=target(namespace="nope"))[:2] == ("ResourceNotFoundException", 404)
    create(owner, "act-1")
    assert owner.error(create, owner=owner, name="act-1")[:2] == ("ConflictException", 409)


def test_list_by_namespace_and_pages(owner):
    owner.namespace("ns1")
    owner.namespace("ns2")
    for index in range(3):
        create(owner, f"one-{index}")
    owner.create_scheduled_action(scheduledActionName="two", namespaceName="ns2", roleArn=ROLE, schedule=DAILY,
                                  targetAction=target(namespace="ns2"))
    assert [a["scheduledActionName"] for a in owner.list_scheduled_actions(namespaceName="ns2")["scheduledActions"]] == [
        "two"]
    pages = list(owner.get_paginator("list_scheduled_actions").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["scheduledActions"]) for p in pages] == [3, 1]
    assert owner.error(owner.list_scheduled_actions, namespaceName="nope")[:2] == ("ResourceNotFoundException", 404)


def snapshots_of(owner) -> list[dict]:  # type: ignore[no-untyped-def]
    return owner.list_snapshots(namespaceName="ns1")["snapshots"]


def test_due_actions_take_snapshots(owner):
    owner.namespace_with_workgroup()
    moment = (server_now(owner) + timedelta(hours=2)).replace(microsecond=0)
    create(owner, "once", schedule={"at": moment}, targetAction=target("scheduled", retentionPeriod=3,
                                                                          tags=[{"key": "by", "value": "schedule"}]))
    owner.server.admin("/_localshift/time-travel?seconds=7300")
    snapshot = wait_for(lambda: snapshots_of(owner))[0]
    assert snapshot["snapshotName"].startswith("scheduled-") and snapshot["snapshotRetentionPeriod"] == 3
    owner.wait_snapshot(snapshot["snapshotName"])
    assert owner.list_tags_for_resource(resourceArn=snapshot["snapshotArn"])["tags"] == [{"key": "by", "value": "schedule"}]
    assert owner.get_scheduled_action(scheduledActionName="once")["scheduledAction"]["nextInvocations"] == []


def test_a_failed_run_is_kept(owner):
    owner.namespace("ns1")
    create(owner, "hourly", schedule={"cron": "(0 * * * ? *)"})
    owner.delete_namespace(namespaceName="ns1")
    owner.wait_for_gone(owner.get_namespace, namespaceName="ns1")
    owner.server.admin("/_localshift/time-travel?seconds=3700")
    wait_for(lambda: "Scheduled action hourly could not create snapshot" in owner.server.log_path.read_text())


def test_time_travel_back_brings_the_next_run_back(owner):
    """An hourly action run two days ahead keeps running hourly once the clock is moved back: its next run,
    counted from the later clock, comes back to the schedule's next hour."""
    owner.namespace_with_workgroup()
    create(owner, "hourly", schedule={"cron": "(0 * * * ? *)"}, targetAction=target("hourly"))
    owner.server.admin("/_localshift/time-travel?seconds=172800")
    [ahead] = wait_for(lambda: snapshots_of(owner))
    owner.wait_snapshot(ahead["snapshotName"])
    owner.server.admin("/_localshift/time-travel?seconds=-172800")

    def new_snapshots() -> list[dict]:
        return [s for s in snapshots_of(owner) if s["snapshotName"] != ahead["snapshotName"]]

    assert travel_until(owner.server, 1900, new_snapshots, steps=4)
    snapshots = new_snapshots()
    assert snapshots[0]["snapshotName"].startswith("hourly-")
    owner.wait_snapshot(snapshots[0]["snapshotName"])


def test_aws_cli(owner):
    owner.namespace("ns1")
    cli = {"service": "redshift-serverless"}
    created = aws_cli(owner.server, "create-scheduled-action", "--scheduled-action-name", "cli-snap",
                      "--namespace-name", "ns1", "--role-arn", ROLE, "--schedule", "cron=(0 23 * * ? *)",
                      "--target-action", json.dumps(target("cli")), **cli)["scheduledAction"]
    assert (created["state"], created["targetAction"]) == ("ACTIVE", target("cli"))
    listed = aws_cli(owner.server, "list-scheduled-actions", "--namespace-name", "ns1", **cli)["scheduledActions"]
    assert listed == [{"scheduledActionName": "cli-snap", "namespaceName": "ns1"}]
    aws_cli(owner.server, "delete-scheduled-action", "--scheduled-action-name", "cli-snap", **cli)
    assert owner.list_scheduled_actions()["scheduledActions"] == []
