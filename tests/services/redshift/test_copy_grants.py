"""Snapshot copy grants: create, describe (filters, tags, paging), delete, and their tags."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, create_available_cluster

KEY = "arn:aws:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012"
ARN = f"arn:aws:redshift:us-east-1:{OWNER}:snapshotcopygrant:"


def code_of(call, **params) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def names(client, **params) -> list[str]:  # type: ignore[no-untyped-def]
    return [g["SnapshotCopyGrantName"] for g in client.describe_snapshot_copy_grants(**params)["SnapshotCopyGrants"]]


def test_grants_round_trip_with_tags(ls):
    redshift = ls.client(OWNER)
    created = redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="Grant-1", KmsKeyId=KEY,
                                                  Tags=[{"Key": "env", "Value": "prod"}])["SnapshotCopyGrant"]
    assert created == {"SnapshotCopyGrantName": "grant-1", "KmsKeyId": KEY, "Tags": [{"Key": "env", "Value": "prod"}]}
    # Without a key, the account's default Redshift key of the region.
    default = redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="grant-2")["SnapshotCopyGrant"]
    assert default["KmsKeyId"] == f"arn:aws:kms:us-east-1:{OWNER}:alias/aws/redshift" and default["Tags"] == []
    assert names(redshift) == ["grant-1", "grant-2"]
    assert redshift.describe_snapshot_copy_grants(SnapshotCopyGrantName="GRANT-1")["SnapshotCopyGrants"] == [created]
    assert names(redshift, TagKeys=["env"]) == ["grant-1"]
    assert names(redshift, TagValues=["other"]) == []

    # Copy grants are tagged resources of their own ARN type.
    redshift.create_tags(ResourceName=ARN + "grant-2", Tags=[{"Key": "team", "Value": "a"}])
    tagged = redshift.describe_tags(ResourceType="Snapshot copy grant")["TaggedResources"]
    assert [(t["ResourceName"], t["ResourceType"], t["Tag"]["Key"]) for t in tagged] == [
        (ARN + "grant-1", "snapshotcopygrant", "env"), (ARN + "grant-2", "snapshotcopygrant", "team")]
    redshift.delete_tags(ResourceName=ARN + "grant-1", TagKeys=["env"])
    assert names(redshift, TagKeys=["env", "team"]) == ["grant-2"]

    redshift.delete_snapshot_copy_grant(SnapshotCopyGrantName="grant-2")
    assert names(redshift) == ["grant-1"]
    assert redshift.describe_tags(ResourceType="snapshotcopygrant")["TaggedResources"] == []
    # Another account, or another region, has grants of its own.
    assert names(ls.client(STRANGER)) == [] and names(ls.client(OWNER, region="us-west-2")) == []


def test_paging_and_quota(redshift):
    for i in range(100):
        redshift.create_snapshot_copy_grant(SnapshotCopyGrantName=f"g{i:03d}")
    assert code_of(redshift.create_snapshot_copy_grant, SnapshotCopyGrantName="one-more") == (
        "SnapshotCopyGrantQuotaExceededFault", 400)
    paginator = redshift.get_paginator("describe_snapshot_copy_grants")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 30}))
    assert [len(p["SnapshotCopyGrants"]) for p in pages] == [30, 30, 30, 10]
    assert [g["SnapshotCopyGrantName"] for p in pages for g in p["SnapshotCopyGrants"]] == [
        f"g{i:03d}" for i in range(100)]


@pytest.mark.parametrize("params, expected", [
    ({"SnapshotCopyGrantName": "1abc"}, ("InvalidParameterValue", 400)),
    ({"SnapshotCopyGrantName": "a--b"}, ("InvalidParameterValue", 400)),
    ({"SnapshotCopyGrantName": "ab-"}, ("InvalidParameterValue", 400)),
    ({"SnapshotCopyGrantName": "a" * 64}, ("InvalidParameterValue", 400)),
    ({"SnapshotCopyGrantName": "ok", "KmsKeyId": "not a key"}, ("InvalidParameterValue", 400)),
    ({"SnapshotCopyGrantName": "ok", "Tags": [{"Key": "aws:x", "Value": "v"}]}, ("InvalidTagFault", 400)),
    ({"SnapshotCopyGrantName": "ok", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
     ("TagLimitExceededFault", 400)),
    ({"SnapshotCopyGrantName": "taken"}, ("SnapshotCopyGrantAlreadyExistsFault", 400)),
])
def test_create_errors(redshift, params, expected):
    redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="taken")
    assert code_of(redshift.create_snapshot_copy_grant, **params) == expected
    assert names(redshift) == ["taken"]


def test_grant_in_use_is_not_deleted(ls):
    east, west = ls.client(OWNER), ls.client(OWNER, region="us-west-2")
    west.create_snapshot_copy_grant(SnapshotCopyGrantName="g1")
    create_available_cluster(east)
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion="us-west-2", SnapshotCopyGrantName="g1")
    assert code_of(west.delete_snapshot_copy_grant, SnapshotCopyGrantName="g1") == (
        "InvalidSnapshotCopyGrantStateFault", 400)
    east.disable_snapshot_copy(ClusterIdentifier="c1")
    west.delete_snapshot_copy_grant(SnapshotCopyGrantName="g1")
    assert code_of(west.delete_snapshot_copy_grant, SnapshotCopyGrantName="g1") == (
        "SnapshotCopyGrantNotFoundFault", 400)
    assert code_of(west.describe_snapshot_copy_grants, SnapshotCopyGrantName="g1") == (
        "SnapshotCopyGrantNotFoundFault", 400)
    assert code_of(west.create_tags, ResourceName=f"arn:aws:redshift:us-west-2:{OWNER}:snapshotcopygrant:g1",
                   Tags=[{"Key": "k", "Value": "v"}]) == ("ResourceNotFoundFault", 404)
    assert code_of(west.describe_snapshot_copy_grants, Marker="garbage") == ("InvalidParameterValue", 400)
