"""Serverless snapshots: create, get (by name and ARN), list (filters, paging), update, delete, tags, retention."""

from __future__ import annotations

import re
from datetime import timedelta

from support import wait_for

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_create_moves_from_creating_to_available(owner):
    namespace = owner.namespace("ns1")
    created = owner.create_snapshot(namespaceName="ns1", snapshotName="Snap1", retentionPeriod=10,
                                         tags=[{"key": "env", "value": "test"}])["snapshot"]
    assert created["status"] == "CREATING"
    assert created["snapshotName"] == "snap1"  # names are kept in lowercase, as provisioned identifiers
    assert re.fullmatch(rf"arn:aws:redshift-serverless:us-east-1:111111111111:snapshot/{UUID}", created["snapshotArn"])
    assert created["namespaceArn"] == namespace["namespaceArn"]
    assert created["ownerAccount"] == "111111111111"
    assert created["adminUsername"] == "admin"
    assert "snapshotRetentionStartTime" not in created
    available = owner.wait_snapshot("snap1")
    assert available["snapshotRetentionPeriod"] == 10
    assert available["snapshotRemainingDays"] == 10
    assert available["snapshotRetentionStartTime"] >= available["snapshotCreateTime"]
    assert available["estimatedSecondsToCompletion"] == 0
    assert available["totalBackupSizeInMegaBytes"] == 0.0  # no data plane: sizes are zero
    assert owner.list_tags_for_resource(resourceArn=created["snapshotArn"])["tags"] == [
        {"key": "env", "value": "test"}]


def test_create_errors(owner):
    owner.namespace("ns1")
    owner.snapshot("snap1")
    assert owner.error(owner.create_snapshot, namespaceName="ns1", snapshotName="snap1")[:2] == ("ConflictException", 409)
    assert owner.error(owner.create_snapshot, namespaceName="nope", snapshotName="s2")[:2] == (
        "ResourceNotFoundException", 404)
    for name in ("1starts-with-digit", "double--hyphen", "ends-", "x" * 256):
        assert owner.error(owner.create_snapshot, namespaceName="ns1", snapshotName=name)[:2] == (
            "ValidationException", 400), name
    for retention in (0, 3654, -2):
        assert owner.error(owner.create_snapshot, namespaceName="ns1", snapshotName="s2", retentionPeriod=retention)[:2] == (
            "ValidationException", 400), retention


def test_snapshot_quota(owner):
    owner.namespace("ns1")
    for i in range(20):
        owner.create_snapshot(namespaceName="ns1", snapshotName=f"s{i}")
    assert owner.error(owner.create_snapshot, namespaceName="ns1", snapshotName="one-more")[:2] == (
        "ServiceQuotaExceededException", 402)


