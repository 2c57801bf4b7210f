"""RestoreFromClusterSnapshot: parameters, rules, status progress, sharing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, create_available_cluster, create_available_snapshot, wait_for

ROLE = f"arn:aws:iam::{OWNER}:role/RedshiftCopy"
ROLE2 = f"arn:aws:iam::{OWNER}:role/RedshiftUnload"


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def snap(redshift):
    create_available_cluster(
        redshift, "src", NodeType="ra3.4xlarge", NumberOfNodes=2, Port=5440, DBName="sales",
        AutomatedSnapshotRetentionPeriod=3, ManualSnapshotRetentionPeriod=9, IamRoles=[ROLE],
        PreferredMaintenanceWindow="tue:01:00-tue:02:00", EnhancedVpcRouting=True,
        ClusterParameterGroupName="default.redshift-2.0",
    )
    create_available_snapshot(redshift, "snap", "src")
    return redshift


def restored(redshift, identifier: str = "dst") -> dict:  # type: ignore[no-untyped-def]
    redshift.get_waiter("cluster_restored").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    return redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]


def test_restore_copies_the_source_configuration(snap):
    started = snap.restore_from_cluster_snapshot(ClusterIdentifier="dst", SnapshotIdentifier="SNAP")["Cluster"]
    assert started["ClusterStatus"] == "creating"
    assert started["RestoreStatus"]["Status"] == "starting"
    cluster = restored(snap)
    assert cluster["RestoreStatus"]["Status"] == "completed"
    assert cluster["RestoreStatus"]["EstimatedTimeToCompletionInSeconds"] == 0
    snap.get_waiter("cluster_available").wait(ClusterIdentifier="dst", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    cluster = snap.describe_clusters(ClusterIdentifier="dst")["Clusters"][0]
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["DBName"]) == ("ra3.4xlarge", 2, "sales")
    assert cluster["AutomatedSnapshotRetentionPeriod"] == 3 and cluster["ManualSnapshotRetentionPeriod"] == 9
    assert cluster["PreferredMaintenanceWindow"] == "tue:01:00-tue:02:00"
    assert cluster["EnhancedVpcRouting"] is True
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE]
    assert cluster["ClusterParameterGroups"][0]["ParameterGroupName"] == "default.redshift-2.0"


def test_restore_by_arn_with_overrides(snap):
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:src/snap"
    snap.restore_from_cluster_snapshot(
        ClusterIdentifier="dst", SnapshotArn=arn, NodeType="ra3.16xlarge", NumberOfNodes=3, Port=8192,
        AvailabilityZone="us-east-1b", AllowVersionUpgrade=False, PubliclyAccessible=True,
        PreferredMaintenanceWindow="wed:05:00-wed:05:30", AutomatedSnapshotRetentionPeriod=10,
        ManualSnapshotRetentionPeriod=20, EnhancedVpcRouting=False, IamRoles=[ROLE, ROLE2],
        DefaultIamRoleArn=ROLE2, MaintenanceTrackName="trailing", AvailabilityZoneRelocation=True,
        AquaConfigurationStatus="disabled", IpAddressType="dualstack", MultiAZ=False,
        KmsKeyId="arn:aws:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012",
        VpcSecurityGroupIds=["sg-12345678"], AdditionalInfo="reserved", ManageMasterPassword=True,
        MasterPasswordSecretKmsKeyId="alias/secrets",
    )
    cluster = restored(snap)
    assert (cluster["NodeType"], cluster["NumberOfNodes"]) == ("ra3.16xlarge", 3)
    assert cluster["AvailabilityZone"] == "us-east-1b"
    assert cluster["AllowVersionUpgrade"] is False and cluster["PubliclyAccessible"] is True
    assert cluster["PreferredMaintenanceWindow"] == "wed:05:00-wed:05:30"
    assert (cluster["AutomatedSnapshotRetentionPeriod"], cluster["ManualSnapshotRetentionPeriod"]) == (10, 20)
    assert cluster["EnhancedVpcRouting"] is False
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE, ROLE2] and cluster["DefaultIamRoleArn"] == ROLE2
    assert cluster["MaintenanceTrackName"] == "trailing"
    assert cluster["AvailabilityZoneRelocationStatus"] == "enabled"
    assert cluster["AquaConfiguration"]["AquaConfigurationStatus"] == "disabled"
    assert cluster["IpAddressType"] == "dualstack" and cluster["MultiAZ"] == "Disabled"
    assert cluster["KmsKeyId"].endswith("123456789012") and cluster["Encrypted"] is True
    assert cluster["VpcSecurityGroups"] == [{"VpcSecurityGroupId": "sg-12345678", "Status": "active"}]
    assert cluster["MasterPasswordSecretArn"].startswith(f"arn:aws:secretsmanager:us-east-1:{OWNER}:secret:redshift!dst-")
    assert cluster["MasterPasswordSecretKmsKeyId"] == "alias/secrets"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"ClusterIdentifier": "src"}, ("ClusterAlreadyExists", 400)),
        ({"ClusterIdentifier": "Bad--id"}, ("InvalidParameterValue", 400)),
        ({"SnapshotIdentifier": None}, ("InvalidParameterCombination", 400)),
        ({"SnapshotArn": f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:src/snap"}, ("InvalidParameterCombination", 400)),
        ({"SnapshotIdentifier": None, "SnapshotArn": f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:src/snap",
          "OwnerAccount": GRANTEE}, ("InvalidParameterCombination", 400)),  # the ARN names another owner
        ({"SnapshotIdentifier": "nope"}, ("ClusterSnapshotNotFound", 404)),
        ({"SnapshotClusterIdentifier": "other"}, ("ClusterSnapshotNotFound", 404)),
        ({"NodeType": "dc2.large"}, ("InvalidRestore", 406)),
        ({"NodeType": "x1.huge"}, ("InvalidParameterValue", 400)),
        ({"NumberOfNodes": 1}, ("InvalidRestore", 406)),
        ({"NumberOfNodes": 65}, ("NumberOfNodesPerClusterLimitExceeded", 400)),
        ({"Port": 5439 + 500}, ("InvalidParameterValue", 400)),
        ({"AutomatedSnapshotRetentionPeriod": 0}, ("InvalidRetentionPeriodFault", 400)),
        ({"ManualSnapshotRetentionPeriod": 4000}, ("InvalidRetentionPeriodFault", 400)),
        ({"PreferredMaintenanceWindow": "mon:25:00-mon:26:00"}, ("InvalidParameterValue", 400)),
        ({"AvailabilityZone": "eu-west-1a"}, ("InvalidParameterValue", 400)),
        ({"IamRoles": ["not-a-role"]}, ("InvalidParameterValue", 400)),
        ({"DefaultIamRoleArn": ROLE2}, ("InvalidParameterValue", 400)),
        ({"Encrypted": False}, ("InvalidParameterCombination", 400)),
        ({"KmsKeyId": "bad key"}, ("InvalidParameterValue", 400)),
        ({"MasterPasswordSecretKmsKeyId": "alias/x"}, ("InvalidParameterCombination", 400)),
        ({"IpAddressType": "ipv6"}, ("InvalidParameterValue", 400)),
        ({"MaintenanceTrackName": "weekly"}, ("InvalidClusterTrack", 400)),
        ({"ClusterParameterGroupName": "custom"}, ("ClusterParameterGroupNotFound", 404)),
        ({"ClusterSecurityGroups": ["custom"]}, ("ClusterSecurityGroupNotFound", 404)),
        ({"ClusterSubnetGroupName": "subnets"}, ("ClusterSubnetGroupNotFoundFault", 400)),
        ({"HsmClientCertificateIdentifier": "h"}, ("HsmClientCertificateNotFoundFault", 400)),
        ({"HsmConfigurationIdentifier": "h"}, ("HsmConfigurationNotFoundFault", 400)),
        ({"ElasticIp": "1.2.3.4"}, ("InvalidElasticIpFault", 400)),
        ({"SnapshotScheduleIdentifier": "s"}, ("SnapshotScheduleNotFound", 400)),
        ({"ReservedNodeId": "r", "TargetReservedNodeOfferingId": "o"}, ("ReservedNodeNotFound", 404)),
        ({"ReservedNodeId": "r"}, ("InvalidParameterCombination", 400)),  # an exchange names both
        ({"TargetReservedNodeOfferingId": "o"}, ("InvalidParameterCombination", 400)),
        ({"RedshiftIdcApplicationArn": "arn:aws:redshift:us-east-1:1:redshift-idc-application:x"},
         ("RedshiftIdcApplicationNotExists", 404)),
        ({"AquaConfigurationStatus": "sometimes"}, ("InvalidParameterValue", 400)),
        ({"CatalogName": "UPPER"}, ("InvalidParameterValue", 400)),
    ],
)
def test_restore_validates_every_parameter(snap, params, expected):
    request = {"ClusterIdentifier": "dst", "SnapshotIdentifier": "snap", **params}
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as excinfo:
        snap.restore_from_cluster_snapshot(**request)
    assert code_of(excinfo) == expected


def test_restore_needs_an_available_snapshot(slow):
    redshift = slow.client(OWNER)
    create_available_cluster(redshift)
    redshift.create_cluster_snapshot(SnapshotIdentifier="busy", ClusterIdentifier="c1")
    with pytest.raises(ClientError) as excinfo:
        redshift.restore_from_cluster_snapshot(ClusterIdentifier="dst", SnapshotIdentifier="busy")
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)


def test_grantee_restore_finishes_after_revoke_and_delete(slow):
    owner, grantee = slow.client(OWNER), slow.client(GRANTEE)
    create_available_cluster(owner)
    create_available_snapshot(owner, "shared")
    owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=GRANTEE)
    cluster = grantee.restore_from_cluster_snapshot(ClusterIdentifier="mine", SnapshotIdentifier="shared",
                                                    OwnerAccount=OWNER)["Cluster"]
    assert cluster["RestoreStatus"]["Status"] == "starting"
    # Revoke and delete while the restore runs: the restore still completes.
    owner.revoke_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=GRANTEE)
    owner.delete_cluster_snapshot(SnapshotIdentifier="shared")
    wait_for(lambda: grantee.describe_clusters(ClusterIdentifier="mine")["Clusters"][0]["RestoreStatus"]["Status"]
             == "restoring")
    grantee.get_waiter("cluster_restored").wait(ClusterIdentifier="mine", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    mine = grantee.describe_clusters(ClusterIdentifier="mine")["Clusters"][0]
    assert mine["ClusterNamespaceArn"].split(":")[4] == GRANTEE
    # New restores are refused now.
    with pytest.raises(ClientError) as excinfo:
        grantee.restore_from_cluster_snapshot(ClusterIdentifier="again", SnapshotIdentifier="shared", OwnerAccount=OWNER)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
