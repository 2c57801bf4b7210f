"""DescribeNodeConfigurationOptions' Filters, MaxRecords and Marker, through boto3 against a real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import create_available_cluster, create_available_snapshot
from services.redshift.node_option_rows import RA3_XLPLUS_2_RESIZE, code_of, configs, rows


def apply(option_rows, test):  # type: ignore[no-untyped-def]
    return [r for r in option_rows if test(r)]


@pytest.mark.parametrize("operator, values, test", [
    ("eq", ["3"], lambda n: n == 3),
    ("lt", ["3"], lambda n: n < 3),
    ("gt", ["3"], lambda n: n > 3),
    ("le", ["3"], lambda n: n <= 3),
    ("ge", ["3"], lambda n: n >= 3),
    ("in", ["2", "4"], lambda n: n in (2, 4)),
    ("between", ["3", "4"], lambda n: 3 <= n <= 4),
])
def test_number_of_nodes_filter(redshift, operator, values, test):
    create_available_cluster(redshift)
    every = rows(redshift, ActionType="resize-cluster", ClusterIdentifier="c1")
    filtered = rows(redshift, ActionType="resize-cluster", ClusterIdentifier="c1",
                    Filters=[{"Name": "NumberOfNodes", "Operator": operator, "Values": values}])
    expected = apply(every, lambda r: test(r["NumberOfNodes"]))
    assert filtered == expected
    assert 0 < len(filtered) < len(every)


@pytest.mark.parametrize("operator, values, keeps_all", [
    ("eq", ["0"], True), ("lt", ["0.01"], True), ("le", ["0"], True), ("ge", ["0"], True),
    ("gt", ["0"], False), ("in", ["0", "50"], True), ("in", ["50"], False),
    ("between", ["0", "100"], True), ("between", ["0.5", "100"], False),
])
def test_estimated_disk_utilization_filter_on_the_server(redshift, operator, values, keeps_all):
    # Sizes are 0 on the control-plane server; the filter on real percentages is tested in process below.
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    every = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1")
    filtered = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1",
                    Filters=[{"Name": "EstimatedDiskUtilizationPercent", "Operator": operator, "Values": values}])
    assert filtered == (every if keeps_all else [])


def test_node_type_filter(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    filtered = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1",
                    Filters=[{"Name": "NodeType", "Operator": "in", "Values": ["ra3.4xlarge", "rg.xlarge", "dc2.large"]}])
    assert configs(filtered) == [
        ("ra3.4xlarge", 2, None), ("ra3.4xlarge", 3, None), ("ra3.4xlarge", 4, None),
        ("rg.xlarge", 2, None), ("rg.xlarge", 3, None), ("rg.xlarge", 4, None),
    ]


@pytest.mark.parametrize("operator, values, modes", [
    ("eq", ["standard"], {"standard"}),
    ("eq", ["high-performance"], {"high-performance"}),
    ("in", ["standard", "high-performance"], {"standard", "high-performance"}),
])
def test_mode_filter(redshift, operator, values, modes):
    create_available_cluster(redshift)
    every = rows(redshift, ActionType="recommend-node-config", ClusterIdentifier="c1")
    filtered = rows(redshift, ActionType="recommend-node-config", ClusterIdentifier="c1",
                    Filters=[{"Name": "Mode", "Operator": operator, "Values": values}])
    assert filtered == apply(every, lambda r: r["Mode"] in modes)


def test_mode_filter_matches_no_row_without_a_mode(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    filtered = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1",
                    Filters=[{"Name": "Mode", "Operator": "eq", "Values": ["standard"]}])
    assert filtered == []


def test_filters_combine_with_and(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    filtered = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1", Filters=[
        {"Name": "NodeType", "Operator": "in", "Values": ["ra3.xlplus", "ra3.16xlarge"]},
        {"Name": "NumberOfNodes", "Operator": "ge", "Values": ["3"]},
        {"Name": "NumberOfNodes", "Operator": "lt", "Values": ["4"]},
    ])
    assert configs(filtered) == [("ra3.xlplus", 3, None), ("ra3.16xlarge", 3, None)]


def test_an_empty_filter_list_filters_nothing(redshift):
    create_available_cluster(redshift)
    assert configs(rows(redshift, ActionType="resize-cluster", ClusterIdentifier="c1", Filters=[])) == RA3_XLPLUS_2_RESIZE


@pytest.mark.parametrize("flt, words", [
    ({"Name": "NodeType", "Operator": "eq", "Values": ["ra3.xlplus"]}, "only the 'in' operator"),
    ({"Name": "NodeType", "Operator": "in", "Values": []}, "one or more values"),
    ({"Name": "NumberOfNodes", "Operator": "eq", "Values": ["2", "3"]}, "exactly one value"),
    ({"Name": "NumberOfNodes", "Operator": "lt", "Values": []}, "exactly one value"),
    ({"Name": "NumberOfNodes", "Operator": "between", "Values": ["2"]}, "exactly two values"),
    ({"Name": "NumberOfNodes", "Operator": "between", "Values": ["2", "3", "4"]}, "exactly two values"),
    ({"Name": "NumberOfNodes", "Operator": "between", "Values": ["4", "2"]}, "lower bound first"),
    ({"Name": "NumberOfNodes", "Operator": "eq", "Values": ["abc"]}, "not an integer"),
    ({"Name": "NumberOfNodes", "Operator": "eq", "Values": ["2.5"]}, "not an integer"),
    ({"Name": "NumberOfNodes", "Operator": "eq", "Values": ["201"]}, "0 to 200"),
    ({"Name": "NumberOfNodes", "Operator": "in", "Values": ["2", "-1"]}, "not an integer"),
    ({"Name": "EstimatedDiskUtilizationPercent", "Operator": "gt", "Values": ["100.5"]}, "0 to 100"),
    ({"Name": "EstimatedDiskUtilizationPercent", "Operator": "gt", "Values": ["-1"]}, "0 to 100"),
    ({"Name": "EstimatedDiskUtilizationPercent", "Operator": "gt", "Values": ["nan"]}, "0 to 100"),
    ({"Name": "EstimatedDiskUtilizationPercent", "Operator": "gt", "Values": ["half"]}, "not a number"),
    ({"Name": "Mode", "Operator": "eq", "Values": ["fast"]}, "standard, high-performance"),
    ({"Name": "Mode", "Operator": "lt", "Values": ["standard"]}, "does not support the 'lt' operator"),
    ({"Operator": "eq", "Values": ["2"]}, "must have a Name"),
    ({"Name": "NumberOfNodes", "Values": ["2"]}, "must have an Operator"),
    ({"Name": "NumberOfNodes", "Operator": "eq"}, "exactly one value"),
    ({"Name": "Size", "Operator": "eq", "Values": ["2"]}, "Valid values"),
    ({"Name": "NumberOfNodes", "Operator": "ne", "Values": ["2"]}, "Valid values"),
])
def test_bad_filters_are_invalid_parameter_values(redshift, flt, words):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier="c1", Filters=[flt])
    assert code_of(excinfo) == ("InvalidParameterValue", 400)
    assert words in excinfo.value.response["Error"]["Message"]


def test_filters_are_checked_before_the_resource_is_looked_up(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(
            ActionType="resize-cluster", ClusterIdentifier="missing",
            Filters=[{"Name": "NumberOfNodes", "Operator": "eq", "Values": ["500"]}],
        )
    assert code_of(excinfo) == ("InvalidParameterValue", 400)


# --- MaxRecords and Marker ---------------------------------------------------------


@pytest.mark.parametrize("max_records", [99, 501, 0, -5])
def test_max_records_out_of_range(redshift, max_records):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(
            ActionType="resize-cluster", ClusterIdentifier="c1", MaxRecords=max_records
        )
    assert code_of(excinfo) == ("InvalidParameterValue", 400)


@pytest.fixture
def big_cluster(redshift):  # type: ignore[no-untyped-def]
    # 64 x dc2.8xlarge: elastic resize 32..128 of its own type and 32..128 ra3.16xlarge, 193 options.
    create_available_cluster(redshift, "big", NodeType="dc2.8xlarge", NumberOfNodes=64)
    return "big"


def test_paging_with_max_records(redshift, big_cluster):
    everything = redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier=big_cluster)
    assert "Marker" not in everything  # default MaxRecords is 500
    every = everything["NodeConfigurationOptionList"]
    assert len(every) == 193
    first = redshift.describe_node_configuration_options(
        ActionType="resize-cluster", ClusterIdentifier=big_cluster, MaxRecords=100
    )
    assert first["NodeConfigurationOptionList"] == every[:100]
    second = redshift.describe_node_configuration_options(
        ActionType="resize-cluster", ClusterIdentifier=big_cluster, MaxRecords=100, Marker=first["Marker"]
    )
    assert second["NodeConfigurationOptionList"] == every[100:]
    assert "Marker" not in second
    # The same marker always gives the same page.
    again = redshift.describe_node_configuration_options(
        ActionType="resize-cluster", ClusterIdentifier=big_cluster, MaxRecords=100, Marker=first["Marker"]
    )
    assert again == {**second, "ResponseMetadata": again["ResponseMetadata"]}
    # Exactly 500 and exactly 100 are accepted bounds.
    assert len(redshift.describe_node_configuration_options(
        ActionType="resize-cluster", ClusterIdentifier=big_cluster, MaxRecords=500)["NodeConfigurationOptionList"]) == 193


def test_paging_with_filters_and_the_paginator(redshift, big_cluster):
    flt = [{"Name": "NodeType", "Operator": "in", "Values": ["ra3.16xlarge", "dc2.8xlarge"]},
           {"Name": "NumberOfNodes", "Operator": "ge", "Values": ["33"]}]
    pages = list(redshift.get_paginator("describe_node_configuration_options").paginate(
        ActionType="resize-cluster", ClusterIdentifier=big_cluster, Filters=flt, PaginationConfig={"PageSize": 100}
    ))
    assert [len(p["NodeConfigurationOptionList"]) for p in pages] == [100, 91]
    listed = [r for p in pages for r in p["NodeConfigurationOptionList"]]
    assert len(set(configs(listed))) == len(listed) == 191
    assert all(r["NumberOfNodes"] >= 33 for r in listed)


def test_restore_options_of_a_big_snapshot_page_too(redshift, big_cluster):
    create_available_snapshot(redshift, "big-snap", big_cluster)
    first = redshift.describe_node_configuration_options(
        ActionType="restore-cluster", SnapshotIdentifier="big-snap", MaxRecords=100
    )
    assert len(first["NodeConfigurationOptionList"]) == 100 and first["Marker"]
    assert len(rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="big-snap", MaxRecords=100)) == 133


@pytest.mark.parametrize("marker", ["garbage!", "WyJ4Il0", "WyJub3QuYS50eXBlIiwxLCIiXQ"])
def test_invalid_marker(redshift, marker):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier="c1", Marker=marker)
    assert code_of(excinfo) == ("InvalidParameterValue", 400)