def test_get_by_name_and_by_arn(owner):
    owner.namespace("ns1")
    snapshot = owner.snapshot("snap1")
    assert owner.get_snapshot(snapshotName="SNAP1")["snapshot"] == snapshot
    assert owner.get_snapshot(snapshotArn=snapshot["snapshotArn"])["snapshot"] == snapshot
    assert owner.get_snapshot(snapshotArn=snapshot["snapshotArn"], ownerAccount="111111111111")["snapshot"] == snapshot
    assert owner.error(owner.get_snapshot, snapshotArn=snapshot["snapshotArn"], ownerAccount="222222222222")[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.error(owner.get_snapshot, snapshotName="snap1", snapshotArn=snapshot["snapshotArn"])[:2] == (
        "ValidationException", 400)
    assert owner.error(owner.get_snapshot)[:2] == ("ValidationException", 400)
    assert owner.error(owner.get_snapshot, snapshotName="nope")[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.get_snapshot, snapshotArn="arn:aws:redshift-serverless:nonsense")[:2] == (
        "ValidationException", 400)
    other_region = snapshot["snapshotArn"].replace("us-east-1", "eu-west-1")
    assert owner.error(owner.get_snapshot, snapshotArn=other_region)[:2] == ("ResourceNotFoundException", 404)


def test_list_filters(owner):
    owner.namespace("ns1")
    other = owner.namespace("ns2")
    # SDKs send startTime/endTime in whole seconds: the snapshots are taken 10 s apart.
    first = owner.snapshot("a1", "ns1")
    owner.server.admin("/_localshift/time-travel?seconds=10")
    owner.snapshot("b1", "ns2")
    owner.server.admin("/_localshift/time-travel?seconds=10")
    last = owner.snapshot("a2", "ns1")

    def names(**params):
        return [s["snapshotName"] for s in owner.list_snapshots(**params)["snapshots"]]

    assert names() == ["a1", "b1", "a2"]  # oldest first
    assert names(namespaceName="ns1") == ["a1", "a2"]
    assert names(namespaceArn=other["namespaceArn"]) == ["b1"]
    assert names(namespaceName="nope") == []
    assert names(startTime=last["snapshotCreateTime"] - timedelta(seconds=1)) == ["a2"]
    assert names(endTime=first["snapshotCreateTime"] + timedelta(seconds=1)) == ["a1"]
    assert names(startTime=first["snapshotCreateTime"] + timedelta(seconds=5),
                 endTime=last["snapshotCreateTime"] - timedelta(seconds=5)) == ["b1"]
    assert names(ownerAccount="222222222222") == []
    assert owner.error(owner.list_snapshots, startTime=last["snapshotCreateTime"],
                       endTime=first["snapshotCreateTime"])[:2] == ("ValidationException", 400)
    assert owner.error(owner.list_snapshots, namespaceArn=first["snapshotArn"])[:2] == ("ValidationException", 400)


def test_list_pages_are_stable(owner):
    owner.namespace("ns1")
    for i in range(5):
        owner.create_snapshot(namespaceName="ns1", snapshotName=f"s{i}")
    page = owner.list_snapshots(maxResults=2)
    assert [s["snapshotName"] for s in page["snapshots"]] == ["s0", "s1"]
    # A snapshot deleted and one created between pages never cause duplicates or skips.
    wait_for(lambda: owner.get_snapshot(snapshotName="s0")["snapshot"]["status"] == "AVAILABLE")
    owner.delete_snapshot(snapshotName="s0")
    owner.create_snapshot(namespaceName="ns1", snapshotName="s5")
    rest = owner.get_paginator("list_snapshots").paginate(
        PaginationConfig={"PageSize": 2, "StartingToken": page["nextToken"]})
    assert [s["snapshotName"] for p in rest for s in p["snapshots"]] == ["s2", "s3", "s4", "s5"]
    assert owner.error(owner.list_snapshots, nextToken="not-a-token")[:2] == ("ValidationException", 400)
    assert owner.error(owner.list_snapshots, maxResults=101)[:2] == ("ValidationException", 400)


def test_update_retention_and_expiry(owner):
    owner.namespace("ns1")
    owner.snapshot("snap1")
    updated = owner.update_snapshot(snapshotName="snap1", retentionPeriod=2)["snapshot"]
    assert (updated["snapshotRetentionPeriod"], updated["snapshotRemainingDays"]) == (2, 2)
    assert owner.error(owner.update_snapshot, snapshotName="snap1", retentionPeriod=0)[:2] == ("ValidationException", 400)
    assert owner.error(owner.update_snapshot, snapshotName="nope", retentionPeriod=1)[:2] == (
        "ResourceNotFoundException", 404)
    owner.snapshot("kept")
    owner.server.admin(f"/_localshift/time-travel?seconds={timedelta(days=1, hours=1).total_seconds()}")
    assert owner.get_snapshot(snapshotName="snap1")["snapshot"]["snapshotRemainingDays"] == 1
    owner.server.admin(f"/_localshift/time-travel?seconds={timedelta(days=1).total_seconds()}")
    owner.wait_for_gone(owner.get_snapshot, snapshotName="snap1")
    assert owner.get_snapshot(snapshotName="kept")["snapshot"]["snapshotRemainingDays"] == -1


def test_delete(owner, grantee):
    owner.namespace("ns1")
    snapshot = owner.snapshot("snap1")
    assert grantee.error(grantee.delete_snapshot, snapshotName="snap1")[:2] == ("ResourceNotFoundException", 404)
    deleted = owner.delete_snapshot(snapshotName="snap1")["snapshot"]
    assert deleted["status"] == "DELETED"
    assert deleted["snapshotArn"] == snapshot["snapshotArn"]
    assert owner.error(owner.get_snapshot, snapshotName="snap1")[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.delete_snapshot, snapshotName="snap1")[:2] == ("ResourceNotFoundException", 404)


def test_tags(owner, grantee):
    namespace = owner.namespace("ns1")
    arn = owner.snapshot("snap1")["snapshotArn"]
    owner.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    owner.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "3"}])
    assert owner.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "3"}, {"key": "b", "value": "2"}]
    owner.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert owner.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    many = [{"key": f"k{i}", "value": "v"} for i in range(50)]
    assert owner.error(owner.tag_resource, resourceArn=arn, tags=many)[:2] == ("TooManyTagsException", 400)
    assert owner.list_tags_for_resource(resourceArn=namespace["namespaceArn"])["tags"] == []
    assert grantee.error(grantee.list_tags_for_resource, resourceArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.list_tags_for_resource, resourceArn="arn:aws:s3:::bucket")[:2] == ("ValidationException", 400)
