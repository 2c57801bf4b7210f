"""What recovery at start does with work a stop cut short, and a restart's start.

In process (tests/in_process.py): a new password or a modification accepted before the stop, the port served
before any request, snapshots cut short and engines that do not start again; and what clients ask while the
restart job starts a cluster's engine (pause, delete, port change)."""

from __future__ import annotations

import threading
from typing import Callable

import pytest

from in_process import OWNER, HeldJobs, World, deleted, meanwhile, settles, status, wait
from support import free_port
from localshift.errors import ApiError
from localshift.records import password_verifier
from localshift.services.redshift import lifecycle, scheduler
from localshift.store.events import CLUSTER, CLUSTER_SNAPSHOT


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
