"""Sharing serverless snapshots with resource policies: owner, grantee and stranger."""

from __future__ import annotations

import json

import pytest

from support import GRANTEE, OWNER, STRANGER


@pytest.fixture
def shared(owner) -> dict:
    owner.namespace("ns1")
    snapshot = owner.snapshot("shared")
    owner.share(snapshot["snapshotArn"], GRANTEE)
    return snapshot


def test_owner_sees_the_grantees(owner, shared):
    snapshot = owner.get_snapshot(snapshotName="shared")["snapshot"]
    assert snapshot["accountsWithRestoreAccess"] == [GRANTEE]
    assert "accountsWithProvisionedRestoreAccess" not in snapshot
    policy = owner.get_resource_policy(resourceArn=shared["snapshotArn"])["resourcePolicy"]
    assert policy == {"resourceArn": shared["snapshotArn"], "policy": owner.policy(GRANTEE)}


def test_grantee_sees_the_snapshot_but_not_its_grantees(grantee, shared):
    by_arn = grantee.get_snapshot(snapshotArn=shared["snapshotArn"])["snapshot"]
    by_name = grantee.get_snapshot(snapshotName="shared", ownerAccount=OWNER)["snapshot"]
    assert by_arn == by_name
    assert by_arn["ownerAccount"] == OWNER
    assert "accountsWithRestoreAccess" not in by_arn
    # Without ownerAccount a name is looked up in the caller's own account.
    assert grantee.error(grantee.get_snapshot, snapshotName="shared")[:2] == ("ResourceNotFoundException", 404)
    assert [s["snapshotName"] for s in grantee.list_snapshots()["snapshots"]] == ["shared"]
    assert [s["snapshotName"] for s in grantee.list_snapshots(ownerAccount=OWNER)["snapshots"]] == ["shared"]
    assert grantee.list_snapshots(ownerAccount=GRANTEE)["snapshots"] == []
    # Grantees may look and restore, never manage.
    for call, params in [
        (grantee.get_resource_policy, {"resourceArn": shared["snapshotArn"]}),
        (grantee.put_resource_policy, {"resourceArn": shared["snapshotArn"], "policy": grantee.policy(STRANGER)}),
        (grantee.delete_resource_policy, {"resourceArn": shared["snapshotArn"]}),
        (grantee.delete_snapshot, {"snapshotName": "shared"}),
        (grantee.update_snapshot, {"snapshotName": "shared", "retentionPeriod": 1}),
    ]:
        assert grantee.error(call, **params)[:2] == ("ResourceNotFoundException", 404), call


def test_stranger_sees_nothing(stranger, shared):
    assert stranger.error(stranger.get_snapshot, snapshotArn=shared["snapshotArn"])[:2] == (
        "ResourceNotFoundException", 404)
    assert stranger.error(stranger.get_snapshot, snapshotName="shared", ownerAccount=OWNER)[:2] == (
        "ResourceNotFoundException", 404)
    assert stranger.list_snapshots()["snapshots"] == []
    assert stranger.list_snapshots(ownerAccount=OWNER)["snapshots"] == []


def test_replacing_and_deleting_the_policy(owner, grantee, stranger, shared):
    arn = shared["snapshotArn"]
    owner.share(arn, STRANGER, f"arn:aws:iam::{GRANTEE}:root")
    assert owner.get_snapshot(snapshotArn=arn)["snapshot"]["accountsWithRestoreAccess"] == [STRANGER, GRANTEE]
    owner.share(arn, STRANGER)
    assert grantee.error(grantee.get_snapshot, snapshotArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert stranger.get_snapshot(snapshotArn=arn)["snapshot"]["snapshotName"] == "shared"
    # A shared snapshot can't be deleted until its policy is gone.
    code, status, message = owner.error(owner.delete_snapshot, snapshotName="shared")
    assert (code, status) == ("ConflictException", 409) and "shared" in message
    assert set(owner.delete_resource_policy(resourceArn=arn)) == {"ResponseMetadata"}
    assert "accountsWithRestoreAccess" not in owner.get_snapshot(snapshotArn=arn)["snapshot"]
    assert stranger.error(stranger.get_snapshot, snapshotArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.get_resource_policy, resourceArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.delete_resource_policy, resourceArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert owner.delete_snapshot(snapshotName="shared")["snapshot"]["status"] == "DELETED"


def test_policy_errors(owner, shared):
    arn = shared["snapshotArn"]
    statement = json.loads(owner.policy(GRANTEE))["Statement"][0]
    bad = [
        "not json",
        json.dumps({"Version": "2012-10-17"}),
        owner.policy(GRANTEE, effect="Deny"),
        owner.policy(GRANTEE, action="redshift-serverless:DeleteSnapshot"),
        owner.policy("12345"),
        owner.policy("*"),
        owner.policy(OWNER),
        json.dumps({"Statement": [{**statement, "Principal": "*"}]}),
    ]
    for policy in bad:
        assert owner.error(owner.put_resource_policy, resourceArn=arn, policy=policy)[:2] == (
            "ValidationException", 400), policy
    many = [f"{400000000000 + i}" for i in range(21)]
    assert owner.error(owner.put_resource_policy, resourceArn=arn, policy=owner.policy(*many))[:2] == (
        "ServiceQuotaExceededException", 402)
    namespace_arn = owner.get_namespace(namespaceName="ns1")["namespace"]["namespaceArn"]
    assert owner.error(owner.put_resource_policy, resourceArn=namespace_arn, policy=owner.policy(GRANTEE))[:2] == (
        "ValidationException", 400)
    missing = arn[:-12] + "000000000000"
    assert owner.error(owner.put_resource_policy, resourceArn=missing, policy=owner.policy(GRANTEE))[:2] == (
        "ResourceNotFoundException", 404)
    # Nothing changed by the failures.
    assert owner.get_snapshot(snapshotArn=arn)["snapshot"]["accountsWithRestoreAccess"] == [GRANTEE]
