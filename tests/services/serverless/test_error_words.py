"""Errors in the words tools match on: Terraform's provider decides a resource is gone, or retries a
change, from the error's text (ResourceNotFoundException naming a "snapshot", a resource policy that
"does not exist", GetUsageLimit's ValidationException "does not exist", "operation running")."""

from __future__ import annotations


def test_not_found_words(owner):
    code, status, message = owner.error(owner.get_namespace, namespaceName="gone")
    assert (code, status, message) == ("ResourceNotFoundException", 404, "Serverless namespace gone not found.")
    assert owner.error(owner.get_workgroup, workgroupName="gone")[2] == "Serverless workgroup gone not found."
    code, _, message = owner.error(owner.get_snapshot, snapshotName="gone")
    assert code == "ResourceNotFoundException" and "snapshot" in message
    owner.namespace_with_workgroup()
    snapshot = owner.snapshot("snap1")
    code, _, message = owner.error(owner.get_resource_policy, resourceArn=snapshot["snapshotArn"])
    assert code == "ResourceNotFoundException" and "does not exist" in message
    owner.delete_snapshot(snapshotName="snap1")
    code, _, message = owner.error(owner.get_resource_policy, resourceArn=snapshot["snapshotArn"])
    assert code == "ResourceNotFoundException" and "does not exist" in message


def test_busy_words(slow_owner):
    slow_owner.namespace("ns1")
    slow_owner.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    for call, params in [(slow_owner.update_workgroup, {"baseCapacity": 64}), (slow_owner.delete_workgroup, {})]:
        code, status, message = slow_owner.error(call, workgroupName="wg1", **params)
        assert (code, status) == ("ConflictException", 409) and "operation running" in message


def test_the_default_admin_user_is_reported(owner):
    plain = owner.create_namespace(namespaceName="plain")["namespace"]
    assert plain["adminUsername"] == "admin"
    with_password = owner.create_namespace(namespaceName="password-only", adminUserPassword="Passw0rd1")["namespace"]
    assert with_password["adminUsername"] == "admin"
    owner.create_workgroup(workgroupName="wg1", namespaceName="plain")
    owner.wait_workgroup("wg1")
    assert owner.snapshot("snap1", namespace="plain")["adminUsername"] == "admin"
