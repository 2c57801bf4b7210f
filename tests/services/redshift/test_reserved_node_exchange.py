"""Reserved node exchanges (DC2 reservations for RA3 ones): offerings, configuration options, the exchange
itself (alone, with a resize, with a restore) and its status."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import STRANGER, aws_cli, create_available_cluster, create_available_snapshot, error_of

YEAR = 31536000


def _offering(redshift, node_type: str, offering_type: str = "No Upfront", duration: int = YEAR) -> dict:
    offerings = [o for page in redshift.get_paginator("describe_reserved_node_offerings").paginate()
                 for o in page["ReservedNodeOfferings"]]
    return next(o for o in offerings if (o["NodeType"], o["OfferingType"], o["Duration"]) == (
        node_type, offering_type, duration))


def _buy(redshift, node_type: str, count: int, offering_type: str = "No Upfront") -> str:
    offering = _offering(redshift, node_type, offering_type)
    bought = redshift.purchase_reserved_node_offering(ReservedNodeOfferingId=offering["ReservedNodeOfferingId"],
                                                      NodeCount=count)
    return bought["ReservedNode"]["ReservedNodeId"]


def _rejected(call, **params) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)[:2]


def test_a_dc2_reservation_is_exchanged_for_an_ra3_one_of_the_same_term(ls, redshift):
    node_id = _buy(redshift, "dc2.8xlarge", 2, "Partial Upfront")
    offerings = [o for page in redshift.get_paginator("get_reserved_node_exchange_offerings").paginate(
        ReservedNodeId=node_id) for o in page["ReservedNodeOfferings"]]
    assert sorted(o["NodeType"] for o in offerings) == ["ra3.16xlarge", "ra3.4xlarge", "ra3.large", "ra3.xlplus"]
    assert {(o["OfferingType"], o["Duration"]) for o in offerings} == {("Partial Upfront", YEAR)}
    target = next(o for o in offerings if o["NodeType"] == "ra3.4xlarge")
    new = redshift.accept_reserved_node_exchange(
        ReservedNodeId=node_id, TargetReservedNodeOfferingId=target["ReservedNodeOfferingId"])["ExchangedReservedNode"]
    # 2 x dc2.8xlarge (4.80 an hour each) keep their value as 3 x ra3.4xlarge (3.26 each), rounded up.
    assert (new["NodeType"], new["NodeCount"], new["State"]) == ("ra3.4xlarge", 3, "active")
    assert new["ReservedNodeOfferingId"] == target["ReservedNodeOfferingId"]
    states = {n["ReservedNodeId"]: n["State"] for n in redshift.describe_reserved_nodes()["ReservedNodes"]}
    assert states == {node_id: "retired", new["ReservedNodeId"]: "active"}
    [status] = redshift.describe_reserved_node_exchange_status(ReservedNodeId=node_id)[
        "ReservedNodeExchangeStatusDetails"]
    assert status["Status"] == "SUCCEEDED"
    assert (status["SourceReservedNodeType"], status["SourceReservedNodeCount"]) == ("dc2.8xlarge", 2)
    assert (status["TargetReservedNodeType"], status["TargetReservedNodeCount"]) == ("ra3.4xlarge", 3)
    by_id = redshift.describe_reserved_node_exchange_status(
        ReservedNodeExchangeRequestId=status["ReservedNodeExchangeRequestId"])["ReservedNodeExchangeStatusDetails"]
    assert by_id == [status]
    assert ls.client(STRANGER).describe_reserved_node_exchange_status()["ReservedNodeExchangeStatusDetails"] == []
    # Exchanged once: not again.
    assert _rejected(redshift.accept_reserved_node_exchange, ReservedNodeId=node_id,
                     TargetReservedNodeOfferingId=target["ReservedNodeOfferingId"]) == (
        "ReservedNodeAlreadyMigrated", 400)
    assert _rejected(redshift.get_reserved_node_exchange_offerings, ReservedNodeId=node_id) == (
        "ReservedNodeAlreadyMigrated", 400)


def test_what_cannot_be_exchanged(ls, redshift):
    ra3 = _buy(redshift, "ra3.xlplus", 1)
    assert _rejected(redshift.get_reserved_node_exchange_offerings, ReservedNodeId=ra3) == ("UnsupportedOperation", 400)
    assert _rejected(redshift.get_reserved_node_exchange_offerings, ReservedNodeId="nope") == (
        "ReservedNodeNotFound", 404)
    dc2 = _buy(redshift, "dc2.large", 4)
    other_term = _offering(redshift, "ra3.large", "All Upfront")
    assert _rejected(redshift.accept_reserved_node_exchange, ReservedNodeId=dc2,
                     TargetReservedNodeOfferingId=other_term["ReservedNodeOfferingId"]) == ("InvalidParameterValue", 400)
    assert _rejected(redshift.accept_reserved_node_exchange, ReservedNodeId=dc2,
                     TargetReservedNodeOfferingId="nope") == ("ReservedNodeOfferingNotFound", 404)
    assert _rejected(redshift.describe_reserved_node_exchange_status, ReservedNodeExchangeRequestId="nope") == (
        "ReservedNodeExchangeNotFond", 404)
    assert _rejected(redshift.describe_reserved_node_exchange_status, ReservedNodeId="nope") == (
        "ReservedNodeNotFound", 404)
    # Another account's reservation is not found.
    assert _rejected(ls.client(STRANGER).get_reserved_node_exchange_offerings, ReservedNodeId=dc2) == (
        "ReservedNodeNotFound", 404)
    # A term that has run out can't be exchanged.
    ls.admin(f"/_localshift/time-travel?seconds={YEAR + 1}")
    assert _rejected(redshift.get_reserved_node_exchange_offerings, ReservedNodeId=dc2) == (
        "InvalidReservedNodeState", 400)


def test_configuration_options_for_a_resize_and_a_restore(ls, redshift):
    create_available_cluster(redshift, "dc", NodeType="dc2.large", NumberOfNodes=2)
    node_id = _buy(redshift, "dc2.large", 2)
    _buy(redshift, "dc2.8xlarge", 2)  # another node type: not an option for this cluster
    options = [o for page in redshift.get_paginator("get_reserved_node_exchange_configuration_options").paginate(
        ActionType="resize-cluster", ClusterIdentifier="dc", PaginationConfig={"PageSize": 20})
        for o in page["ReservedNodeConfigurationOptionList"]]
    assert {o["SourceReservedNode"]["ReservedNodeId"] for o in options} == {node_id}
    assert sorted(o["TargetReservedNodeOffering"]["NodeType"] for o in options) == [
        "ra3.16xlarge", "ra3.4xlarge", "ra3.large", "ra3.xlplus"]
    assert next(o for o in options if o["TargetReservedNodeOffering"]["NodeType"] == "ra3.large")[
        "TargetReservedNodeCount"] == 1  # 2 x 0.25 an hour is worth one ra3.large at 0.543, rounded up
    create_available_snapshot(redshift, "s1", "dc")
    restore = redshift.get_reserved_node_exchange_configuration_options(
        ActionType="restore-cluster", SnapshotIdentifier="s1")["ReservedNodeConfigurationOptionList"]
    assert restore == options
    create_available_cluster(redshift, "ra3")
    assert redshift.get_reserved_node_exchange_configuration_options(
        ActionType="resize-cluster", ClusterIdentifier="ra3")["ReservedNodeConfigurationOptionList"] == []
    get = redshift.get_reserved_node_exchange_configuration_options
    assert _rejected(get, ActionType="resize-cluster", ClusterIdentifier="none") == ("ClusterNotFound", 404)
    assert _rejected(get, ActionType="restore-cluster", SnapshotIdentifier="none") == ("ClusterSnapshotNotFound", 404)
    assert _rejected(get, ActionType="resize-cluster") == ("InvalidParameterCombination", 400)
    assert _rejected(get, ActionType="restore-cluster", SnapshotIdentifier="s1", ClusterIdentifier="dc") == (
        "InvalidParameterCombination", 400)
    assert _rejected(get, ActionType="upgrade") == ("InvalidParameterValue", 400)


def test_every_restore_option_is_a_restore_the_snapshot_accepts(ls, redshift):
    create_available_cluster(redshift, "dc", NodeType="dc2.large", NumberOfNodes=2)
    create_available_snapshot(redshift, "s1", "dc")
    reservations = [_buy(redshift, "dc2.large", 1) for _ in range(4)]
    options = redshift.get_reserved_node_exchange_configuration_options(
        ActionType="restore-cluster", SnapshotIdentifier="s1", MaxRecords=100)["ReservedNodeConfigurationOptionList"]
    counts = {o["TargetReservedNodeOffering"]["NodeType"]: o["TargetReservedNodeCount"] for o in options}
    # One dc2.large node is worth less than one node of any RA3 type; ra3.4xlarge and ra3.16xlarge
    # clusters have two nodes or more, so those options offer two.
    assert counts == {"ra3.large": 1, "ra3.xlplus": 1, "ra3.4xlarge": 2, "ra3.16xlarge": 2}
    for index, (reservation, node_type) in enumerate(zip(reservations, sorted(counts))):
        option = next(o for o in options if o["SourceReservedNode"]["ReservedNodeId"] == reservation
                      and o["TargetReservedNodeOffering"]["NodeType"] == node_type)
        restored = redshift.restore_from_cluster_snapshot(
            ClusterIdentifier=f"r{index}", SnapshotIdentifier="s1", NodeType=node_type,
            NumberOfNodes=option["TargetReservedNodeCount"], ReservedNodeId=reservation,
            TargetReservedNodeOfferingId=option["TargetReservedNodeOffering"]["ReservedNodeOfferingId"])["Cluster"]
        assert (restored["NodeType"], restored["NumberOfNodes"]) == (node_type, counts[node_type])
    active = [n for n in redshift.describe_reserved_nodes()["ReservedNodes"] if n["State"] == "active"]
    assert sorted((n["NodeType"], n["NodeCount"]) for n in active) == sorted(counts.items())


def test_a_resize_and_a_restore_exchange_the_reservation(ls, redshift):
    create_available_cluster(redshift, "dc", NodeType="dc2.large", NumberOfNodes=2)
    create_available_snapshot(redshift, "s1", "dc")
    first, second = _buy(redshift, "dc2.large", 2), _buy(redshift, "dc2.large", 2)
    ra3_large = _offering(redshift, "ra3.large")["ReservedNodeOfferingId"]
    ra3_xlplus = _offering(redshift, "ra3.xlplus")["ReservedNodeOfferingId"]
    resize = redshift.resize_cluster
    # Both or neither; the offering must be of the resize's node type.
    assert _rejected(resize, ClusterIdentifier="dc", NodeType="ra3.large", NumberOfNodes=2,
                     ReservedNodeId=first) == ("InvalidParameterCombination", 400)
    assert _rejected(resize, ClusterIdentifier="dc", NodeType="ra3.large", NumberOfNodes=2, ReservedNodeId=first,
                     TargetReservedNodeOfferingId=ra3_xlplus) == ("InvalidParameterCombination", 400)
    assert redshift.describe_clusters(ClusterIdentifier="dc")["Clusters"][0]["ClusterStatus"] == "available"
    resized = resize(ClusterIdentifier="dc", NodeType="ra3.large", NumberOfNodes=2, ReservedNodeId=first,
                     TargetReservedNodeOfferingId=ra3_large)["Cluster"]
    assert resized["ClusterStatus"] == "resizing"
    restored = redshift.restore_from_cluster_snapshot(
        ClusterIdentifier="r1", SnapshotIdentifier="s1", NodeType="ra3.xlplus", NumberOfNodes=2,
        ReservedNodeId=second, TargetReservedNodeOfferingId=ra3_xlplus)["Cluster"]
    assert restored["NodeType"] == "ra3.xlplus"
    nodes = redshift.describe_reserved_nodes()["ReservedNodes"]
    assert sorted((n["NodeType"], n["State"]) for n in nodes) == [
        ("dc2.large", "retired"), ("dc2.large", "retired"), ("ra3.large", "active"), ("ra3.xlplus", "active")]
    statuses = [s for page in redshift.get_paginator("describe_reserved_node_exchange_status").paginate()
                for s in page["ReservedNodeExchangeStatusDetails"]]
    assert [s["SourceReservedNodeId"] for s in statuses] == [first, second]
    # A restore refused for its reservation creates no cluster.
    assert _rejected(redshift.restore_from_cluster_snapshot, ClusterIdentifier="r2", SnapshotIdentifier="s1",
                     NodeType="ra3.xlplus", NumberOfNodes=2, ReservedNodeId=second,
                     TargetReservedNodeOfferingId=ra3_xlplus) == ("ReservedNodeAlreadyMigrated", 400)
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["dc", "r1"]


def test_the_aws_cli_exchanges_a_reservation(ls, redshift):
    node_id = _buy(redshift, "dc2.large", 1)
    offerings = aws_cli(ls, "get-reserved-node-exchange-offerings", "--reserved-node-id", node_id)[
        "ReservedNodeOfferings"]
    target = next(o for o in offerings if o["NodeType"] == "ra3.large")["ReservedNodeOfferingId"]
    exchanged = aws_cli(ls, "accept-reserved-node-exchange", "--reserved-node-id", node_id,
                        "--target-reserved-node-offering-id", target)["ExchangedReservedNode"]
    assert (exchanged["NodeType"], exchanged["NodeCount"]) == ("ra3.large", 1)
    listed = aws_cli(ls, "describe-reserved-node-exchange-status")["ReservedNodeExchangeStatusDetails"]
    assert [s["SourceReservedNodeId"] for s in listed] == [node_id]
