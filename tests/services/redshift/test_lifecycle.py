"""Every cluster and snapshot job ends in a final status, failures included, with the reason kept.

In process (tests/in_process.py), with a data plane told which operation
fails: each job's failure path, the event that says why, and that the resource can
then be deleted. What recovery at start does with work a stop cut short is in
test_lifecycle_recovery.py; real failures of real engines are in tests/e2e/test_failures.py.
"""

from __future__ import annotations

import pytest

from in_process import OWNER, World, deleted, settles, wait
from support import free_port
from localshift.errors import ApiError
from localshift.records import password_verifier
from localshift.services.redshift import lifecycle, scheduler
from localshift.store.events import CLUSTER, CLUSTER_SNAPSHOT


def test_a_failed_create_is_a_hardware_failure_that_can_be_deleted(world):
    world.dataplane.failing.add("create_engine")
    world.call("CreateCluster", ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
               MasterUsername="admin", MasterUserPassword="Passw0rd1")
    assert settles(world) == "hardware-failure"
    cluster = world.cluster()
    assert cluster["ClusterAvailabilityStatus"] == "Failed" and "Endpoint" not in cluster
    assert world.events(CLUSTER, "c1") == [
        "Amazon Redshift could not create cluster c1: the engine failed to create cluster"]
    deleted(world)


def test_a_failed_pause_leaves_the_cluster_serving(world):
    world.available_cluster()
    world.dataplane.failing.add("stop_engine")
    world.call("PauseCluster", ClusterIdentifier="c1")
    assert settles(world) == "available"
    assert "Endpoint" in world.cluster()
    assert world.events(CLUSTER, "c1")[0].startswith("Amazon Redshift could not pause cluster c1")


def test_a_failed_resume_is_a_hardware_failure(world):
    world.available_cluster()
    world.call("PauseCluster", ClusterIdentifier="c1")
    assert settles(world) == "paused"
    world.dataplane.failing.add("start_engine")
    world.call("ResumeCluster", ClusterIdentifier="c1")
    assert settles(world) == "hardware-failure"
    assert world.events(CLUSTER, "c1")[0].startswith("Amazon Redshift could not resume cluster c1")
    deleted(world)


def test_a_failed_password_change_is_rolled_back(world):
    world.available_cluster()
    key = lifecycle.cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))
    world.dataplane.failing.add("set_password")
    modified = world.call("ModifyCluster", ClusterIdentifier="c1", MasterUserPassword="NewPassw0rd")["Cluster"]
    assert modified["PendingModifiedValues"] == {"MasterUserPassword": "****"}
    assert settles(world) == "available"
    assert world.cluster()["PendingModifiedValues"] == {}
    record = world.redshift.clusters.get(OWNER, "us-east-1", "c1")
    # The engine and the record keep the old password.
    assert record.master_password_md5 == password_verifier("admin", "Passw0rd1") == world.dataplane.passwords[key][1]
    assert record.pending_master_password_md5 is None
    assert world.events(CLUSTER, "c1")[0].startswith("Amazon Redshift could not modify cluster c1")


def test_a_password_change_stores_only_its_verifier_and_reaches_the_engine(world):
    world.available_cluster()
    key = lifecycle.cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))
    world.call("ModifyCluster", ClusterIdentifier="c1", MasterUserPassword="NewPassw0rd")
    assert settles(world) == "available"
    assert world.dataplane.passwords[key] == ("admin", password_verifier("admin", "NewPassw0rd"))
    assert b"NewPassw0rd" not in world.db.path.read_bytes() + world.db.path.with_name(
        world.db.path.name + "-wal").read_bytes()


def test_a_port_change_moves_the_endpoint_or_is_rolled_back(world):
    first = world.available_cluster(NodeType="dc2.large", NumberOfNodes=1, Port=free_port())
    key = lifecycle.cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))
    new_port, failing_port = free_port(), free_port()
    assert world.call("ModifyCluster", ClusterIdentifier="c1", Port=new_port)["Cluster"]["ClusterStatus"] == "modifying"
    assert settles(world) == "available"
    moved = world.cluster()["Endpoint"]["Port"]
    assert moved == world.dataplane.ports[key] != first["Endpoint"]["Port"]
    world.dataplane.failing.add("start_engine")
    world.call("ModifyCluster", ClusterIdentifier="c1", Port=failing_port)
    assert settles(world) == "available"
    assert world.cluster()["Endpoint"]["Port"] == moved
    assert world.redshift.clusters.get(OWNER, "us-east-1", "c1").port == new_port


