"""Cluster parameter groups against a real server (no data plane), through boto3 and the AWS CLI."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, aws_cli, create_available_cluster, error_of, wait_available, wait_for

FAMILY = "redshift-2.0"


def create_group(client, name: str = "custom", family: str = FAMILY, **extra) -> dict:  # type: ignore[no-untyped-def]
    return client.create_cluster_parameter_group(ParameterGroupName=name, ParameterGroupFamily=family,
                                                 Description="my group", **extra)["ClusterParameterGroup"]


def parameters(client, group: str, **extra) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    pages = client.get_paginator("describe_cluster_parameters").paginate(ParameterGroupName=group, **extra)
    return {p["ParameterName"]: p for page in pages for p in page["Parameters"]}


def test_every_account_has_the_default_groups_of_both_families(redshift):
    groups = redshift.describe_cluster_parameter_groups()["ParameterGroups"]
    assert [(g["ParameterGroupName"], g["ParameterGroupFamily"], g["Description"]) for g in groups] == [
        ("default.redshift-1.0", "redshift-1.0", "Default parameter group for redshift-1.0"),
        ("default.redshift-2.0", "redshift-2.0", "Default parameter group for redshift-2.0"),
    ]


def test_default_parameters_are_the_familys_catalogue(redshift):
    defaults = redshift.describe_default_cluster_parameters(ParameterGroupFamily=FAMILY)["DefaultClusterParameters"]
    assert defaults["ParameterGroupFamily"] == FAMILY
    by_name = {p["ParameterName"]: p for p in defaults["Parameters"]}
    assert list(by_name) == sorted(by_name)
    assert by_name["require_ssl"]["ParameterValue"] == "true"  # the 2025 default group requires SSL
    assert by_name["search_path"] == {
        "ParameterName": "search_path", "ParameterValue": "$user, public", "Source": "engine-default",
        "Description": "Sets the schema search order for names that are not schema-qualified.",
        "DataType": "string", "ApplyType": "static", "IsModifiable": True,
    }
    assert by_name["statement_timeout"]["AllowedValues"] == "0,100-2147483647"
    assert by_name["wlm_json_configuration"]["ParameterValue"] == '[{"auto_wlm":true}]'
    assert "max_cursor_result_set_size" not in by_name
    old = redshift.describe_default_cluster_parameters(ParameterGroupFamily="redshift-1.0")
    old_params = {p["ParameterName"]: p["ParameterValue"] for p in old["DefaultClusterParameters"]["Parameters"]}
    assert old_params["require_ssl"] == "false" and old_params["max_cursor_result_set_size"] == "default"
    paginated = redshift.get_paginator("describe_default_cluster_parameters").paginate(ParameterGroupFamily=FAMILY)
    assert sum(len(page["DefaultClusterParameters"]["Parameters"]) for page in paginated) == len(by_name)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_default_cluster_parameters(ParameterGroupFamily="redshift-3.0")
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def test_create_describe_and_delete_a_group_with_tags(redshift):
    created = create_group(redshift, "My-Group", Tags=[{"Key": "env", "Value": "test"}])
    # Names are stored in lowercase.
    assert created == {"ParameterGroupName": "my-group", "ParameterGroupFamily": FAMILY, "Description": "my group",
                       "Tags": [{"Key": "env", "Value": "test"}]}
    assert redshift.describe_cluster_parameter_groups(ParameterGroupName="MY-GROUP")["ParameterGroups"] == [created]
    by_tag = redshift.describe_cluster_parameter_groups(TagKeys=["env"])["ParameterGroups"]
    assert [g["ParameterGroupName"] for g in by_tag] == ["my-group"]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:parametergroup:my-group"
    assert redshift.describe_tags(ResourceName=arn)["TaggedResources"][0]["ResourceType"] == "parametergroup"
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "team", "Value": "data"}])
    assert len(redshift.describe_cluster_parameter_groups(ParameterGroupName="my-group")["ParameterGroups"][0]["Tags"]) == 2
    redshift.delete_cluster_parameter_group(ParameterGroupName="my-group")
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_parameter_group(ParameterGroupName="my-group")
    assert error_of(excinfo) == ("ClusterParameterGroupNotFound", 404, "ParameterGroup not found: my-group")
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_parameters(ParameterGroupName="my-group")
    assert error_of(excinfo) == ("ClusterParameterGroupNotFound", 404, "ClusterParameterGroup not found: my-group")
    assert redshift.describe_tags(ResourceType="parametergroup")["TaggedResources"] == []


@pytest.mark.parametrize(
    "params, code",
    [
        ({"ParameterGroupName": "1group"}, "InvalidParameterValue"),
        ({"ParameterGroupName": "two--hyphens"}, "InvalidParameterValue"),
        ({"ParameterGroupName": "default.redshift-2.0"}, "InvalidParameterValue"),
        ({"ParameterGroupName": "x" * 256}, "InvalidParameterValue"),
        ({"ParameterGroupFamily": "redshift-3.0"}, "InvalidParameterValue"),
        ({"Tags": [{"Key": "aws:reserved", "Value": "x"}]}, "InvalidTagFault"),
    ],
)
def test_create_validates_like_aws(redshift, params, code):
    request = {"ParameterGroupName": "good", "ParameterGroupFamily": FAMILY, "Description": "d", **params}
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_parameter_group(**request)
    assert error_of(excinfo)[:2] == (code, 400)


def test_duplicates_and_the_quota(redshift):
    create_group(redshift, "g0")
    with pytest.raises(ClientError) as excinfo:
        create_group(redshift, "G0")
    assert error_of(excinfo)[:2] == ("ClusterParameterGroupAlreadyExists", 400)
    for index in range(1, 20):
        create_group(redshift, f"g{index}")
    with pytest.raises(ClientError) as excinfo:
        create_group(redshift, "g20")
    assert error_of(excinfo)[:2] == ("ClusterParameterGroupQuotaExceeded", 400)


def test_groups_page_defaults_first_then_creation_order(redshift):
    for index in range(19):  # with the two default groups, one more than a page of 20
        create_group(redshift, f"g{index:02d}")
    first = redshift.describe_cluster_parameter_groups(MaxRecords=20)
    assert len(first["ParameterGroups"]) == 20 and first["Marker"]
    second = redshift.describe_cluster_parameter_groups(MaxRecords=20, Marker=first["Marker"])
    names = [g["ParameterGroupName"] for g in first["ParameterGroups"] + second["ParameterGroups"]]
    assert names == ["default.redshift-1.0", "default.redshift-2.0"] + [f"g{i:02d}" for i in range(19)]
    assert "Marker" not in second
    paged = redshift.get_paginator("describe_cluster_parameter_groups").paginate(PaginationConfig={"PageSize": 20})
    assert sum(len(page["ParameterGroups"]) for page in paged) == 21
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_parameter_groups(Marker="garbage")
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def test_groups_are_separate_per_account(ls):
    create_group(ls.client(OWNER), "mine")
    with pytest.raises(ClientError) as excinfo:
        ls.client(STRANGER).describe_cluster_parameters(ParameterGroupName="mine")
    assert error_of(excinfo)[:2] == ("ClusterParameterGroupNotFound", 404)
    assert len(ls.client(STRANGER).describe_cluster_parameter_groups()["ParameterGroups"]) == 2


def test_modify_sets_user_values_and_reset_brings_defaults_back(redshift):
    create_group(redshift)
    answer = redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "20000"},
        {"ParameterName": "enable_user_activity_logging", "ParameterValue": "TRUE"},
        {"ParameterName": "search_path", "ParameterValue": '$user,public,  "Analytics"'},
    ])
    assert answer["ParameterGroupName"] == "custom"
    assert "reboot" in answer["ParameterGroupStatus"]
    values = parameters(redshift, "custom")
    assert values["statement_timeout"]["ParameterValue"] == "20000"
    assert values["statement_timeout"]["Source"] == "user"
    assert values["enable_user_activity_logging"]["ParameterValue"] == "true"
    assert values["search_path"]["ParameterValue"] == '$user, public, "Analytics"'
    assert values["datestyle"]["Source"] == "engine-default"
    user = parameters(redshift, "custom", Source="user")
    assert sorted(user) == ["enable_user_activity_logging", "search_path", "statement_timeout"]
    assert "datestyle" in parameters(redshift, "custom", Source="engine-default")
    assert parameters(redshift, "custom", Source="system") == {}
    redshift.reset_cluster_parameter_group(ParameterGroupName="custom",
                                           Parameters=[{"ParameterName": "statement_timeout"}])
    assert sorted(parameters(redshift, "custom", Source="user")) == ["enable_user_activity_logging", "search_path"]
    redshift.reset_cluster_parameter_group(ParameterGroupName="custom", ResetAllParameters=True)
    assert parameters(redshift, "custom", Source="user") == {}


def test_a_parameter_set_to_its_defaults_value_is_the_users_until_reset(redshift):
    """Terraform reads a group's parameters back with Source=user: `require_ssl = true` in a redshift-2.0 group
    (whose default it is) must read back, or every plan would set it again."""
    create_group(redshift)
    redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "require_ssl", "ParameterValue": "true"},
        {"ParameterName": "statement_timeout", "ParameterValue": "0"}])
    user = parameters(redshift, "custom", Source="user")
    assert {name: (p["ParameterValue"], p["Source"]) for name, p in user.items()} == {
        "require_ssl": ("true", "user"), "statement_timeout": ("0", "user")}
    assert "require_ssl" not in parameters(redshift, "custom", Source="engine-default")
    redshift.reset_cluster_parameter_group(ParameterGroupName="custom", Parameters=[{"ParameterName": "require_ssl"}])
    assert list(parameters(redshift, "custom", Source="user")) == ["statement_timeout"]
    assert parameters(redshift, "custom")["require_ssl"]["Source"] == "engine-default"


@pytest.mark.parametrize(
    "parameter, code",
    [
        ({"ParameterName": "no_such_parameter", "ParameterValue": "1"}, "InvalidParameterValue"),
        ({"ParameterName": "statement_timeout", "ParameterValue": "50"}, "InvalidParameterValue"),
        ({"ParameterName": "statement_timeout", "ParameterValue": "soon"}, "InvalidParameterValue"),
        ({"ParameterName": "extra_float_digits", "ParameterValue": "3"}, "InvalidParameterValue"),
        ({"ParameterName": "max_concurrency_scaling_clusters", "ParameterValue": "11"}, "InvalidParameterValue"),
        ({"ParameterName": "require_ssl", "ParameterValue": "yes"}, "InvalidParameterValue"),
        ({"ParameterName": "datestyle", "ParameterValue": "ISO"}, "InvalidParameterValue"),
        ({"ParameterName": "search_path", "ParameterValue": "bad schema"}, "InvalidParameterValue"),
        ({"ParameterName": "wlm_json_configuration", "ParameterValue": "not json"}, "InvalidParameterValue"),
        ({"ParameterName": "wlm_json_configuration", "ParameterValue": '[{"query_concurrency": 51}]'},
         "InvalidParameterValue"),
        ({"ParameterName": "wlm_json_configuration", "ParameterValue": '[{"colour": "blue"}]'}, "InvalidParameterValue"),
        ({"ParameterName": "wlm_json_configuration",
          "ParameterValue": '[{"memory_percent_to_use": 60}, {"memory_percent_to_use": 50}]'}, "InvalidParameterValue"),
        ({"ParameterName": "query_group", "ParameterValue": "a\x01b"}, "InvalidParameterValue"),
        ({"ParameterName": "search_path", "ParameterValue": '"a,b"'}, "InvalidParameterValue"),
        ({"ParameterName": "statement_timeout"}, "MissingParameter"),
    ],
)
def test_modify_validates_names_and_values(redshift, parameter, code):
    create_group(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[parameter])
    assert error_of(excinfo)[:2] == (code, 400)
    assert parameters(redshift, "custom", Source="user") == {}


def test_a_documented_wlm_configuration_is_accepted(redshift):
    create_group(redshift)
    config = [
        {"user_group": ["etl"], "query_group": ["load"], "query_concurrency": 7, "memory_percent_to_use": 40,
         "concurrency_scaling": "auto",
         "rules": [{"rule_name": "rule_1", "predicate": [
             {"metric_name": "query_execution_time", "operator": ">", "value": 100000}], "action": "hop"}]},
        {"query_concurrency": 5, "memory_percent_to_use": 60},
        {"short_query_queue": True},
    ]
    redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "wlm_json_configuration", "ParameterValue": json.dumps(config)}])
    assert json.loads(parameters(redshift, "custom")["wlm_json_configuration"]["ParameterValue"]) == config


def test_default_groups_cannot_be_changed_or_deleted(redshift):
    for call in (
        lambda: redshift.modify_cluster_parameter_group(ParameterGroupName="default.redshift-2.0", Parameters=[
            {"ParameterName": "statement_timeout", "ParameterValue": "1000"}]),
        lambda: redshift.reset_cluster_parameter_group(ParameterGroupName="default.redshift-1.0"),
        lambda: redshift.delete_cluster_parameter_group(ParameterGroupName="default.redshift-2.0"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[:2] == ("InvalidClusterParameterGroupState", 400)


def test_reset_needs_names_or_all_and_not_both(redshift):
    create_group(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.reset_cluster_parameter_group(ParameterGroupName="custom", ResetAllParameters=False)
    assert error_of(excinfo)[:2] == ("MissingParameter", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.reset_cluster_parameter_group(ParameterGroupName="custom", ResetAllParameters=True,
                                               Parameters=[{"ParameterName": "datestyle"}])
    assert error_of(excinfo)[:2] == ("InvalidParameterCombination", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.reset_cluster_parameter_group(ParameterGroupName="custom",
                                               Parameters=[{"ParameterName": "nope"}])
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def status_of(client, identifier: str = "c1") -> dict:  # type: ignore[no-untyped-def]
    return client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]["ClusterParameterGroups"][0]


def test_clusters_show_their_group_and_changes_wait_for_a_reboot(redshift):
    create_group(redshift)
    create_available_cluster(redshift, ClusterParameterGroupName="CUSTOM")
    status = status_of(redshift)
    assert (status["ParameterGroupName"], status["ParameterApplyStatus"]) == ("custom", "in-sync")
    assert {p["ParameterApplyStatus"] for p in status["ClusterParameterStatusList"]} == {"in-sync"}
    assert len(status["ClusterParameterStatusList"]) == 13
    redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "5000"}])
    status = status_of(redshift)
    assert status["ParameterApplyStatus"] == "pending-reboot"
    pending = [p["ParameterName"] for p in status["ClusterParameterStatusList"]
               if p["ParameterApplyStatus"] == "pending-reboot"]
    assert pending == ["statement_timeout"]
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_cluster_parameter_group(ParameterGroupName="custom")
    assert error_of(excinfo)[:2] == ("InvalidClusterParameterGroupState", 400)
    rebooted = redshift.reboot_cluster(ClusterIdentifier="c1")["Cluster"]
    assert rebooted["ClusterStatus"] == "rebooting"
    wait_available(redshift)
    assert status_of(redshift)["ParameterApplyStatus"] == "in-sync"
    # Redshift's events: the group created and updated (the parameter from its old value), the cluster told.
    group_events = [(e["EventId"], e["Message"]) for e in redshift.describe_events(
        SourceType="cluster-parameter-group", SourceIdentifier="custom")["Events"]]
    assert [event_id for event_id, _ in group_events] == [
        "REDSHIFT-EVENT-1003", "REDSHIFT-EVENT-1002", "REDSHIFT-EVENT-1005"]
    assert group_events[1][1].startswith("The parameter statement_timeout was updated from 0 to 5000 at ")
    cluster_events = [e["EventId"] for e in redshift.describe_events(SourceType="cluster", SourceIdentifier="c1")[
        "Events"]]
    assert {"REDSHIFT-EVENT-1000", "REDSHIFT-EVENT-3000"} <= set(cluster_events)
    assert cluster_events.index("REDSHIFT-EVENT-1000") < cluster_events.index("REDSHIFT-EVENT-3000")


def test_a_dynamic_wlm_change_applies_without_a_reboot(redshift):
    create_group(redshift)
    create_available_cluster(redshift, ClusterParameterGroupName="custom")
    dynamic = '[{"query_concurrency": 5, "memory_percent_to_use": 100}]'
    redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "wlm_json_configuration", "ParameterValue": dynamic}])
    # Switching to manual WLM is static: it waits for a reboot.
    assert status_of(redshift)["ParameterApplyStatus"] == "pending-reboot"
    redshift.reboot_cluster(ClusterIdentifier="c1")
    wait_available(redshift)
    # Concurrency and memory are dynamic: applying, then in sync without a reboot.
    redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "wlm_json_configuration",
         "ParameterValue": '[{"query_concurrency": 8, "memory_percent_to_use": 90}]'}])
    # (applying lasts as long as the engine takes: no time at all without a data plane)
    assert status_of(redshift)["ParameterApplyStatus"] in ("applying", "in-sync")
    wait_for(lambda: status_of(redshift)["ParameterApplyStatus"] == "in-sync")
    assert redshift.describe_clusters()["Clusters"][0]["ClusterStatus"] == "available"


def test_modify_cluster_and_restore_check_the_group(redshift):
    create_available_cluster(redshift)
    assert status_of(redshift)["ParameterGroupName"] == "default.redshift-2.0"
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster(ClusterIdentifier="c1", ClusterParameterGroupName="missing")
    assert error_of(excinfo) == ("ClusterParameterGroupNotFound", 404, "ClusterParameterGroup not found: missing")
    create_group(redshift, "other", family="redshift-1.0")
    modified = redshift.modify_cluster(ClusterIdentifier="c1", ClusterParameterGroupName="other")["Cluster"]
    assert modified["ClusterParameterGroups"][0]["ParameterGroupName"] == "other"
    # A new group takes effect at the next reboot.
    assert modified["ClusterParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    with pytest.raises(ClientError) as excinfo:
        create_available_cluster(redshift, "c2", ClusterParameterGroupName="missing")
    assert error_of(excinfo)[:2] == ("ClusterParameterGroupNotFound", 404)
    redshift.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
    redshift.get_waiter("snapshot_available").wait(SnapshotIdentifier="s1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1")["Cluster"]
    # A restored cluster gets the default group, not the source's.
    assert restored["ClusterParameterGroups"][0]["ParameterGroupName"] == "default.redshift-2.0"
    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="r2", SnapshotIdentifier="s1",
                                                      ClusterParameterGroupName="other")["Cluster"]
    assert restored["ClusterParameterGroups"][0]["ParameterGroupName"] == "other"


def test_the_aws_cli_manages_parameter_groups(ls):
    aws_cli(ls, "create-cluster-parameter-group", "--parameter-group-name", "cli-group",
            "--parameter-group-family", FAMILY, "--description", "from the cli")
    aws_cli(ls, "modify-cluster-parameter-group", "--parameter-group-name", "cli-group", "--parameters",
            "ParameterName=statement_timeout,ParameterValue=20000",
            "ParameterName=enable_user_activity_logging,ParameterValue=true")
    listed = aws_cli(ls, "describe-cluster-parameters", "--parameter-group-name", "cli-group", "--source", "user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in listed["Parameters"]} == {
        "enable_user_activity_logging": "true", "statement_timeout": "20000"}
    aws_cli(ls, "reset-cluster-parameter-group", "--parameter-group-name", "cli-group", "--reset-all-parameters")
    assert aws_cli(ls, "describe-cluster-parameters", "--parameter-group-name", "cli-group",
                   "--source", "user")["Parameters"] == []
    aws_cli(ls, "delete-cluster-parameter-group", "--parameter-group-name", "cli-group")
