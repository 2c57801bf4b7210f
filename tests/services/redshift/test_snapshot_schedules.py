"""Snapshot schedules through boto3: CRUD, validation, tags, paging, associations, and automated snapshots
taken at the schedule's times (moved along with time travel)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, create_available_cluster, create_available_snapshot, wait_for

SCHEDULE_ARN = f"arn:aws:redshift:us-east-1:{OWNER}:snapshotschedule:nightly"
# How long after its time a scheduled snapshot may be stamped: the ticker runs every second, but on a
# loaded machine a tick has come over ten seconds late; the schedules tested are hours apart.
TICK_LATENESS = timedelta(minutes=10)


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def fails(call, *args, **kwargs) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return code_of(excinfo)


def schedule(client, name: str) -> dict:  # type: ignore[no-untyped-def]
    return client.describe_snapshot_schedules(ScheduleIdentifier=name)["SnapshotSchedules"][0]


def association(client, name: str, cluster: str) -> str | None:  # type: ignore[no-untyped-def]
    states = {c["ClusterIdentifier"]: c["ScheduleAssociationState"] for c in schedule(client, name)["AssociatedClusters"]}
    return states.get(cluster)


def server_now(ls) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.fromisoformat(json.loads(ls.admin("/_localshift/time-travel?seconds=0"))["now"])


def travel_to(ls, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    ls.admin(f"/_localshift/time-travel?seconds={(moment - server_now(ls)).total_seconds()}")


def automated(client) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]


def test_create_describe_modify_delete(redshift):
    created = redshift.create_snapshot_schedule(
        ScheduleIdentifier="Nightly", ScheduleDefinitions=["cron(30 2 *)"], ScheduleDescription="every night",
        Tags=[{"Key": "team", "Value": "data"}], NextInvocations=3,
    )
    assert created["ScheduleIdentifier"] == "nightly" and created["ScheduleDefinitions"] == ["cron(30 2 *)"]
    assert created["ScheduleDescription"] == "every night" and created["Tags"] == [{"Key": "team", "Value": "data"}]
    assert created["AssociatedClusterCount"] == 0 and created["AssociatedClusters"] == []
    times = created["NextInvocations"]
    assert len(times) == 3 and all((t.hour, t.minute) == (2, 30) for t in times)
    assert [b - a for a, b in zip(times, times[1:])] == [timedelta(days=1)] * 2
    described = schedule(redshift, "nightly")
    assert described["NextInvocations"][:3] == times and len(described["NextInvocations"]) == 10

    modified = redshift.modify_snapshot_schedule(ScheduleIdentifier="nightly",
                                                 ScheduleDefinitions=["rate(12 hours)", "cron(0 6 SAT)"])
    assert modified["ScheduleDefinitions"] == ["rate(12 hours)", "cron(0 6 SAT)"]
    assert {(t.hour, t.minute) for t in modified["NextInvocations"]} <= {(0, 0), (12, 0), (6, 0)}
    assert schedule(redshift, "nightly")["ScheduleDefinitions"] == ["rate(12 hours)", "cron(0 6 SAT)"]

    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="nightly",
                 ScheduleDefinitions=["rate(2 hours)"]) == ("SnapshotScheduleAlreadyExists", 400)
    redshift.delete_snapshot_schedule(ScheduleIdentifier="nightly")
    assert redshift.describe_snapshot_schedules(ScheduleIdentifier="nightly")["SnapshotSchedules"] == []
    assert redshift.describe_tags(ResourceType="snapshotschedule")["TaggedResources"] == []
    for call, params in ((redshift.delete_snapshot_schedule, {}),
                         (redshift.modify_snapshot_schedule, {"ScheduleDefinitions": ["rate(1 hour)"]})):
        assert fails(call, ScheduleIdentifier="nightly", **params) == ("SnapshotScheduleNotFound", 400)


def test_definitions_are_checked_as_redshift_checks_them(redshift):
    good = ["rate(1 hour)", "rate(24 hours)", "rate(90 minutes)", "cron(15 15/2 *)", "cron(0 17 SAT,SUN)",
            "cron(0 9,17 MON-FRI)", "cron(0 12 L * ? *)", "cron(0 12 ? * 6#3 *)", "cron(0 0 1 JAN ? 2099)"]
    for number, definition in enumerate(good):
        redshift.create_snapshot_schedule(ScheduleIdentifier=f"good{number}", ScheduleDefinitions=[definition])
    bad = [
        ["rate(30 minutes)"],  # more often than once an hour
        ["rate(25 hours)"],  # less often than once a day
        ["rate(2 days)"], ["cron(* 1 *)"], ["cron(0 1 *)", "cron(30 1 *)"],  # together under an hour apart
        ["cron(0 12 * * * *)"],  # both day fields
        ["cron(0 0 1 1 ? 2000)"],  # never again
        ["cron(60 1 *)"], ["cron(0 24 *)"], ["cron(0 1 8)"], ["cron(0 5-1 *)"], ["cron(0 1)"], ["every day"],
        [",".join(["cron(0 " + ",".join(str(h) for h in range(25)) + " *)"])],  # 25 values
        [],
    ]
    for definitions in bad:
        assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="bad",
                     ScheduleDefinitions=definitions) == ("InvalidSchedule", 400), definitions
    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="bad",
                 ScheduleDefinitions=["at(2030-01-01T00:00:00)"]) == ("ScheduleDefinitionTypeUnsupported", 400)
    assert fails(redshift.modify_snapshot_schedule, ScheduleIdentifier="good0",
                 ScheduleDefinitions=["rate(10 minutes)"]) == ("InvalidSchedule", 400)
    assert schedule(redshift, "good0")["ScheduleDefinitions"] == ["rate(1 hour)"]
    for name in ("1abc", "a--b", "ends-", "has_underscore", "x" * 256):
        assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier=name,
                     ScheduleDefinitions=["rate(1 hour)"]) == ("InvalidParameterValue", 400), name
    assert fails(redshift.create_snapshot_schedule, ScheduleDefinitions=["rate(1 hour)"]) == ("MissingParameter", 400)
    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="n", ScheduleDefinitions=["rate(1 hour)"],
                 NextInvocations=0) == ("InvalidParameterValue", 400)
    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="t", ScheduleDefinitions=["rate(1 hour)"],
                 Tags=[{"Key": "aws:x", "Value": "v"}]) == ("InvalidTagFault", 400)
    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="t", ScheduleDefinitions=["rate(1 hour)"],
                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)]) == ("TagLimitExceededFault", 400)


def test_dry_run_checks_and_shows_but_keeps_nothing(redshift):
    shown = redshift.create_snapshot_schedule(ScheduleIdentifier="trial", ScheduleDefinitions=["rate(6 hours)"],
                                              DryRun=True, NextInvocations=4)
    assert shown["ScheduleIdentifier"] == "trial" and len(shown["NextInvocations"]) == 4
    assert [t.hour % 6 for t in shown["NextInvocations"]] == [0] * 4
    assert redshift.describe_snapshot_schedules()["SnapshotSchedules"] == []
    assert fails(redshift.create_snapshot_schedule, ScheduleIdentifier="trial", ScheduleDefinitions=["rate(6 minutes)"],
                 DryRun=True) == ("InvalidSchedule", 400)


def test_quota(ls):
    client = ls.client(OWNER)
    for number in range(100):
        client.create_snapshot_schedule(ScheduleIdentifier=f"s{number}", ScheduleDefinitions=["rate(1 hour)"])
    assert fails(client.create_snapshot_schedule, ScheduleIdentifier="one-more",
                 ScheduleDefinitions=["rate(1 hour)"]) == ("SnapshotScheduleQuotaExceeded", 400)
    # Another account has its own quota, and sees none of these.
    other = ls.client(STRANGER)
    assert other.describe_snapshot_schedules()["SnapshotSchedules"] == []
    other.create_snapshot_schedule(ScheduleIdentifier="s0", ScheduleDefinitions=["rate(1 hour)"])
    # Paging: Marker/MaxRecords, and botocore's paginator.
    first = client.describe_snapshot_schedules(MaxRecords=20)
    assert len(first["SnapshotSchedules"]) == 20 and first["Marker"]
    second = client.describe_snapshot_schedules(MaxRecords=20, Marker=first["Marker"])
    assert second["SnapshotSchedules"][0]["ScheduleIdentifier"] == "s20"
    pages = client.get_paginator("describe_snapshot_schedules").paginate(PaginationConfig={"PageSize": 30})
    names = [s["ScheduleIdentifier"] for page in pages for s in page["SnapshotSchedules"]]
    assert names == [f"s{number}" for number in range(100)]
    assert fails(client.describe_snapshot_schedules, MaxRecords=10) == ("InvalidParameterValue", 400)
    assert fails(client.describe_snapshot_schedules, Marker="garbage") == ("InvalidParameterValue", 400)


def test_tags_filter_and_tag_operations(redshift):
    redshift.create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["rate(1 hour)"],
                                      Tags=[{"Key": "env", "Value": "prod"}])
    redshift.create_snapshot_schedule(ScheduleIdentifier="weekly", ScheduleDefinitions=["cron(0 1 SUN)"])
    redshift.create_tags(ResourceName=SCHEDULE_ARN.replace("nightly", "weekly"), Tags=[{"Key": "env", "Value": "dev"}])
    by_key = redshift.describe_snapshot_schedules(TagKeys=["env"])["SnapshotSchedules"]
    assert [s["ScheduleIdentifier"] for s in by_key] == ["nightly", "weekly"]
    by_value = redshift.describe_snapshot_schedules(TagValues=["dev"])["SnapshotSchedules"]
    assert [(s["ScheduleIdentifier"], s["Tags"]) for s in by_value] == [("weekly", [{"Key": "env", "Value": "dev"}])]
    tagged = redshift.describe_tags(ResourceType="snapshotschedule")["TaggedResources"]
    assert [(t["ResourceName"], t["ResourceType"], t["Tag"]["Value"]) for t in tagged] == [
        (SCHEDULE_ARN, "snapshotschedule", "prod"), (SCHEDULE_ARN.replace("nightly", "weekly"), "snapshotschedule", "dev")]
    redshift.delete_tags(ResourceName=SCHEDULE_ARN, TagKeys=["env"])
    assert schedule(redshift, "nightly")["Tags"] == []
    assert fails(redshift.create_tags, ResourceName=SCHEDULE_ARN.replace("nightly", "missing"),
                 Tags=[{"Key": "k", "Value": "v"}]) == ("ResourceNotFoundFault", 404)
    # Deleting the schedule deletes its tags.
    redshift.delete_snapshot_schedule(ScheduleIdentifier="weekly")
    assert redshift.describe_tags(ResourceType="snapshotschedule")["TaggedResources"] == []


def test_associations_go_from_modifying_to_active_and_show_on_the_cluster(redshift):
    redshift.create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["cron(0 3 *)"])
    redshift.create_snapshot_schedule(ScheduleIdentifier="hourly", ScheduleDefinitions=["rate(1 hour)"])
    create_available_cluster(redshift)
    create_available_cluster(redshift, "c2")
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", ScheduleIdentifier="nightly")
    assert association(redshift, "nightly", "c1") in ("MODIFYING", "ACTIVE")
    wait_for(lambda: association(redshift, "nightly", "c1") == "ACTIVE")
    cluster = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert cluster["SnapshotScheduleIdentifier"] == "nightly" and cluster["SnapshotScheduleState"] == "ACTIVE"
    expected = cluster["ExpectedNextSnapshotScheduleTime"]
    assert (expected.hour, expected.minute) == (3, 0) and cluster["ExpectedNextSnapshotScheduleTimeStatus"] == "OnTrack"
    assert expected == schedule(redshift, "nightly")["NextInvocations"][0]
    assert "SnapshotScheduleState" not in redshift.describe_clusters(ClusterIdentifier="c2")["Clusters"][0]

    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c2", ScheduleIdentifier="nightly")
    wait_for(lambda: association(redshift, "nightly", "c2") == "ACTIVE")
    listed = schedule(redshift, "nightly")
    assert listed["AssociatedClusterCount"] == 2
    assert redshift.describe_snapshot_schedules(ClusterIdentifier="c2")["SnapshotSchedules"][0]["ScheduleIdentifier"] \
        == "nightly"
    assert redshift.describe_snapshot_schedules(ClusterIdentifier="missing")["SnapshotSchedules"] == []
    assert redshift.describe_snapshot_schedules(ClusterIdentifier="c2", ScheduleIdentifier="hourly")[
        "SnapshotSchedules"] == []

    # A schedule with clusters cannot be deleted; modifying it updates them (MODIFYING, then ACTIVE).
    assert fails(redshift.delete_snapshot_schedule, ScheduleIdentifier="nightly") == (
        "InvalidClusterSnapshotScheduleState", 400)
    redshift.modify_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["cron(0 4 *)"])
    wait_for(lambda: association(redshift, "nightly", "c1") == "ACTIVE")
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ExpectedNextSnapshotScheduleTime"].hour == 4

    # Moving c2 to another schedule; then disassociating both.
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c2", ScheduleIdentifier="hourly")
    wait_for(lambda: association(redshift, "hourly", "c2") == "ACTIVE")
    assert association(redshift, "nightly", "c2") is None
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c2", DisassociateSchedule=True)
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", ScheduleIdentifier="nightly",
                                              DisassociateSchedule=True)
    wait_for(lambda: schedule(redshift, "nightly")["AssociatedClusterCount"] == 0
             and schedule(redshift, "hourly")["AssociatedClusterCount"] == 0)
    cluster = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert "SnapshotScheduleIdentifier" not in cluster and "ExpectedNextSnapshotScheduleTime" not in cluster
    redshift.delete_snapshot_schedule(ScheduleIdentifier="nightly")


def test_association_errors(redshift):
    redshift.create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["cron(0 3 *)"])
    redshift.create_snapshot_schedule(ScheduleIdentifier="other", ScheduleDefinitions=["cron(0 5 *)"])
    create_available_cluster(redshift)
    assert fails(redshift.modify_cluster_snapshot_schedule, ClusterIdentifier="missing",
                 ScheduleIdentifier="nightly") == ("ClusterNotFound", 404)
    assert fails(redshift.modify_cluster_snapshot_schedule, ClusterIdentifier="c1",
                 ScheduleIdentifier="missing") == ("SnapshotScheduleNotFound", 400)
    assert fails(redshift.modify_cluster_snapshot_schedule, ClusterIdentifier="c1") == (
        "InvalidParameterCombination", 400)
    assert fails(redshift.modify_cluster_snapshot_schedule, ClusterIdentifier="c1", DisassociateSchedule=True) == (
        "InvalidClusterSnapshotScheduleState", 400)
    with pytest.raises(ClientError) as caught:
        redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", DisassociateSchedule=True)
    assert caught.value.response["Error"]["Message"] == "Cluster c1 is not associated with any snapshot schedule."
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", ScheduleIdentifier="nightly")
    wait_for(lambda: association(redshift, "nightly", "c1") == "ACTIVE")
    assert fails(redshift.modify_cluster_snapshot_schedule, ClusterIdentifier="c1", ScheduleIdentifier="other",
                 DisassociateSchedule=True) == ("InvalidClusterSnapshotScheduleState", 400)
    assert fails(redshift.create_cluster, ClusterIdentifier="c9", NodeType="ra3.xlplus", NumberOfNodes=2,
                 MasterUsername="admin", MasterUserPassword="Passw0rd1",
                 SnapshotScheduleIdentifier="missing") == ("SnapshotScheduleNotFound", 400)


def test_new_and_restored_clusters_can_name_a_schedule(redshift, ls):
    redshift.create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["cron(0 3 *)"])
    create_available_cluster(redshift, SnapshotScheduleIdentifier="nightly")
    wait_for(lambda: association(redshift, "nightly", "c1") == "ACTIVE")
    create_available_snapshot(redshift)
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1",
                                           SnapshotScheduleIdentifier="nightly")
    wait_for(lambda: association(redshift, "nightly", "r1") == "ACTIVE")
    redshift.get_waiter("cluster_restored").wait(ClusterIdentifier="r1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    assert fails(redshift.restore_from_cluster_snapshot, ClusterIdentifier="r2", SnapshotIdentifier="s1",
                 SnapshotScheduleIdentifier="missing") == ("SnapshotScheduleNotFound", 400)
    # A schedule of another account is not found.
    stranger = ls.client(STRANGER)
    assert fails(stranger.create_cluster, ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                 MasterUsername="admin", MasterUserPassword="Passw0rd1",
                 SnapshotScheduleIdentifier="nightly") == ("SnapshotScheduleNotFound", 400)
    assert fails(stranger.modify_snapshot_schedule, ScheduleIdentifier="nightly",
                 ScheduleDefinitions=["rate(1 hour)"]) == ("SnapshotScheduleNotFound", 400)
    # A deleted cluster leaves its schedule.
    redshift.delete_cluster(ClusterIdentifier="r1", SkipFinalClusterSnapshot=True)
    redshift.get_waiter("cluster_deleted").wait(ClusterIdentifier="r1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    assert [c["ClusterIdentifier"] for c in schedule(redshift, "nightly")["AssociatedClusters"]] == ["c1"]


def test_a_schedule_takes_automated_snapshots_at_its_times(redshift, ls):
    # Every two hours on the hour (UTC): no snapshot at once, as on the default interval.
    redshift.create_snapshot_schedule(ScheduleIdentifier="even", ScheduleDefinitions=["cron(0 */2 *)"])
    create_available_cluster(redshift, SnapshotScheduleIdentifier="even")
    wait_for(lambda: association(redshift, "even", "c1") == "ACTIVE")
    first = schedule(redshift, "even")["NextInvocations"][0]
    assert first.minute == 0 and first.hour % 2 == 0
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ExpectedNextSnapshotScheduleTime"] == first
    assert automated(redshift) == []

    travel_to(ls, first - timedelta(minutes=1))
    travel_to(ls, first + timedelta(seconds=30))
    taken = wait_for(lambda: automated(redshift))
    assert len(taken) == 1
    # Taken at the scheduled time, not before (the clock passed first - 1 minute on the way), at the first
    # tick after it: well within the ten minutes allowed however loaded the machine, and hours before the next.
    assert first <= taken[0]["SnapshotCreateTime"] <= first + TICK_LATENESS
    assert taken[0]["SnapshotIdentifier"].startswith(f"rs:c1-{first:%Y-%m-%d-%H-%M}")

    second = first + timedelta(hours=2)
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ExpectedNextSnapshotScheduleTime"] == second
    travel_to(ls, second + timedelta(seconds=30))
    wait_for(lambda: len(automated(redshift)) == 2)
    assert second <= automated(redshift)[1]["SnapshotCreateTime"] <= second + TICK_LATENESS

    # Back on the default interval once disassociated: no snapshot at the schedule's next time.
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", DisassociateSchedule=True)
    wait_for(lambda: schedule(redshift, "even")["AssociatedClusterCount"] == 0)
    travel_to(ls, second + timedelta(hours=2, seconds=30))
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="c1", ScheduleIdentifier="even")
    wait_for(lambda: association(redshift, "even", "c1") == "ACTIVE")  # a tick has run meanwhile
    assert len(automated(redshift)) == 2


def test_time_travel_back_brings_the_next_scheduled_snapshot_back(redshift, ls):
    redshift.create_snapshot_schedule(ScheduleIdentifier="hourly", ScheduleDefinitions=["rate(1 hour)"])
    create_available_cluster(redshift, SnapshotScheduleIdentifier="hourly")
    wait_for(lambda: association(redshift, "hourly", "c1") == "ACTIVE")
    later = schedule(redshift, "hourly")["NextInvocations"][0] + timedelta(days=3)
    travel_to(ls, later + timedelta(seconds=30))
    wait_for(lambda: len(automated(redshift)) == 1)

    def expected_next() -> datetime:
        return redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ExpectedNextSnapshotScheduleTime"]

    assert expected_next() == later + timedelta(hours=1)
    # Two days back: the schedule's next time is two days earlier, and so is the cluster's next snapshot (it is
    # not held back until the clock reaches the time counted from the later clock).
    travel_to(ls, later - timedelta(days=2, minutes=30))
    upcoming = schedule(redshift, "hourly")["NextInvocations"][0]
    assert upcoming == later - timedelta(days=2)
    wait_for(lambda: expected_next() == upcoming)
    travel_to(ls, upcoming + timedelta(seconds=30))
    wait_for(lambda: len(automated(redshift)) == 2)


def test_snapshots_at_the_times_of_several_definitions(redshift, ls):
    # Two definitions together: 01:00 and 13:30 every day.
    redshift.create_snapshot_schedule(ScheduleIdentifier="twice", ScheduleDefinitions=["cron(0 1 *)", "cron(30 13 *)"])
    times = schedule(redshift, "twice")["NextInvocations"]
    assert {(t.hour, t.minute) for t in times} == {(1, 0), (13, 30)} and times == sorted(times)
    create_available_cluster(redshift, SnapshotScheduleIdentifier="twice")
    wait_for(lambda: association(redshift, "twice", "c1") == "ACTIVE")
    for count, moment in enumerate(times[:2], start=1):
        travel_to(ls, moment + timedelta(seconds=20))
        wait_for(lambda: len(automated(redshift)) == count)
        assert moment <= automated(redshift)[-1]["SnapshotCreateTime"] <= moment + TICK_LATENESS


def test_next_invocations_are_utc_and_in_order(redshift):
    shown = redshift.create_snapshot_schedule(ScheduleIdentifier="weekend", ScheduleDefinitions=["cron(0 17 SAT,SUN)"],
                                              NextInvocations=6)["NextInvocations"]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in shown)
    assert [t.strftime("%a %H:%M") for t in shown] == ["Sat 17:00", "Sun 17:00"] * 3 or \
        [t.strftime("%a %H:%M") for t in shown] == ["Sun 17:00", "Sat 17:00"] * 3
    assert shown == sorted(shown) and shown[0] > datetime.now(timezone.utc)
