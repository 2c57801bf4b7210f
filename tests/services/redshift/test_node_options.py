"""DescribeNodeConfigurationOptions: through boto3 against a real server, and its model in process.

The control-plane test server reports every snapshot size as 0, so the
EstimatedDiskUtilizationPercent arithmetic is checked in process, on a real
backend holding records of known size.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.clock import Clock
from localshift.services.context import RequestContext
from localshift.services.redshift.arns import snapshot_arn
from localshift.dataplane.null import NullDataPlane
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.serverless.provisioned import ProvisionedSnapshots
from localshift.services.redshift.node_options import (
    Source,
    cluster_data_size_mb,
    describe_node_configuration_options,
    estimated_utilization,
    recommend_options,
    resize_options,
    restore_options,
)
from localshift.services.redshift.node_types import CATALOG, restorable_node_types, storage_mb
from localshift.store.database import Database
from support import GRANTEE, OWNER, REGION, STRANGER, create_available_cluster, create_available_snapshot

GB = 1024
TB = 1024 * 1024
DC2_RESTORABLE = tuple(restorable_node_types(CATALOG["dc2.large"], 2))


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def rows(client, **params) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every row, following markers."""
    out: list[dict[str, Any]] = []
    marker = None
    for _ in range(20):
        page = client.describe_node_configuration_options(**params, **({"Marker": marker} if marker else {}))
        out.extend(page["NodeConfigurationOptionList"])
        marker = page.get("Marker")
        if not marker:
            return out
    raise AssertionError("the marker never ran out")


def configs(option_rows: list[dict[str, Any]]) -> list[tuple]:
    return [(r["NodeType"], r["NumberOfNodes"], r.get("Mode")) for r in option_rows]


def share(owner_client, snapshot: str, account: str) -> None:  # type: ignore[no-untyped-def]
    try:
        owner_client.authorize_snapshot_access(SnapshotIdentifier=snapshot, AccountWithRestoreAccess=account)
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidAction":
            pytest.skip("AuthorizeSnapshotAccess is not implemented by the server yet: the grantee path can't be set up")
        raise


# Expected rows for a 2-node ra3.xlplus cluster or its snapshot (4 slices, no data).
RA3_XLPLUS_2_RESTORE = [
    (t, n, None)
    for t in ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "rg.xlarge", "rg.4xlarge")
    for n in (2, 3, 4)
]
RA3_XLPLUS_2_RESIZE = [
    ("ra3.large", 2, None), ("ra3.large", 3, None), ("ra3.large", 4, None),
    ("ra3.xlplus", 3, None), ("ra3.xlplus", 4, None),
    ("ra3.4xlarge", 2, None), ("ra3.16xlarge", 2, None),
    ("rg.xlarge", 2, None), ("rg.xlarge", 3, None), ("rg.xlarge", 4, None),
    ("rg.4xlarge", 2, None),
]
RA3_XLPLUS_2_RECOMMEND = [
    (t, n, mode)
    for t in ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "rg.xlarge", "rg.4xlarge")
    for n, mode in ((2, "standard"), (4, "high-performance"))
]


# --- restore-cluster ---------------------------------------------------------------


def test_restore_cluster_lists_each_restorable_type_around_the_source(redshift):
    create_available_cluster(redshift)
    snapshot = create_available_snapshot(redshift)
    result = redshift.describe_node_configuration_options(ActionType="restore-cluster", SnapshotIdentifier="s1")
    options = result["NodeConfigurationOptionList"]
    assert "Marker" not in result
    assert configs(options) == RA3_XLPLUS_2_RESTORE
    # The node types offered are exactly the snapshot's RestorableNodeTypes.
    assert {o["NodeType"] for o in options} == set(snapshot["RestorableNodeTypes"])
    # The source's own configuration is always among them; restore rows carry no Mode.
    assert ("ra3.xlplus", 2, None) in configs(options)
    assert all("Mode" not in o for o in options)
    assert all(o["EstimatedDiskUtilizationPercent"] == 0.0 for o in options)  # control plane: size 0


