"""Cluster versions, maintenance tracks, orderable options, account attributes and reserved nodes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import STRANGER, aws_cli, error_of


def test_cluster_versions_name_both_families(redshift):
    versions = redshift.describe_cluster_versions()["ClusterVersions"]
    assert [(v["ClusterVersion"], v["ClusterParameterGroupFamily"]) for v in versions] == [
        ("1.0", "redshift-1.0"), ("1.0", "redshift-2.0")]
    assert redshift.describe_cluster_versions(ClusterParameterGroupFamily="redshift-2.0")["ClusterVersions"] == [
        {"ClusterVersion": "1.0", "ClusterParameterGroupFamily": "redshift-2.0", "Description": "Initial release"}]
    assert redshift.describe_cluster_versions(ClusterVersion="2.0")["ClusterVersions"] == []
    paged = redshift.get_paginator("describe_cluster_versions").paginate()
    assert sum(len(page["ClusterVersions"]) for page in paged) == 2


def test_maintenance_tracks(redshift):
    tracks = {t["MaintenanceTrackName"]: t for t in redshift.describe_cluster_tracks()["MaintenanceTracks"]}
    assert sorted(tracks) == ["current", "trailing"]
    current = tracks["current"]
    assert current["DatabaseVersion"].startswith("1.0.")
    assert [u["MaintenanceTrackName"] for u in current["UpdateTargets"]] == ["trailing"]
    assert {"OperationName": "modify-cluster"} in current["UpdateTargets"][0]["SupportedOperations"]
    only = redshift.describe_cluster_tracks(MaintenanceTrackName="trailing")["MaintenanceTracks"]
    assert [t["MaintenanceTrackName"] for t in only] == ["trailing"]
    paged = redshift.get_paginator("describe_cluster_tracks").paginate()
    assert sum(len(page["MaintenanceTracks"]) for page in paged) == 2
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_tracks(MaintenanceTrackName="preview")
    assert error_of(excinfo)[:2] == ("InvalidClusterTrack", 400)


def test_orderable_options_come_from_the_node_catalog(redshift):
    pages = list(redshift.get_paginator("describe_orderable_cluster_options").paginate(
        PaginationConfig={"PageSize": 20}))
    options = [o for page in pages for o in page["OrderableClusterOptions"]]
    assert len(options) == 12  # 8 node types, 4 of them single-node too
    kinds = {(o["NodeType"], o["ClusterType"]) for o in options}
    assert ("ra3.xlplus", "single-node") in kinds and ("ra3.4xlarge", "multi-node") in kinds
    assert ("ra3.4xlarge", "single-node") not in kinds  # not a single-node type
    assert not any(o["NodeType"].startswith("ds2") for o in options)  # retired types can't be ordered
    # The region's zones, as subnet groups and clusters know them (network.py): a to f in us-east-1.
    assert [z["Name"] for z in options[0]["AvailabilityZones"]] == [f"us-east-1{z}" for z in "abcdef"]
    dc2 = redshift.describe_orderable_cluster_options(NodeType="dc2.large")["OrderableClusterOptions"]
    assert [o["ClusterType"] for o in dc2] == ["multi-node", "single-node"]
    assert redshift.describe_orderable_cluster_options(NodeType="m5.large")["OrderableClusterOptions"] == []


def test_account_attributes(redshift):
    attributes = redshift.describe_account_attributes()["AccountAttributes"]
    assert attributes == [{"AttributeName": "max-defer-maintenance-duration",
                           "AttributeValues": [{"AttributeValue": "60"}]}]
    assert redshift.describe_account_attributes(AttributeNames=["unknown"])["AccountAttributes"] == []


def test_reserved_nodes_are_bought_from_the_catalogue(ls, redshift):
    offerings = [o for page in redshift.get_paginator("describe_reserved_node_offerings").paginate()
                 for o in page["ReservedNodeOfferings"]]
    assert len({o["ReservedNodeOfferingId"] for o in offerings}) == len(offerings) == 8 * 6
    offering = next(o for o in offerings if o["NodeType"] == "ra3.xlplus" and o["OfferingType"] == "All Upfront"
                    and o["Duration"] == 31536000)
    assert offering["CurrencyCode"] == "USD" and offering["FixedPrice"] > 0
    single = redshift.describe_reserved_node_offerings(ReservedNodeOfferingId=offering["ReservedNodeOfferingId"])
    assert single["ReservedNodeOfferings"] == [offering]
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_reserved_node_offerings(ReservedNodeOfferingId="nope")
    assert error_of(excinfo)[:2] == ("ReservedNodeOfferingNotFound", 404)
    assert redshift.describe_reserved_nodes()["ReservedNodes"] == []
    bought = redshift.purchase_reserved_node_offering(ReservedNodeOfferingId=offering["ReservedNodeOfferingId"],
                                                      NodeCount=2)["ReservedNode"]
    assert (bought["State"], bought["NodeCount"], bought["NodeType"]) == ("payment-pending", 2, "ra3.xlplus")
    [node] = [n for page in redshift.get_paginator("describe_reserved_nodes").paginate() for n in page["ReservedNodes"]]
    assert (node["ReservedNodeId"], node["State"]) == (bought["ReservedNodeId"], "active")
    assert redshift.describe_reserved_nodes(ReservedNodeId=node["ReservedNodeId"])["ReservedNodes"] == [node]
    assert ls.client(STRANGER).describe_reserved_nodes()["ReservedNodes"] == []
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_reserved_nodes(ReservedNodeId="nope")
    assert error_of(excinfo)[:2] == ("ReservedNodeNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        redshift.purchase_reserved_node_offering(ReservedNodeOfferingId=offering["ReservedNodeOfferingId"],
                                                 NodeCount=199)
    assert error_of(excinfo)[:2] == ("ReservedNodeQuotaExceeded", 400)
    # A term that has run out on the service clock is retired.
    ls.admin("/_localshift/time-travel?seconds=31536001")
    assert redshift.describe_reserved_nodes()["ReservedNodes"][0]["State"] == "retired"


def test_the_aws_cli_lists_catalogues(ls):
    assert aws_cli(ls, "describe-account-attributes")["AccountAttributes"][0]["AttributeName"] == (
        "max-defer-maintenance-duration")
    assert aws_cli(ls, "describe-cluster-tracks", "--maintenance-track-name", "current")["MaintenanceTracks"]
    assert aws_cli(ls, "describe-orderable-cluster-options", "--node-type", "ra3.xlplus")["OrderableClusterOptions"]
