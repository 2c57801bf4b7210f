"""DescribeEvents and DescribeEventCategories through boto3: Redshift's event ids and messages for the cluster
and snapshot lifecycle, the time window, filters, paging, retention; failures' events in process."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from in_process import World, make_world, wait
from support import OWNER, STRANGER, create_available_cluster, create_available_snapshot
from localshift.store.events import CLUSTER, CLUSTER_SNAPSHOT

DAY = 86400


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def fails(call, **kwargs) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return code_of(excinfo)


def events(client, **filters) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(source type, source identifier, event id) of the events in the window, oldest first."""
    return [(e["SourceType"], e["SourceIdentifier"], e["EventId"]) for e in client.describe_events(**filters)["Events"]]


def test_a_create_snapshot_restore_delete_flow_records_redshifts_events(redshift):
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1")
    redshift.get_waiter("cluster_restored").wait(ClusterIdentifier="r1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    redshift.delete_cluster_snapshot(SnapshotIdentifier="s1")
    redshift.delete_cluster(ClusterIdentifier="c1", FinalClusterSnapshotIdentifier="last")
    redshift.get_waiter("cluster_deleted").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    redshift.delete_cluster(ClusterIdentifier="r1", SkipFinalClusterSnapshot=True)
    redshift.get_waiter("cluster_deleted").wait(ClusterIdentifier="r1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})

    assert events(redshift) == [
        ("cluster", "c1", "REDSHIFT-EVENT-2000"),
        ("cluster-snapshot", "s1", "REDSHIFT-EVENT-2009"),
        ("cluster-snapshot", "s1", "REDSHIFT-EVENT-3004"),
        ("cluster", "r1", "REDSHIFT-EVENT-2008"),
        ("cluster", "r1", "REDSHIFT-EVENT-3003"),
        ("cluster-snapshot", "s1", "REDSHIFT-EVENT-2011"),
        ("cluster-snapshot", "last", "REDSHIFT-EVENT-2012"),
        ("cluster-snapshot", "last", "REDSHIFT-EVENT-3005"),
        ("cluster", "c1", "REDSHIFT-EVENT-2001"),
        ("cluster", "r1", "REDSHIFT-EVENT-2001"),
    ]
    listed = redshift.describe_events()["Events"]
    created, restored, c1_deleted, r1_deleted = listed[0], listed[4], listed[8], listed[9]
    assert created["Message"] == "Your Amazon Redshift cluster: c1 has been created and is ready for use."
    assert created["EventCategories"] == ["management"] and created["Severity"] == "INFO"
    assert started <= created["Date"] <= datetime.now(timezone.utc)
    assert restored["Message"] == ("Amazon Redshift cluster r1 was successfully created from snapshot s1 and is "
                                   "available for use.")
    assert restored["EventCategories"] == ["monitoring"]
    at = c1_deleted["Date"].strftime("%Y-%m-%d %H:%M UTC")
    assert c1_deleted["Message"] == f"Your Amazon Redshift cluster c1 was deleted at {at}. A final snapshot was saved."
    assert r1_deleted["Message"].endswith("A final snapshot was not saved.")
    assert listed[1]["Message"].startswith("A user snapshot s1 for Amazon Redshift Cluster c1 started at ")
    # Events outlive their resources, and belong to their account alone.
    assert events(redshift, SourceType="cluster", SourceIdentifier="c1") == [
        ("cluster", "c1", "REDSHIFT-EVENT-2000"), ("cluster", "c1", "REDSHIFT-EVENT-2001")]
    assert [e[2] for e in events(redshift, SourceType="cluster-snapshot")] == [
        "REDSHIFT-EVENT-2009", "REDSHIFT-EVENT-3004", "REDSHIFT-EVENT-2011", "REDSHIFT-EVENT-2012",
        "REDSHIFT-EVENT-3005"]


def test_pause_resume_modify_and_schedule_events(redshift):
    create_available_cluster(redshift)
    redshift.pause_cluster(ClusterIdentifier="c1")
    wait_status(redshift, "paused")
    redshift.resume_cluster(ClusterIdentifier="c1")
    wait_status(redshift, "available")
    redshift.modify_cluster(ClusterIdentifier="c1", MasterUserPassword="NewPassw0rd")
    wait_status(redshift, "available")
    redshift.modify_cluster(ClusterIdentifier="c1", NewClusterIdentifier="renamed")
    wait_status(redshift, "available", "renamed")
    redshift.create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["cron(0 3 *)"])
    redshift.modify_cluster_snapshot_schedule(ClusterIdentifier="renamed", ScheduleIdentifier="nightly")
    assert [e[1:] for e in events(redshift, SourceType="cluster")] == [
        ("c1", "REDSHIFT-EVENT-2000"),
        ("c1", "REDSHIFT-EVENT-3618"), ("c1", "REDSHIFT-EVENT-3619"),
        ("c1", "REDSHIFT-EVENT-3620"), ("c1", "REDSHIFT-EVENT-3621"),
        ("c1", "REDSHIFT-EVENT-4000"),
        ("renamed", "REDSHIFT-EVENT-2013"),
        ("renamed", "REDSHIFT-EVENT-3540"),
    ]
    messages = [e["Message"] for e in redshift.describe_events(SourceType="cluster")["Events"]]
    assert messages[-1].startswith("The snapshot schedule nightly was associated with your Amazon Redshift cluster "
                                   "renamed at ")
    assert messages[-2].startswith("Cluster renamed to renamed at ")


def wait_status(client, status: str, identifier: str = "c1") -> None:  # type: ignore[no-untyped-def]
    wait(lambda: client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]["ClusterStatus"] == status)


