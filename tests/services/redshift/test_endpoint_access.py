"""Redshift-managed VPC endpoints and their authorizations, on the control plane
(test_endpoint_lifecycle.py: the endpoint's SQL port with the data plane)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, STRANGER, aws_cli, create_available_cluster, wait_for

SUBNETS = ["subnet-0123456789abcde00", "subnet-0123456789abcde01"]
VPC1_SUBNETS = ["subnet-10000000000000000", "subnet-10000000000000001"]


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def group(client, name: str = "endpoints", subnets: list[str] = SUBNETS) -> dict:  # type: ignore[no-untyped-def]
    return client.create_cluster_subnet_group(ClusterSubnetGroupName=name, Description="d",
                                              SubnetIds=subnets)["ClusterSubnetGroup"]


def endpoint(client, name: str = "ep1", **extra) -> dict:  # type: ignore[no-untyped-def]
    params = {"ClusterIdentifier": "c1", "EndpointName": name, "SubnetGroupName": "endpoints", **extra}
    response = client.create_endpoint_access(**params)
    response.pop("ResponseMetadata")
    return response


def active(client, name: str = "ep1") -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: next((e for e in client.describe_endpoint_access(EndpointName=name)["EndpointAccessList"]
                                  if e["EndpointStatus"] == "active"), None))


def test_owner_creates_describes_modifies_and_deletes_an_endpoint(redshift):
    cluster = create_available_cluster(redshift)
    subnets = group(redshift)
    created = endpoint(redshift)
    assert (created["EndpointStatus"], created["ClusterIdentifier"], created["ResourceOwner"]) == (
        "creating", "c1", OWNER)
    assert (created["SubnetGroupName"], created["Address"], created["Port"]) == ("endpoints", "127.0.0.1", 5439)
    vpc_endpoint = created["VpcEndpoint"]
    assert vpc_endpoint["VpcId"] == subnets["VpcId"] and vpc_endpoint["VpcEndpointId"].startswith("vpce-")
    [interface] = vpc_endpoint["NetworkInterfaces"]
    assert (interface["SubnetId"], interface["AvailabilityZone"]) == (SUBNETS[0], "us-east-1a")
    [security_group] = created["VpcSecurityGroups"]
    assert security_group["VpcSecurityGroupId"] == cluster["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    assert active(redshift)["EndpointStatus"] == "active"
    modified = redshift.modify_endpoint_access(EndpointName="ep1", VpcSecurityGroupIds=["sg-0abcdef0123456789"])
    assert modified["VpcSecurityGroups"] == [{"VpcSecurityGroupId": "sg-0abcdef0123456789", "Status": "active"}]
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_endpoint_access(EndpointName="ep1", VpcSecurityGroupIds=["sg-10000000000000000"])
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    # The endpoint's subnet group is in use.
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="endpoints")
    assert error_of(excinfo) == ("InvalidClusterSubnetGroupStateFault", 400)
    deleted = redshift.delete_endpoint_access(EndpointName="ep1")
    assert deleted["EndpointStatus"] == "deleting"
    wait_for(lambda: not redshift.describe_endpoint_access()["EndpointAccessList"])
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_endpoint_access(EndpointName="ep1")
    assert error_of(excinfo) == ("EndpointNotFound", 404)
    redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="endpoints")


@pytest.mark.parametrize("params, expected", [
    ({"EndpointName": "Upper"}, ("InvalidParameterValue", 400)),
    ({"EndpointName": "x" * 31}, ("InvalidParameterValue", 400)),
    ({"EndpointName": "ends-"}, ("InvalidParameterValue", 400)),
    ({"EndpointName": "1digit"}, ("InvalidParameterValue", 400)),
    ({"ClusterIdentifier": "missing"}, ("ClusterNotFound", 404)),
    ({"SubnetGroupName": "missing"}, ("ClusterSubnetGroupNotFoundFault", 400)),
    ({"VpcSecurityGroupIds": ["sg-10000000000000000"]}, ("InvalidParameterValue", 400)),
    ({"ResourceOwner": "12345"}, ("InvalidParameterValue", 400)),
    ({"ResourceOwner": STRANGER}, ("AccessToClusterDenied", 400)),
])
def test_create_validates(redshift, params, expected):
    create_available_cluster(redshift)
    group(redshift)
    with pytest.raises(ClientError) as excinfo:
        endpoint(redshift, **params)
    assert error_of(excinfo) == expected
    assert redshift.describe_endpoint_access()["EndpointAccessList"] == []


def test_endpoints_need_an_available_ra3_cluster_and_unique_names(redshift):
    create_available_cluster(redshift, "dc", NodeType="dc2.large", NumberOfNodes=2)
    create_available_cluster(redshift)
    group(redshift)
    with pytest.raises(ClientError) as excinfo:
        endpoint(redshift, ClusterIdentifier="dc")
    assert error_of(excinfo) == ("UnsupportedOperation", 400)
    endpoint(redshift)
    with pytest.raises(ClientError) as excinfo:
        endpoint(redshift)
    assert error_of(excinfo) == ("EndpointAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_endpoint_access(EndpointName="nope")
    assert error_of(excinfo) == ("EndpointNotFound", 404)
    active(redshift)
    redshift.pause_cluster(ClusterIdentifier="c1")
    with pytest.raises(ClientError) as excinfo:
        endpoint(redshift, "ep2")
    assert error_of(excinfo) == ("InvalidClusterState", 400)


def test_a_grantee_needs_an_authorization_for_its_vpc(ls):
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner)
    group(grantee)
    vpc1 = group(grantee, "vpc1", VPC1_SUBNETS)["VpcId"]
    with pytest.raises(ClientError) as excinfo:
        endpoint(grantee, ResourceOwner=OWNER)
    assert error_of(excinfo) == ("AccessToClusterDenied", 400)
    granted = owner.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc1])
    assert (granted["Grantor"], granted["Grantee"], granted["ClusterIdentifier"], granted["Status"]) == (
        OWNER, GRANTEE, "c1", "Authorized")
    assert (granted["AllowedAllVPCs"], granted["AllowedVPCs"], granted["EndpointCount"]) == (False, [vpc1], 0)
    assert granted["ClusterStatus"] == "available"
    # The grantee's default-VPC group is not allowed; its VPC 1 group is.
    with pytest.raises(ClientError) as excinfo:
        endpoint(grantee, ResourceOwner=OWNER)
    assert error_of(excinfo) == ("AccessToClusterDenied", 400)
    created = endpoint(grantee, SubnetGroupName="vpc1", ResourceOwner=OWNER)
    assert (created["ResourceOwner"], created["VpcEndpoint"]["VpcId"]) == (OWNER, vpc1)
    active(grantee)
    # The endpoint is the grantee's: the owner does not list it, but sees it counted.
    assert owner.describe_endpoint_access()["EndpointAccessList"] == []
    assert [e["EndpointName"] for e in grantee.describe_endpoint_access(ResourceOwner=OWNER)["EndpointAccessList"]] == [
        "ep1"]
    assert grantee.describe_endpoint_access(ClusterIdentifier="c1", ResourceOwner=OWNER, VpcId=vpc1)[
        "EndpointAccessList"][0]["EndpointName"] == "ep1"
    assert grantee.describe_endpoint_access(VpcId="vpc-0000")["EndpointAccessList"] == []
    assert owner.describe_endpoint_authorization()["EndpointAuthorizationList"][0]["EndpointCount"] == 1
    received = grantee.describe_endpoint_authorization(Grantee=True)["EndpointAuthorizationList"]
    assert [(a["Grantor"], a["ClusterIdentifier"]) for a in received] == [(OWNER, "c1")]
    assert grantee.describe_endpoint_authorization(Grantee=True, Account=STRANGER)["EndpointAuthorizationList"] == []
    assert grantee.describe_endpoint_authorization()["EndpointAuthorizationList"] == []
    # A third account cannot use the grant.
    group(ls.client(STRANGER), "vpc1", VPC1_SUBNETS)
    with pytest.raises(ClientError) as excinfo:
        endpoint(ls.client(STRANGER), SubnetGroupName="vpc1", ResourceOwner=OWNER)
    assert error_of(excinfo) == ("AccessToClusterDenied", 400)


def test_revoke_needs_force_while_endpoints_exist(ls):
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner)
    group(grantee)
    owner.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    endpoint(grantee, ResourceOwner=OWNER)
    active(grantee)
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    assert error_of(excinfo) == ("InvalidEndpointState", 400)
    revoked = owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, Force=True)
    assert revoked["Status"] == "Revoking"
    wait_for(lambda: not owner.describe_endpoint_authorization()["EndpointAuthorizationList"])
    wait_for(lambda: not grantee.describe_endpoint_access()["EndpointAccessList"])
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    assert error_of(excinfo) == ("EndpointAuthorizationNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        endpoint(grantee, "ep2", ResourceOwner=OWNER)
    assert error_of(excinfo) == ("AccessToClusterDenied", 400)


def test_revoking_some_vpcs(ls):
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner)
    vpc0 = group(grantee)["VpcId"]
    vpc1 = group(grantee, "vpc1", VPC1_SUBNETS)["VpcId"]
    owner.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc0, vpc1])
    endpoint(grantee, "in-vpc1", SubnetGroupName="vpc1", ResourceOwner=OWNER)
    active(grantee, "in-vpc1")
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc1])
    assert error_of(excinfo) == ("InvalidEndpointState", 400)
    left = owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc1], Force=True)
    assert (left["Status"], left["AllowedVPCs"]) == ("Authorized", [vpc0])
    wait_for(lambda: not grantee.describe_endpoint_access()["EndpointAccessList"])
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc1])
    assert error_of(excinfo) == ("EndpointAuthorizationNotFound", 404)
    last = owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, VpcIds=[vpc0])
    assert last["Status"] == "Revoking"
    wait_for(lambda: not owner.describe_endpoint_authorization()["EndpointAuthorizationList"])


@pytest.mark.parametrize("params, expected", [
    ({"Account": OWNER}, ("InvalidParameterValue", 400)),
    ({"Account": "abc"}, ("InvalidParameterValue", 400)),
    ({"ClusterIdentifier": "missing"}, ("ClusterNotFound", 404)),
    ({"VpcIds": ["vpc-nothex"]}, ("InvalidParameterValue", 400)),
    ({"ClusterIdentifier": "dc"}, ("UnsupportedOperation", 400)),
])
def test_authorize_validates(redshift, params, expected):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "dc", NodeType="dc2.large", NumberOfNodes=2)
    with pytest.raises(ClientError) as excinfo:
        redshift.authorize_endpoint_access(**{"ClusterIdentifier": "c1", "Account": GRANTEE, **params})
    assert error_of(excinfo) == expected


def test_authorizations_are_unique_limited_and_paged(redshift):
    create_available_cluster(redshift)
    accounts = [f"{i:012d}" for i in range(400000000000, 400000000010)]
    for account in accounts:
        redshift.authorize_endpoint_access(ClusterIdentifier="c1", Account=account)
    with pytest.raises(ClientError) as excinfo:
        redshift.authorize_endpoint_access(ClusterIdentifier="c1", Account=accounts[0])
    assert error_of(excinfo) == ("EndpointAuthorizationAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    assert error_of(excinfo) == ("EndpointAuthorizationsPerClusterLimitExceeded", 400)
    pages = list(redshift.get_paginator("describe_endpoint_authorization").paginate(ClusterIdentifier="c1"))
    assert [a["Grantee"] for p in pages for a in p["EndpointAuthorizationList"]] == accounts
    assert [a["Grantee"] for a in redshift.describe_endpoint_authorization(Account=accounts[3])[
        "EndpointAuthorizationList"]] == [accounts[3]]
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_endpoint_authorization(ClusterIdentifier="missing")
    assert error_of(excinfo) == ("ClusterNotFound", 404)


def test_endpoint_paging(redshift):
    create_available_cluster(redshift)
    group(redshift)
    for i in range(21):
        endpoint(redshift, f"ep{i:02d}")
    pages = list(redshift.get_paginator("describe_endpoint_access").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["EndpointAccessList"]) for p in pages] == [20, 1]
    assert [e["EndpointName"] for p in pages for e in p["EndpointAccessList"]] == [f"ep{i:02d}" for i in range(21)]


def test_endpoints_and_authorizations_go_with_their_cluster(ls):
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner)
    group(owner)
    group(grantee)
    owner.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    endpoint(owner)
    endpoint(grantee, ResourceOwner=OWNER)
    active(owner)
    active(grantee)
    owner.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    wait_for(lambda: not owner.describe_clusters()["Clusters"])
    assert owner.describe_endpoint_access()["EndpointAccessList"] == []
    assert grantee.describe_endpoint_access()["EndpointAccessList"] == []
    assert owner.describe_endpoint_authorization()["EndpointAuthorizationList"] == []
    assert grantee.describe_endpoint_authorization(Grantee=True)["EndpointAuthorizationList"] == []


def test_aws_cli(ls):
    create_available_cluster(ls.client(OWNER))
    aws_cli(ls, "authorize-endpoint-access", "--cluster-identifier", "c1", "--account", GRANTEE)
    listed = aws_cli(ls, "describe-endpoint-authorization", "--grantee", account=GRANTEE)["EndpointAuthorizationList"]
    assert [(a["Grantor"], a["AllowedAllVPCs"]) for a in listed] == [(OWNER, True)]
