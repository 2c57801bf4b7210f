"""Serverless jobs end in a final status, failures included, and never lose a handler's write.

In process (tests/in_process.py), with a data plane told which operation fails
or slowed down: namespaces and workgroups go back to AVAILABLE with the change
rolled back (the model has no failure status for them), a workgroup whose
creation failed is removed, snapshots end FAILED; the reason is kept as an event.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Iterator

import pytest

from in_process import OWNER, HeldJobs, World, make_world, meanwhile, wait
from localshift.errors import ApiError
from localshift.records import password_verifier
from localshift.services.serverless import lifecycle, scheduler
from localshift.store.events import NAMESPACE, SERVERLESS_SNAPSHOT, WORKGROUP
from localshift.store.secrets import pending_key


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path)
    yield instance
    instance.close()



def namespace(world: World, name: str = "ns1") -> dict[str, Any]:
    return world.serverless_call("GetNamespace", namespaceName=name)["namespace"]


def workgroup(world: World, name: str = "wg1") -> dict[str, Any]:
    return world.serverless_call("GetWorkgroup", workgroupName=name)["workgroup"]


def snapshot(world: World, name: str) -> dict[str, Any]:
    return world.serverless_call("GetSnapshot", snapshotName=name)["snapshot"]


def serving(world: World, **params: Any) -> dict[str, Any]:
    world.serverless_call("CreateNamespace", namespaceName="ns1", **params)
    world.serverless_call("CreateWorkgroup", workgroupName="wg1", namespaceName="ns1")
    wait(lambda: workgroup(world)["status"] == "AVAILABLE")
    return workgroup(world)


def engine(world: World) -> str:
    record = world.serverless.namespaces.get(OWNER, "us-east-1", "ns1")
    return lifecycle.engine_key(record.row_id, record.engine_generation)  # type: ignore[arg-type]


def taken(world: World, name: str) -> dict[str, Any]:
    world.serverless_call("CreateSnapshot", namespaceName="ns1", snapshotName=name)
    wait(lambda: snapshot(world, name)["status"] != "CREATING")
    return snapshot(world, name)


def test_a_workgroup_whose_creation_failed_is_removed(world):
    world.serverless_call("CreateNamespace", namespaceName="ns1")
    world.dataplane.failing.add("create_engine")
    world.serverless_call("CreateWorkgroup", workgroupName="wg1", namespaceName="ns1")
    wait(lambda: not world.serverless_call("ListWorkgroups")["workgroups"])
    assert world.events(WORKGROUP, "wg1") == [
        "Amazon Redshift Serverless could not create workgroup wg1: the engine failed to create cluster"]
    # The namespace can have a workgroup again.
    world.dataplane.failing.clear()
    world.serverless_call("CreateWorkgroup", workgroupName="wg1", namespaceName="ns1")
    wait(lambda: workgroup(world)["status"] == "AVAILABLE")


def test_a_failed_port_change_keeps_the_old_port(world):
    before = serving(world)
    world.dataplane.failing.add("start_engine")
    world.serverless_call("UpdateWorkgroup", workgroupName="wg1", port=5450)
    wait(lambda: workgroup(world)["status"] == "AVAILABLE")
    after = workgroup(world)
    assert (after["port"], after["endpoint"]["port"]) == (before["port"], before["endpoint"]["port"])
    assert world.events(WORKGROUP, "wg1")[0].startswith("Amazon Redshift Serverless could not serve workgroup wg1")


def test_a_failed_workgroup_delete_keeps_it(world):
    serving(world)
    world.dataplane.failing.add("stop_engine")
    world.serverless_call("DeleteWorkgroup", workgroupName="wg1")
    wait(lambda: workgroup(world)["status"] == "AVAILABLE")
    assert world.events(WORKGROUP, "wg1")[0].startswith("Amazon Redshift Serverless could not delete workgroup wg1")
    world.dataplane.failing.clear()
    world.serverless_call("DeleteWorkgroup", workgroupName="wg1")
    wait(lambda: not world.serverless_call("ListWorkgroups")["workgroups"])


def test_admin_credentials_are_verifiers_and_a_failed_change_keeps_the_old_ones(world):
    serving(world, adminUsername="alice", adminUserPassword="Passw0rd1")
    assert world.dataplane.passwords[engine(world)] == ("alice", password_verifier("alice", "Passw0rd1"))
    world.dataplane.failing.add("set_password")
    world.serverless_call("UpdateNamespace", namespaceName="ns1", adminUsername="bob", adminUserPassword="Other1Pass")
    wait(lambda: namespace(world)["status"] == "AVAILABLE")
    assert namespace(world)["adminUsername"] == "alice"
    record = world.serverless.namespaces.get(OWNER, "us-east-1", "ns1")
    assert record.admin_password_md5 == password_verifier("alice", "Passw0rd1") and record.credentials_plan is None
    assert world.events(NAMESPACE, "ns1")[0].startswith(
        "Amazon Redshift Serverless could not update the admin credentials of namespace ns1")


def test_a_managed_admin_password_is_in_its_secret_and_opens_the_engine(world):
    serving(world, adminUsername="alice", adminUserPassword="Passw0rd1")
    world.serverless_call("UpdateNamespace", namespaceName="ns1", manageAdminPassword=True)
    wait(lambda: namespace(world)["status"] == "AVAILABLE")
    arn = namespace(world)["adminPasswordSecretArn"]
    secret = world.db.secrets.get(arn)
    assert secret["username"] == "alice"
    assert world.dataplane.passwords[engine(world)] == ("alice", password_verifier("alice", secret["password"]))
    assert world.db.secrets.get(pending_key(arn)) is None
    # A change the engine refuses leaves the secret as it was.
    world.dataplane.failing.add("set_password")
    world.serverless_call("UpdateNamespace", namespaceName="ns1", manageAdminPassword=True)
    wait(lambda: namespace(world)["status"] == "AVAILABLE")
    assert world.db.secrets.get(arn) == secret and world.db.secrets.get(pending_key(arn)) is None
    world.dataplane.failing.clear()
    world.serverless_call("DeleteWorkgroup", workgroupName="wg1")
    wait(lambda: not world.serverless_call("ListWorkgroups")["workgroups"])
    world.serverless_call("DeleteNamespace", namespaceName="ns1")
    wait(lambda: not world.serverless_call("ListNamespaces")["namespaces"])
    assert world.db.secrets.get(arn) is None  # the secret goes with its namespace


def test_a_failed_namespace_delete_keeps_it(world):
    world.serverless_call("CreateNamespace", namespaceName="ns1")
    assert taken(world, "snap")["status"] == "AVAILABLE"  # the namespace has an engine now
    world.dataplane.failing.add("destroy_engine")
    world.serverless_call("DeleteNamespace", namespaceName="ns1")
    wait(lambda: namespace(world)["status"] == "AVAILABLE")
    assert world.events(NAMESPACE, "ns1")[0].startswith("Amazon Redshift Serverless could not delete namespace ns1")
    world.dataplane.failing.clear()
    world.serverless_call("DeleteNamespace", namespaceName="ns1")
    wait(lambda: not world.serverless_call("ListNamespaces")["namespaces"])


def test_a_failed_snapshot_is_failed_and_deletable(world):
    world.serverless_call("CreateNamespace", namespaceName="ns1")
    world.dataplane.failing.add("create_snapshot")
    assert taken(world, "snap")["status"] == "FAILED"
    assert world.events(SERVERLESS_SNAPSHOT, "snap")[0].startswith(
        "Amazon Redshift Serverless could not take snapshot snap")
    world.serverless_call("DeleteSnapshot", snapshotName="snap")


def test_a_failed_restore_keeps_the_namespaces_data_and_serves_it_again(world):
    before = serving(world, adminUsername="alice", adminUserPassword="Passw0rd1")
    old_engine = engine(world)
    taken(world, "snap")
    world.dataplane.failing.add("restore_snapshot")
    world.serverless_call("RestoreFromSnapshot", namespaceName="ns1", workgroupName="wg1", snapshotName="snap")
    wait(lambda: namespace(world)["status"] == "AVAILABLE" and workgroup(world)["status"] == "AVAILABLE")
    assert engine(world) == old_engine and old_engine in world.dataplane.running
    assert workgroup(world)["endpoint"]["port"] == before["endpoint"]["port"]
    assert world.events(NAMESPACE, "ns1")[0].startswith(
        "Amazon Redshift Serverless could not restore a snapshot into namespace ns1")


def test_a_restore_of_a_snapshot_whose_data_is_gone_is_refused(world):
    serving(world)
    taken(world, "snap")
    world.dataplane.failing.add("copy_snapshot")
    with pytest.raises(ApiError) as caught:
        world.serverless_call("RestoreFromSnapshot", namespaceName="ns1", workgroupName="wg1", snapshotName="snap")
    assert caught.value.code == "ConflictException"
    assert (namespace(world)["status"], workgroup(world)["status"]) == ("AVAILABLE", "AVAILABLE")


def test_a_managed_restore_puts_the_new_password_in_the_secret(world):
    serving(world, adminUsername="alice", adminUserPassword="Passw0rd1")
    taken(world, "snap")
    world.serverless_call("RestoreFromSnapshot", namespaceName="ns1", workgroupName="wg1", snapshotName="snap",
                          manageAdminPassword=True)
    wait(lambda: namespace(world)["status"] == "AVAILABLE")
    secret = world.db.secrets.get(namespace(world)["adminPasswordSecretArn"])
    assert world.dataplane.passwords[engine(world)] == ("alice", password_verifier("alice", secret["password"]))


def test_recovery_ends_a_modification_with_nothing_left_to_do(world):
    world.serverless_call("CreateNamespace", namespaceName="ns1")
    row_id = world.serverless.namespaces.get(OWNER, "us-east-1", "ns1").row_id
    world.serverless.mutate_namespace(row_id, lambda n: setattr(n, "status", "MODIFYING"))  # type: ignore[arg-type]
    scheduler.recover(world.serverless)
    assert namespace(world)["status"] == "AVAILABLE"


def test_recovery_serves_the_port_before_any_request_and_moves_it_when_taken(world):
    """As for clusters (redshift/test_lifecycle.py): the endpoint GetWorkgroup names right after a
    restart is the port served, never one another process took meanwhile."""
    port = serving(world)["endpoint"]["port"]
    key = engine(world)
    world.dataplane.running.clear()
    world.dataplane.taken[port] = moved = port + 1
    world.dataplane.delay = 0.2  # the engine starts after recovery returns
    scheduler.recover(world.serverless)
    assert workgroup(world)["endpoint"]["port"] == moved and key not in world.dataplane.running
    wait(lambda: key in world.dataplane.running)  # started on the port served
    assert (workgroup(world)["status"], world.dataplane.ports[key], workgroup(world)["endpoint"]["port"]) == (
        "AVAILABLE", moved, moved)


def test_a_restart_job_that_finds_its_workgroup_gone_ends_the_start_announced(world, monkeypatch):
    """As for clusters: a job that never starts the engine (its workgroup deleted meanwhile) ends
    the start its served port announced, so sessions waiting for it are refused at once."""
    serving(world)
    key = engine(world)
    world.dataplane.running.clear()
    jobs: list = []
    monkeypatch.setattr(world.serverless, "submit_for", lambda account, job, *args: jobs.append((job, args)))
    scheduler.recover(world.serverless)
    assert key in world.dataplane.announced and len(jobs) == 1
    world.serverless.workgroups.delete(world.serverless.workgroups.get(OWNER, "us-east-1", "wg1"))
    job, args = jobs[0]
    job(world.serverless, *args)
    assert key not in world.dataplane.announced and key not in world.dataplane.running


def restarted(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[HeldJobs, Callable[[], None], str]:
    """As for clusters: the service restarted with wg1 available, every job held; the restart job
    and the engine's key."""
    serving(world)
    key = engine(world)
    world.dataplane.running.clear()
    held = HeldJobs(world.serverless, monkeypatch)
    scheduler.recover(world.serverless)
    return held, held.take(), key


