"""A cluster whose engine died and was started again by the data plane gets Redshift's "node
replaced" event and stays available; one whose engine could not be started again ends
hardware-failure with the reason as an event, unless a job on it decides (node_failure_lifecycle.py)."""

from __future__ import annotations

import pytest

from in_process import OWNER, World, make_world, wait
from localshift.dataplane.api import ENGINE_FAILED, ENGINE_REVIVED
from localshift.services.redshift import node_failure_lifecycle
from localshift.services.redshift.jobs import cluster_key
from localshift.store.events import CLUSTER


@pytest.fixture
def world(tmp_path):
    instance = make_world(tmp_path)
    node_failure_lifecycle.watch_engines(instance.redshift)
    yield instance
    instance.close()


def _key(world: World) -> str:
    return cluster_key(world.redshift.clusters.get(OWNER, "us-east-1", "c1"))  # type: ignore[arg-type]


def _events(world: World) -> list[tuple[str | None, str, str]]:
    return [(e.event_id, e.severity, e.message) for e in world.redshift.events.of_source(OWNER, "us-east-1", CLUSTER, "c1")]


def test_a_node_replaced_is_an_event_and_the_cluster_stays_available(world):
    world.available_cluster()
    world.dataplane.engine_died(_key(world), ENGINE_REVIVED)
    replaced = wait(lambda: [e for e in _events(world) if e[0] == "REDSHIFT-EVENT-3001"])
    (_, severity, message), = replaced
    assert severity == "INFO"
    assert message.startswith("Cluster c1 node replaced at ") and message.endswith(" UTC. Cluster operating normally.")
    assert world.cluster()["ClusterStatus"] == "available"


def test_a_node_that_cannot_be_replaced_is_a_hardware_failure(world):
    world.available_cluster()
    world.dataplane.engine_died(_key(world), ENGINE_FAILED)
    wait(lambda: world.cluster()["ClusterStatus"] == "hardware-failure")
    assert "Endpoint" not in world.cluster()
    wait(lambda: world.events(CLUSTER, "c1"))
    assert world.events(CLUSTER, "c1") == [
        "Amazon Redshift could not replace the failed node of cluster c1: its engine could not be started again"]


def test_a_cluster_a_job_moved_on_is_left_to_the_job(world):
    world.available_cluster()
    world.call("PauseCluster", ClusterIdentifier="c1")
    wait(lambda: world.cluster()["ClusterStatus"] == "paused")
    world.dataplane.engine_died(_key(world), ENGINE_FAILED)  # told late: the pause stopped it meanwhile
    world.redshift.shutdown()  # waits for the job heard to end
    assert world.cluster()["ClusterStatus"] == "paused" and world.events(CLUSTER, "c1") == []
