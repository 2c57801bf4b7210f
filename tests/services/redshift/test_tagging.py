"""CreateTags, DeleteTags and DescribeTags on clusters and snapshots."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, create_available_cluster, create_available_snapshot

CLUSTER_ARN = f"arn:aws:redshift:us-east-1:{OWNER}:cluster:c1"
SNAPSHOT_ARN = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/s1"


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_tags_on_clusters_and_snapshots(redshift):
    create_available_cluster(redshift)
    create_available_snapshot(redshift)
    redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}])
    redshift.create_tags(ResourceName=SNAPSHOT_ARN, Tags=[{"Key": "env", "Value": "test"}])
    redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": "team", "Value": "b"}])  # overwrite
    everything = redshift.describe_tags()["TaggedResources"]
    assert [(t["ResourceType"], t["Tag"]["Key"], t["Tag"]["Value"]) for t in everything] == [
        ("cluster", "env", "prod"), ("cluster", "team", "b"), ("snapshot", "env", "test"),
    ]
    assert len(redshift.describe_tags(ResourceType="Snapshot")["TaggedResources"]) == 1
    assert len(redshift.describe_tags(ResourceName=CLUSTER_ARN)["TaggedResources"]) == 2
    assert len(redshift.describe_tags(TagValues=["test"])["TaggedResources"]) == 1
    redshift.delete_tags(ResourceName=CLUSTER_ARN, TagKeys=["team"])
    assert redshift.describe_clusters()["Clusters"][0]["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert redshift.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]["Tags"] == [
        {"Key": "env", "Value": "test"}
    ]


def test_tag_errors(ls):
    redshift = ls.client(OWNER)
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_tags(ResourceName=f"arn:aws:redshift:us-east-1:{OWNER}:cluster:missing",
                             Tags=[{"Key": "k", "Value": "v"}])
    assert code_of(excinfo) == ("ResourceNotFoundFault", 404)
    with pytest.raises(ClientError) as excinfo:
        ls.client(STRANGER).create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": "k", "Value": "v"}])
    assert code_of(excinfo) == ("ResourceNotFoundFault", 404)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_tags(ResourceName="garbage", Tags=[{"Key": "k", "Value": "v"}])
    assert code_of(excinfo) == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": "aws:reserved", "Value": "v"}])
    assert code_of(excinfo) == ("InvalidTagFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert code_of(excinfo) == ("TagLimitExceededFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_tags(ResourceType="table")
    assert code_of(excinfo) == ("InvalidParameterValue", 400)


def test_describe_tags_pages(redshift):
    create_available_cluster(redshift)
    redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": f"k{i:02d}", "Value": "v"} for i in range(25)])
    first = redshift.describe_tags(MaxRecords=20)
    second = redshift.describe_tags(MaxRecords=20, Marker=first["Marker"])
    keys = [t["Tag"]["Key"] for t in first["TaggedResources"] + second["TaggedResources"]]
    assert keys == [f"k{i:02d}" for i in range(25)] and "Marker" not in second


def test_errors_in_aws_words(redshift):
    """The words suites written against AWS (moto's) assert on."""
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_tags(ResourceName=f"arn:aws:redshift:us-east-1:{OWNER}:cluster:fake")
    assert excinfo.value.response["Error"]["Message"] == "cluster (fake) not found."
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_tags(ResourceName=f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/snap-id", TagKeys=["k"])
    assert excinfo.value.response["Error"]["Message"] == "snapshot (snap-id) not found."
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_tags(ResourceName=CLUSTER_ARN, ResourceType="cluster")
    assert code_of(excinfo) == ("InvalidParameterValue", 400)
    assert "using either an ARN or a resource type" in excinfo.value.response["Error"]["Message"]
