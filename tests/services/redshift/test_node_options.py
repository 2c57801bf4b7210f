"""DescribeNodeConfigurationOptions through boto3 against a real server: each action type (restore-cluster,
resize-cluster, recommend-node-config) and whose snapshots or clusters it may name. Its filters and paging are in
test_node_options_filters.py, its model with data of known size in test_node_options_sizes.py."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, REGION, STRANGER, create_available_cluster, create_available_snapshot
from services.redshift.node_option_rows import RA3_XLPLUS_2_RESIZE, code_of, configs, rows


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
