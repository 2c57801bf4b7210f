"""Serverless VPC endpoints on the control plane: created on a workgroup, placed in a VPC, updated,
listed with filters and pages, deleted; a workgroup with endpoints can't be deleted.  (That an
endpoint is a real second SQL port: test_data.py.)"""

from __future__ import annotations

import re

from support import GRANTEE, wait_for

SUBNET = "subnet-0123456789abcdef0"
OTHER_VPC_SUBNET = "subnet-1123456789abcdef0"


def wait_active(owner, name: str) -> dict:  # type: ignore[no-untyped-def]
    wait_for(lambda: owner.get_endpoint_access(endpointName=name)["endpoint"]["endpointStatus"] == "ACTIVE")
    return owner.get_endpoint_access(endpointName=name)["endpoint"]


def test_create_get_update_delete(owner):
    owner.namespace_with_workgroup()
    created = owner.create_endpoint_access(endpointName="Reporting-1", workgroupName="wg1",
                                           subnetIds=[SUBNET])["endpoint"]
    assert created["endpointStatus"] == "CREATING" and created["workgroupName"] == "wg1"
    assert re.fullmatch(r"arn:aws:redshift-serverless:us-east-1:111111111111:managedvpcendpoint/[0-9a-f-]{36}",
                        created["endpointArn"])
    active = wait_active(owner, "Reporting-1")
    assert active["address"] == "127.0.0.1" and isinstance(active["port"], int)
    vpc_endpoint = active["vpcEndpoint"]
    assert vpc_endpoint["vpcEndpointId"].startswith("vpce-") and vpc_endpoint["vpcId"].startswith("vpc-0")
    assert vpc_endpoint["networkInterfaces"][0]["subnetId"] == SUBNET
    assert vpc_endpoint["networkInterfaces"][0]["availabilityZone"].startswith("us-east-1")
    [group] = active["vpcSecurityGroups"]
    assert group["status"] == "active" and group["vpcSecurityGroupId"].startswith("sg-0")
    new_group = "sg-0aaaaaaaaaaaaaaaa"
    updated = owner.update_endpoint_access(endpointName="Reporting-1", vpcSecurityGroupIds=[new_group])["endpoint"]
    assert updated["vpcSecurityGroups"] == [{"vpcSecurityGroupId": new_group, "status": "active"}]
    code, status, _ = owner.error(owner.delete_workgroup, workgroupName="wg1")
    assert (code, status) == ("ConflictException", 409)
    assert owner.delete_endpoint_access(endpointName="Reporting-1")["endpoint"]["endpointStatus"] == "DELETING"
    owner.wait_for_gone(owner.get_endpoint_access, endpointName="Reporting-1")
    owner.delete_workgroup(workgroupName="wg1")


def test_validation(owner):
    owner.namespace_with_workgroup()
    create = owner.create_endpoint_access
    for name in ("1starts-with-digit", "double--hyphen", "ends-", "x" * 31):
        assert owner.error(create, endpointName=name, workgroupName="wg1", subnetIds=[SUBNET])[:2] == (
            "ValidationException", 400), name
    for subnets in ([], ["subnet-xyz"], [SUBNET, OTHER_VPC_SUBNET]):
        assert owner.error(create, endpointName="e1", workgroupName="wg1", subnetIds=subnets)[0] == (
            "ValidationException"), subnets
    assert owner.error(create, endpointName="e1", workgroupName="wg1", subnetIds=[SUBNET],
                       vpcSecurityGroupIds=["sg-1aaaaaaaaaaaaaaaa"])[0] == "ValidationException"  # another VPC's
    assert owner.error(create, endpointName="e1", workgroupName="nope", subnetIds=[SUBNET])[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.error(create, endpointName="e1", workgroupName="wg1", subnetIds=[SUBNET],
                       ownerAccount=GRANTEE)[:2] == ("AccessDeniedException", 403)
    create(endpointName="e1", workgroupName="wg1", subnetIds=[SUBNET])
    assert owner.error(create, endpointName="e1", workgroupName="wg1", subnetIds=[SUBNET])[:2] == (
        "ConflictException", 409)
    for call in (owner.get_endpoint_access, owner.delete_endpoint_access):
        assert owner.error(call, endpointName="nope")[:2] == ("ResourceNotFoundException", 404)


def test_list_filters_and_pages(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace_with_workgroup("ns2", "wg2")
    owner.create_endpoint_access(endpointName="a1", workgroupName="wg1", subnetIds=[SUBNET])
    owner.create_endpoint_access(endpointName="a2", workgroupName="wg1", subnetIds=[OTHER_VPC_SUBNET])
    owner.create_endpoint_access(endpointName="b1", workgroupName="wg2", subnetIds=[SUBNET])

    def names(**params) -> list[str]:  # type: ignore[no-untyped-def]
        return [e["endpointName"] for e in owner.list_endpoint_access(**params)["endpoints"]]

    assert names() == ["a1", "a2", "b1"]
    assert names(workgroupName="wg1") == ["a1", "a2"]
    vpc = owner.get_endpoint_access(endpointName="a2")["endpoint"]["vpcEndpoint"]["vpcId"]
    assert names(vpcId=vpc) == ["a2"]
    assert names(ownerAccount=GRANTEE) == []
    pages = list(owner.get_paginator("list_endpoint_access").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["endpoints"]) for p in pages] == [2, 1]
