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


FIFTY_ONE = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]


@pytest.mark.parametrize("create", [
    lambda r, tags: r.create_cluster(ClusterIdentifier="c2", NodeType="ra3.xlplus", NumberOfNodes=2,
                                     MasterUsername="admin", MasterUserPassword="Passw0rd1", Tags=tags),
    lambda r, tags: r.create_cluster_snapshot(SnapshotIdentifier="s2", ClusterIdentifier="c1", Tags=tags),
    lambda r, tags: r.create_cluster_parameter_group(ParameterGroupName="p2", ParameterGroupFamily="redshift-2.0",
                                                     Description="d", Tags=tags),
    lambda r, tags: r.create_cluster_subnet_group(ClusterSubnetGroupName="g2", Description="d",
                                                  SubnetIds=["subnet-01234567"], Tags=tags),
    lambda r, tags: r.create_event_subscription(SubscriptionName="e2", SnsTopicArn=f"arn:aws:sns:us-east-1:{OWNER}:t",
                                                Tags=tags),
    lambda r, tags: r.create_hsm_client_certificate(HsmClientCertificateIdentifier="h2", Tags=tags),
    lambda r, tags: r.create_usage_limit(ClusterIdentifier="c1", FeatureType="concurrency-scaling", LimitType="time",
                                         Amount=60, Tags=tags),
], ids=["cluster", "snapshot", "parameter-group", "subnet-group", "event-subscription", "hsm-certificate",
        "usage-limit"])
def test_a_resource_created_with_more_than_50_tags_is_refused(redshift, create):
    """A resource holds at most 50 tags, whether they come with its Create* or by CreateTags."""
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        create(redshift, FIFTY_ONE)
    assert code_of(excinfo) == ("TagLimitExceededFault", 400)
    assert all_tags(redshift) == []
    create(redshift, FIFTY_ONE[:50])
    assert sorted(t["Tag"]["Key"] for t in all_tags(redshift)) == sorted(f"k{i}" for i in range(50))


def all_tags(client) -> list[dict]:  # type: ignore[no-untyped-def]
    return [t for page in client.get_paginator("describe_tags").paginate() for t in page["TaggedResources"]]


def test_tag_keys_with_tag_values_match_one_tag_with_both(redshift):
    """With both lists, a resource matches when one of its tags has a listed key and a listed value (AWS: "any
    combination of the specified keys and values"), as DescribeClusterSnapshots filters; either list alone
    matches a tag with any of its keys (or values)."""
    for name, tags in [("c1", {"env": "prod", "team": "a"}), ("c2", {"env": "test", "owner": "prod"}),
                       ("c3", {"team": "prod"})]:
        redshift.create_cluster(ClusterIdentifier=name, NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin",
                                MasterUserPassword="Passw0rd1", Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        redshift.create_cluster_parameter_group(ParameterGroupName=f"p-{name}", ParameterGroupFamily="redshift-2.0",
                                                Description="d", Tags=[{"Key": k, "Value": v} for k, v in tags.items()])

    def clusters(**filters) -> list[str]:  # type: ignore[no-untyped-def]
        return [c["ClusterIdentifier"] for c in redshift.describe_clusters(**filters)["Clusters"]]

    assert clusters(TagKeys=["env"], TagValues=["prod"]) == ["c1"]
    assert clusters(TagKeys=["env", "team"], TagValues=["prod"]) == ["c1", "c3"]
    assert clusters(TagKeys=["env"]) == ["c1", "c2"]
    assert clusters(TagValues=["prod"]) == ["c1", "c2", "c3"]
    assert clusters(TagKeys=["owner"], TagValues=["test"]) == []
    groups = redshift.describe_cluster_parameter_groups(TagKeys=["env"], TagValues=["prod"])["ParameterGroups"]
    assert [g["ParameterGroupName"] for g in groups] == ["p-c1"]
    tagged = redshift.describe_tags(ResourceType="cluster", TagKeys=["env"], TagValues=["prod"])["TaggedResources"]
    assert {t["ResourceName"].rsplit(":", 1)[1] for t in tagged} == {"c1"}


def test_describe_tags_limits_as_documented(redshift):
    """DescribeTags' documented limits: MaxRecords from 10 to 50, no MaxRecords or Marker with an ARN; its
    ResourceType in the documentation's words, the EC2-Classic ones included (valid, never tagged here)."""
    create_available_cluster(redshift)
    redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": f"k{i:02d}", "Value": "v"} for i in range(50)])
    assert len(redshift.describe_tags(MaxRecords=10)["TaggedResources"]) == 10
    page = redshift.describe_tags()
    assert len(page["TaggedResources"]) == 50 and "Marker" not in page  # 50 by default
    for bad in (9, 51, 100):
        with pytest.raises(ClientError) as excinfo:
            redshift.describe_tags(MaxRecords=bad)
        assert code_of(excinfo) == ("InvalidParameterValue", 400)
        assert excinfo.value.response["Error"]["Message"] == "MaxRecords must be between 10 and 50."
    assert len(redshift.describe_tags(ResourceName=CLUSTER_ARN)["TaggedResources"]) == 50
    for paging in ({"MaxRecords": 20}, {"Marker": redshift.describe_tags(MaxRecords=10)["Marker"]}):
        with pytest.raises(ClientError) as excinfo:
            redshift.describe_tags(ResourceName=CLUSTER_ARN, **paging)
        assert code_of(excinfo) == ("InvalidParameterValue", 400)
    redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="h1", Tags=[{"Key": "k", "Value": "v"}])
    [certificate] = redshift.describe_tags(ResourceType="HSM certificate")["TaggedResources"]
    assert certificate["ResourceType"] == "hsmclientcertificate"
    assert redshift.describe_tags(ResourceType="HSM connection")["TaggedResources"] == []
    for classic in ("Cluster security group", "EC2 security group", "CIDR/IP"):
        assert redshift.describe_tags(ResourceType=classic)["TaggedResources"] == []


def test_a_key_given_twice_in_one_request_keeps_its_last_value(redshift):
    # As a key already on the resource is overwritten (CreateTags's documentation), so is one given twice.
    create_available_cluster(redshift, Tags=[{"Key": "env", "Value": "a"}, {"Key": "env", "Value": "b"}])
    redshift.create_tags(ResourceName=CLUSTER_ARN, Tags=[{"Key": "team", "Value": "x"}, {"Key": "team", "Value": "y"},
                                                         {"Key": "ключ", "Value": "значение ✓"}])
    tags = redshift.describe_tags(ResourceName=CLUSTER_ARN)["TaggedResources"]
    assert sorted((t["Tag"]["Key"], t["Tag"]["Value"]) for t in tags) == [
        ("env", "b"), ("team", "y"), ("ключ", "значение ✓")]
    assert redshift.describe_clusters(TagKeys=["ключ"])["Clusters"][0]["ClusterIdentifier"] == "c1"
