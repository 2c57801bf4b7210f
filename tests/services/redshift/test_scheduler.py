"""Automated snapshots on an interval, and retention expiry, moved along with time travel; ticks with
nothing to do write nothing."""

from __future__ import annotations

from typing import Iterator

import pytest

from in_process import World, make_world
from localshift.services.redshift import scheduler
from support import (OWNER, Server, create_available_cluster, create_available_snapshot, make_server, travel_until,
                     wait_for)

DAY = 86400


@pytest.fixture(scope="module")
def hourly_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("hourly"),
                         extra_env={"LOCALSHIFT_AUTOMATED_SNAPSHOT_INTERVAL": "3600"}).start()
    yield server
    server.stop()


@pytest.fixture
def hourly(hourly_server: Server) -> Server:
    hourly_server.reset()
    return hourly_server


def automated(client) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]


def test_first_automated_snapshot_when_available_then_on_interval(hourly):
    client = hourly.client(OWNER)
    cluster = create_available_cluster(client, AutomatedSnapshotRetentionPeriod=2)
    first = wait_for(lambda: [s for s in automated(client) if s["Status"] == "available"])[0]
    # rs:<cluster>-YYYY-MM-DD-HH-MM-SS, the snapshot's UTC start time to the second.
    assert first["SnapshotIdentifier"] == "rs:c1-" + first["SnapshotCreateTime"].strftime("%Y-%m-%d-%H-%M-%S")
    assert first["OwnerAccount"] == OWNER and first["ClusterCreateTime"] == cluster["ClusterCreateTime"]
    hourly.admin("/_localshift/time-travel?seconds=3700")
    wait_for(lambda: len(automated(client)) == 2)
    # Two days later the older ones pass their retention; the newest is always kept.
    hourly.admin(f"/_localshift/time-travel?seconds={2 * DAY + 100}")
    wait_for(lambda: all(s["Status"] == "available" for s in automated(client)) and
             all(s["SnapshotCreateTime"] > first["SnapshotCreateTime"] for s in automated(client)))
    assert len(automated(client)) >= 1


def test_time_travel_back_keeps_the_interval(hourly):
    client = hourly.client(OWNER)
    create_available_cluster(client, AutomatedSnapshotRetentionPeriod=5)
    wait_for(lambda: [s for s in automated(client) if s["Status"] == "available"])
    hourly.admin(f"/_localshift/time-travel?seconds={2 * DAY}")
    wait_for(lambda: len(automated(client)) == 2)
    # Back a day: the next snapshot is due within an interval (an hour) from then, not in a day and an hour.
    hourly.admin(f"/_localshift/time-travel?seconds={-DAY}")

    assert travel_until(hourly, 600, lambda: len(automated(client)) == 3, steps=12)  # two hours at most


def test_disabling_automated_snapshots_deletes_them(hourly):
    client = hourly.client(OWNER)
    create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=2)
    wait_for(lambda: [s for s in automated(client) if s["Status"] == "available"])
    client.modify_cluster(ClusterIdentifier="c1", AutomatedSnapshotRetentionPeriod=0)
    wait_for(lambda: automated(client) == [])


def test_manual_snapshots_expire_after_their_retention(hourly):
    client = hourly.client(OWNER)
    create_available_cluster(client)
    create_available_snapshot(client, "short", ManualSnapshotRetentionPeriod=1)
    create_available_snapshot(client, "forever")
    assert client.describe_cluster_snapshots(SnapshotIdentifier="forever")["Snapshots"][0]["ManualSnapshotRemainingDays"] == -1
    hourly.admin(f"/_localshift/time-travel?seconds={DAY + 60}")
    wait_for(lambda: [s["SnapshotIdentifier"] for s in client.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]]
             == ["forever"])


def test_a_renamed_clusters_automated_snapshots_follow_it_expire_and_go_with_it(hourly):
    client = hourly.client(OWNER)
    create_available_cluster(client, AutomatedSnapshotRetentionPeriod=1)
    first = wait_for(lambda: [s for s in automated(client) if s["Status"] == "available"])[0]
    client.create_tags(ResourceName=first["SnapshotArn"], Tags=[{"Key": "k", "Value": "v"}])
    create_available_snapshot(client, "manual")
    client.modify_cluster(ClusterIdentifier="c1", NewClusterIdentifier="renamed")
    client.get_waiter("cluster_available").wait(ClusterIdentifier="renamed", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    # AWS reports the automated snapshots under the new name; a manual one keeps the name it was taken under.
    followed = client.describe_cluster_snapshots(ClusterIdentifier="renamed", SnapshotType="automated")["Snapshots"]
    assert [s["SnapshotIdentifier"] for s in followed] == [first["SnapshotIdentifier"]]
    assert followed[0]["SnapshotArn"] == first["SnapshotArn"].replace(":snapshot:c1/", ":snapshot:renamed/")
    assert followed[0]["Tags"] == [{"Key": "k", "Value": "v"}]
    assert client.describe_cluster_snapshots(SnapshotIdentifier="manual")["Snapshots"][0]["ClusterIdentifier"] == "c1"
    # They expire by the cluster's retention (the newest is kept)...
    hourly.admin("/_localshift/time-travel?seconds=3700")
    wait_for(lambda: len([s for s in automated(client) if s["Status"] == "available"]) == 2)
    hourly.admin(f"/_localshift/time-travel?seconds={DAY}")
    wait_for(lambda: first["SnapshotIdentifier"] not in [s["SnapshotIdentifier"] for s in automated(client)])
    assert automated(client) and all(s["ClusterIdentifier"] == "renamed" for s in automated(client))
    # ...and go with the cluster.
    client.delete_cluster(ClusterIdentifier="renamed", SkipFinalClusterSnapshot=True)
    client.get_waiter("cluster_deleted").wait(ClusterIdentifier="renamed", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    assert automated(client) == []


@pytest.fixture
def world(tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    instance = make_world(tmp_path, automated_snapshot_interval=3600)
    yield instance
    instance.close()


def test_a_tick_with_nothing_due_writes_nothing(world: World):
    """Every commit makes the answers the request path keeps stale (and waits for an fsync), so the
    ticker, once a second, writes only when something is due."""
    world.available_cluster()
    wait_for(lambda: [s for s in world.call("DescribeClusterSnapshots")["Snapshots"] if s["Status"] == "available"])
    before = world.db.generation
    for _ in range(3):
        scheduler.tick(world.redshift)
    assert world.db.generation == before
    # Once an hour has passed, the next automated snapshot is due: the tick writes it.
    world.redshift.clock.advance(3601)
    scheduler.tick(world.redshift)
    assert world.db.generation > before
    assert len(world.call("DescribeClusterSnapshots", SnapshotType="automated")["Snapshots"]) == 2
