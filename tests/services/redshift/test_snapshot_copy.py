"""Cross-region snapshot copy: EnableSnapshotCopy, DisableSnapshotCopy, ModifySnapshotCopyRetentionPeriod,
and the copies of the cluster's snapshots in the destination region."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, aws_cli, create_available_cluster, create_available_snapshot, wait_for

WEST = "us-west-2"
DAY = 86400
KEY = "arn:aws:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012"


def error(call, **params) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def snapshots(client, **filters) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {s["SnapshotIdentifier"]: s for s in client.describe_cluster_snapshots(**filters)["Snapshots"]}


def available_copy(client, identifier: str) -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: snapshots(client).get(identifier, {}).get("Status") == "available" and
                    snapshots(client)[identifier])


def test_copies_of_new_snapshots_appear_in_the_destination_region(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    create_available_cluster(east)
    create_available_snapshot(east, "before")  # taken before copy was enabled: never copied
    cluster = east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST, RetentionPeriod=3,
                                        ManualSnapshotRetentionPeriod=5)["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"] == {
        "DestinationRegion": WEST, "RetentionPeriod": 3, "ManualSnapshotRetentionPeriod": 5}
    assert east.describe_clusters()["Clusters"][0]["ClusterSnapshotCopyStatus"]["DestinationRegion"] == WEST
    source = create_available_snapshot(east, "s1")

    copy = available_copy(west, "copy:s1")
    assert copy["SnapshotType"] == "manual" and copy["SourceRegion"] == "us-east-1"
    assert copy["SnapshotArn"] == f"arn:aws:redshift:{WEST}:{OWNER}:snapshot:c1/copy:s1"
    assert copy["ClusterIdentifier"] == "c1" and copy["OwnerAccount"] == OWNER
    assert copy["ManualSnapshotRetentionPeriod"] == 5
    assert copy["SnapshotCreateTime"] == source["SnapshotCreateTime"]
    assert copy["TotalBackupSizeInMegaBytes"] == source["TotalBackupSizeInMegaBytes"]
    assert "before" not in snapshots(west) and "copy:before" not in snapshots(west)
    # Redshift's event for the copy, of the source cluster in its region.
    copied = [e for e in east.describe_events(SourceIdentifier="c1", SourceType="cluster")["Events"]
              if e["EventId"] == "REDSHIFT-EVENT-3007"]
    assert copied[0]["Message"].startswith(f"Your Snapshot s1 was successfully copied from region us-east-1 to {WEST}")
    # Regions are namespaces of their own: the copy is seen in the destination only, by its owner only.
    assert "copy:s1" not in snapshots(east)
    assert "SourceRegion" not in snapshots(east)["s1"]
    assert ls.client(GRANTEE, region=WEST).describe_cluster_snapshots()["Snapshots"] == []
    # The service's state document shows which snapshot the copy's data comes from.
    state = json.loads(urllib.request.urlopen(ls.url + "/_localshift/state").read())
    [lineage] = [section["rows"] for section in state["sections"] if section["name"] == "lineage"]
    assert [(r["kind"], r["name"], r["region"], r["from_snapshot"]) for r in lineage] == [
        ("snapshot copy", "copy:s1", WEST, source["SnapshotArn"])]

    # The next automated snapshot is copied too, as an automated snapshot.
    ls.admin("/_localshift/time-travel?seconds=30000")
    automated = wait_for(lambda: [s for s in snapshots(west, SnapshotType="automated").values()
                                  if s["Status"] == "available"])
    assert automated[0]["SnapshotIdentifier"].startswith("copy:rs:c1-") and automated[0]["SourceRegion"] == "us-east-1"
    assert "ManualSnapshotRetentionPeriod" not in automated[0]


def test_copies_expire_by_the_destination_retention(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    create_available_cluster(east, AutomatedSnapshotRetentionPeriod=10)
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST, RetentionPeriod=5,
                              ManualSnapshotRetentionPeriod=2)
    create_available_snapshot(east, "s1")
    ls.admin("/_localshift/time-travel?seconds=30000")  # the next automated snapshot, copied
    available_copy(west, "copy:s1")
    wait_for(lambda: [s for s in snapshots(west, SnapshotType="automated").values() if s["Status"] == "available"])
    # Two days on, the manual copy has passed its 2 days; its source (kept indefinitely) stays.
    ls.admin(f"/_localshift/time-travel?seconds={2 * DAY}")
    wait_for(lambda: "copy:s1" not in snapshots(west))
    assert "s1" in snapshots(east)
    automated = [s for s in snapshots(west).values() if s["SnapshotType"] == "automated"]
    assert len(automated) >= 1
    # Shortening the automated retention applies to the copies made already: those past it go.
    cluster = east.modify_snapshot_copy_retention_period(ClusterIdentifier="c1", RetentionPeriod=1)["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"]["RetentionPeriod"] == 1
    wait_for(lambda: automated[0]["SnapshotIdentifier"] not in snapshots(west))
    # Manual=True changes the period of manual snapshots copied from now on.
    cluster = east.modify_snapshot_copy_retention_period(ClusterIdentifier="c1", RetentionPeriod=-1, Manual=True)
    assert cluster["Cluster"]["ClusterSnapshotCopyStatus"]["ManualSnapshotRetentionPeriod"] == -1
    create_available_snapshot(east, "s2")
    assert available_copy(west, "copy:s2")["ManualSnapshotRetentionPeriod"] == -1


def test_disabling_stops_new_copies_and_keeps_the_made_ones(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    create_available_cluster(east)
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST)
    create_available_snapshot(east, "s1")
    available_copy(west, "copy:s1")
    cluster = east.disable_snapshot_copy(ClusterIdentifier="c1")["Cluster"]
    assert "ClusterSnapshotCopyStatus" not in cluster
    create_available_snapshot(east, "s2")
    assert "copy:s1" in snapshots(west) and "copy:s2" not in snapshots(west)
    # The copy is a manual snapshot of the destination like any other: it can be deleted there.
    west.delete_cluster_snapshot(SnapshotIdentifier="copy:s1")
    assert snapshots(west, SnapshotType="manual") == {}


def test_a_deleted_clusters_final_snapshot_is_copied(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    create_available_cluster(east)
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST, ManualSnapshotRetentionPeriod=4)
    east.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=False, FinalClusterSnapshotIdentifier="last")
    east.get_waiter("cluster_deleted").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    copy = available_copy(west, "copy:last")
    assert (copy["SnapshotType"], copy["SourceRegion"], copy["ManualSnapshotRetentionPeriod"]) == (
        "manual", "us-east-1", 4)
    # The disaster-recovery case: the cluster is gone from its region, its copy restores in the other.
    west.restore_from_cluster_snapshot(ClusterIdentifier="c1", SnapshotIdentifier="copy:last")
    west.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})


def test_copies_restore_and_outlive_a_namesake_cluster_in_the_destination(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    create_available_cluster(east)
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST)
    ls.admin("/_localshift/time-travel?seconds=30000")
    automated = wait_for(lambda: [s for s in snapshots(west, SnapshotType="automated").values()
                                  if s["Status"] == "available"])[0]["SnapshotIdentifier"]
    # A cluster of the same name restored in the destination from the copy: its own automated
    # snapshots are not the copies, and deleting it leaves the copies there.
    west.restore_from_cluster_snapshot(ClusterIdentifier="c1", SnapshotIdentifier=automated)
    west.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    assert west.describe_clusters()["Clusters"][0]["DBName"] == "dev"
    west.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    wait_for(lambda: west.describe_clusters()["Clusters"] == [])
    assert automated in snapshots(west)


def test_kms_encrypted_copies_take_the_grant_key(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region=WEST)
    west_key = "arn:aws:kms:us-west-2:111111111111:key/12345678-1234-1234-1234-123456789012"
    west.create_snapshot_copy_grant(SnapshotCopyGrantName="west-grant", KmsKeyId=west_key)
    create_available_cluster(east, KmsKeyId=KEY)
    create_available_cluster(east, "c2", KmsKeyId=KEY)
    cluster = east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST,
                                        SnapshotCopyGrantName="west-grant")["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"]["SnapshotCopyGrantName"] == "west-grant"
    # Without a grant the copies are encrypted with a key AWS owns (KmsKeyId AWS_OWNED_KMS_KEY, as for clusters
    # encrypted by default).
    east.enable_snapshot_copy(ClusterIdentifier="c2", DestinationRegion=WEST)
    create_available_snapshot(east, "s1", cluster="c1")
    create_available_snapshot(east, "s2", cluster="c2")
    assert available_copy(west, "copy:s1")["KmsKeyId"] == west_key
    copy = available_copy(west, "copy:s2")
    assert copy["Encrypted"] is True and copy["KmsKeyId"] == "AWS_OWNED_KMS_KEY"


@pytest.mark.parametrize("params, expected", [
    ({"ClusterIdentifier": "nope", "DestinationRegion": WEST}, ("ClusterNotFound", 404)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": "us-east-1"}, ("UnknownSnapshotCopyRegionFault", 404)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": "mars-north-1"}, ("UnknownSnapshotCopyRegionFault", 404)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": "cn-north-1"}, ("UnknownSnapshotCopyRegionFault", 404)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": WEST, "RetentionPeriod": 0}, ("InvalidRetentionPeriodFault", 400)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": WEST, "RetentionPeriod": 36},
     ("InvalidRetentionPeriodFault", 400)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": WEST, "ManualSnapshotRetentionPeriod": 0},
     ("InvalidRetentionPeriodFault", 400)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": WEST, "SnapshotCopyGrantName": "nope"},
     ("SnapshotCopyGrantNotFoundFault", 400)),
    ({"ClusterIdentifier": "c1", "DestinationRegion": WEST, "SnapshotCopyGrantName": "east-grant"},
     ("SnapshotCopyGrantNotFoundFault", 400)),
])
def test_enable_errors(redshift, params, expected):
    create_available_cluster(redshift)
    redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="east-grant")  # a grant of the source region
    assert error(redshift.enable_snapshot_copy, **params)[:2] == expected
    assert "ClusterSnapshotCopyStatus" not in redshift.describe_clusters()["Clusters"][0]


def test_state_errors(redshift, slow):
    create_available_cluster(redshift)
    assert error(redshift.disable_snapshot_copy, ClusterIdentifier="c1") == (
        "SnapshotCopyAlreadyDisabledFault", 400, "Snapshot Copy is already disabled on Cluster c1.")
    assert error(redshift.modify_snapshot_copy_retention_period, ClusterIdentifier="c1", RetentionPeriod=3)[:2] == (
        "SnapshotCopyDisabledFault", 400)
    redshift.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST)
    assert error(redshift.enable_snapshot_copy, ClusterIdentifier="c1", DestinationRegion="eu-west-1") == (
        "SnapshotCopyAlreadyEnabledFault", 400, "Snapshot Copy is already enabled on Cluster c1.")
    for params in ({"RetentionPeriod": 0}, {"RetentionPeriod": 36}, {"RetentionPeriod": 0, "Manual": True},
                   {"RetentionPeriod": 3654, "Manual": True}):
        assert error(redshift.modify_snapshot_copy_retention_period, ClusterIdentifier="c1", **params)[:2] == (
            "InvalidRetentionPeriodFault", 400)
    assert error(redshift.disable_snapshot_copy, ClusterIdentifier="nope")[:2] == ("ClusterNotFound", 404)
    # A cluster that is still being created can't be configured yet.
    creating = slow.client(OWNER)
    creating.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                            MasterUsername="admin", MasterUserPassword="Passw0rd1")
    assert error(creating.enable_snapshot_copy, ClusterIdentifier="c1", DestinationRegion=WEST)[:2] == (
        "InvalidClusterState", 400)


def test_a_backup_policy_through_the_aws_cli(ls):
    """What a backup runbook types: a KMS grant in the destination region, then copy on, tuned, off."""
    create_available_cluster(ls.client(OWNER), KmsKeyId=KEY)
    grant = aws_cli(ls, "create-snapshot-copy-grant", "--snapshot-copy-grant-name", "dr-grant", "--region", WEST)
    assert grant["SnapshotCopyGrant"]["SnapshotCopyGrantName"] == "dr-grant"
    cluster = aws_cli(ls, "enable-snapshot-copy", "--cluster-identifier", "c1", "--destination-region", WEST,
                      "--retention-period", "3", "--snapshot-copy-grant-name", "dr-grant")["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"] == {
        "DestinationRegion": WEST, "RetentionPeriod": 3, "ManualSnapshotRetentionPeriod": -1,
        "SnapshotCopyGrantName": "dr-grant"}
    cluster = aws_cli(ls, "modify-snapshot-copy-retention-period", "--cluster-identifier", "c1",
                      "--retention-period", "10", "--manual")["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"]["ManualSnapshotRetentionPeriod"] == 10
    assert "ClusterSnapshotCopyStatus" not in aws_cli(ls, "disable-snapshot-copy", "--cluster-identifier", "c1")[
        "Cluster"]
    grants = aws_cli(ls, "describe-snapshot-copy-grants", "--region", WEST)["SnapshotCopyGrants"]
    assert [g["SnapshotCopyGrantName"] for g in grants] == ["dr-grant"]
    aws_cli(ls, "delete-snapshot-copy-grant", "--snapshot-copy-grant-name", "dr-grant", "--region", WEST)
    assert aws_cli(ls, "describe-snapshot-copy-grants", "--region", WEST)["SnapshotCopyGrants"] == []