def test_a_workgroup_deleted_as_the_restart_job_begins_is_not_served_again(world, monkeypatch):
    """A DeleteWorkgroup done after the restart job read its workgroup: the engine stays stopped
    (no workgroup serves it), and sessions waiting for its start are refused at once."""
    held, start, key = restarted(world, monkeypatch)

    def delete() -> None:
        world.serverless_call("DeleteWorkgroup", workgroupName="wg1")
        held.take()()

    meanwhile(monkeypatch, world.serverless.workgroups, delete)
    start()
    assert world.serverless_call("ListWorkgroups")["workgroups"] == []
    assert key not in world.dataplane.running and key not in world.dataplane.announced


def test_a_port_change_done_as_the_restart_job_begins_is_kept(world, monkeypatch):
    """An UpdateWorkgroup of the port done after the restart job read its workgroup: the engine
    serves the new port, never back on the old one."""
    held, start, key = restarted(world, monkeypatch)

    def update() -> None:
        world.serverless_call("UpdateWorkgroup", workgroupName="wg1", port=5450)
        held.take()()

    meanwhile(monkeypatch, world.serverless.workgroups, update)
    start()
    served = workgroup(world)
    assert (served["status"], served["port"], served["endpoint"]["port"], world.dataplane.ports[key]) == (
        "AVAILABLE", 5450, 5450, 5450)


# --- one write rule ----------------------------------------------------------------


def test_update_snapshot_never_undoes_the_snapshot_finishing(tmp_path, monkeypatch):
    world = make_world(tmp_path, delay=0.004)
    try:
        world.serverless_call("CreateNamespace", namespaceName="ns1")
        reads = world.serverless.snapshots.get

        def slow(*args: Any) -> Any:
            found = reads(*args)
            time.sleep(0.003)
            return found

        monkeypatch.setattr(world.serverless.snapshots, "get", slow)
        for trial in range(30):
            name = f"snap{trial}"
            world.serverless_call("CreateSnapshot", namespaceName="ns1", snapshotName=name)
            time.sleep(random.uniform(0, 0.008))
            world.serverless_call("UpdateSnapshot", snapshotName=name, retentionPeriod=trial + 1)
            wait(lambda: snapshot(world, name)["status"] != "CREATING")
            assert (snapshot(world, name)["status"], snapshot(world, name)["snapshotRetentionPeriod"]) == (
                "AVAILABLE", trial + 1)
            world.serverless_call("DeleteSnapshot", snapshotName=name)
    finally:
        world.close()
