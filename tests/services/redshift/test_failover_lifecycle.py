"""The failover job, in process (tests/in_process.py): a failure swaps the zones back and says why;
a failover a stop cut short is finished at start."""

from __future__ import annotations

from typing import Iterator

import pytest

from in_process import OWNER, World, make_world, wait
from localshift.services.redshift import scheduler
from localshift.store.events import CLUSTER


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path)
    yield instance
    instance.close()


def zones(cluster: dict) -> tuple[str, str]:  # type: ignore[type-arg]
    return cluster["AvailabilityZone"], cluster["MultiAZSecondary"]["AvailabilityZone"]


def settled(world: World) -> dict:  # type: ignore[type-arg]
    return wait(lambda: (c := world.cluster())["ClusterStatus"] != "modifying" and c)


def test_a_failed_failover_keeps_the_primary_where_it_was(world, monkeypatch):
    before = zones(world.available_cluster(MultiAZ=True, AvailabilityZone="us-east-1a"))
    original, failed_once = world.redshift.mutate_cluster, []

    def broken_once(row_id, change):  # type: ignore[no-untyped-def]
        if not failed_once and getattr(change, "__name__", "") == "done":
            failed_once.append(True)
            raise RuntimeError("the compute could not move")
        return original(row_id, change)

    monkeypatch.setattr(world.redshift, "mutate_cluster", broken_once)
    answered = world.call("FailoverPrimaryCompute", ClusterIdentifier="c1")["Cluster"]
    assert zones(answered) == (before[1], before[0])
    after = settled(world)
    assert after["ClusterStatus"] == "available" and zones(after) == before
    assert "the compute could not move" in world.events(CLUSTER, "c1")[0]


def test_recovery_finishes_a_failover_cut_short(world):
    world.available_cluster(MultiAZ=True, AvailabilityZone="us-east-1a")
    record = world.redshift.clusters.get(OWNER, "us-east-1", "c1")

    def accepted_then_stopped(c) -> None:  # type: ignore[no-untyped-def]
        # What FailoverPrimaryCompute recorded before the service stopped, its job never run.
        c.status, c.availability_zone, c.secondary_availability_zone = "modifying", "us-east-1b", "us-east-1a"

    world.redshift.mutate_cluster(record.row_id, accepted_then_stopped)
    scheduler.recover(world.redshift)
    after = settled(world)
    assert after["ClusterStatus"] == "available" and zones(after) == ("us-east-1b", "us-east-1a")