def test_restore_cluster_depends_on_the_named_snapshot(redshift):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "small", NodeType="dc2.large", NumberOfNodes=1, ClusterType="single-node")
    create_available_snapshot(redshift)
    create_available_snapshot(redshift, "s2", "small")
    result = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="S2")  # identifiers ignore case
    assert configs(result) == [
        ("dc2.large", 1, None), ("dc2.large", 2, None),
        ("ra3.large", 1, None), ("ra3.large", 2, None),
        ("ra3.xlplus", 1, None), ("ra3.xlplus", 2, None),
        ("ra3.4xlarge", 2, None), ("ra3.4xlarge", 3, None), ("ra3.4xlarge", 4, None),
        ("ra3.16xlarge", 2, None), ("ra3.16xlarge", 3, None), ("ra3.16xlarge", 4, None),
    ]


def test_restore_cluster_by_snapshot_arn(redshift):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "small", NodeType="dc2.large", NumberOfNodes=1, ClusterType="single-node")
    create_available_snapshot(redshift)
    other = create_available_snapshot(redshift, "s2", "small")
    by_arn = rows(redshift, ActionType="restore-cluster", SnapshotArn=other["SnapshotArn"])
    assert by_arn == rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s2")
    assert configs(by_arn) != RA3_XLPLUS_2_RESTORE


@pytest.mark.parametrize("params", [
    {},  # neither SnapshotIdentifier nor SnapshotArn
    {"SnapshotIdentifier": "s1", "SnapshotArn": f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:c1/s1"},
    {"SnapshotIdentifier": "s1", "ClusterIdentifier": "c1"},
])
def test_restore_cluster_needs_exactly_one_snapshot_reference(redshift, params):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="restore-cluster", **params)
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)


def test_restore_cluster_unknown_snapshot_is_not_found(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="restore-cluster", SnapshotIdentifier="nope")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(
            ActionType="restore-cluster", SnapshotArn=f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:c1/nope"
        )
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_owner_account_names_whose_snapshot_is_meant(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    own = rows(redshift, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert configs(own) == RA3_XLPLUS_2_RESTORE
    # The owner's snapshot s1 is not in the stranger's account.
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(
            ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=STRANGER
        )
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_owner_account_must_agree_with_the_snapshot_arn(redshift):
    create_available_cluster(redshift)
    snapshot = create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(
            ActionType="restore-cluster", SnapshotArn=snapshot["SnapshotArn"], OwnerAccount=GRANTEE
        )
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)
    same = rows(redshift, ActionType="restore-cluster", SnapshotArn=snapshot["SnapshotArn"], OwnerAccount=OWNER)
    assert configs(same) == RA3_XLPLUS_2_RESTORE


def test_grantee_reads_a_shared_snapshot_with_owner_account(ls, redshift):
    create_available_cluster(redshift)
    snapshot = create_available_snapshot(redshift)
    share(redshift, "s1", GRANTEE)
    grantee = ls.client(GRANTEE)
    shared = rows(grantee, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert configs(shared) == RA3_XLPLUS_2_RESTORE
    assert rows(grantee, ActionType="restore-cluster", SnapshotArn=snapshot["SnapshotArn"]) == shared
    recommended = rows(grantee, ActionType="recommend-node-config", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert configs(recommended) == RA3_XLPLUS_2_RECOMMEND
    # Without OwnerAccount the grantee's own account is searched, where there is no s1.
    with pytest.raises(ClientError) as excinfo:
        grantee.describe_node_configuration_options(ActionType="restore-cluster", SnapshotIdentifier="s1")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_stranger_is_denied_a_snapshot_not_shared_with_it(ls, redshift):
    create_available_cluster(redshift)
    snapshot = create_available_snapshot(redshift)
    share(redshift, "s1", GRANTEE)
    stranger = ls.client(STRANGER)
    for action in ("restore-cluster", "recommend-node-config"):
        with pytest.raises(ClientError) as excinfo:
            stranger.describe_node_configuration_options(
                ActionType=action, SnapshotIdentifier="s1", OwnerAccount=OWNER
            )
        assert code_of(excinfo) == ("AccessToSnapshotDenied", 400)
    # By ARN, a snapshot the caller may not see is answered as not found (snapshot_lookup.readable_snapshot).
    with pytest.raises(ClientError) as excinfo:
        stranger.describe_node_configuration_options(ActionType="restore-cluster", SnapshotArn=snapshot["SnapshotArn"])
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)


def test_stranger_is_denied_an_unshared_snapshot_without_any_grant(ls, redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        ls.client(STRANGER).describe_node_configuration_options(
            ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER
        )
    assert code_of(excinfo) == ("AccessToSnapshotDenied", 400)


# --- resize-cluster ----------------------------------------------------------------


def test_resize_cluster_lists_elastic_resize_targets(redshift):
    cluster = create_available_cluster(redshift)
    options = rows(redshift, ActionType="resize-cluster", ClusterIdentifier="C1")
    assert configs(options) == RA3_XLPLUS_2_RESIZE
    same_type = [o["NumberOfNodes"] for o in options if o["NodeType"] == "ra3.xlplus"]
    assert cluster["ElasticResizeNumberOfNodeOptions"] == "[" + ",".join(map(str, same_type)) + "]"


def test_resize_cluster_depends_on_the_named_cluster(redshift):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "c2", NodeType="dc2.large", NumberOfNodes=4)
    options = rows(redshift, ActionType="resize-cluster", ClusterIdentifier="c2")
    assert configs(options)[:5] == [
        ("dc2.large", 2, None), ("dc2.large", 3, None), ("dc2.large", 5, None), ("dc2.large", 6, None),
        ("dc2.large", 7, None),
    ]
    assert configs(options) != RA3_XLPLUS_2_RESIZE


def test_resize_cluster_of_a_single_node_cluster_has_no_options(redshift):
    create_available_cluster(redshift, "one", NodeType="dc2.large", NumberOfNodes=1, ClusterType="single-node")
    result = redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier="one")
    assert result["NodeConfigurationOptionList"] == []


def test_resize_cluster_errors(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="resize-cluster")
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier="missing")
    assert code_of(excinfo) == ("ClusterNotFound", 404)
    for extra in ({"SnapshotIdentifier": "s1"}, {"OwnerAccount": OWNER}):
        with pytest.raises(ClientError) as excinfo:
            redshift.describe_node_configuration_options(ActionType="resize-cluster", ClusterIdentifier="c1", **extra)
        assert code_of(excinfo) == ("InvalidParameterCombination", 400)


