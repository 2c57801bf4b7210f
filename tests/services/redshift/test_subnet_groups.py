"""Cluster subnet groups, and where clusters are placed (VPC, zone, security groups)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, aws_cli, create_available_cluster, create_available_snapshot, wait_for

# Zones follow the last hex digit (0: a, 1: b, 2: c...); a 17-digit id starting with 1 is in VPC 1.
SUBNET_A, SUBNET_B, SUBNET_C = "subnet-0123456789abcde00", "subnet-0123456789abcde01", "subnet-12345672"
VPC1_SUBNET_A, VPC1_SUBNET_B = "subnet-10000000000000000", "subnet-10000000000000001"
VPC1_GROUP = "sg-10000000000000000"


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def create_group(client, name: str = "private", subnets=(SUBNET_A, SUBNET_B), **extra) -> dict:  # type: ignore[no-untyped-def]
    return client.create_cluster_subnet_group(ClusterSubnetGroupName=name, Description="private subnets",
                                              SubnetIds=list(subnets), **extra)["ClusterSubnetGroup"]


def test_create_describe_modify_delete(redshift):
    group = create_group(redshift, "Private", Tags=[{"Key": "env", "Value": "test"}])
    assert group["ClusterSubnetGroupName"] == "private"  # stored in lowercase
    assert group["SubnetGroupStatus"] == "Complete"
    assert [(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"], s["SubnetStatus"]) for s in group["Subnets"]] == [
        (SUBNET_A, "us-east-1a", "Active"), (SUBNET_B, "us-east-1b", "Active")]
    assert group["VpcId"].startswith("vpc-0") and len(group["VpcId"]) == 21
    assert group["Tags"] == [{"Key": "env", "Value": "test"}]
    assert group["SupportedClusterIpAddressTypes"] == ["ipv4"]
    described = redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="PRIVATE")["ClusterSubnetGroups"]
    assert described == [group]
    modified = redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="private", SubnetIds=[SUBNET_C],
                                                    Description="one")["ClusterSubnetGroup"]
    assert [(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"]) for s in modified["Subnets"]] == [
        (SUBNET_C, "us-east-1c")]
    assert modified["Description"] == "one" and modified["VpcId"] == group["VpcId"]
    redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="private")
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="private")
    assert error_of(excinfo) == ("ClusterSubnetGroupNotFoundFault", 400)
    # Its tags went with it.
    assert redshift.describe_tags(ResourceType="subnetgroup")["TaggedResources"] == []


def test_each_account_has_its_own_default_vpc(ls):
    owner = create_group(ls.client(OWNER))
    grantee = create_group(ls.client(GRANTEE))
    again = ls.client(OWNER).describe_cluster_subnet_groups()["ClusterSubnetGroups"][0]
    assert owner["VpcId"] == again["VpcId"] != grantee["VpcId"]
    other_vpc = create_group(ls.client(OWNER), "vpc1", (VPC1_SUBNET_A,))
    assert other_vpc["VpcId"].startswith("vpc-1") and other_vpc["VpcId"] != owner["VpcId"]


@pytest.mark.parametrize("params, expected", [
    ({"ClusterSubnetGroupName": "my_group"}, ("InvalidParameterValue", 400)),
    ({"ClusterSubnetGroupName": "default"}, ("InvalidParameterValue", 400)),
    ({"ClusterSubnetGroupName": "Default"}, ("InvalidParameterValue", 400)),
    ({"SubnetIds": []}, ("InvalidParameterValue", 400)),
    ({"SubnetIds": ["subnet-xyz"]}, ("InvalidSubnet", 400)),
    ({"SubnetIds": ["subnet-1234567"]}, ("InvalidSubnet", 400)),
    ({"SubnetIds": [SUBNET_A, VPC1_SUBNET_A]}, ("InvalidSubnet", 400)),
    ({"SubnetIds": [f"subnet-{i:08x}" for i in range(21)]}, ("ClusterSubnetQuotaExceededFault", 400)),
    ({"Tags": [{"Key": "aws:x", "Value": "v"}]}, ("InvalidTagFault", 400)),
])
def test_create_validates(redshift, params, expected):
    request = {"ClusterSubnetGroupName": "g", "Description": "d", "SubnetIds": [SUBNET_A], **params}
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_subnet_group(**request)
    assert error_of(excinfo) == expected


def test_duplicates_and_quota(redshift):
    for i in range(20):
        create_group(redshift, f"g{i}")
    with pytest.raises(ClientError) as excinfo:
        create_group(redshift, "g0")
    assert error_of(excinfo) == ("ClusterSubnetGroupAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        create_group(redshift, "g20")
    assert error_of(excinfo) == ("ClusterSubnetGroupQuotaExceeded", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="nope", SubnetIds=[SUBNET_A])
    assert error_of(excinfo) == ("ClusterSubnetGroupNotFoundFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="nope")
    assert error_of(excinfo) == ("ClusterSubnetGroupNotFoundFault", 400)


def test_the_default_group_redshift_made_leaves_the_account_its_20_groups(redshift):
    create_available_cluster(redshift)  # makes the `default` group
    for i in range(20):
        create_group(redshift, f"g{i}")
    with pytest.raises(ClientError) as excinfo:
        create_group(redshift, "g20")
    assert error_of(excinfo) == ("ClusterSubnetGroupQuotaExceeded", 400)
    names = {g["ClusterSubnetGroupName"] for g in redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]}
    assert names == {"default", *(f"g{i}" for i in range(20))}


def test_describe_pages_and_filters_by_tags(redshift):
    for i in range(20):
        create_group(redshift, f"g{i:02d}", Tags=[{"Key": "team", "Value": "a" if i % 2 else "b"}])
    first = redshift.describe_cluster_subnet_groups(MaxRecords=20)
    assert len(first["ClusterSubnetGroups"]) == 20 and "Marker" not in first
    # The quota is 20; the default group a cluster needs is made beyond it.
    redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin",
                            MasterUserPassword="Passw0rd1")
    pages = list(redshift.get_paginator("describe_cluster_subnet_groups").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(page["ClusterSubnetGroups"]) for page in pages] == [20, 1]
    names = [g["ClusterSubnetGroupName"] for page in pages for g in page["ClusterSubnetGroups"]]
    assert names == [f"g{i:02d}" for i in range(20)] + ["default"]
    tagged = redshift.describe_cluster_subnet_groups(TagValues=["a"])["ClusterSubnetGroups"]
    assert [g["ClusterSubnetGroupName"] for g in tagged] == [f"g{i:02d}" for i in range(1, 20, 2)]
    assert redshift.describe_cluster_subnet_groups(TagKeys=["nope"])["ClusterSubnetGroups"] == []
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="g00", TagKeys=["team"])
    assert error_of(excinfo) == ("InvalidParameterCombination", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_subnet_groups(MaxRecords=10)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_subnet_groups(Marker="garbage")
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_a_cluster_without_a_group_is_in_the_default_group_and_vpc(redshift):
    cluster = create_available_cluster(redshift)
    assert cluster["ClusterSubnetGroupName"] == "default"
    default = redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="default")["ClusterSubnetGroups"][0]
    assert cluster["VpcId"] == default["VpcId"]
    zones = [s["SubnetAvailabilityZone"]["Name"] for s in default["Subnets"]]
    assert zones == [f"us-east-1{z}" for z in "abcdef"] and cluster["AvailabilityZone"] in zones
    [security_group] = cluster["VpcSecurityGroups"]
    assert security_group["VpcSecurityGroupId"].startswith("sg-0") and security_group["Status"] == "active"
    assert cluster["ClusterSecurityGroups"] == []
    snapshot = create_available_snapshot(redshift)
    assert snapshot["VpcId"] == cluster["VpcId"]
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="default")
    assert error_of(excinfo) == ("InvalidClusterSubnetGroupStateFault", 400)


def test_a_cluster_in_a_group_of_another_vpc(redshift):
    group = create_group(redshift, "vpc1", (VPC1_SUBNET_A, VPC1_SUBNET_B))
    cluster = create_available_cluster(redshift, ClusterSubnetGroupName="VPC1", AvailabilityZone="us-east-1b",
                                       VpcSecurityGroupIds=[VPC1_GROUP])
    assert (cluster["ClusterSubnetGroupName"], cluster["VpcId"], cluster["AvailabilityZone"]) == (
        "vpc1", group["VpcId"], "us-east-1b")
    assert cluster["VpcSecurityGroups"] == [{"VpcSecurityGroupId": VPC1_GROUP, "Status": "active"}]
    snapshot = create_available_snapshot(redshift)
    assert (snapshot["VpcId"], snapshot["AvailabilityZone"]) == (group["VpcId"], "us-east-1b")
    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="c2", SnapshotIdentifier="s1",
                                                      ClusterSubnetGroupName="vpc1")["Cluster"]
    assert (restored["VpcId"], restored["ClusterSubnetGroupName"]) == (group["VpcId"], "vpc1")
    assert restored["AvailabilityZone"] in ("us-east-1a", "us-east-1b")
    # The group stays where its clusters are.
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="vpc1")
    assert error_of(excinfo) == ("InvalidClusterSubnetGroupStateFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="vpc1", SubnetIds=[VPC1_SUBNET_A])
    assert error_of(excinfo) == ("SubnetAlreadyInUse", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="vpc1", SubnetIds=[SUBNET_A, SUBNET_B])
    assert error_of(excinfo) == ("InvalidSubnet", 400)
    redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="vpc1",
                                         SubnetIds=[VPC1_SUBNET_A, VPC1_SUBNET_B, "subnet-10000000000000002"])
    # A zone of the group's, and security groups of its VPC, on ModifyCluster too.
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster(ClusterIdentifier="c1", AvailabilityZone="us-east-1d")
    assert error_of(excinfo) == ("InvalidVPCNetworkStateFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster(ClusterIdentifier="c1", VpcSecurityGroupIds=["sg-12345678"])
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    for identifier in ("c1", "c2"):
        redshift.get_waiter("cluster_available").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
        redshift.delete_cluster(ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    wait_for(lambda: not redshift.describe_clusters()["Clusters"])
    redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="vpc1")


@pytest.mark.parametrize("params, expected", [
    ({"ClusterSubnetGroupName": "missing"}, ("ClusterSubnetGroupNotFoundFault", 400)),
    ({"AvailabilityZone": "us-east-1c"}, ("InvalidVPCNetworkStateFault", 400)),
    ({"AvailabilityZone": "eu-west-1a"}, ("InvalidParameterValue", 400)),
    ({"VpcSecurityGroupIds": ["sg-12345678"]}, ("InvalidParameterValue", 400)),
    ({"VpcSecurityGroupIds": ["sg-nothex"]}, ("InvalidParameterValue", 400)),
    ({"ClusterSecurityGroups": ["default"]}, ("ClusterSecurityGroupNotFound", 404)),
])
def test_create_cluster_checks_its_placement(redshift, params, expected):
    create_group(redshift, "vpc1", (VPC1_SUBNET_A, VPC1_SUBNET_B))
    request = {"ClusterIdentifier": "c1", "NodeType": "ra3.xlplus", "NumberOfNodes": 2, "MasterUsername": "admin",
               "MasterUserPassword": "Passw0rd1", "ClusterSubnetGroupName": "vpc1", **params}
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster(**request)
    assert error_of(excinfo) == expected


def test_aws_cli_creates_and_describes_subnet_groups(ls):
    created = aws_cli(ls, "create-cluster-subnet-group", "--cluster-subnet-group-name", "cli", "--description", "d",
                      "--subnet-ids", SUBNET_A, SUBNET_C)["ClusterSubnetGroup"]
    assert [s["SubnetAvailabilityZone"]["Name"] for s in created["Subnets"]] == ["us-east-1a", "us-east-1c"]
    listed = aws_cli(ls, "describe-cluster-subnet-groups")["ClusterSubnetGroups"]
    assert [g["ClusterSubnetGroupName"] for g in listed] == ["cli"]
    aws_cli(ls, "delete-cluster-subnet-group", "--cluster-subnet-group-name", "cli")
    assert aws_cli(ls, "describe-cluster-subnet-groups")["ClusterSubnetGroups"] == []
