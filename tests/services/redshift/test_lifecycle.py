"""Every cluster and snapshot job ends in a final status, failures included, with the reason kept.

In process (tests/in_process.py), with a data plane told which operation
fails: each job's failure path, the event that says why, that the resource can
then be deleted, and what recovery at start does with work a stop cut short.
Real failures of real engines are in tests/e2e/test_failures.py.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterator

import pytest

from in_process import OWNER, HeldJobs, World, make_world, meanwhile, wait
from support import free_port
from localshift.errors import ApiError
from localshift.records import password_verifier
from localshift.services.redshift import lifecycle, scheduler
from localshift.store.events import CLUSTER, CLUSTER_SNAPSHOT


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path)
    yield instance
    instance.close()



def status(world: World, identifier: str = "c1") -> str:
    return world.cluster(identifier)["ClusterStatus"]


def settles(world: World, identifier: str = "c1") -> str:
    """The cluster's status once its job is done."""
    transitional = {"creating", "modifying", "renaming", "pausing", "resuming", "deleting", "final-snapshot"}
    return wait(lambda: (s := status(world, identifier)) not in transitional and s)


def deleted(world: World, identifier: str = "c1") -> None:
    world.call("DeleteCluster", ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    wait(lambda: not world.call("DescribeClusters")["Clusters"])


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


def test_recovery_applies_a_new_password_accepted_before_a_stop(world):
    world.available_cluster()
    record = world.redshift.clusters.get(OWNER, "us-east-1", "c1")
    key = lifecycle.cluster_key(record)

    def accepted_then_stopped(c) -> None:  # type: ignore[no-untyped-def]
        # What ModifyCluster recorded before the service stopped, its job never run.
        c.status, c.pending_modified = "modifying", {"MasterUserPassword": "****"}
        c.pending_master_password_md5 = password_verifier("admin", "AfterTheCrash1")

    world.redshift.mutate_cluster(record.row_id, accepted_then_stopped)
    world.dataplane.running.clear()
    scheduler.recover(world.redshift)
    assert settles(world) == "available"
    assert world.dataplane.passwords[key] == ("admin", password_verifier("admin", "AfterTheCrash1"))
    assert key in world.dataplane.running
    assert world.cluster()["PendingModifiedValues"] == {}


def test_a_modification_whose_engine_does_not_start_again_stays_pending(world, monkeypatch):
    """ModifyCluster (a new size and password) accepted, the service stopped before its job ran, and
    the engine does not start again: hardware-failure, this resize attempt FAILED, the change still
    pending (AWS retries a failed resize), nothing left to cancel, and the cluster can be deleted."""
    world.available_cluster()
    held = HeldJobs(world.redshift, monkeypatch)
    world.call("ModifyCluster", ClusterIdentifier="c1", NumberOfNodes=4, MasterUserPassword="AfterTheCrash1")
    assert status(world) == "modifying"
    held.take()  # the service stopped before the job ran
    world.dataplane.running.clear()
    world.dataplane.failing.add("start_engine")
    scheduler.recover(world.redshift)
    held.take()()
    cluster = world.cluster()
    assert (cluster["ClusterStatus"], cluster["NumberOfNodes"]) == ("hardware-failure", 2)
    assert cluster["PendingModifiedValues"] == {"MasterUserPassword": "****", "NodeType": "ra3.xlplus",
                                                "NumberOfNodes": 4, "ClusterType": "multi-node"}
    assert "ResizeInfo" not in cluster and "Endpoint" not in cluster
    resize = world.call("DescribeResize", ClusterIdentifier="c1")
    assert (resize["Status"], resize["Message"]) == ("FAILED", "The resize operation failed.")
    with pytest.raises(ApiError) as caught:
        world.call("CancelResize", ClusterIdentifier="c1")
    assert caught.value.code == "ResizeNotFound"
    assert world.events(CLUSTER, "c1") == ["Amazon Redshift could not restart cluster c1: the engine failed to start cluster"]
    world.dataplane.failing.clear()
    monkeypatch.undo()  # jobs run again
    deleted(world)


def test_a_failed_modification_whose_engine_still_serves_is_rolled_back(world, monkeypatch):
    world.available_cluster()
    world.dataplane.failing.add("set_password")
    world.call("ModifyCluster", ClusterIdentifier="c1", NumberOfNodes=4, MasterUserPassword="NotApplied1")
    assert settles(world) == "available"
    cluster = world.cluster()
    assert (cluster["PendingModifiedValues"], cluster["NumberOfNodes"]) == ({}, 2)
    assert world.call("DescribeResize", ClusterIdentifier="c1")["Status"] == "FAILED"


def test_recovery_serves_the_port_before_any_request_and_moves_it_when_taken(world):
    """The endpoint a DescribeClusters right after a restart names is the one served: a port another
    process took meanwhile is never handed out (a client would reach that process's engine)."""
    world.available_cluster()
    key = lifecycle.cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))
    port = world.cluster()["Endpoint"]["Port"]
    world.dataplane.running.clear()
    world.dataplane.taken[port] = moved = free_port()
    world.dataplane.delay = 0.2  # the engine starts after recovery returns
    scheduler.recover(world.redshift)
    assert world.cluster()["Endpoint"]["Port"] == moved and key not in world.dataplane.running
    wait(lambda: key in world.dataplane.running)  # started on the port served
    assert (status(world), world.dataplane.ports[key], world.cluster()["Endpoint"]["Port"]) == (
        "available", moved, moved)


