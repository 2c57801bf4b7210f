"""Workgroups: created as their namespace's engine is served, updated, deleted; endpoints and errors."""

from __future__ import annotations

import re

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_create_serves_an_endpoint_once_available(owner):
    owner.namespace("ns1")
    created = owner.create_workgroup(workgroupName="wg1", namespaceName="ns1", baseCapacity=32,
                                          maxCapacity=512, port=5440, publiclyAccessible=True,
                                          tags=[{"key": "team", "value": "bi"}])["workgroup"]
    assert created["status"] == "CREATING"
    assert "endpoint" not in created  # nothing serves the data yet
    assert re.fullmatch(rf"arn:aws:redshift-serverless:us-east-1:111111111111:workgroup/{UUID}", created["workgroupArn"])
    assert (created["baseCapacity"], created["maxCapacity"], created["port"]) == (32, 512, 5440)
    assert {p["parameterKey"] for p in created["configParameters"]} >= {"auto_mv", "search_path", "require_ssl"}
    available = owner.wait_workgroup("wg1")
    assert available["endpoint"]["address"] == "127.0.0.1"
    assert isinstance(available["endpoint"]["port"], int)
    tags = owner.list_tags_for_resource(resourceArn=created["workgroupArn"])["tags"]
    assert tags == [{"key": "team", "value": "bi"}]


