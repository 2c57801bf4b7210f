"""Work in progress: what a workgroup being created, a snapshot being taken and a restore running refuse.

Runs on the slow server (each piece of work takes 1.5 s) to observe each state.
"""

from __future__ import annotations


def test_operations_wait_for_work_in_progress(slow_owner):
    sls = slow_owner
    sls.namespace("ns1")
    sls.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    conflict = ("ConflictException", 409)
    # The workgroup is CREATING while the namespace's engine is made.
    assert sls.error(sls.update_workgroup, workgroupName="wg1", baseCapacity=64)[:2] == conflict
    assert sls.error(sls.delete_workgroup, workgroupName="wg1")[:2] == conflict
    assert sls.error(sls.delete_namespace, namespaceName="ns1")[:2] == conflict
    sls.wait_workgroup("wg1")

    # The snapshot is CREATING while the data is copied.
    arn = sls.create_snapshot(namespaceName="ns1", snapshotName="snap1")["snapshot"]["snapshotArn"]
    assert sls.error(sls.delete_snapshot, snapshotName="snap1")[:2] == conflict
    assert sls.error(sls.put_resource_policy, resourceArn=arn, policy=sls.policy("222222222222"))[:2] == conflict
    restore = {"namespaceName": "ns1", "workgroupName": "wg1", "snapshotName": "snap1"}
    assert sls.error(sls.restore_from_snapshot, **restore)[:2] == conflict
    sls.wait_snapshot("snap1")

    # A restore holds the namespace and its workgroup MODIFYING.
    assert sls.restore_from_snapshot(**restore)["namespace"]["status"] == "MODIFYING"
    assert sls.get_workgroup(workgroupName="wg1")["workgroup"]["status"] == "MODIFYING"
    assert sls.error(sls.restore_from_snapshot, **restore)[:2] == conflict
    assert sls.error(sls.create_snapshot, namespaceName="ns1", snapshotName="snap2")[:2] == conflict
    assert sls.error(sls.update_namespace, namespaceName="ns1", kmsKeyId="k")[:2] == conflict
    assert sls.error(sls.update_workgroup, workgroupName="wg1", baseCapacity=64)[:2] == conflict
    assert sls.error(sls.delete_workgroup, workgroupName="wg1")[:2] == conflict
