"""Errors in the words tools match on: Terraform's provider decides a resource is gone, or retries a
change, from the error's text (ResourceNotFoundException naming a "snapshot", a resource policy that
"does not exist", GetUsageLimit's ValidationException "does not exist", "operation running")."""

from __future__ import annotations

from support import OWNER


def test_not_found_words(owner):
    code, status, message = owner.error(owner.get_namespace, namespaceName="gone")
    assert (code, status, message) == ("ResourceNotFoundException", 404, "Serverless namespace gone not found.")
    assert owner.error(owner.get_workgroup, workgroupName="gone")[2] == "Serverless workgroup gone not found."
    code, _, message = owner.error(owner.get_snapshot, snapshotName="gone")
    assert code == "ResourceNotFoundException" and "snapshot" in message
    # Every operation naming a missing resource says it in the same words (Terraform's provider reads them on
    # update and delete too).
    for call, params, words in [
        (owner.update_namespace, {"namespaceName": "gone", "kmsKeyId": "k"}, "Serverless namespace gone not found."),
        (owner.delete_namespace, {"namespaceName": "gone"}, "Serverless namespace gone not found."),
        (owner.create_workgroup, {"workgroupName": "wg9", "namespaceName": "gone"},
         "Serverless namespace gone not found."),
        (owner.create_snapshot, {"namespaceName": "gone", "snapshotName": "s9"}, "Serverless namespace gone not found."),
        (owner.update_workgroup, {"workgroupName": "gone", "baseCapacity": 32}, "Serverless workgroup gone not found."),
        (owner.delete_workgroup, {"workgroupName": "gone"}, "Serverless workgroup gone not found."),
        (owner.get_credentials, {"workgroupName": "gone"}, "Serverless workgroup gone not found."),
        (owner.update_snapshot, {"snapshotName": "gone", "retentionPeriod": 3}, "Serverless snapshot gone not found."),
        (owner.delete_snapshot, {"snapshotName": "gone"}, "Serverless snapshot gone not found."),
    ]:
        assert owner.error(call, **params) == ("ResourceNotFoundException", 404, words), call
    owner.namespace_with_workgroup()
    snapshot = owner.snapshot("snap1")
    code, _, message = owner.error(owner.get_resource_policy, resourceArn=snapshot["snapshotArn"])
    assert code == "ResourceNotFoundException" and "does not exist" in message
    owner.delete_snapshot(snapshotName="snap1")
    code, _, message = owner.error(owner.get_resource_policy, resourceArn=snapshot["snapshotArn"])
    assert code == "ResourceNotFoundException" and "does not exist" in message



def test_the_other_resources_not_found_say_which_in_the_same_words(owner):
    for call, params, words in [
        (owner.get_endpoint_access, {"endpointName": "gone"}, "Endpoint gone not found."),
        (owner.get_scheduled_action, {"scheduledActionName": "gone"}, "Scheduled action gone not found."),
        (owner.get_reservation, {"reservationId": "gone"}, "Reservation gone not found."),
        (owner.get_table_restore_status, {"tableRestoreRequestId": "gone"}, "Table restore request gone not found."),
        (owner.update_snapshot_copy_configuration, {"snapshotCopyConfigurationId": "gone", "snapshotRetentionPeriod": 3},
         "Snapshot copy configuration gone not found."),
        (owner.delete_snapshot_copy_configuration, {"snapshotCopyConfigurationId": "gone"},
         "Snapshot copy configuration gone not found."),
    ]:
        assert owner.error(call, **params) == ("ResourceNotFoundException", 404, words), call

def test_busy_words(slow_owner):
    slow_owner.namespace("ns1")
    slow_owner.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    for call, params in [(slow_owner.update_workgroup, {"baseCapacity": 64}), (slow_owner.delete_workgroup, {})]:
        code, status, message = slow_owner.error(call, workgroupName="wg1", **params)
        assert (code, status) == ("ConflictException", 409) and "operation running" in message


def test_the_default_admin_user_and_key_are_reported_everywhere(owner, ls):
    plain = owner.create_namespace(namespaceName="plain")["namespace"]
    assert (plain["adminUsername"], plain["kmsKeyId"]) == ("admin", "AWS_OWNED_KMS_KEY")
    with_password = owner.create_namespace(namespaceName="password-only", adminUserPassword="Passw0rd1")["namespace"]
    assert with_password["adminUsername"] == "admin"
    owner.create_workgroup(workgroupName="wg1", namespaceName="plain")
    owner.wait_workgroup("wg1")
    snapshot = owner.snapshot("snap1", namespace="plain")
    assert (snapshot["adminUsername"], snapshot["kmsKeyId"]) == ("admin", "AWS_OWNED_KMS_KEY")
    # Lists say the same, and so does the provisioned API, as for a default-encrypted cluster's snapshot.
    assert {(n["adminUsername"], n["kmsKeyId"]) for n in owner.list_namespaces()["namespaces"]} == {
        ("admin", "AWS_OWNED_KMS_KEY")}
    listed = owner.list_snapshots()["snapshots"]
    assert [(s["adminUsername"], s["kmsKeyId"]) for s in listed] == [("admin", "AWS_OWNED_KMS_KEY")]
    seen = ls.client(OWNER).describe_cluster_snapshots(SnapshotArn=snapshot["snapshotArn"])["Snapshots"][0]
    assert (seen["MasterUsername"], seen["Encrypted"], seen["KmsKeyId"]) == ("admin", True, "AWS_OWNED_KMS_KEY")
