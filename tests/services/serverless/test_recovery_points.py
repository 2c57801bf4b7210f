"""Recovery points: one every 30 minutes (time travel makes them due), kept a day; list, get,
restore a namespace from one, convert one to a snapshot.  With the data plane, a recovery point
brings the namespace back to its data of that moment."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

from serverless_support import Serverless
from support import OWNER, STRANGER, sql, travel_until, wait_for

HALF_HOUR = 1800


def points(client: Serverless, **filters) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.list_recovery_points(**filters)["recoveryPoints"]


def travel(client: Serverless, seconds: float) -> None:
    client.server.admin(f"/_localshift/time-travel?seconds={seconds}")


def first_point(client: Serverless) -> dict:
    travel(client, HALF_HOUR)
    return wait_for(lambda: points(client))[0]


def test_one_every_half_hour_kept_a_day(owner):
    workgroup = owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace("no-data")  # no workgroup, no data: no recovery points
    assert points(owner) == []
    point = first_point(owner)
    namespace = owner.get_namespace(namespaceName="ns1")["namespace"]
    created = point["recoveryPointCreateTime"]
    assert (created.minute % 30, created.second, created.microsecond) == (0, 0, 0)
    assert point["namespaceName"] == "ns1" and point["namespaceArn"] == namespace["namespaceArn"]
    assert point["workgroupName"] == workgroup["workgroupName"] and point["totalSizeInMegaBytes"] == 0.0
    assert owner.get_recovery_point(recoveryPointId=point["recoveryPointId"])["recoveryPoint"] == point

    # Two hours on: the four boundaries passed are due at once.
    travel(owner, 4 * HALF_HOUR)
    wait_for(lambda: len(points(owner)) == 5)
    listed = points(owner)
    times = [p["recoveryPointCreateTime"] for p in listed]
    assert times == sorted(times) and all(b - a == timedelta(minutes=30) for a, b in zip(times, times[1:]))
    assert [p["recoveryPointId"] for p in points(owner, startTime=times[1], endTime=times[3])] == [
        p["recoveryPointId"] for p in listed[1:4]]
    assert len(points(owner, namespaceName="ns1")) == 5 and points(owner, namespaceName="no-data") == []
    assert len(points(owner, namespaceArn=namespace["namespaceArn"])) == 5
    pages = list(owner.get_paginator("list_recovery_points").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["recoveryPoints"]) for p in pages] == [2, 2, 1]
    assert owner.error(owner.list_recovery_points, startTime=times[3], endTime=times[1])[:2] == (
        "ValidationException", 400)
    assert owner.error(owner.list_recovery_points, nextToken="not-a-token")[:2] == ("ValidationException", 400)
    stranger = Serverless(owner.server, STRANGER)
    assert stranger.list_recovery_points()["recoveryPoints"] == []
    assert stranger.error(stranger.get_recovery_point, recoveryPointId=point["recoveryPointId"])[:2] == (
        "ResourceNotFoundException", 404)

    # A day later the old ones are gone; the day's 48 boundaries have one each.
    travel(owner, 25 * 3600)
    wait_for(lambda: len(points(owner)) == 48 and point["recoveryPointId"] not in
             [p["recoveryPointId"] for p in points(owner)])
    assert owner.error(owner.get_recovery_point, recoveryPointId=point["recoveryPointId"])[:2] == (
        "ResourceNotFoundException", 404)
    # A deleted namespace's recovery points go with it.
    owner.delete_workgroup(workgroupName="wg1")
    owner.wait_for_gone(owner.get_workgroup, workgroupName="wg1")
    owner.delete_namespace(namespaceName="ns1")
    owner.wait_for_gone(owner.get_namespace, namespaceName="ns1")
    wait_for(lambda: points(owner) == [])


def test_time_travel_back_keeps_them_coming(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    first_point(owner)
    # A day back: the next boundary of the earlier clock is due, not the one after the first point's.
    travel(owner, -24 * 3600)
    assert travel_until(owner.server, HALF_HOUR, lambda: len(points(owner)) == 2, steps=4)  # two hours at most


def test_convert_to_a_snapshot(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    point = first_point(owner)
    snapshot = owner.convert_recovery_point_to_snapshot(
        recoveryPointId=point["recoveryPointId"], snapshotName="From-Point", retentionPeriod=3,
        tags=[{"key": "env", "value": "test"}])["snapshot"]
    assert (snapshot["snapshotName"], snapshot["status"], snapshot["namespaceName"]) == ("from-point", "CREATING", "ns1")
    # The snapshot holds the data of the recovery point's time.
    assert snapshot["snapshotCreateTime"] == point["recoveryPointCreateTime"]
    available = owner.wait_snapshot("from-point")
    assert (available["snapshotRetentionPeriod"], available["snapshotRemainingDays"]) == (3, 3)
    assert owner.list_tags_for_resource(resourceArn=snapshot["snapshotArn"])["tags"] == [{"key": "env", "value": "test"}]
    point_id = point["recoveryPointId"]
    for params, expected in (
        ({"recoveryPointId": point_id, "snapshotName": "from-point"}, ("ConflictException", 409)),
        ({"recoveryPointId": point_id, "snapshotName": "bad--name"}, ("ValidationException", 400)),
        ({"recoveryPointId": point_id, "snapshotName": "ok", "retentionPeriod": 0}, ("ValidationException", 400)),
        ({"recoveryPointId": "nope", "snapshotName": "ok"}, ("ResourceNotFoundException", 404)),
        ({"recoveryPointId": point_id, "snapshotName": "ok", "tags": [{"key": "aws:x", "value": "v"}]},
         ("ValidationException", 400)),
    ):
        assert owner.error(owner.convert_recovery_point_to_snapshot, **params)[:2] == expected, params
    for i in range(19):
        owner.create_snapshot(namespaceName="ns1", snapshotName=f"s{i}")
    assert owner.error(owner.convert_recovery_point_to_snapshot, recoveryPointId=point_id, snapshotName="ok")[:2] == (
        "ServiceQuotaExceededException", 402)


def test_restore_errors(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace_with_workgroup("ns2", "wg2")
    travel(owner, HALF_HOUR)
    point_id = wait_for(lambda: points(owner, namespaceName="ns1"))[0]["recoveryPointId"]
    for params, expected in (
        ({"recoveryPointId": "nope", "namespaceName": "ns1", "workgroupName": "wg1"}, ("ResourceNotFoundException", 404)),
        ({"recoveryPointId": point_id, "namespaceName": "nope", "workgroupName": "wg1"},
         ("ResourceNotFoundException", 404)),
        # A recovery point restores its own namespace only.
        ({"recoveryPointId": point_id, "namespaceName": "ns2", "workgroupName": "wg2"}, ("ValidationException", 400)),
        ({"recoveryPointId": point_id, "namespaceName": "ns1", "workgroupName": "wg2"}, ("ValidationException", 400)),
        ({"recoveryPointId": point_id, "namespaceName": "ns1", "workgroupName": "nope"},
         ("ResourceNotFoundException", 404)),
    ):
        assert owner.error(owner.restore_from_recovery_point, **params)[:2] == expected, params
    restored = owner.restore_from_recovery_point(recoveryPointId=point_id, namespaceName="ns1", workgroupName="wg1")
    assert restored["recoveryPointId"] == point_id and restored["namespace"]["status"] == "MODIFYING"
    assert owner.error(owner.restore_from_recovery_point, recoveryPointId=point_id, namespaceName="ns1",
                       workgroupName="wg1")[:2] == ("ConflictException", 409)
    owner.wait_namespace("ns1")
    # The service's state document shows the namespace's data as that of the recovery point.
    state = json.loads(urllib.request.urlopen(owner.server.url + "/_localshift/state").read())
    [lineage] = [section["rows"] for section in state["sections"] if section["name"] == "lineage"]
    assert [(r["kind"], r["name"], r["from_snapshot"]) for r in lineage] == [
        ("namespace", "ns1", f"arn:aws:redshift-serverless:us-east-1:{OWNER}:recoverypoint/{point_id}")]


# --- with the data plane --------------------------------------------------------------------------


def test_a_recovery_point_brings_the_namespace_back_to_that_moment(data_server):
    data_server.reset()
    owner = Serverless(data_server, OWNER)
    port = owner.namespace_with_workgroup("ns1", "wg1")["endpoint"]["port"]
    sql(port, "CREATE TABLE orders (id int)")
    sql(port, "INSERT INTO orders SELECT generate_series(1, 1000)")
    first = first_point(owner)
    sql(port, "INSERT INTO orders SELECT generate_series(1001, 1500)")
    travel(owner, HALF_HOUR)
    second = wait_for(lambda: points(owner)[1:])[0]
    assert second["totalSizeInMegaBytes"] > 0
    sql(port, "DELETE FROM orders")

    owner.restore_from_recovery_point(recoveryPointId=first["recoveryPointId"], namespaceName="ns1",
                                      workgroupName="wg1")
    owner.wait_namespace("ns1")
    port = owner.wait_workgroup("wg1")["endpoint"]["port"]
    assert sql(port, "SELECT count(*), max(id) FROM orders") == [(1000, 1000)]
    # The later recovery point, as a snapshot, holds the 1,500 rows of its time.
    owner.convert_recovery_point_to_snapshot(recoveryPointId=second["recoveryPointId"], snapshotName="second")
    wait_for(lambda: owner.get_snapshot(snapshotName="second")["snapshot"]["status"] == "AVAILABLE")
    owner.restore_from_snapshot(namespaceName="ns1", workgroupName="wg1", snapshotName="second")
    owner.wait_namespace("ns1")
    port = owner.wait_workgroup("wg1")["endpoint"]["port"]
    assert sql(port, "SELECT count(*), max(id) FROM orders") == [(1500, 1500)]