# --- recommend-node-config ---------------------------------------------------------


def test_recommend_node_config_from_a_cluster_or_its_snapshot(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    from_cluster = rows(redshift, ActionType="recommend-node-config", ClusterIdentifier="c1")
    assert configs(from_cluster) == RA3_XLPLUS_2_RECOMMEND
    assert {o["Mode"] for o in from_cluster} == {"standard", "high-performance"}
    from_snapshot = rows(redshift, ActionType="recommend-node-config", SnapshotIdentifier="s1")
    assert from_snapshot == from_cluster


def test_recommend_node_config_depends_on_the_source(redshift):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "c2", NodeType="dc2.large", NumberOfNodes=4)
    options = rows(redshift, ActionType="recommend-node-config", ClusterIdentifier="c2")
    assert configs(options)[:2] == [("dc2.large", 4, "standard"), ("dc2.large", 8, "high-performance")]


@pytest.mark.parametrize("params, code", [
    ({}, "InvalidParameterCombination"),
    ({"ClusterIdentifier": "c1", "SnapshotIdentifier": "s1"}, "InvalidParameterCombination"),
    ({"ClusterIdentifier": "c1", "OwnerAccount": OWNER}, "InvalidParameterCombination"),
    ({"ClusterIdentifier": "missing"}, "ClusterNotFound"),
    ({"SnapshotIdentifier": "missing"}, "ClusterSnapshotNotFound"),
])
def test_recommend_node_config_errors(redshift, params, code):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="recommend-node-config", **params)
    assert code_of(excinfo)[0] == code


def test_action_type_is_required_and_checked(redshift):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_node_configuration_options(ActionType="shrink-cluster", ClusterIdentifier="c1")
    assert code_of(excinfo) == ("InvalidParameterValue", 400)


# --- filters -----------------------------------------------------------------------


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


# --- in process: the model, with data of known size ---------------------------------


