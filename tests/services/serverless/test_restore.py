"""RestoreFromSnapshot: from the caller's own or a shared serverless snapshot, or from a provisioned snapshot ARN."""

from __future__ import annotations

import pytest

from support import GRANTEE, OWNER, create_available_cluster, create_available_snapshot


@pytest.fixture
def source(owner) -> dict:
    """An AVAILABLE snapshot of the owner's namespace 'source', whose admin user is alice."""
    owner.namespace("source", adminUsername="alice", dbName="sales")
    return owner.snapshot("snap1", "source")


def restored(client, namespace: str = "target", workgroup: str = "wg-target", **params) -> dict:
    result = client.restore_from_snapshot(namespaceName=namespace, workgroupName=workgroup, **params)
    assert result["namespace"]["status"] == "MODIFYING"
    assert client.get_workgroup(workgroupName=workgroup)["workgroup"]["status"] in ("MODIFYING", "AVAILABLE")
    namespace_after = client.wait_namespace(namespace)
    assert client.wait_workgroup(workgroup)["endpoint"]["address"] == "127.0.0.1"
    return {**result, "after": namespace_after}


def test_own_snapshot_into_another_namespace(owner, source):
    owner.namespace_with_workgroup("target", "wg-target", adminUsername="bob")
    result = restored(owner, snapshotName="snap1")
    assert (result["ownerAccount"], result["snapshotName"]) == (OWNER, "snap1")
    # The namespace now holds the snapshot's data: its admin user and database.
    assert (result["after"]["adminUsername"], result["after"]["dbName"]) == ("alice", "sales")


def test_own_snapshot_back_into_its_namespace(owner, source):
    owner.create_workgroup(workgroupName="wg-source", namespaceName="source")
    owner.wait_workgroup("wg-source")
    result = restored(owner, "source", "wg-source", snapshotArn=source["snapshotArn"])
    assert result["snapshotName"] == "snap1"


def test_grantee_restores_a_shared_snapshot(owner, grantee, stranger, source):
    owner.share(source["snapshotArn"], GRANTEE)
    grantee.namespace_with_workgroup("target", "wg-target")
    by_arn = restored(grantee, snapshotArn=source["snapshotArn"])
    assert (by_arn["ownerAccount"], by_arn["after"]["adminUsername"]) == (OWNER, "alice")
    restored(grantee, snapshotName="snap1", ownerAccount=OWNER)
    stranger.namespace_with_workgroup("target", "wg-target")
    assert stranger.error(stranger.restore_from_snapshot, namespaceName="target", workgroupName="wg-target",
                          snapshotArn=source["snapshotArn"])[:2] == ("ResourceNotFoundException", 404)
    # Removing the policy stops new restores.
    owner.delete_resource_policy(resourceArn=source["snapshotArn"])
    assert grantee.error(grantee.restore_from_snapshot, namespaceName="target", workgroupName="wg-target",
                         snapshotName="snap1", ownerAccount=OWNER)[:2] == ("ResourceNotFoundException", 404)


def test_from_a_provisioned_snapshot(owner, grantee, stranger):
    create_available_cluster(owner.redshift, "c1", MasterUsername="carol", DBName="warehouse")
    snapshot = create_available_snapshot(owner.redshift, "prov1", "c1")
    owner.namespace_with_workgroup("target", "wg-target")
    result = restored(owner, snapshotArn=snapshot["SnapshotArn"])
    assert (result["ownerAccount"], result["snapshotName"]) == (OWNER, "prov1")
    assert (result["after"]["adminUsername"], result["after"]["dbName"]) == ("carol", "warehouse")
    # Shared with AuthorizeSnapshotAccess, a provisioned snapshot restores into the grantee's namespace.
    owner.redshift.authorize_snapshot_access(SnapshotIdentifier="prov1", AccountWithRestoreAccess=GRANTEE)
    grantee.namespace_with_workgroup("target", "wg-target")
    assert restored(grantee, snapshotArn=snapshot["SnapshotArn"])["ownerAccount"] == OWNER
    stranger.namespace_with_workgroup("target", "wg-target")
    restore = {"namespaceName": "target", "workgroupName": "wg-target", "snapshotArn": snapshot["SnapshotArn"]}
    assert stranger.error(stranger.restore_from_snapshot, **restore)[:2] == ("ResourceNotFoundException", 404)
    # Revoking stops new restores.
    owner.redshift.revoke_snapshot_access(SnapshotIdentifier="prov1", AccountWithRestoreAccess=GRANTEE)
    assert grantee.error(grantee.restore_from_snapshot, **restore)[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.restore_from_snapshot, namespaceName="target", workgroupName="wg-target",
                       snapshotArn=snapshot["SnapshotArn"], ownerAccount=GRANTEE)[:2] == ("ResourceNotFoundException", 404)


def test_managed_admin_password(owner, source):
    owner.namespace_with_workgroup("target", "wg-target")
    result = restored(owner, snapshotName="snap1", manageAdminPassword=True)
    assert result["after"]["adminPasswordSecretArn"].startswith("arn:aws:secretsmanager:us-east-1:111111111111:secret:")


def test_errors(owner, source):
    owner.namespace_with_workgroup("target", "wg-target")
    owner.namespace("other")

    def error(**params):
        params = {"namespaceName": "target", "workgroupName": "wg-target", **params}
        return owner.error(owner.restore_from_snapshot, **params)[:2]

    assert error(snapshotName="snap1", snapshotArn=source["snapshotArn"]) == ("ValidationException", 400)
    assert error() == ("ValidationException", 400)
    assert error(snapshotName="snap1", namespaceName="other") == ("ValidationException", 400)
    assert error(snapshotName="snap1", workgroupName="nope") == ("ResourceNotFoundException", 404)
    assert error(snapshotName="snap1", namespaceName="nope") == ("ResourceNotFoundException", 404)
    assert error(snapshotName="nope") == ("ResourceNotFoundException", 404)
    assert error(snapshotName="snap1", adminPasswordSecretKmsKeyId="k") == ("ValidationException", 400)
    assert error(snapshotArn="arn:aws:redshift:us-east-1:111111111111:snapshot:no-name") == ("ValidationException", 400)
    assert error(snapshotArn="arn:aws:redshift:us-east-1:111111111111:snapshot:c9/s9") == (
        "ResourceNotFoundException", 404)
    assert error(snapshotName="snap1", ownerAccount="abc") == ("ValidationException", 400)
    # One restore at a time: the namespace is MODIFYING until the first is done.
    owner.restore_from_snapshot(namespaceName="target", workgroupName="wg-target", snapshotName="snap1")
    assert error(snapshotName="snap1") == ("ConflictException", 409)
    owner.wait_namespace("target")
