"""Serverless snapshot ARNs in the five provisioned operations (the seed's change), both clients on one server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, STRANGER, wait_for


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def serverless_snapshot(ls) -> str:
    """The ARN of an available snapshot of the owner's namespace ns1."""
    serverless = ls.client(OWNER, service="redshift-serverless")
    serverless.create_namespace(namespaceName="ns1", adminUsername="admin", adminUserPassword="Passw0rd1",
                                dbName="sales")
    serverless.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    wait_for(lambda: serverless.get_workgroup(workgroupName="wg1")["workgroup"]["status"] == "AVAILABLE")
    serverless.create_snapshot(namespaceName="ns1", snapshotName="nightly", tags=[{"key": "env", "value": "prod"}])
    wait_for(lambda: serverless.get_snapshot(snapshotName="nightly")["snapshot"]["status"] == "AVAILABLE")
    return serverless.get_snapshot(snapshotName="nightly")["snapshot"]["snapshotArn"]


def test_share_describe_list_options_restore_and_revoke(ls, serverless_snapshot):
    arn = serverless_snapshot
    owner, grantee, stranger = ls.client(OWNER), ls.client(GRANTEE), ls.client(STRANGER)
    assert arn.startswith(f"arn:aws:redshift-serverless:us-east-1:{OWNER}:snapshot/")

    # The owner describes it in the provisioned Snapshot shape.
    described = owner.describe_cluster_snapshots(SnapshotArn=arn)["Snapshots"]
    assert len(described) == 1
    view = described[0]
    assert view["SnapshotArn"] == arn and view["OwnerAccount"] == OWNER
    assert view["SnapshotType"] == "manual" and view["Status"] == "available"
    assert view["DBName"] == "sales" and view["MasterUsername"] == "admin"
    assert view["RestorableNodeTypes"] and all(t.startswith("ra3.") for t in view["RestorableNodeTypes"])
    assert owner.describe_cluster_snapshots(SnapshotArn=arn, TagKeys=["env"])["Snapshots"][0]["SnapshotArn"] == arn
    assert owner.describe_cluster_snapshots(SnapshotArn=arn, TagKeys=["other"])["Snapshots"] == []
    assert owner.describe_cluster_snapshots(SnapshotArn=arn, SnapshotType="automated")["Snapshots"] == []

    # Before sharing, neither other account sees it.
    for client in (grantee, stranger):
        with pytest.raises(ClientError) as excinfo:
            client.describe_cluster_snapshots(SnapshotArn=arn)
        assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)

    shared = owner.authorize_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)["Snapshot"]
    assert shared["AccountsWithRestoreAccess"] == [{"AccountId": GRANTEE}]
    on_serverless = ls.client(OWNER, service="redshift-serverless").get_snapshot(snapshotArn=arn)["snapshot"]
    assert on_serverless["accountsWithProvisionedRestoreAccess"] == [GRANTEE]
    with pytest.raises(ClientError) as excinfo:
        owner.authorize_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)
    assert code_of(excinfo) == ("AuthorizationAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        grantee.authorize_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=STRANGER)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)

    # The grantee finds it by ARN (never its grantee list) and lists RA3 options.
    seen = grantee.describe_cluster_snapshots(SnapshotArn=arn, OwnerAccount=OWNER)["Snapshots"][0]
    assert "AccountsWithRestoreAccess" not in seen
    options = grantee.describe_node_configuration_options(ActionType="restore-cluster", SnapshotArn=arn)
    rows = options["NodeConfigurationOptionList"]
    assert rows and {o["NodeType"] for o in rows} <= set(view["RestorableNodeTypes"])
    with pytest.raises(ClientError) as excinfo:
        stranger.describe_node_configuration_options(ActionType="restore-cluster", SnapshotArn=arn)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)

    # The grantee restores it as a provisioned RA3 cluster; other node types are refused.
    with pytest.raises(ClientError) as excinfo:
        grantee.restore_from_cluster_snapshot(ClusterIdentifier="bad", SnapshotArn=arn, NodeType="dc2.large")
    assert code_of(excinfo) == ("InvalidRestore", 406)
    grantee.restore_from_cluster_snapshot(ClusterIdentifier="from-serverless", SnapshotArn=arn,
                                          NodeType="ra3.4xlarge", NumberOfNodes=2)
    grantee.get_waiter("cluster_restored").wait(ClusterIdentifier="from-serverless",
                                                 WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    cluster = grantee.describe_clusters(ClusterIdentifier="from-serverless")["Clusters"][0]
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["DBName"]) == ("ra3.4xlarge", 2, "sales")

    # A stranger can do none of it.
    with pytest.raises(ClientError) as excinfo:
        stranger.restore_from_cluster_snapshot(ClusterIdentifier="theirs", SnapshotArn=arn)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)

    # Revoking stops new restores; only the owner revokes.
    with pytest.raises(ClientError) as excinfo:
        grantee.revoke_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)
    assert code_of(excinfo) == ("AccessToSnapshotDenied", 400)
    revoked = owner.revoke_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)["Snapshot"]
    assert "AccountsWithRestoreAccess" not in revoked
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)
    assert code_of(excinfo) == ("AuthorizationNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        grantee.restore_from_cluster_snapshot(ClusterIdentifier="again", SnapshotArn=arn)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_namespace_restore_grant_does_not_allow_provisioned_restore(ls, serverless_snapshot):
    arn = serverless_snapshot
    serverless = ls.client(OWNER, service="redshift-serverless")
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["%s"]},'
              '"Action":["redshift-serverless:RestoreFromSnapshot"]}]}' % GRANTEE)
    serverless.put_resource_policy(resourceArn=arn, policy=policy)
    grantee = ls.client(GRANTEE)
    assert grantee.describe_cluster_snapshots(SnapshotArn=arn)["Snapshots"][0]["SnapshotArn"] == arn
    with pytest.raises(ClientError) as excinfo:
        grantee.restore_from_cluster_snapshot(ClusterIdentifier="nope", SnapshotArn=arn)
    assert code_of(excinfo) == ("AccessToSnapshotDenied", 400)


def test_owner_restores_its_own_serverless_snapshot_with_the_default_shape(ls, serverless_snapshot):
    owner = ls.client(OWNER)
    started = owner.restore_from_cluster_snapshot(ClusterIdentifier="mine", SnapshotArn=serverless_snapshot)
    assert started["Cluster"]["NodeType"].startswith("ra3.")
    owner.get_waiter("cluster_restored").wait(ClusterIdentifier="mine", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    with pytest.raises(ClientError) as excinfo:
        owner.restore_from_cluster_snapshot(ClusterIdentifier="both", SnapshotArn=serverless_snapshot,
                                            SnapshotIdentifier="nightly")
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)
    other_region = serverless_snapshot.replace("us-east-1", "eu-west-1")
    with pytest.raises(ClientError) as excinfo:
        owner.describe_cluster_snapshots(SnapshotArn=other_region)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