def test_a_restart_job_that_finds_its_cluster_gone_ends_the_start_announced(world, monkeypatch):
    """Sessions opened on the port served again wait for the engine's start: a job that never
    starts it (its cluster deleted meanwhile) ends that start, so they are refused at once."""
    settled_cluster(world)
    cluster = world.redshift.clusters.get(OWNER, "us-east-1", "c1")
    key = lifecycle.cluster_key(cluster)
    world.dataplane.running.clear()
    jobs: list = []
    monkeypatch.setattr(world.redshift, "submit_for", lambda account, job, *args: jobs.append((job, args)))
    scheduler.recover(world.redshift)
    assert key in world.dataplane.announced and len(jobs) == 1
    world.redshift.clusters.delete(cluster)
    job, args = jobs[0]
    job(world.redshift, *args)
    assert key not in world.dataplane.announced and key not in world.dataplane.running


# --- a restart's start, and what clients ask meanwhile -----------------------------------


def settled_cluster(world: World) -> None:
    """c1 available, and the work of its create job done: the job submits the first automated snapshot
    after the cluster shows available, so a test that then holds or counts jobs waits for it to be
    taken (two CI runs under load caught it among the jobs of a restart)."""
    world.available_cluster()
    wait(lambda: [s["Status"] for s in world.call("DescribeClusterSnapshots")["Snapshots"]] == ["available"])


def restarted(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[HeldJobs, Callable[[], None], str]:
    """The service restarted with c1 available: its port served again, every job held; the restart
    job (to run when the test says) and the engine's key."""
    settled_cluster(world)
    key = lifecycle.cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))
    world.dataplane.running.clear()
    held = HeldJobs(world.redshift, monkeypatch)
    scheduler.recover(world.redshift)
    return held, held.take(), key


STOPPING = {"PauseCluster": {}, "DeleteCluster": {"SkipFinalClusterSnapshot": True}}