def test_estimated_utilization_is_size_over_capacity():
    dc2 = CATALOG["dc2.large"]
    assert estimated_utilization(160 * GB, dc2, 2) == 50.0
    assert estimated_utilization(100 * GB, dc2, 3) == round(100 / 480 * 100, 2) == 20.83
    assert estimated_utilization(320 * GB, dc2, 2) == 100.0
    assert estimated_utilization(320 * GB + 1, dc2, 2) is None  # does not fit
    # Single-node ra3.xlplus has 4 TB, multi-node 32 TB a node.
    assert estimated_utilization(1 * TB, CATALOG["ra3.xlplus"], 1) == 25.0
    assert estimated_utilization(1 * TB, CATALOG["ra3.xlplus"], 2) == round(1 / 64 * 100, 2)
    assert estimated_utilization(0, dc2, 2) == 0.0


def test_restore_options_leave_out_configurations_that_cannot_hold_the_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 2, storage_mb(dc2, 2) * 1.25, DC2_RESTORABLE)  # over-full: 125% of two nodes
    dc2_rows = [(o.number_of_nodes, o.percent) for o in restore_options(source) if o.node_type == "dc2.large"]
    assert dc2_rows == [(3, 83.33), (4, 62.5)]


def test_recommend_options_pick_the_smallest_count_that_holds_the_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 2, storage_mb(dc2, 3), DC2_RESTORABLE)
    picks = [(o.number_of_nodes, o.mode, o.percent) for o in recommend_options(source) if o.node_type == "dc2.large"]
    assert picks == [(3, "standard", 100.0), (6, "high-performance", 50.0)]


def test_resize_options_follow_the_cluster_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 4, 300 * GB, DC2_RESTORABLE)
    dc2_rows = [(o.number_of_nodes, o.percent) for o in resize_options(source) if o.node_type == "dc2.large"]
    # Half to double the four nodes, the current count left out; 2 x 160 GB still holds 300 GB.
    assert dc2_rows == [(2, 93.75), (3, 62.5), (5, 37.5), (6, 31.25), (7, 26.79), (8, 23.44)]
    assert resize_options(Source(dc2, 4, 330 * GB, DC2_RESTORABLE))[0].number_of_nodes == 3  # 2 nodes too small now


NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[RedshiftBackend]:
    db = Database(tmp_path / "db.sqlite3")
    instance = RedshiftBackend(db, NullDataPlane(0), Clock(), BackendSettings(), ProvisionedSnapshots(db))
    yield instance
    instance.shutdown()
    instance.db.close()


def ctx_of(account: str) -> RequestContext:
    return RequestContext(account, REGION, "req", NOW)


def add_cluster(backend: RedshiftBackend, identifier: str = "c1", node_type: str = "dc2.large", nodes: int = 4,
                **extra) -> ClusterRecord:  # type: ignore[no-untyped-def]
    cluster = ClusterRecord(
        account=OWNER, region=REGION, identifier=identifier, node_type=node_type, number_of_nodes=nodes,
        master_username="admin", db_name="dev", port=5439, status="available", create_time=NOW - timedelta(days=3),
        namespace_id="ns", availability_zone=f"{REGION}a", **extra,
    )
    return backend.clusters.insert(cluster)


def add_snapshot(backend: RedshiftBackend, identifier: str, size_mb: float, *, cluster: str = "c1",
                 node_type: str = "dc2.large", nodes: int = 4, status: str = "available", age_hours: float = 1,
                 kind: str = "manual", cluster_create_time: datetime | None = None) -> SnapshotRecord:
    snapshot = SnapshotRecord(
        account=OWNER, region=REGION, identifier=identifier, cluster_identifier=cluster, snapshot_type=kind,
        status=status, create_time=NOW - timedelta(hours=age_hours),
        cluster_create_time=cluster_create_time or NOW - timedelta(days=3), node_type=node_type,
        number_of_nodes=nodes, master_username="admin", db_name="dev", port=5439, availability_zone=f"{REGION}a",
        cluster_version="1.0", encrypted=True, kms_key_id=None, enhanced_vpc_routing=False,
        maintenance_track_name="current", vpc_id=None, total_size_mb=size_mb,
    )
    return backend.snapshots.insert(snapshot, snapshot_arn(REGION, OWNER, cluster, identifier))


