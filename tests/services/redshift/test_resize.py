"""ResizeCluster, DescribeResize, CancelResize and ModifyCluster's resize (no data plane)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from support import OWNER, aws_cli, create_available_cluster, error_of, wait_available, wait_for


def test_elastic_resize_moves_through_resizing_to_the_new_size(redshift):
    create_available_cluster(redshift, NodeType="ra3.xlplus", NumberOfNodes=2)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_resize(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("ResizeNotFound", 404)
    cluster = redshift.resize_cluster(ClusterIdentifier="c1", NumberOfNodes=4)["Cluster"]
    assert (cluster["ClusterStatus"], cluster["ClusterAvailabilityStatus"]) == ("resizing", "Modifying")
    assert cluster["NumberOfNodes"] == 2
    assert cluster["PendingModifiedValues"] == {"NodeType": "ra3.xlplus", "NumberOfNodes": 4,
                                                "ClusterType": "multi-node"}
    assert cluster["ResizeInfo"] == {"ResizeType": "ElasticResize", "AllowCancelResize": False}
    progress = redshift.describe_resize(ClusterIdentifier="c1")
    assert (progress["Status"], progress["ResizeType"]) == ("IN_PROGRESS", "ElasticResize")
    assert (progress["TargetNodeType"], progress["TargetNumberOfNodes"], progress["TargetClusterType"]) == (
        "ra3.xlplus", 4, "multi-node")
    assert progress["TargetEncryptionType"] == "KMS"
    with pytest.raises(ClientError) as excinfo:
        redshift.cancel_resize(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("UnsupportedOperation", 400)
    cluster = wait_available(redshift)
    assert (cluster["NodeType"], cluster["NumberOfNodes"]) == ("ra3.xlplus", 4)
    assert cluster["PendingModifiedValues"] == {} and "ResizeInfo" not in cluster
    assert [n["NodeRole"] for n in cluster["ClusterNodes"]] == ["LEADER"] + [f"COMPUTE-{i}" for i in range(4)]
    done = redshift.describe_resize(ClusterIdentifier="c1")
    assert done["Status"] == "SUCCEEDED"
    assert done["EstimatedTimeToCompletionInSeconds"] == 0 and done["DataTransferProgressPercent"] == 100.0
    events = [(e["EventId"], e["Message"]) for e in redshift.describe_events(
        SourceType="cluster", SourceIdentifier="c1")["Events"]]
    resize_events = [event for event in events if event[0] in (
        "REDSHIFT-EVENT-2007", "REDSHIFT-EVENT-2006", "REDSHIFT-EVENT-3002")]
    assert [event_id for event_id, _ in resize_events] == [
        "REDSHIFT-EVENT-2007", "REDSHIFT-EVENT-2006", "REDSHIFT-EVENT-3002"]
    # Hours to two places: a few seconds' resize is 0.00, or a little more on a loaded machine.
    took = re.search(r"took (\d+\.\d\d) hours to complete", resize_events[2][1])
    assert took and float(took.group(1)) < 0.1


def test_classic_resize_can_change_type_and_be_cancelled(redshift):
    create_available_cluster(redshift, NodeType="ra3.xlplus", NumberOfNodes=2)
    cluster = redshift.resize_cluster(ClusterIdentifier="c1", NodeType="ra3.4xlarge", NumberOfNodes=3,
                                      Classic=True)["Cluster"]
    assert cluster["ResizeInfo"] == {"ResizeType": "ClassicResize", "AllowCancelResize": True}
    cancelled = redshift.cancel_resize(ClusterIdentifier="c1")
    assert (cancelled["Status"], cancelled["ResizeType"]) == ("CANCELLING", "ClassicResize")
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] in (
        "cancelling-resize", "available")
    cluster = wait_available(redshift)
    assert (cluster["NodeType"], cluster["NumberOfNodes"]) == ("ra3.xlplus", 2)
    final = redshift.describe_resize(ClusterIdentifier="c1")
    assert final["Status"] == "FAILED" and "cancelled" in final["Message"]
    with pytest.raises(ClientError) as excinfo:
        redshift.cancel_resize(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("ResizeNotFound", 404)
    redshift.resize_cluster(ClusterIdentifier="c1", NodeType="ra3.4xlarge", NumberOfNodes=3, Classic=True)
    assert (wait_available(redshift)["NodeType"], redshift.describe_resize(ClusterIdentifier="c1")["Status"]) == (
        "ra3.4xlarge", "SUCCEEDED")


@pytest.mark.parametrize(
    "setup, params, code",
    [
        ({}, {"NumberOfNodes": 2}, "InvalidParameterCombination"),  # no change
        ({}, {"NumberOfNodes": 9}, "UnsupportedOperation"),  # elastic: at most double
        ({}, {"NumberOfNodes": 33}, "NumberOfNodesPerClusterLimitExceeded"),
        ({}, {"NodeType": "ds2.xlarge"}, "InvalidParameterValue"),
        ({}, {"ClusterType": "single-node", "NumberOfNodes": 2}, "InvalidParameterCombination"),
        ({}, {"ClusterType": "single-node"}, "UnsupportedOperation"),  # single-node only by classic resize
        ({}, {"ClusterType": "triple-node"}, "InvalidParameterValue"),
        ({"NodeType": "dc2.large", "NumberOfNodes": 1}, {"NumberOfNodes": 2}, "UnsupportedOperation"),
        ({}, {"NodeType": "ra3.4xlarge", "NumberOfNodes": 1, "Classic": True}, "InvalidParameterCombination"),
        ({}, {"NumberOfNodes": 4, "ReservedNodeId": "nope", "TargetReservedNodeOfferingId": "x"},
         "ReservedNodeNotFound"),
        ({}, {"NumberOfNodes": 4, "ReservedNodeId": "nope"}, "InvalidParameterCombination"),
    ],
)
def test_resize_is_checked_like_aws(redshift, setup, params, code):
    create_available_cluster(redshift, **{"NodeType": "ra3.xlplus", "NumberOfNodes": 2, **setup})
    with pytest.raises(ClientError) as excinfo:
        redshift.resize_cluster(ClusterIdentifier="c1", **params)
    assert error_of(excinfo)[:2] == (code, 404 if code.endswith("NotFound") else 400)
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "available"


def test_a_single_node_cluster_grows_by_classic_resize(redshift):
    create_available_cluster(redshift, NodeType="dc2.large", NumberOfNodes=1)
    cluster = redshift.resize_cluster(ClusterIdentifier="c1", ClusterType="multi-node", NumberOfNodes=2,
                                      Classic=True)["Cluster"]
    assert cluster["PendingModifiedValues"]["ClusterType"] == "multi-node"
    assert wait_available(redshift)["NumberOfNodes"] == 2


def test_resize_needs_an_available_cluster(slow):
    # The slow server's creation takes 1.5 s (the default server's 0.2 s can be over before the
    # resize request arrives).
    redshift = slow.client(OWNER)
    redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin",
                            MasterUserPassword="Passw0rd1")
    with pytest.raises(ClientError) as excinfo:
        redshift.resize_cluster(ClusterIdentifier="c1", NumberOfNodes=4)
    assert error_of(excinfo)[:2] == ("InvalidClusterState", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.resize_cluster(ClusterIdentifier="nope", NumberOfNodes=4)
    assert error_of(excinfo)[:2] == ("ClusterNotFound", 404)


def test_modify_cluster_resizes_by_classic_resize(redshift):
    create_available_cluster(redshift, NodeType="ra3.xlplus", NumberOfNodes=2)
    # Naming the size the cluster has is no resize.
    same = redshift.modify_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                                   AutomatedSnapshotRetentionPeriod=3)["Cluster"]
    assert (same["ClusterStatus"], same["AutomatedSnapshotRetentionPeriod"]) == ("available", 3)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_resize(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("ResizeNotFound", 404)
    cluster = redshift.modify_cluster(ClusterIdentifier="c1", NodeType="ra3.4xlarge", NumberOfNodes=2)["Cluster"]
    assert cluster["ClusterStatus"] == "resizing"
    assert redshift.describe_resize(ClusterIdentifier="c1")["ResizeType"] == "ClassicResize"
    assert wait_available(redshift)["NodeType"] == "ra3.4xlarge"
    # With other changes: those first (modifying), then the resize.
    cluster = redshift.modify_cluster(ClusterIdentifier="c1", NumberOfNodes=3, MasterUserPassword="NewPassw0rd")["Cluster"]
    assert cluster["ClusterStatus"] == "modifying"
    assert cluster["PendingModifiedValues"]["NumberOfNodes"] == 3
    wait_for(lambda: redshift.describe_resize(ClusterIdentifier="c1")["TargetNumberOfNodes"] == 3)
    assert wait_available(redshift)["NumberOfNodes"] == 3


def test_the_aws_cli_resizes(ls):
    create_available_cluster(ls.client(OWNER), NodeType="ra3.xlplus", NumberOfNodes=2)
    resized = aws_cli(ls, "resize-cluster", "--cluster-identifier", "c1", "--number-of-nodes", "3")
    assert resized["Cluster"]["ClusterStatus"] == "resizing"
    assert aws_cli(ls, "describe-resize", "--cluster-identifier", "c1")["TargetNumberOfNodes"] == 3
    wait_available(ls.client(OWNER))
