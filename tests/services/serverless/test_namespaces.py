"""Namespaces: create, get, list, update, delete (with a final snapshot), and their errors."""

from __future__ import annotations

import re

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_create_get_list_delete(owner):
    created = owner.namespace("ns1", dbName="sales", iamRoles=["arn:aws:iam::111111111111:role/r1"],
                              defaultIamRoleArn="arn:aws:iam::111111111111:role/r1", logExports=["userlog"])
    assert created["status"] == "AVAILABLE"  # the model has no CREATING status for namespaces
    assert re.fullmatch(rf"arn:aws:redshift-serverless:us-east-1:111111111111:namespace/{UUID}", created["namespaceArn"])
    assert created["namespaceArn"].endswith(created["namespaceId"])
    assert created["dbName"] == "sales"
    assert created["adminUsername"] == "admin"
    assert created["kmsKeyId"] == "AWS_OWNED_KMS_KEY"
    assert created["logExports"] == ["userlog"]
    assert created["defaultIamRoleArn"] == "arn:aws:iam::111111111111:role/r1"
    assert "adminUserPassword" not in created
    assert owner.get_namespace(namespaceName="ns1")["namespace"] == created
    assert [n["namespaceName"] for n in owner.list_namespaces()["namespaces"]] == ["ns1"]
    deleted = owner.delete_namespace(namespaceName="ns1")["namespace"]
    assert deleted["status"] == "DELETING"
    assert owner.wait_for_gone(owner.get_namespace, namespaceName="ns1")


def test_defaults_and_managed_password(owner):
    plain = owner.create_namespace(namespaceName="plain")["namespace"]
    assert plain["dbName"] == "dev"
    assert plain["adminUsername"] == "admin"  # AWS's default admin user, reported as such
    managed = owner.create_namespace(namespaceName="managed", adminUsername="boss", manageAdminPassword=True)["namespace"]
    assert managed["adminPasswordSecretArn"].startswith("arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift!")


def test_namespaces_belong_to_one_account(owner, grantee):
    owner.namespace("ns1")
    assert grantee.list_namespaces()["namespaces"] == []
    assert grantee.error(grantee.get_namespace, namespaceName="ns1")[:2] == ("ResourceNotFoundException", 404)
    grantee.namespace("ns1")  # the same name in another account is another namespace


def test_create_errors(owner):
    owner.namespace("ns1")
    assert owner.error(owner.create_namespace, namespaceName="ns1")[:2] == ("ConflictException", 409)
    code, status, message = owner.error(owner.create_namespace, namespaceName="Bad_Name")
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'Bad_Name' at 'namespaceName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-z0-9-]+$"
    )
    assert owner.error(owner.create_namespace, namespaceName="x" * 65)[:2] == ("ValidationException", 400)
    bad = [
        {"adminUsername": "admin"},  # a user without a password
        {"adminUsername": "admin", "adminUserPassword": "Passw0rd1", "manageAdminPassword": True},
        {"adminUsername": "admin", "adminUserPassword": "weak"},
        {"adminUsername": "select", "adminUserPassword": "Passw0rd1"},
        {"adminPasswordSecretKmsKeyId": "key"},
        {"dbName": "1db"},
        {"iamRoles": ["not-a-role"]},
        {"iamRoles": ["arn:aws:iam::111111111111:role/r1"], "defaultIamRoleArn": "arn:aws:iam::111111111111:role/r2"},
        {"logExports": ["everything"]},
        {"tags": [{"key": "aws:reserved", "value": "x"}]},
    ]
    for params in bad:
        assert owner.error(owner.create_namespace, namespaceName="ns2", **params)[:2] == ("ValidationException", 400), params
    many = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    assert owner.error(owner.create_namespace, namespaceName="ns2", tags=many)[:2] == ("TooManyTagsException", 400)
    assert owner.error(owner.get_namespace, namespaceName="ns2")[:2] == ("ResourceNotFoundException", 404)