def test_the_window_defaults_to_the_past_hour_and_events_are_kept_14_days(redshift, ls):
    create_available_cluster(redshift)
    created = redshift.describe_events()["Events"][0]["Date"]
    ls.admin(f"/_localshift/time-travel?seconds={2 * 3600}")
    assert redshift.describe_events()["Events"] == []  # the past hour
    assert len(redshift.describe_events(Duration=180)["Events"]) == 1
    assert len(redshift.describe_events(Duration=60)["Events"]) == 0
    window = {"StartTime": created - timedelta(seconds=1), "EndTime": created + timedelta(seconds=1)}
    assert len(redshift.describe_events(**window)["Events"]) == 1
    assert redshift.describe_events(StartTime=created + timedelta(seconds=1))["Events"] == []
    # EndTime alone: the hour before it.
    assert len(redshift.describe_events(EndTime=created + timedelta(minutes=30))["Events"]) == 1
    assert fails(redshift.describe_events, StartTime=created, EndTime=created - timedelta(hours=1)) == (
        "InvalidParameterCombination", 400)
    assert fails(redshift.describe_events, Duration=-1) == ("InvalidParameterValue", 400)
    # Fourteen days later they are gone (the scheduler prunes them).
    ls.admin(f"/_localshift/time-travel?seconds={14 * DAY}")
    wait(lambda: redshift.describe_events(**window)["Events"] == [])


def test_filters_paging_and_accounts(redshift, ls):
    create_available_cluster(redshift)
    # Any well-formed id whose first digit names the default VPC (0) is a group in that VPC.
    for number in range(24):
        redshift.modify_cluster(ClusterIdentifier="c1", VpcSecurityGroupIds=[f"sg-0{number:016x}"])
    assert events(redshift, SourceType="cluster", SourceIdentifier="c1")[-1] == ("cluster", "c1", "REDSHIFT-EVENT-2002")
    first = redshift.describe_events(MaxRecords=20)
    assert len(first["Events"]) == 20 and first["Marker"]
    rest = redshift.describe_events(MaxRecords=20, Marker=first["Marker"])
    assert len(rest["Events"]) == 5 and "Marker" not in rest
    pages = list(redshift.get_paginator("describe_events").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(page["Events"]) for page in pages] == [20, 5]
    assert fails(redshift.describe_events, MaxRecords=101) == ("InvalidParameterValue", 400)
    assert fails(redshift.describe_events, Marker="not-a-marker") == ("InvalidParameterValue", 400)
    assert fails(redshift.describe_events, SourceIdentifier="c1") == ("InvalidParameterCombination", 400)
    assert fails(redshift.describe_events, SourceType="namespace") == ("InvalidParameterValue", 400)
    assert events(redshift, SourceType="cluster", SourceIdentifier="other") == []
    assert events(redshift, SourceType="cluster-parameter-group") == []
    assert ls.client(STRANGER).describe_events()["Events"] == []
    assert ls.client(OWNER, region="eu-west-1").describe_events()["Events"] == []