def test_a_failed_delete_can_be_retried(world):
    world.available_cluster()
    world.dataplane.failing.add("destroy_engine")
    world.call("DeleteCluster", ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    # Its engine still serves: the cluster is available again, as it was.
    assert settles(world) == "available"
    assert world.events(CLUSTER, "c1")[0].startswith("Amazon Redshift could not delete cluster c1")
    world.dataplane.failing.clear()
    deleted(world)


@pytest.mark.parametrize("paused", [False, True])
def test_a_failed_final_snapshot_keeps_the_cluster_as_it_was(world, paused):
    world.available_cluster()
    if paused:
        world.call("PauseCluster", ClusterIdentifier="c1")
        assert settles(world) == "paused"
    world.dataplane.failing.add("create_snapshot")
    world.call("DeleteCluster", ClusterIdentifier="c1", FinalClusterSnapshotIdentifier="final")
    # A paused cluster's engine was stopped, and is stopped still: paused, not a hardware failure.
    assert settles(world) == ("paused" if paused else "available")
    assert world.snapshot("final")["Status"] == "failed"
    assert world.events(CLUSTER, "c1") == [
        "Amazon Redshift could not delete cluster c1: its final snapshot failed, so it was kept"]
    world.call("DeleteClusterSnapshot", SnapshotIdentifier="final")


def test_failed_snapshots_and_copies_are_failed_and_deletable(world):
    world.available_cluster()
    automated = wait(lambda: [s["SnapshotIdentifier"] for s in world.call("DescribeClusterSnapshots")["Snapshots"]
                              if s["Status"] == "available"])[0]
    world.dataplane.failing.update({"create_snapshot", "copy_snapshot"})
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    world.call("CopyClusterSnapshot", SourceSnapshotIdentifier=automated, TargetSnapshotIdentifier="copy")
    for name, action in (("s1", "take"), ("copy", "copy")):
        wait(lambda: world.snapshot(name)["Status"] == "failed")
        assert world.events(CLUSTER_SNAPSHOT, name)[0].startswith(f"Amazon Redshift could not {action} snapshot {name}")
        world.call("DeleteClusterSnapshot", SnapshotIdentifier=name)


def test_a_deleted_snapshot_is_deleted_even_when_its_data_cannot_be(world):
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("s1")["Status"] == "available")
    world.dataplane.failing.add("delete_snapshot")
    assert world.call("DeleteClusterSnapshot", SnapshotIdentifier="s1")["Snapshot"]["Status"] == "deleted"
    assert world.call("DescribeClusterSnapshots", SnapshotType="manual")["Snapshots"] == []


def test_failed_automated_snapshots_expire_with_their_retention(world):
    world.dataplane.failing.add("create_snapshot")
    world.available_cluster(AutomatedSnapshotRetentionPeriod=1)
    wait(lambda: [s for s in world.call("DescribeClusterSnapshots")["Snapshots"] if s["Status"] == "failed"])
    world.redshift.clock.advance(2 * 86400)
    scheduler.expire_snapshots(world.redshift)
    assert world.call("DescribeClusterSnapshots", SnapshotType="automated")["Snapshots"] == []


def test_a_failed_restore_is_incompatible_restore_and_releases_its_lease(world):
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("s1")["Status"] == "available")
    world.dataplane.failing.add("restore_snapshot")
    world.call("RestoreFromClusterSnapshot", ClusterIdentifier="r1", SnapshotIdentifier="s1")
    assert settles(world, "r1") == "incompatible-restore"
    assert world.cluster("r1")["RestoreStatus"]["Status"] == "failed"
    assert world.redshift.clusters.get(OWNER, "us-east-1", "r1").restore_data_key is None
    assert world.events(CLUSTER, "r1")[0].startswith("Amazon Redshift could not restore cluster r1")
    deleted_one(world, "r1")


def deleted_one(world: World, identifier: str) -> None:
    world.call("DeleteCluster", ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    wait(lambda: identifier not in [c["ClusterIdentifier"] for c in world.call("DescribeClusters")["Clusters"]])


def test_a_snapshot_whose_data_is_gone_is_refused_before_any_cluster_exists(world):
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("s1")["Status"] == "available")
    world.dataplane.failing.add("copy_snapshot")
    with pytest.raises(ApiError) as caught:
        world.call("RestoreFromClusterSnapshot", ClusterIdentifier="r1", SnapshotIdentifier="s1")
    assert caught.value.code == "InvalidClusterSnapshotState"
    assert [c["ClusterIdentifier"] for c in world.call("DescribeClusters")["Clusters"]] == ["c1"]


def test_a_job_failing_outside_the_data_plane_still_ends_in_a_final_status(world, monkeypatch):
    world.available_cluster()
    world.call("PauseCluster", ClusterIdentifier="c1")
    assert settles(world) == "paused"

    original, failed_once = lifecycle.cluster_key, []

    def broken_once(cluster):  # type: ignore[no-untyped-def]
        if not failed_once:  # the job's own step fails; settling it afterwards works
            failed_once.append(True)
            raise RuntimeError("the engine key could not be made")
        return original(cluster)

    monkeypatch.setattr(lifecycle, "cluster_key", broken_once)
    world.call("ResumeCluster", ClusterIdentifier="c1")
    assert settles(world) == "hardware-failure"
    assert "the engine key could not be made" in world.events(CLUSTER, "c1")[0]


def test_a_failed_modification_whose_engine_still_serves_is_rolled_back(world, monkeypatch):
    world.available_cluster()
    world.dataplane.failing.add("set_password")
    world.call("ModifyCluster", ClusterIdentifier="c1", NumberOfNodes=4, MasterUserPassword="NotApplied1")
    assert settles(world) == "available"
    cluster = world.cluster()
    assert (cluster["PendingModifiedValues"], cluster["NumberOfNodes"]) == ({}, 2)
    assert world.call("DescribeResize", ClusterIdentifier="c1")["Status"] == "FAILED"