def test_one_workgroup_per_namespace(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    code, status, message = owner.error(owner.create_workgroup, workgroupName="wg2", namespaceName="ns1")
    assert (code, status) == ("ConflictException", 409) and "wg1" in message
    owner.namespace("ns2")
    assert owner.error(owner.create_workgroup, workgroupName="wg1", namespaceName="ns2")[:2] == ("ConflictException", 409)
    assert owner.error(owner.create_workgroup, workgroupName="wg3", namespaceName="nope")[:2] == (
        "ResourceNotFoundException", 404)


def test_create_validates_what_the_docs_say(owner):
    owner.namespace("ns1")
    bad = [
        {"baseCapacity": 12},
        {"baseCapacity": 2048},
        {"baseCapacity": 64, "maxCapacity": 32},
        {"port": 5439 + 100},
        {"configParameters": [{"parameterKey": "no_such_parameter", "parameterValue": "1"}]},
        {"trackName": "beta"},
        {"ipAddressType": "ipv6"},
        {"pricePerformanceTarget": {"status": "ENABLED", "level": 101}},
        # AWS: levels 1, 25, 50, 75 and 100; true or false; a whole number of seconds.
        {"pricePerformanceTarget": {"status": "ENABLED", "level": 7}},
        {"configParameters": [{"parameterKey": "enable_case_sensitive_identifier", "parameterValue": "maybe"}]},
        {"configParameters": [{"parameterKey": "max_query_execution_time", "parameterValue": "abc"}]},
    ]
    for params in bad:
        code, status, _ = owner.error(owner.create_workgroup, workgroupName="wg1", namespaceName="ns1", **params)
        assert (code, status) == ("ValidationException", 400), params
    assert owner.error(owner.create_workgroup, workgroupName="Wg1", namespaceName="ns1")[:2] == ("ValidationException", 400)
    assert owner.list_workgroups()["workgroups"] == []


# Subnets follow the provisioned API's network rules: the last hex digit is the zone, and a 17-digit id starting
# with 1 is in the account's VPC 1, whose security groups start with sg-1.
SUBNET_A, SUBNET_B = "subnet-0123456789abcdef0", "subnet-0123456789abcdef1"
VPC1_SUBNET, VPC1_GROUP = "subnet-10000000000000000", "sg-10000000000000000"


def test_vpc_settings_are_checked_and_default_to_the_default_vpc(owner):
    """A workgroup is in a VPC: without subnetIds the default VPC's subnets and security group, as AWS fills them
    in; given ones must be well formed and of one VPC, with security groups of that VPC."""
    owner.namespace("ns1")
    bad = [
        {"subnetIds": ["subnet-bad"]},
        {"subnetIds": [SUBNET_A, VPC1_SUBNET]},
        {"securityGroupIds": ["sg-bad"]},
        {"securityGroupIds": [VPC1_GROUP]},  # not in the default VPC the workgroup goes to
        {"subnetIds": [SUBNET_A], "securityGroupIds": [VPC1_GROUP]},
    ]
    for params in bad:
        code, status, _ = owner.error(owner.create_workgroup, workgroupName="wg1", namespaceName="ns1", **params)
        assert (code, status) == ("ValidationException", 400), params
    created = owner.create_workgroup(workgroupName="wg1", namespaceName="ns1", baseCapacity=8)["workgroup"]
    subnets, [group] = created["subnetIds"], created["securityGroupIds"]
    assert len(subnets) == 6 and all(s.startswith("subnet-0") for s in subnets)  # us-east-1's six zones
    assert group.startswith("sg-0")
    owner.wait_workgroup("wg1")
    moved = owner.update_workgroup(workgroupName="wg1", subnetIds=[VPC1_SUBNET])["workgroup"]
    assert moved["subnetIds"] == [VPC1_SUBNET] and moved["securityGroupIds"][0].startswith("sg-1")
    assert owner.update_workgroup(workgroupName="wg1", securityGroupIds=[VPC1_GROUP])["workgroup"][
        "securityGroupIds"] == [VPC1_GROUP]
    assert owner.error(owner.update_workgroup, workgroupName="wg1", securityGroupIds=["sg-0000000000000000a"])[:2] == (
        "ValidationException", 400)
    back = owner.update_workgroup(workgroupName="wg1", subnetIds=[SUBNET_A, SUBNET_B, SUBNET_A])["workgroup"]
    assert back["subnetIds"] == [SUBNET_A, SUBNET_B] and back["securityGroupIds"][0].startswith("sg-0")


def test_update_one_setting_at_a_time(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    updated = owner.update_workgroup(workgroupName="wg1", baseCapacity=64)["workgroup"]
    assert updated["baseCapacity"] == 64 and updated["status"] == "AVAILABLE"
    config = owner.update_workgroup(workgroupName="wg1", configParameters=[
        {"parameterKey": "require_ssl", "parameterValue": "true"}])["workgroup"]["configParameters"]
    assert {"parameterKey": "require_ssl", "parameterValue": "true"} in config
    assert {"parameterKey": "auto_mv", "parameterValue": "true"} in config  # the others are kept
    code, status, message = owner.error(owner.update_workgroup, workgroupName="wg1", baseCapacity=32, port=5440)
    assert (code, status) == ("ValidationException", 400) and "one setting at a time" in message
    assert owner.error(owner.update_workgroup, workgroupName="nope", baseCapacity=32)[:2] == (
        "ResourceNotFoundException", 404)


def test_updates_check_config_values_and_performance_levels(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    for params in ({"configParameters": [{"parameterKey": "auto_mv", "parameterValue": "maybe"}]},
                   {"configParameters": [{"parameterKey": "max_query_cpu_time", "parameterValue": "-5"}]},
                   {"configParameters": [{"parameterKey": "max_query_execution_time", "parameterValue": "1h"}]},
                   {"pricePerformanceTarget": {"status": "ENABLED", "level": 30}}):
        code, status, message = owner.error(owner.update_workgroup, workgroupName="wg1", **params)
        assert (code, status) == ("ValidationException", 400), params
    workgroup = owner.update_workgroup(workgroupName="wg1", configParameters=[
        {"parameterKey": "auto_mv", "parameterValue": "FALSE"},
        {"parameterKey": "max_query_execution_time", "parameterValue": "600"}])["workgroup"]
    assert {"parameterKey": "auto_mv", "parameterValue": "false"} in workgroup["configParameters"]
    assert {"parameterKey": "max_query_execution_time", "parameterValue": "600"} in workgroup["configParameters"]
    owner.wait_workgroup("wg1")
    target = owner.update_workgroup(workgroupName="wg1", pricePerformanceTarget={"status": "ENABLED", "level": 75})
    assert target["workgroup"]["pricePerformanceTarget"] == {"status": "ENABLED", "level": 75}


def test_new_workgroups_require_ssl_and_only_an_update_turns_it_off(owner):
    owner.namespace("ns1")
    code, status, message = owner.error(owner.create_workgroup, workgroupName="wg1", namespaceName="ns1",
                                        configParameters=[{"parameterKey": "require_ssl", "parameterValue": "false"}])
    assert (code, status) == ("ValidationException", 400)
    assert message == ("You can't disable require_ssl while the workgroup is being created. "
                       "To disable require_ssl, update the workgroup after creation.")
    owner.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    assert {"parameterKey": "require_ssl", "parameterValue": "true"} in owner.wait_workgroup("wg1")["configParameters"]
    # The SQL front applies it at once: MODIFYING until it does.
    updated = owner.update_workgroup(workgroupName="wg1", configParameters=[
        {"parameterKey": "require_ssl", "parameterValue": "FALSE"}])["workgroup"]
    assert updated["status"] == "MODIFYING"
    assert {"parameterKey": "require_ssl", "parameterValue": "false"} in owner.wait_workgroup("wg1")["configParameters"]
    code, status, message = owner.error(owner.update_workgroup, workgroupName="wg1", configParameters=[
        {"parameterKey": "require_ssl", "parameterValue": "yes"}])
    assert (code, status) == ("ValidationException", 400) and "require_ssl" in message


def test_port_change_moves_the_endpoint(owner):
    before = owner.namespace_with_workgroup("ns1", "wg1")
    moving = owner.update_workgroup(workgroupName="wg1", port=8192)["workgroup"]
    assert moving["status"] == "MODIFYING"
    after = owner.wait_workgroup("wg1")
    assert after["port"] == 8192
    assert after["endpoint"]["port"] != before["endpoint"]["port"] or after["endpoint"]["port"] == 8192


def test_delete_then_gone(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    assert owner.delete_workgroup(workgroupName="wg1")["workgroup"]["status"] == "DELETING"
    owner.wait_for_gone(owner.get_workgroup, workgroupName="wg1")
    assert owner.error(owner.delete_workgroup, workgroupName="wg1")[:2] == ("ResourceNotFoundException", 404)
    # The namespace keeps its data and may get a new workgroup.
    owner.create_workgroup(workgroupName="wg2", namespaceName="ns1")
    assert owner.wait_workgroup("wg2")["namespaceName"] == "ns1"


def test_list_pages_and_owner_account(owner, grantee):
    for i in range(3):
        owner.namespace(f"ns{i}")
        owner.create_workgroup(workgroupName=f"wg{i}", namespaceName=f"ns{i}")
    first = owner.list_workgroups(maxResults=2)
    assert [w["workgroupName"] for w in first["workgroups"]] == ["wg0", "wg1"]
    second = owner.list_workgroups(maxResults=2, nextToken=first["nextToken"])
    assert [w["workgroupName"] for w in second["workgroups"]] == ["wg2"] and "nextToken" not in second
    assert owner.list_workgroups(ownerAccount="222222222222")["workgroups"] == []
    assert len(owner.list_workgroups(ownerAccount="111111111111")["workgroups"]) == 3
    assert grantee.list_workgroups()["workgroups"] == []
    assert owner.error(owner.list_workgroups, ownerAccount="12")[:2] == ("ValidationException", 400)