def test_event_categories_are_redshifts_catalogue(redshift):
    catalogue = redshift.describe_event_categories()["EventCategoriesMapList"]
    assert [entry["SourceType"] for entry in catalogue] == [
        "cluster", "cluster-parameter-group", "cluster-security-group", "cluster-snapshot"]
    snapshot_events = {e["EventId"]: e for e in catalogue[3]["Events"]}
    assert snapshot_events["REDSHIFT-EVENT-3004"] == {
        "EventId": "REDSHIFT-EVENT-3004", "EventCategories": ["monitoring"], "Severity": "INFO",
        "EventDescription": "The user snapshot <snapshot name> for your Amazon Redshift cluster <cluster name> "
                            "completed successfully at <time in UTC>.",
    }
    assert snapshot_events["REDSHIFT-EVENT-3503"]["Severity"] == "ERROR"
    cluster_events = {e["EventId"]: e for e in catalogue[0]["Events"]}
    assert cluster_events["REDSHIFT-EVENT-2000"]["EventDescription"] == (
        "Your Amazon Redshift cluster: <cluster name> has been created and is ready for use.")
    assert cluster_events["REDSHIFT-EVENT-2001"]["EventDescription"].endswith("A final snapshot <was / was not> saved.")
    only = redshift.describe_event_categories(SourceType="cluster-parameter-group")["EventCategoriesMapList"]
    assert [entry["SourceType"] for entry in only] == ["cluster-parameter-group"]
    assert [e["EventId"] for e in only[0]["Events"]] == [f"REDSHIFT-EVENT-{n}" for n in (1002, 1003, 1004, 1005)]
    assert redshift.describe_event_categories(SourceType="scheduled-action")["EventCategoriesMapList"] == []
    assert fails(redshift.describe_event_categories, SourceType="bogus") == ("InvalidParameterValue", 400)


# --- failures, in process (a data plane told to fail) ---------------------------------------------


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path)
    yield instance
    instance.close()


def kept(world: World, source_type: str, identifier: str) -> list[tuple[str | None, str, str | None]]:
    return [(e.event_id, e.severity, e.source_arn)
            for e in world.redshift.events.of_source(OWNER, "us-east-1", source_type, identifier)]


def test_failures_keep_their_reason_under_redshifts_id(world):
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("s1")["Status"] == "available")
    world.dataplane.failing.update({"create_snapshot", "restore_snapshot"})
    world.call("CreateClusterSnapshot", SnapshotIdentifier="broken", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("broken")["Status"] == "failed")
    arn = "arn:aws:redshift:us-east-1:111111111111:snapshot:c1/broken"
    assert kept(world, CLUSTER_SNAPSHOT, "broken") == [
        ("REDSHIFT-EVENT-2009", "INFO", arn), ("REDSHIFT-EVENT-3503", "ERROR", arn)]
    world.call("RestoreFromClusterSnapshot", ClusterIdentifier="r1", SnapshotIdentifier="s1")
    wait(lambda: world.cluster("r1")["ClusterStatus"] == "incompatible-restore")
    assert [e[:2] for e in kept(world, CLUSTER, "r1")] == [
        ("REDSHIFT-EVENT-2008", "INFO"), ("REDSHIFT-EVENT-3501", "ERROR")]
    world.call("DeleteCluster", ClusterIdentifier="c1", FinalClusterSnapshotIdentifier="final")
    wait(lambda: world.cluster("c1")["ClusterStatus"] == "available")
    assert [e[0] for e in kept(world, CLUSTER_SNAPSHOT, "final")] == ["REDSHIFT-EVENT-2012", "REDSHIFT-EVENT-3502"]
    # A failure Redshift has no event for keeps its reason without an id.
    world.dataplane.failing = {"stop_engine"}
    world.call("PauseCluster", ClusterIdentifier="c1")
    wait(lambda: world.cluster("c1")["ClusterStatus"] == "available")
    assert kept(world, CLUSTER, "c1")[-1][:2] == (None, "ERROR")
    listed = world.call("DescribeEvents", SourceType="cluster", SourceIdentifier="c1")["Events"]
    assert listed[-1]["Message"].startswith("Amazon Redshift could not pause cluster c1")
    assert listed[-1]["EventId"] is None and listed[-1]["EventCategories"] == ["monitoring"]
