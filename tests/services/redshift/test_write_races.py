"""One write rule: request handlers and background jobs never lose each other's writes.

In process (tests/in_process.py): a real store, the real handlers and jobs, a
data plane that takes a few milliseconds per piece of work.  Each handler's
reads are slowed down, which widens the window between a read and the write
that follows it: a handler that wrote back a record read earlier (outside the
transaction that writes it) would undo a job that finished meanwhile.  Every
race is run many times, with the job finishing at a different moment each time.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import Future
from typing import Any, Callable, Iterator

import pytest

from in_process import OWNER, World, make_world, wait
from localshift.services.redshift import scheduler
from localshift.services.redshift.backend import RedshiftBackend

TRIALS = 40


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path, delay=0.004)
    yield instance
    instance.close()


def slowed(read: Callable[..., Any], seconds: float = 0.003) -> Callable[..., Any]:
    """``read``, then a pause: the window in which a concurrent job may write."""

    def slow(*args: Any) -> Any:
        found = read(*args)
        time.sleep(seconds)
        return found

    return slow


def test_modify_cluster_snapshot_never_undoes_the_snapshot_finishing(world, monkeypatch):
    world.available_cluster()
    monkeypatch.setattr(world.redshift.snapshots, "get", slowed(world.redshift.snapshots.get))
    for trial in range(TRIALS):
        name = f"s{trial}"
        world.call("CreateClusterSnapshot", SnapshotIdentifier=name, ClusterIdentifier="c1")
        time.sleep(random.uniform(0, 0.008))
        world.call("ModifyClusterSnapshot", SnapshotIdentifier=name, ManualSnapshotRetentionPeriod=trial + 1)
        wait(lambda: world.snapshot(name)["Status"] != "creating")
        snapshot = world.snapshot(name)
        assert (snapshot["Status"], snapshot["ManualSnapshotRetentionPeriod"]) == ("available", trial + 1)
        world.call("DeleteClusterSnapshot", SnapshotIdentifier=name)


@pytest.mark.parametrize("operation, params", [
    ("ModifyCluster", {"ManualSnapshotRetentionPeriod": 9}),
    ("PauseCluster", {}),
])
def test_cluster_handlers_never_undo_an_automated_snapshot_being_scheduled(world, monkeypatch, operation, params):
    """The ticker moves a cluster's next automated snapshot time on when it takes one; a handler
    that wrote back an older record would bring the old time back (and a second snapshot with it)."""
    monkeypatch.setattr(world.redshift.clusters, "get", slowed(world.redshift.clusters.get))
    for trial in range(TRIALS // 2):
        identifier = f"c{trial}"
        world.available_cluster(identifier)
        wait(lambda: [s for s in automated(world, identifier) if s["Status"] == "available"])
        world.redshift.clock.advance(8 * 3600)  # the next automated snapshot is due
        ticker = world.redshift.submit_for(OWNER, tick_soon)
        world.call(operation, ClusterIdentifier=identifier, **params)
        ticker.result()
        record = world.redshift.clusters.get("111111111111", "us-east-1", identifier)
        scheduled = len(automated(world, identifier)) - 1
        if scheduled:
            # The snapshot was taken: the cluster's next one is an interval later, not due now.
            assert record.next_automated_snapshot_time > world.redshift.clock.now()
        if operation == "ModifyCluster":
            assert record.manual_snapshot_retention_period == 9
        else:
            assert record.status in ("pausing", "paused")


def tick_soon(backend: RedshiftBackend) -> None:
    time.sleep(random.uniform(0, 0.004))
    scheduler.tick(backend)


def hold_workers(backend: RedshiftBackend, seconds: float) -> list[Future[None]]:
    """Keep every worker of the account's busy for ``seconds``: its jobs submitted meanwhile wait."""
    return [backend.submit_for(OWNER, lambda _: time.sleep(seconds)) for _ in range(backend.settings.worker_threads)]


def automated(world: World, cluster: str) -> list[dict]:
    return world.call("DescribeClusterSnapshots", ClusterIdentifier=cluster, SnapshotType="automated")["Snapshots"]


def test_a_snapshot_accepted_before_a_rename_completes(world):
    world.available_cluster(AutomatedSnapshotRetentionPeriod=1)
    for trial in range(TRIALS // 4):
        old, new = f"name{trial}", f"name{trial + 1}"
        if trial == 0:
            world.call("ModifyCluster", ClusterIdentifier="c1", NewClusterIdentifier=old)
            wait(lambda: world.cluster(old)["ClusterStatus"] == "available")
        busy = hold_workers(world.redshift, random.uniform(0.002, 0.01))
        world.call("CreateClusterSnapshot", SnapshotIdentifier=f"s{trial}", ClusterIdentifier=old)
        # Renamed while the snapshot waits for a worker (or has just started).
        world.call("ModifyCluster", ClusterIdentifier=old, NewClusterIdentifier=new)
        for job in busy:
            job.result()
        wait(lambda: world.snapshot(f"s{trial}")["Status"] != "creating")
        snapshot = world.snapshot(f"s{trial}")
        # Taken of the cluster it was asked of; a manual snapshot keeps the name it was taken under.
        assert (snapshot["Status"], snapshot["ClusterIdentifier"]) == ("available", old)
        wait(lambda: world.cluster(new)["ClusterStatus"] == "available")