def call(backend: RedshiftBackend, account: str = OWNER, **params) -> list[tuple]:  # type: ignore[no-untyped-def]
    result = describe_node_configuration_options(backend, ctx_of(account), params)
    return [(o["NodeType"], o["NumberOfNodes"], o["EstimatedDiskUtilizationPercent"], o["Mode"])
            for o in result["NodeConfigurationOptionList"]]


def test_restore_percent_uses_the_snapshot_size(backend):
    add_snapshot(backend, "s1", 320 * GB)  # 4 x dc2.large = 640 GB: half full
    options = call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    dc2 = [(n, pct) for t, n, pct, _ in options if t == "dc2.large"]
    assert dc2 == [(4, 50.0), (5, 40.0), (6, 33.33), (7, 28.57), (8, 25.0)]
    ra3_4x = [(n, pct) for t, n, pct, _ in options if t == "ra3.4xlarge"]
    assert ra3_4x == [(2, round(320 * GB / (256 * TB) * 100, 2)), (3, 0.08), (4, 0.06)]


def test_estimated_disk_utilization_filters_on_real_percentages(backend):
    add_snapshot(backend, "s1", 320 * GB)

    def dc2(operator: str, *values: str) -> list[int]:
        flt = [{"Name": "NodeType", "Operator": "in", "Values": ["dc2.large"]},
               {"Name": "EstimatedDiskUtilizationPercent", "Operator": operator, "Values": list(values)}]
        return [n for _, n, _, _ in call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1", Filters=flt)]

    assert dc2("eq", "33.33") == [6]
    assert dc2("lt", "33.33") == [7, 8]
    assert dc2("le", "33.33") == [6, 7, 8]
    assert dc2("gt", "40") == [4]
    assert dc2("ge", "40") == [4, 5]
    assert dc2("in", "50", "25") == [4, 8]
    assert dc2("between", "28.57", "40") == [5, 6, 7]


def test_cluster_size_is_its_newest_available_snapshot(backend):
    cluster = add_cluster(backend)
    add_snapshot(backend, "old", 100 * GB, age_hours=10)
    add_snapshot(backend, "auto", 320 * GB, age_hours=5, kind="automated")
    add_snapshot(backend, "running", 600 * GB, age_hours=1, status="creating")
    # A snapshot of an earlier cluster that had the same name does not count.
    add_snapshot(backend, "previous-life", 500 * GB, age_hours=0.5, cluster_create_time=NOW - timedelta(days=30))
    assert cluster_data_size_mb(backend, cluster) == 320 * GB
    options = call(backend, ActionType="resize-cluster", ClusterIdentifier="c1")
    assert ("dc2.large", 2, 100.0, None) in options
    assert ("dc2.large", 8, 25.0, None) in options
    recommended = call(backend, ActionType="recommend-node-config", ClusterIdentifier="c1")
    assert recommended[:2] == [("dc2.large", 4, 50.0, "standard"), ("dc2.large", 8, 25.0, "high-performance")]


def test_cluster_size_falls_back_to_its_restore_then_zero(backend):
    restored = add_cluster(backend, "restored", restore_status="completed", restore_snapshot_size_mb=64 * GB)
    assert cluster_data_size_mb(backend, restored) == 64 * GB
    fresh = add_cluster(backend, "fresh")
    assert cluster_data_size_mb(backend, fresh) == 0.0


def test_snapshot_not_available_is_an_invalid_state(backend):
    add_snapshot(backend, "s1", 10 * GB, status="creating")
    with pytest.raises(ApiError) as excinfo:
        call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    assert excinfo.value.code == "InvalidClusterSnapshotState"


def test_grantee_path_in_process(backend):
    snapshot = add_snapshot(backend, "s1", 320 * GB)
    with pytest.raises(ApiError) as excinfo:
        call(backend, GRANTEE, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert excinfo.value.code == "AccessToSnapshotDenied"
    backend.snapshots.add_grant(snapshot, GRANTEE)
    shared = call(backend, GRANTEE, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert shared == call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    assert ("dc2.large", 4, 50.0, None) in shared
    with pytest.raises(ApiError) as excinfo:
        call(backend, STRANGER, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert excinfo.value.code == "AccessToSnapshotDenied"
