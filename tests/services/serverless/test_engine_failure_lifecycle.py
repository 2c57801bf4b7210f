"""A workgroup whose namespace's engine died gets an event when the data plane started it again, and
an ERROR event when it could not (the model has no failure status for workgroups: it stays
AVAILABLE) (engine_failure_lifecycle.py)."""

from __future__ import annotations

import pytest

from in_process import OWNER, World, make_world, wait
from localshift.dataplane.api import ENGINE_FAILED, ENGINE_REVIVED
from localshift.services.serverless import engine_failure_lifecycle, lifecycle
from localshift.store.events import WORKGROUP


@pytest.fixture
def world(tmp_path):
    instance = make_world(tmp_path)
    engine_failure_lifecycle.watch_engines(instance.serverless)
    instance.serverless_call("CreateNamespace", namespaceName="ns1")
    instance.serverless_call("CreateWorkgroup", workgroupName="wg1", namespaceName="ns1")
    wait(lambda: _workgroup(instance)["status"] == "AVAILABLE")
    yield instance
    instance.close()


def _workgroup(world: World) -> dict:
    return world.serverless_call("GetWorkgroup", workgroupName="wg1")["workgroup"]


def _engine(world: World, generation_offset: int = 0) -> str:
    record = world.serverless.namespaces.get(OWNER, "us-east-1", "ns1")
    return lifecycle.engine_key(record.row_id, record.engine_generation + generation_offset)  # type: ignore[union-attr]


def _events(world: World) -> list[tuple[str, str]]:
    return [(e.severity, e.message) for e in world.serverless.events.of_source(OWNER, "us-east-1", WORKGROUP, "wg1")]


def test_a_replaced_compute_is_an_event_of_its_workgroups(world):
    world.dataplane.engine_died(_engine(world), ENGINE_REVIVED)
    wait(lambda: _events(world))
    assert _events(world) == [("INFO", "The compute of workgroup wg1 failed and was replaced. "
                                       "Workgroup operating normally.")]
    assert _workgroup(world)["status"] == "AVAILABLE"


def test_a_compute_that_cannot_be_replaced_is_an_error_event(world):
    world.dataplane.engine_died(_engine(world), ENGINE_FAILED)
    wait(lambda: _events(world))
    assert _events(world) == [("ERROR", "Amazon Redshift Serverless could not replace the failed compute of workgroup "
                                        "wg1: its engine could not be started again")]
    assert _workgroup(world)["status"] == "AVAILABLE"


def test_an_engine_the_namespace_no_longer_uses_is_nobodys(world):
    world.dataplane.engine_died(_engine(world, -1), ENGINE_FAILED)  # replaced by a restore meanwhile
    world.dataplane.engine_died("cluster-1", ENGINE_FAILED)  # a provisioned cluster's
    world.serverless.shutdown()  # waits for the jobs heard to end
    assert _events(world) == []
