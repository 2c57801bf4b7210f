"""Provisioned scheduled actions: created, validated, described with filters and pages, modified,
deleted; and run by the scheduler when due (time travel), failures kept."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Iterator

import psycopg
import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, Server, aws_cli, create_available_cluster, make_server, travel_until, wait_for

ROLE = f"arn:aws:iam::{OWNER}:role/scheduler"
DAILY = "cron(0 23 * * ? *)"


def error(call, **params) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def server_now(ls) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.fromisoformat(json.loads(ls.admin("/_localshift/time-travel?seconds=0"))["now"])


def at(moment: datetime) -> str:
    return f"at({moment:%Y-%m-%dT%H:%M:%S})"


def action(redshift, name="pause-nightly", target=None, schedule=DAILY, **extra):  # type: ignore[no-untyped-def]
    return redshift.create_scheduled_action(
        ScheduledActionName=name, TargetAction=target or {"PauseCluster": {"ClusterIdentifier": "c1"}},
        Schedule=schedule, IamRole=ROLE, **extra)


def test_create_and_describe(redshift):
    create_available_cluster(redshift)
    created = action(redshift, ScheduledActionDescription="pause at night")
    created.pop("ResponseMetadata")
    assert created["ScheduledActionName"] == "pause-nightly"
    assert created["TargetAction"] == {"PauseCluster": {"ClusterIdentifier": "c1"}}
    assert (created["Schedule"], created["IamRole"], created["State"]) == (DAILY, ROLE, "ACTIVE")
    assert created["ScheduledActionDescription"] == "pause at night"
    times = created["NextInvocations"]
    assert len(times) == 10 and all(t.hour == 23 and t.minute == 0 for t in times)
    assert all(later - earlier == timedelta(days=1) for earlier, later in zip(times, times[1:]))
    described = redshift.describe_scheduled_actions(ScheduledActionName="pause-nightly")["ScheduledActions"]
    assert described == [created]


def test_schedule_window_bounds_next_invocations(redshift, ls):
    create_available_cluster(redshift)
    now = server_now(ls)
    start, end = now + timedelta(days=2), now + timedelta(days=5)
    created = action(redshift, StartTime=start, EndTime=end)
    assert all(start <= t <= end for t in created["NextInvocations"]) and len(created["NextInvocations"]) == 3
    once = action(redshift, "once", schedule=at(now + timedelta(days=3)))
    assert once["NextInvocations"] == [(now + timedelta(days=3)).replace(microsecond=0)]


@pytest.mark.parametrize("schedule", [
    "rate(1 hour)", "cron(0 23 * * *)", "cron(0 23 * * MON *)", "cron(0/30 * * * ? *)", "cron(61 1 * * ? *)",
    "at(2020-01-01T00:00:00)", "at(2999-02-30T00:00:00)", "every day",
    " cron(0 10 * * ? *)", "cron(0 10 * * ? *) ", "at(2999-01-01T00:00:00)\n",
])
def test_invalid_schedules(redshift, schedule):
    create_available_cluster(redshift)
    code, status, message = error(action, redshift=redshift, schedule=schedule)
    assert (code, status) == ("InvalidSchedule", 400) and schedule in message


def test_invalid_actions(redshift):
    create_available_cluster(redshift)
    pause = {"PauseCluster": {"ClusterIdentifier": "c1"}}
    both = {**pause, "ResumeCluster": {"ClusterIdentifier": "c1"}}
    assert error(action, redshift=redshift, target=both)[:2] == ("InvalidScheduledAction", 400)
    assert error(action, redshift=redshift, target={"PauseCluster": {"ClusterIdentifier": "nope"}})[:2] == (
        "ClusterNotFound", 404)
    assert error(action, redshift=redshift, name="bad_name")[0] == "InvalidScheduledAction"
    assert error(action, redshift=redshift, target={"ResizeCluster": {"ClusterIdentifier": "c1"}})[0] == (
        "InvalidScheduledAction")
    classic = {"ResizeCluster": {"ClusterIdentifier": "c1", "NumberOfNodes": 4, "Classic": True}}
    assert error(action, redshift=redshift, target=classic)[0] == "ScheduledActionTypeUnsupported"
    huge = {"ResizeCluster": {"ClusterIdentifier": "c1", "NodeType": "ra3.xlplus", "NumberOfNodes": 99}}
    assert error(action, redshift=redshift, target=huge)[0] == "NumberOfNodesPerClusterLimitExceeded"
    assert error(action, redshift=redshift, target={"ResizeCluster": {"ClusterIdentifier": "c1", "NodeType": "x"}})[
        0] == "InvalidParameterValue"
    start = datetime(2030, 1, 2, tzinfo=timezone.utc)
    assert error(action, redshift=redshift, StartTime=start, EndTime=start)[0] == "InvalidScheduledAction"
    assert error(redshift.create_scheduled_action, ScheduledActionName="a1", TargetAction=pause, Schedule=DAILY,
                 IamRole="not-a-role")[0] == "InvalidParameterValue"
    assert error(redshift.create_scheduled_action, ScheduledActionName="a1", TargetAction=pause, Schedule=DAILY,
                 IamRole=f"arn:aws:iam::{GRANTEE}:role/theirs")[0] == "UnauthorizedOperation"
    action(redshift)
    assert error(action, redshift=redshift)[:2] == ("ScheduledActionAlreadyExists", 400)
    assert redshift.describe_scheduled_actions()["ScheduledActions"][0]["ScheduledActionName"] == "pause-nightly"


def test_describe_filters_and_pages(redshift, ls):
    create_available_cluster(redshift, "c1")
    create_available_cluster(redshift, "c2")
    other_role = f"arn:aws:iam::{OWNER}:role/other"
    action(redshift, "a-pause")
    action(redshift, "a-resume", target={"ResumeCluster": {"ClusterIdentifier": "c2"}}, Enable=False)
    redshift.create_scheduled_action(
        ScheduledActionName="a-resize", Schedule=DAILY, IamRole=other_role,
        TargetAction={"ResizeCluster": {"ClusterIdentifier": "c2", "NumberOfNodes": 4}},
        StartTime=server_now(ls) + timedelta(days=30))

    def names(**params):  # type: ignore[no-untyped-def]
        return sorted(a["ScheduledActionName"] for a in redshift.describe_scheduled_actions(**params)["ScheduledActions"])

    assert names() == ["a-pause", "a-resize", "a-resume"]
    assert names(TargetActionType="ResizeCluster") == ["a-resize"]
    assert names(Active=False) == ["a-resume"] and names(Active=True) == ["a-pause", "a-resize"]
    assert names(Filters=[{"Name": "cluster-identifier", "Values": ["c2"]}]) == ["a-resize", "a-resume"]
    assert names(Filters=[{"Name": "iam-role", "Values": [other_role]}]) == ["a-resize"]
    soon = server_now(ls)
    assert names(StartTime=soon, EndTime=soon + timedelta(days=2)) == ["a-pause"]
    assert names(StartTime=soon + timedelta(days=29)) == ["a-pause", "a-resize"]
    assert error(redshift.describe_scheduled_actions, ScheduledActionName="nope")[:2] == ("ScheduledActionNotFound", 400)
    assert error(redshift.describe_scheduled_actions, MaxRecords=5)[0] == "InvalidParameterValue"
    for index in range(22):
        action(redshift, f"p-{index:02d}")
    pages = list(redshift.get_paginator("describe_scheduled_actions").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(page["ScheduledActions"]) for page in pages] == [20, 5]
    assert len({a["ScheduledActionName"] for page in pages for a in page["ScheduledActions"]}) == 25


def test_modify_and_delete(redshift):
    create_available_cluster(redshift)
    action(redshift)
    disabled = redshift.modify_scheduled_action(ScheduledActionName="pause-nightly", Enable=False,
                                                Schedule="cron(30 6 ? * MON-FRI *)")
    assert (disabled["State"], disabled["NextInvocations"], disabled["Schedule"]) == (
        "DISABLED", [], "cron(30 6 ? * MON-FRI *)")
    enabled = redshift.modify_scheduled_action(ScheduledActionName="pause-nightly", Enable=True,
                                               TargetAction={"ResumeCluster": {"ClusterIdentifier": "c1"}})
    assert enabled["State"] == "ACTIVE" and enabled["TargetAction"] == {"ResumeCluster": {"ClusterIdentifier": "c1"}}
    assert all(t.weekday() < 5 and (t.hour, t.minute) == (6, 30) for t in enabled["NextInvocations"])
    assert error(redshift.modify_scheduled_action, ScheduledActionName="pause-nightly", Schedule="cron(bad)")[0] == (
        "InvalidSchedule")
    assert error(redshift.modify_scheduled_action, ScheduledActionName="nope", Enable=False)[0] == (
        "ScheduledActionNotFound")
    redshift.delete_scheduled_action(ScheduledActionName="pause-nightly")
    assert redshift.describe_scheduled_actions()["ScheduledActions"] == []
    assert error(redshift.delete_scheduled_action, ScheduledActionName="pause-nightly")[:2] == (
        "ScheduledActionNotFound", 400)


def test_quota(redshift):
    create_available_cluster(redshift)
    for index in range(200):
        action(redshift, f"a-{index}")
    assert error(action, redshift=redshift, name="one-more")[:2] == ("ScheduledActionQuotaExceeded", 400)


def status(redshift, identifier="c1") -> str:  # type: ignore[no-untyped-def]
    return redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]["ClusterStatus"]


def test_actions_run_when_due(redshift, ls):
    create_available_cluster(redshift)
    now = server_now(ls)
    action(redshift, "pause", schedule=at(now + timedelta(hours=2)))
    action(redshift, "resume", target={"ResumeCluster": {"ClusterIdentifier": "c1"}},
           schedule=at(now + timedelta(hours=4)))
    ls.admin("/_localshift/time-travel?seconds=9000")
    wait_for(lambda: status(redshift) == "paused")
    paused = redshift.describe_scheduled_actions(ScheduledActionName="pause")["ScheduledActions"][0]
    assert paused["NextInvocations"] == []  # a one-time action has run
    ls.admin("/_localshift/time-travel?seconds=7200")
    wait_for(lambda: status(redshift) == "available")


def test_a_scheduled_resize_changes_the_nodes(redshift, ls):
    create_available_cluster(redshift)
    action(redshift, "grow", target={"ResizeCluster": {"ClusterIdentifier": "c1", "NumberOfNodes": 4}},
           schedule=at(server_now(ls) + timedelta(hours=2)))
    ls.admin("/_localshift/time-travel?seconds=7300")
    wait_for(lambda: redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["NumberOfNodes"] == 4)
    wait_for(lambda: status(redshift) == "available")


def test_a_failed_run_is_kept_and_the_action_goes_on(redshift, ls):
    create_available_cluster(redshift)
    # Resuming an available cluster fails: the failure is kept, the next invocation still comes.
    action(redshift, "resume", target={"ResumeCluster": {"ClusterIdentifier": "c1"}}, schedule="cron(0 * * * ? *)")
    ls.admin("/_localshift/time-travel?seconds=3700")

    def failures() -> list[dict]:
        return redshift.describe_events(SourceType="scheduled-action", SourceIdentifier="resume",
                                        Duration=120)["Events"]

    [event] = wait_for(failures)
    assert event["Message"].startswith("Scheduled action resume failed to run ResumeCluster")
    assert event["Severity"] == "ERROR"
    assert status(redshift) == "available"


def test_time_travel_back_brings_the_next_run_back(redshift, ls):
    """An hourly action run two days ahead keeps running hourly once the clock is moved back: its next run,
    counted from the later clock, comes back to the schedule's next hour."""
    create_available_cluster(redshift)
    action(redshift, "resume", target={"ResumeCluster": {"ClusterIdentifier": "c1"}}, schedule="cron(0 * * * ? *)")

    def failures_within(minutes: int) -> list[dict]:
        now = server_now(ls)
        return redshift.describe_events(SourceType="scheduled-action", SourceIdentifier="resume",
                                        StartTime=now - timedelta(minutes=minutes), EndTime=now)["Events"]

    ls.admin("/_localshift/time-travel?seconds=172800")
    wait_for(lambda: failures_within(70))  # it ran two days ahead (resuming an available cluster fails)
    ls.admin("/_localshift/time-travel?seconds=-172800")
    assert travel_until(ls, 1900, lambda: failures_within(65), steps=4)
    assert failures_within(65)[0]["Message"].startswith("Scheduled action resume failed to run ResumeCluster")