@pytest.mark.parametrize("operation", STOPPING)
@pytest.mark.parametrize("when", ["before the job", "as the job begins"])
def test_a_cluster_paused_or_deleted_before_its_restart_start_keeps_its_engine_stopped(
        world, monkeypatch, operation, when):
    """A PauseCluster or DeleteCluster answered after the restart, done before the engine's start
    ran, or after the restart job read its cluster: the start leaves the engine of the paused or
    deleted cluster stopped, and sessions waiting for it are refused at once."""
    held, start, key = restarted(world, monkeypatch)

    def request() -> None:
        world.call(operation, ClusterIdentifier="c1", **STOPPING[operation])
        held.take()()

    if when == "before the job":
        request()
    else:
        meanwhile(monkeypatch, world.redshift.clusters, request)
    start()
    clusters = world.call("DescribeClusters")["Clusters"]
    assert [c["ClusterStatus"] for c in clusters] == (["paused"] if operation == "PauseCluster" else [])
    assert key not in world.dataplane.running and key not in world.dataplane.announced
    assert world.events(CLUSTER, "c1") == []


def test_a_pause_accepted_while_the_restart_starts_the_engine_stops_it_once_started(world, monkeypatch):
    """The restart's start and the pause's stop are ordered: a pause accepted while the engine
    starts stops it after the start, never before (the start would then run a paused cluster)."""
    held, start, key = restarted(world, monkeypatch)
    starting, release = threading.Event(), threading.Event()
    start_engine = world.dataplane.start_engine

    def held_start(engine_key: str, port: int) -> int:
        starting.set()
        release.wait(20)
        return start_engine(engine_key, port)

    monkeypatch.setattr(world.dataplane, "start_engine", held_start)
    restart = threading.Thread(target=start)
    restart.start()
    assert starting.wait(20)
    world.call("PauseCluster", ClusterIdentifier="c1")
    pause = threading.Thread(target=held.take())
    pause.start()
    pause.join(1)  # it waits for the start (it could stop the engine before it otherwise)
    release.set()
    restart.join()
    pause.join()
    assert (status(world), key in world.dataplane.running) == ("paused", False)


def test_a_port_change_done_as_the_restart_job_begins_is_kept(world, monkeypatch):
    """A ModifyCluster of the port done after the restart job read its cluster: the engine starts on
    the new port, never back on the old one."""
    held, start, key = restarted(world, monkeypatch)
    new_port = 5440  # the scripted data plane serves any port as asked

    def modify() -> None:
        world.call("ModifyCluster", ClusterIdentifier="c1", Port=new_port)
        held.take()()

    meanwhile(monkeypatch, world.redshift.clusters, modify)
    start()
    cluster = world.cluster()
    assert (cluster["ClusterStatus"], cluster["Endpoint"]["Port"], world.dataplane.ports[key]) == (
        "available", new_port, new_port)
    assert key in world.dataplane.running


def test_recovery_fails_interrupted_snapshots_and_engines_that_do_not_start(world):
    world.available_cluster()
    world.redshift.mutate_snapshot(
        world.redshift.snapshots.insert(
            _creating_snapshot(world), "arn:aws:redshift:us-east-1:111111111111:snapshot:c1/cut-short").row_id,
        lambda s: None,
    )
    world.dataplane.running.clear()  # the service stopped, and its engines with it
    world.dataplane.failing.add("start_engine")
    scheduler.recover(world.redshift)
    assert world.snapshot("cut-short")["Status"] == "failed"
    assert world.events(CLUSTER_SNAPSHOT, "cut-short") == [
        "Amazon Redshift could not take snapshot cut-short: the service stopped while it ran"]
    # Available when the service stopped; its engine does not start again.
    wait(lambda: status(world) == "hardware-failure")
    assert world.events(CLUSTER, "c1") == ["Amazon Redshift could not restart cluster c1: the engine failed to start cluster"]
    assert not world.dataplane.announced  # sessions waiting for the start are refused at once


def _creating_snapshot(world: World):  # type: ignore[no-untyped-def]
    from localshift.services.redshift.snapshot_factory import snapshot_from_cluster

    cluster = world.redshift.clusters.get(OWNER, "us-east-1", "c1")
    return snapshot_from_cluster(cluster, "cut-short", "manual", "creating", world.redshift.clock.now(), -1)