def test_list_pages_with_next_token(owner):
    names = [f"ns-{i}" for i in range(5)]
    for name in names:
        owner.create_namespace(namespaceName=name)
    seen, token, pages = [], None, 0
    while True:
        page = owner.list_namespaces(maxResults=2, **({"nextToken": token} if token else {}))
        seen += [n["namespaceName"] for n in page["namespaces"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names and pages == 3
    paginated = owner.get_paginator("list_namespaces").paginate(PaginationConfig={"PageSize": 4})
    assert [n["namespaceName"] for page in paginated for n in page["namespaces"]] == names
    assert owner.error(owner.list_namespaces, nextToken="forged")[:2] == ("ValidationException", 400)
    assert owner.error(owner.list_namespaces, maxResults=101)[:2] == ("ValidationException", 400)


def test_update_one_group_at_a_time(owner):
    owner.namespace("ns1")
    key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    updated = owner.update_namespace(namespaceName="ns1", kmsKeyId=key)
    assert updated["namespace"]["kmsKeyId"] == key
    # A KMS key is named as the provisioned API names one; anything else is refused, and kept out.
    code, status, message = owner.error(owner.update_namespace, namespaceName="ns1", kmsKeyId="!!")
    assert (code, status, message) == ("ValidationException", 400, (
        "kmsKeyId !! is not valid: give a KMS key id, key ARN, alias or alias ARN."))
    assert owner.get_namespace(namespaceName="ns1")["namespace"]["kmsKeyId"] == key
    assert owner.error(owner.create_namespace, namespaceName="ns-bad-key", kmsKeyId="key/k1")[:2] == (
        "ValidationException", 400)
    assert owner.create_namespace(namespaceName="ns-alias", kmsKeyId="alias/data")["namespace"]["kmsKeyId"] == (
        "alias/data")
    roles = owner.update_namespace(namespaceName="ns1", iamRoles=["arn:aws:iam::111111111111:role/a"],
                                   defaultIamRoleArn="arn:aws:iam::111111111111:role/a")["namespace"]
    assert roles["iamRoles"] == ["arn:aws:iam::111111111111:role/a"]
    assert roles["defaultIamRoleArn"] == "arn:aws:iam::111111111111:role/a"
    assert owner.update_namespace(namespaceName="ns1", logExports=[])["namespace"]["logExports"] == []
    code, status, message = owner.error(owner.update_namespace, namespaceName="ns1", kmsKeyId="k", logExports=["userlog"])
    assert (code, status) == ("ValidationException", 400) and "in one request" in message
    assert owner.error(owner.update_namespace, namespaceName="ns1", adminUsername="other")[:2] == ("ValidationException", 400)
    # Both or neither, as UpdateNamespace's documentation says (Terraform sends both).
    assert owner.error(owner.update_namespace, namespaceName="ns1", adminUserPassword="NewPassw0rd1")[:2] == (
        "ValidationException", 400)
    assert owner.error(owner.update_namespace, namespaceName="nope", kmsKeyId="k")[:2] == ("ResourceNotFoundException", 404)


def test_credentials_change_waits_for_the_engine(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    changed = owner.update_namespace(namespaceName="ns1", adminUsername="boss", adminUserPassword="NewPassw0rd")
    assert changed["namespace"]["status"] == "MODIFYING"
    assert owner.wait_namespace("ns1")["adminUsername"] == "boss"
    managed = owner.update_namespace(namespaceName="ns1", manageAdminPassword=True)["namespace"]
    assert managed["adminPasswordSecretArn"].startswith("arn:aws:secretsmanager:")


def test_delete_needs_the_workgroup_gone_and_keeps_a_final_snapshot(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    code, status, message = owner.error(owner.delete_namespace, namespaceName="ns1")
    assert (code, status) == ("ConflictException", 409) and "wg1" in message
    owner.delete_workgroup(workgroupName="wg1")
    owner.wait_for_gone(owner.get_workgroup, workgroupName="wg1")
    assert owner.error(owner.delete_namespace, namespaceName="ns1", finalSnapshotRetentionPeriod=7)[:2] == (
        "ValidationException", 400)
    owner.snapshot("taken", "ns1")
    assert owner.error(owner.delete_namespace, namespaceName="ns1", finalSnapshotName="taken")[:2] == (
        "ConflictException", 409)
    deleted = owner.delete_namespace(namespaceName="ns1", finalSnapshotName="final", finalSnapshotRetentionPeriod=7)
    assert deleted["namespace"]["status"] == "DELETING"
    assert owner.error(owner.delete_namespace, namespaceName="ns1")[:2] == ("ConflictException", 409)
    owner.wait_for_gone(owner.get_namespace, namespaceName="ns1")
    final = owner.get_snapshot(snapshotName="final")["snapshot"]
    assert final["status"] == "AVAILABLE"
    assert final["snapshotRetentionPeriod"] == 7
    assert final["namespaceName"] == "ns1"
    # Snapshots outlive their namespace, and a new namespace may take the name.
    owner.namespace("ns1")
    assert {s["snapshotName"] for s in owner.list_snapshots(namespaceName="ns1")["snapshots"]} == {"taken", "final"}


def test_other_accounts_cannot_update_or_delete(owner, grantee):
    owner.namespace("ns1")
    assert grantee.error(grantee.delete_namespace, namespaceName="ns1")[:2] == ("ResourceNotFoundException", 404)
    assert grantee.error(grantee.update_namespace, namespaceName="ns1", kmsKeyId="k")[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.get_namespace(namespaceName="ns1")["namespace"]["status"] == "AVAILABLE"


def test_reserved_names_are_refused_up_front(owner):
    for params in (
        {"adminUsername": "rdsdb", "adminUserPassword": "Passw0rd1"},
        {"adminUsername": "pg_admin", "adminUserPassword": "Passw0rd1"},
        {"adminUsername": "wallet", "adminUserPassword": "Passw0rd1"},
        {"adminUsername": "admin\n", "adminUserPassword": "Passw0rd1"},
        {"dbName": "template1"},
        {"dbName": "padb_harvest"},
        {"dbName": "pg_catalog"},
        {"dbName": "dev\n"},
    ):
        assert owner.error(owner.create_namespace, namespaceName="ns1", **params)[:2] == ("ValidationException", 400)
    assert owner.list_namespaces()["namespaces"] == []
    owner.namespace("ns1")
    assert owner.error(owner.update_namespace, namespaceName="ns1", adminUsername="rdsdb",
                       adminUserPassword="Passw0rd1")[:2] == ("ValidationException", 400)


def test_model_patterns_match_whole_values(owner):
    # The model's pattern ^[a-z0-9-]+$ admits no trailing newline (Python's $ alone would).
    code, status, message = owner.error(owner.create_namespace, namespaceName="ns1\n")[:3]
    assert (code, status) == ("ValidationException", 400)
    assert "satisfy regular expression pattern" in message
    assert owner.list_namespaces()["namespaces"] == []