@pytest.fixture(scope="module")
def engines_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The one server of this module with real engines: pause and resume stop and start them."""
    server = make_server(tmp_path_factory.mktemp("scheduled-engines"), data_plane=True).start()
    yield server
    server.close()


def sql(endpoint: dict) -> psycopg.Connection:
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user="admin", password="Passw0rd1",
                           dbname="dev", connect_timeout=30, autocommit=True)


def test_scheduled_pause_and_resume_stop_and_start_the_engine(engines_server):
    redshift = engines_server.client(OWNER)
    endpoint = create_available_cluster(redshift)["Endpoint"]
    with sql(endpoint) as connection:
        connection.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    now = server_now(engines_server)
    action(redshift, "pause", schedule=at(now + timedelta(hours=1)))
    action(redshift, "resume", target={"ResumeCluster": {"ClusterIdentifier": "c1"}},
           schedule=at(now + timedelta(hours=2)))
    engines_server.admin("/_localshift/time-travel?seconds=3700")
    wait_for(lambda: status(redshift) == "paused", timeout=120)
    with pytest.raises(psycopg.OperationalError):
        sql(endpoint).close()
    engines_server.admin("/_localshift/time-travel?seconds=3600")
    wait_for(lambda: status(redshift) == "available", timeout=120)
    endpoint = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["Endpoint"]
    with sql(endpoint) as connection:
        assert connection.execute("SELECT n FROM kept").fetchall() == [(42,)]


def test_aws_cli(ls, redshift):
    create_available_cluster(redshift)
    target = json.dumps({"ResumeCluster": {"ClusterIdentifier": "c1"}})
    created = aws_cli(ls, "create-scheduled-action", "--scheduled-action-name", "cli-resume", "--target-action", target,
                      "--schedule", DAILY, "--iam-role", ROLE, "--no-enable")
    assert (created["State"], created["TargetAction"]) == ("DISABLED", json.loads(target))
    listed = aws_cli(ls, "describe-scheduled-actions", "--filters", "Name=cluster-identifier,Values=c1")
    assert [a["ScheduledActionName"] for a in listed["ScheduledActions"]] == ["cli-resume"]
    aws_cli(ls, "delete-scheduled-action", "--scheduled-action-name", "cli-resume")
    assert redshift.describe_scheduled_actions()["ScheduledActions"] == []
