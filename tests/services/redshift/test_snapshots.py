"""Snapshot create, copy, modify, delete and batch delete, through boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, create_available_cluster, create_available_snapshot, wait_for


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def first_automated(client) -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: [
        s for s in client.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"] if s["Status"] == "available"
    ])[0]


def test_create_snapshot_moves_from_creating_to_available(redshift):
    create_available_cluster(redshift)
    created = redshift.create_cluster_snapshot(
        SnapshotIdentifier="Nightly-1", ClusterIdentifier="c1", ManualSnapshotRetentionPeriod=10,
        Tags=[{"Key": "team", "Value": "data"}],
    )["Snapshot"]
    assert created["Status"] == "creating"
    assert created["SnapshotIdentifier"] == "nightly-1"
    assert created["SnapshotArn"] == f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/nightly-1"
    redshift.get_waiter("snapshot_available").wait(SnapshotIdentifier="nightly-1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier="nightly-1")["Snapshots"][0]
    assert snapshot["Status"] == "available" and snapshot["SnapshotType"] == "manual"
    assert snapshot["OwnerAccount"] == OWNER
    assert snapshot["ManualSnapshotRetentionPeriod"] == 10 and snapshot["ManualSnapshotRemainingDays"] == 10
    assert snapshot["SnapshotRetentionStartTime"] >= snapshot["SnapshotCreateTime"]
    assert snapshot["Tags"] == [{"Key": "team", "Value": "data"}]
    assert snapshot["NodeType"] == "ra3.xlplus" and snapshot["NumberOfNodes"] == 2
    assert snapshot["EstimatedSecondsToCompletion"] == 0 and snapshot["CurrentBackupRateInMegaBytesPerSecond"] == 0
    assert "ra3.4xlarge" in snapshot["RestorableNodeTypes"]
    assert "AccountsWithRestoreAccess" not in snapshot


def test_manual_retention_defaults_to_the_clusters_setting(redshift):
    create_available_cluster(redshift, ManualSnapshotRetentionPeriod=5)
    snapshot = create_available_snapshot(redshift)
    assert snapshot["ManualSnapshotRetentionPeriod"] == 5


def test_create_snapshot_errors(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="missing")
    assert code_of(excinfo) == ("ClusterNotFound", 404)
    create_available_cluster(redshift)
    for bad in ("1abc", "a--b", "ends-", "x" * 256, "has_underscore"):
        with pytest.raises(ClientError) as excinfo:
            redshift.create_cluster_snapshot(SnapshotIdentifier=bad, ClusterIdentifier="c1")
        assert code_of(excinfo) == ("InvalidParameterValue", 400), bad
    for retention in (0, -2, 3654):
        with pytest.raises(ClientError) as excinfo:
            redshift.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1",
                                             ManualSnapshotRetentionPeriod=retention)
        assert code_of(excinfo) == ("InvalidRetentionPeriodFault", 400)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_snapshot(SnapshotIdentifier="S1", ClusterIdentifier="c1")
    assert code_of(excinfo) == ("ClusterSnapshotAlreadyExists", 400)


def test_manual_snapshot_quota(redshift):
    create_available_cluster(redshift)
    for index in range(20):
        redshift.create_cluster_snapshot(SnapshotIdentifier=f"s{index}", ClusterIdentifier="c1")
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_snapshot(SnapshotIdentifier="one-too-many", ClusterIdentifier="c1")
    assert code_of(excinfo) == ("ClusterSnapshotQuotaExceeded", 400)


def test_delete_snapshot_rules(redshift):
    create_available_cluster(redshift)
    automated = first_automated(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_snapshot(SnapshotIdentifier=automated["SnapshotIdentifier"])
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_snapshot(SnapshotIdentifier="missing")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_snapshot(SnapshotIdentifier="s1", SnapshotClusterIdentifier="other")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
    deleted = redshift.delete_cluster_snapshot(SnapshotIdentifier="s1", SnapshotClusterIdentifier="c1")["Snapshot"]
    assert deleted["Status"] == "deleted"
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_snapshots(SnapshotIdentifier="s1")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_snapshot_in_progress_cannot_be_deleted_nor_its_cluster(slow):
    # On the slow server a snapshot takes 1.5 s, so it is still running here.
    redshift = slow.client(OWNER)
    create_available_cluster(redshift)
    redshift.create_cluster_snapshot(SnapshotIdentifier="running", ClusterIdentifier="c1")
    assert redshift.describe_cluster_snapshots(SnapshotIdentifier="running")["Snapshots"][0]["Status"] == "creating"
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_snapshot(SnapshotIdentifier="running")
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    assert code_of(excinfo) == ("InvalidClusterState", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.authorize_snapshot_access(SnapshotIdentifier="running", AccountWithRestoreAccess="222222222222")
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)


def test_copy_automated_to_manual(redshift):
    create_available_cluster(redshift)
    automated = first_automated(redshift)
    copied = redshift.copy_cluster_snapshot(
        SourceSnapshotIdentifier=automated["SnapshotIdentifier"], SourceSnapshotClusterIdentifier="c1",
        TargetSnapshotIdentifier="kept", ManualSnapshotRetentionPeriod=3,
    )["Snapshot"]
    # AWS's CopyClusterSnapshot example answers with the copy already available (it shares the source's data).
    assert copied["Status"] == "available" and copied["SnapshotType"] == "manual"
    # Its retention starts as the copy completes, after the request's time: the whole period is left, not a day more.
    assert copied["ManualSnapshotRetentionPeriod"] == 3 and copied["ManualSnapshotRemainingDays"] == 3
    redshift.get_waiter("snapshot_available").wait(SnapshotIdentifier="kept", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    kept = redshift.describe_cluster_snapshots(SnapshotIdentifier="kept")["Snapshots"][0]
    assert kept["ManualSnapshotRetentionPeriod"] == 3
    assert kept["SnapshotCreateTime"] == automated["SnapshotCreateTime"]
    with pytest.raises(ClientError) as excinfo:
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="kept", TargetSnapshotIdentifier="again")
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier=automated["SnapshotIdentifier"],
                                       TargetSnapshotIdentifier="kept")
    assert code_of(excinfo) == ("ClusterSnapshotAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="rs:missing", TargetSnapshotIdentifier="x")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_modify_snapshot_retention_and_force(redshift, ls):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    modified = redshift.modify_cluster_snapshot(SnapshotIdentifier="s1", ManualSnapshotRetentionPeriod=30)["Snapshot"]
    assert modified["ManualSnapshotRetentionPeriod"] == 30 and modified["ManualSnapshotRemainingDays"] == 30
    ls.admin("/_localshift/time-travel?seconds=" + str(3 * 86400))
    assert redshift.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]["ManualSnapshotRemainingDays"] == 27
    # A retention period that has already passed needs Force, which deletes at once.
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_snapshot(SnapshotIdentifier="s1", ManualSnapshotRetentionPeriod=1)
    assert code_of(excinfo) == ("InvalidRetentionPeriodFault", 400)
    forced = redshift.modify_cluster_snapshot(SnapshotIdentifier="s1", ManualSnapshotRetentionPeriod=1, Force=True)
    assert forced["Snapshot"]["Status"] == "deleted"
    assert redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"] == []
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_snapshot(SnapshotIdentifier="s1", ManualSnapshotRetentionPeriod=5)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_batch_delete_reports_per_item_errors(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift, "a")
    create_available_snapshot(redshift, "b")
    result = redshift.batch_delete_cluster_snapshots(Identifiers=[
        {"SnapshotIdentifier": "a"}, {"SnapshotIdentifier": "missing"},
        {"SnapshotIdentifier": "b", "SnapshotClusterIdentifier": "c1"},
    ])
    assert result["Resources"] == ["a", "b"]
    assert [(e["SnapshotIdentifier"], e["FailureCode"]) for e in result["Errors"]] == [
        ("missing", "ClusterSnapshotNotFound")
    ]
    with pytest.raises(ClientError) as excinfo:
        redshift.batch_delete_cluster_snapshots(Identifiers=[{"SnapshotIdentifier": f"s{i}"} for i in range(101)])
    assert code_of(excinfo) == ("BatchDeleteRequestSizeExceeded", 400)


def test_batch_modify_sets_retention_and_reports_per_item_errors(redshift, ls):
    create_available_cluster(redshift)
    for name in ("s1", "s2", "s3"):
        create_available_snapshot(redshift, name)
    automated = first_automated(redshift)["SnapshotIdentifier"]
    result = redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["s1", "S2"], ManualSnapshotRetentionPeriod=7)
    # Every snapshot modified: no Errors at all.
    assert result["Resources"] == ["s1", "s2"] and "Errors" not in result
    assert [s["ManualSnapshotRetentionPeriod"] for s in
            redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]] == [7, 7, -1]
    result = redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["s3", "missing", automated],
                                                     ManualSnapshotRetentionPeriod=10)
    assert result["Resources"] == ["s3"]
    assert [(e["SnapshotIdentifier"], e["FailureCode"]) for e in result["Errors"]] == [
        ("missing", "ClusterSnapshotNotFound"), (automated, "InvalidClusterSnapshotState")]
    assert all(e["FailureReason"] for e in result["Errors"])
    # Two days on, a one-day retention has passed: refused per snapshot without Force, deleted with it.
    ls.admin(f"/_localshift/time-travel?seconds={2 * 86400}")
    refused = redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["s1", "s2"], ManualSnapshotRetentionPeriod=1)
    assert refused["Resources"] == []
    assert {e["FailureCode"] for e in refused["Errors"]} == {"InvalidRetentionPeriodFault"}
    forced = redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["s1", "s2"], ManualSnapshotRetentionPeriod=1,
                                                     Force=True)
    assert forced["Resources"] == ["s1", "s2"] and "Errors" not in forced
    assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]] \
        == ["s3"]
    # The request as a whole: too many snapshots, a retention period that is never valid.
    with pytest.raises(ClientError) as excinfo:
        redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=[f"s{i}" for i in range(101)])
    assert code_of(excinfo) == ("BatchModifyClusterSnapshotsLimitExceededFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["s3"], ManualSnapshotRetentionPeriod=0)
    assert code_of(excinfo) == ("InvalidRetentionPeriodFault", 400)
    assert redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=[])["Resources"] == []
