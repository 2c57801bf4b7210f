"""DescribeClusterSnapshots: every parameter, visibility and paging."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, STRANGER, create_available_cluster, create_available_snapshot, wait_for


def ids(response: dict) -> list[str]:
    return [s["SnapshotIdentifier"] for s in response["Snapshots"]]


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def two_clusters(redshift):
    """c1 (alive) with manual snapshots a, b; c2 deleted leaving its final snapshot f."""
    create_available_cluster(redshift, "c1")
    create_available_cluster(redshift, "c2", NodeType="dc2.large", NumberOfNodes=2, AutomatedSnapshotRetentionPeriod=0)
    create_available_snapshot(redshift, "a", "c1", Tags=[{"Key": "env", "Value": "prod"}])
    create_available_snapshot(redshift, "b", "c1", Tags=[{"Key": "owner", "Value": "ann"}])
    redshift.delete_cluster(ClusterIdentifier="c2", FinalClusterSnapshotIdentifier="f")
    redshift.get_waiter("cluster_deleted").wait(ClusterIdentifier="c2", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    wait_for(lambda: all(s["Status"] == "available" for s in redshift.describe_cluster_snapshots()["Snapshots"]))
    return redshift


def test_cluster_identifier_and_type_filters(two_clusters):
    r = two_clusters
    automated = ids(r.describe_cluster_snapshots(SnapshotType="automated"))
    assert len(automated) == 1 and automated[0].startswith("rs:c1-")
    assert ids(r.describe_cluster_snapshots(SnapshotType="manual")) == ["a", "b", "f"]
    assert sorted(ids(r.describe_cluster_snapshots(ClusterIdentifier="c1"))) == sorted(["a", "b", *automated])
    assert ids(r.describe_cluster_snapshots(ClusterIdentifier="c1", SnapshotType="manual")) == ["a", "b"]
    # A cluster that never existed has no snapshots (never "every snapshot").
    assert ids(r.describe_cluster_snapshots(ClusterIdentifier="never")) == []
    # Snapshots of a deleted cluster are still found by its identifier.
    assert ids(r.describe_cluster_snapshots(ClusterIdentifier="c2")) == ["f"]
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(SnapshotType="weekly")
    assert code_of(excinfo) == ("InvalidParameterValue", 400)


def test_snapshot_identifier_and_arn(two_clusters):
    r = two_clusters
    assert ids(r.describe_cluster_snapshots(SnapshotIdentifier="A")) == ["a"]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/a"
    assert ids(r.describe_cluster_snapshots(SnapshotArn=arn)) == ["a"]
    for missing in ("zzz",):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(SnapshotIdentifier=missing)
        assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
    for missing_arn in (
        f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/zzz",
        f"arn:aws:redshift:eu-west-1:{OWNER}:snapshot:c1/a",  # another region
        f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c9/a",  # wrong cluster
        "arn:aws:redshift-serverless:us-east-1:111111111111:snapshot/8d2c7b8e-1111-2222-3333-444455556666",
    ):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(SnapshotArn=missing_arn)
        assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404), missing_arn
    for malformed in ("not-an-arn", "arn:aws:redshift:us-east-1:1234:snapshot:c1/a",
                      f"arn:aws:redshift:us-east-1:{OWNER}:cluster:c1", f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:a"):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(SnapshotArn=malformed)
        assert code_of(excinfo) == ("InvalidParameterValue", 400), malformed
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(SnapshotIdentifier="a", SnapshotArn=arn)
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)


def test_a_named_snapshot_of_the_other_type_is_not_found(two_clusters):
    r = two_clusters
    automated = ids(r.describe_cluster_snapshots(SnapshotType="automated"))[0]
    assert ids(r.describe_cluster_snapshots(SnapshotIdentifier="a", SnapshotType="manual")) == ["a"]
    assert ids(r.describe_cluster_snapshots(SnapshotIdentifier=automated, SnapshotType="automated")) == [automated]
    for name, other_type in (("a", "automated"), (automated, "manual")):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(SnapshotIdentifier=name, SnapshotType=other_type)
        assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
        assert excinfo.value.response["Error"]["Message"] == f"Snapshot {name} not found."


def test_time_window_is_inclusive(two_clusters):
    r = two_clusters
    a = r.describe_cluster_snapshots(SnapshotIdentifier="a")["Snapshots"][0]["SnapshotCreateTime"]
    b = r.describe_cluster_snapshots(SnapshotIdentifier="b")["Snapshots"][0]["SnapshotCreateTime"]
    assert ids(r.describe_cluster_snapshots(SnapshotType="manual", StartTime=a, EndTime=b)) == ["a", "b"]
    assert ids(r.describe_cluster_snapshots(SnapshotType="manual", StartTime=a, EndTime=a)) == ["a"]
    assert ids(r.describe_cluster_snapshots(SnapshotType="manual", StartTime=b + dt.timedelta(microseconds=1000))) == ["f"]
    assert ids(r.describe_cluster_snapshots(SnapshotType="manual", EndTime=a - dt.timedelta(milliseconds=1))) == []
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(StartTime=b, EndTime=a)
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)


def test_tag_filters_match_any_key_any_value_and_their_combinations(two_clusters):
    r = two_clusters
    assert ids(r.describe_cluster_snapshots(TagKeys=["env"])) == ["a"]
    assert ids(r.describe_cluster_snapshots(TagKeys=["env", "owner"])) == ["a", "b"]
    assert ids(r.describe_cluster_snapshots(TagValues=["ann"])) == ["b"]
    assert ids(r.describe_cluster_snapshots(TagKeys=["env", "owner"], TagValues=["prod", "ann"])) == ["a", "b"]
    # Key and value must belong to the same tag: env=ann exists on no snapshot.
    assert ids(r.describe_cluster_snapshots(TagKeys=["env"], TagValues=["ann"])) == []
    assert ids(r.describe_cluster_snapshots(TagKeys=["nothing"])) == []


def test_cluster_exists_four_cases(two_clusters):
    r = two_clusters
    # true: only snapshots of the named, existing cluster.
    assert "a" in ids(r.describe_cluster_snapshots(ClusterIdentifier="c1", ClusterExists=True))
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(ClusterIdentifier="c2", ClusterExists=True)
    assert code_of(excinfo) == ("ClusterNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(ClusterExists=True)
    assert code_of(excinfo) == ("InvalidParameterValue", 400)
    # false without identifier: every orphaned snapshot.
    assert ids(r.describe_cluster_snapshots(ClusterExists=False)) == ["f"]
    # false with a deleted cluster: its snapshots; with an existing cluster: none.
    assert ids(r.describe_cluster_snapshots(ClusterIdentifier="c2", ClusterExists=False)) == ["f"]
    assert ids(r.describe_cluster_snapshots(ClusterIdentifier="c1", ClusterExists=False)) == []


def test_sorting_entities(two_clusters):
    r = two_clusters
    manual = {"SnapshotType": "manual"}
    asc = ids(r.describe_cluster_snapshots(**manual, SortingEntities=[{"Attribute": "CREATE_TIME", "SortOrder": "ASC"}]))
    desc = ids(r.describe_cluster_snapshots(**manual, SortingEntities=[{"Attribute": "CREATE_TIME", "SortOrder": "DESC"}]))
    assert asc == ["a", "b", "f"] and desc == ["f", "b", "a"]
    by_type = ids(r.describe_cluster_snapshots(SortingEntities=[
        {"Attribute": "SOURCE_TYPE", "SortOrder": "DESC"}, {"Attribute": "CREATE_TIME", "SortOrder": "DESC"},
    ]))
    assert by_type[:3] == ["f", "b", "a"] and by_type[3].startswith("rs:")
    assert ids(r.describe_cluster_snapshots(**manual, SortingEntities=[{"Attribute": "TOTAL_SIZE"}])) == ["a", "b", "f"]
    with pytest.raises(ClientError) as excinfo:
        r.describe_cluster_snapshots(SortingEntities=[{"Attribute": "CREATE_TIME"}, {"Attribute": "CREATE_TIME"}])
    assert code_of(excinfo) == ("InvalidParameterCombination", 400)


def test_paging_is_stable_under_creates_and_deletes(ls):
    r = ls.client(OWNER)
    create_available_cluster(r, AutomatedSnapshotRetentionPeriod=1)
    ls_quota_free = 20
    for index in range(ls_quota_free):
        r.create_cluster_snapshot(SnapshotIdentifier=f"s{index:02d}", ClusterIdentifier="c1")
    wait_for(lambda: all(s["Status"] == "available" for s in r.describe_cluster_snapshots()["Snapshots"]))
    first = r.describe_cluster_snapshots(SnapshotType="manual", MaxRecords=20 - 0)
    assert "Marker" not in first and len(first["Snapshots"]) == 20
    page = r.describe_cluster_snapshots(MaxRecords=20)
    assert len(page["Snapshots"]) == 20 and page["Marker"]
    seen = ids(page)
    # Changes between pages: delete an already-seen snapshot, and one not yet seen stays.
    r.delete_cluster_snapshot(SnapshotIdentifier=seen[-1] if not seen[-1].startswith("rs:") else seen[-2])
    rest = r.describe_cluster_snapshots(MaxRecords=20, Marker=page["Marker"])
    assert "Marker" not in rest
    assert not set(ids(rest)) & set(seen)
    assert len(seen) + len(ids(rest)) == 21  # 20 manual + 1 automated, none skipped
    for bad in (19, 101):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(MaxRecords=bad)
        assert code_of(excinfo) == ("InvalidParameterValue", 400)
    # Markers that are not ours, including well-formed JSON of the wrong types, are refused (never a 500).
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps([{"a": 1}, 1]).encode()).decode()
    for marker in ("garbage!", forged):
        with pytest.raises(ClientError) as excinfo:
            r.describe_cluster_snapshots(Marker=marker)
        assert code_of(excinfo) == ("InvalidParameterValue", 400)
    paginator = r.get_paginator("describe_cluster_snapshots")
    assert sum(len(p["Snapshots"]) for p in paginator.paginate(PaginationConfig={"PageSize": 20})) == 20


def test_visibility_owner_grantee_stranger(ls):
    owner, grantee, stranger = ls.client(OWNER), ls.client(GRANTEE), ls.client(STRANGER)
    create_available_cluster(owner)
    create_available_snapshot(owner, "shared", Tags=[{"Key": "k", "Value": "v"}])
    create_available_snapshot(owner, "private")
    owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=GRANTEE)
    create_available_cluster(grantee, "mine")
    wait_for(lambda: all(s["Status"] == "available" for s in grantee.describe_cluster_snapshots()["Snapshots"]))
    grantee_view = grantee.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]
    assert [(s["SnapshotIdentifier"], s["OwnerAccount"]) for s in grantee_view] == [("shared", OWNER)]
    # AccountsWithRestoreAccess is visible to the owner only.
    assert "AccountsWithRestoreAccess" not in grantee_view[0]
    owner_view = owner.describe_cluster_snapshots(SnapshotIdentifier="shared")["Snapshots"][0]
    assert owner_view["AccountsWithRestoreAccess"] == [{"AccountId": GRANTEE}]
    # OwnerAccount narrows to one owner.
    assert ids(grantee.describe_cluster_snapshots(OwnerAccount=OWNER)) == ["shared"]
    assert all(s["OwnerAccount"] == GRANTEE for s in grantee.describe_cluster_snapshots(OwnerAccount=GRANTEE)["Snapshots"])
    # Tag filters return only the caller's own snapshots.
    assert ids(grantee.describe_cluster_snapshots(TagKeys=["k"])) == []
    assert ids(owner.describe_cluster_snapshots(TagKeys=["k"])) == ["shared"]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/shared"
    assert ids(grantee.describe_cluster_snapshots(SnapshotArn=arn)) == ["shared"]
    assert ids(grantee.describe_cluster_snapshots(SnapshotIdentifier="shared", OwnerAccount=OWNER)) == ["shared"]
    assert stranger.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"] == []
    assert stranger.describe_cluster_snapshots(OwnerAccount=OWNER)["Snapshots"] == []
    # A second owner shares too: the default call lists both, OwnerAccount only one owner's.
    create_available_cluster(stranger, "theirs")
    create_available_snapshot(stranger, "also-shared", "theirs")
    stranger.authorize_snapshot_access(SnapshotIdentifier="also-shared", AccountWithRestoreAccess=GRANTEE)
    assert ids(grantee.describe_cluster_snapshots(SnapshotType="manual")) == ["shared", "also-shared"]
    assert ids(grantee.describe_cluster_snapshots(OwnerAccount=OWNER)) == ["shared"]
    assert ids(grantee.describe_cluster_snapshots(OwnerAccount=STRANGER)) == ["also-shared"]
    with pytest.raises(ClientError) as excinfo:
        stranger.describe_cluster_snapshots(SnapshotArn=arn)
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        grantee.describe_cluster_snapshots(SnapshotArn=f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/private")
    assert code_of(excinfo) == ("ClusterSnapshotNotFound", 404)
