"""Serverless table restores: RestoreTableFromSnapshot, RestoreTableFromRecoveryPoint, GetTableRestoreStatus,
ListTableRestoreStatus; with the data plane, the new table holds exactly the rows of that moment."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from serverless_support import Serverless
from support import OWNER, STRANGER, sql, wait_for

DONE = ("SUCCEEDED", "FAILED", "CANCELED")


def restore_table(client: Serverless, call: str = "restore_table_from_snapshot", **params) -> dict:  # type: ignore[no-untyped-def]
    """Request a table restore into ns1 through wg1 and wait for its end; its final status."""
    request = {"namespaceName": "ns1", "workgroupName": "wg1", "sourceDatabaseName": "dev", **params}
    request_id = getattr(client, call)(**request)["tableRestoreStatus"]["tableRestoreRequestId"]

    def finished() -> dict | None:
        status = client.get_table_restore_status(tableRestoreRequestId=request_id)["tableRestoreStatus"]
        return status if status["status"] in DONE else None

    return wait_for(finished, timeout=120)


def test_statuses_list_and_get(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace_with_workgroup("ns2", "wg2")
    owner.snapshot("snap1")
    accepted = owner.restore_table_from_snapshot(
        namespaceName="ns1", workgroupName="wg1", snapshotName="snap1", sourceDatabaseName="Dev",
        sourceTableName="Orders", newTableName="Orders_Back")["tableRestoreStatus"]
    assert accepted["status"] == "PENDING"
    assert {k: accepted[k] for k in ("namespaceName", "workgroupName", "snapshotName", "sourceDatabaseName",
                                     "sourceSchemaName", "sourceTableName", "targetDatabaseName",
                                     "targetSchemaName", "newTableName")} == {
        "namespaceName": "ns1", "workgroupName": "wg1", "snapshotName": "snap1", "sourceDatabaseName": "dev",
        "sourceSchemaName": "public", "sourceTableName": "orders", "targetDatabaseName": "dev",
        "targetSchemaName": "public", "newTableName": "orders_back"}
    wait_for(lambda: owner.get_table_restore_status(tableRestoreRequestId=accepted["tableRestoreRequestId"])[
        "tableRestoreStatus"]["status"] == "SUCCEEDED")
    exact = restore_table(owner, snapshotName="snap1", sourceTableName="Orders", newTableName="Orders_Back",
                          activateCaseSensitiveIdentifier=True)
    assert (exact["sourceTableName"], exact["newTableName"]) == ("Orders", "Orders_Back")
    owner.server.admin("/_localshift/time-travel?seconds=1800")
    point = wait_for(lambda: owner.list_recovery_points(namespaceName="ns2")["recoveryPoints"])[0]
    from_point = restore_table(owner, "restore_table_from_recovery_point", recoveryPointId=point["recoveryPointId"],
                               namespaceName="ns2", workgroupName="wg2", sourceTableName="t", newTableName="t2")
    assert from_point["recoveryPointId"] == point["recoveryPointId"] and "snapshotName" not in from_point

    assert len(owner.list_table_restore_status()["tableRestoreStatuses"]) == 3
    assert [s["namespaceName"] for s in owner.list_table_restore_status(namespaceName="ns2")["tableRestoreStatuses"]] == [
        "ns2"]
    assert len(owner.list_table_restore_status(workgroupName="wg1")["tableRestoreStatuses"]) == 2
    pages = list(owner.get_paginator("list_table_restore_status").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["tableRestoreStatuses"]) for p in pages] == [2, 1]
    stranger = Serverless(owner.server, STRANGER)
    assert stranger.list_table_restore_status()["tableRestoreStatuses"] == []
    assert stranger.error(stranger.get_table_restore_status, tableRestoreRequestId=accepted["tableRestoreRequestId"])[
        :2] == ("ResourceNotFoundException", 404)


def test_request_errors(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace_with_workgroup("ns2", "wg2")
    owner.snapshot("snap1")
    base = {"namespaceName": "ns1", "workgroupName": "wg1", "snapshotName": "snap1", "sourceDatabaseName": "dev",
            "sourceTableName": "t", "newTableName": "t2"}
    for params, expected in (
        ({"snapshotName": "nope"}, ("ResourceNotFoundException", 404)),
        ({"namespaceName": "nope"}, ("ResourceNotFoundException", 404)),
        ({"workgroupName": "nope"}, ("ResourceNotFoundException", 404)),
        ({"workgroupName": "wg2"}, ("ValidationException", 400)),
        ({"newTableName": ""}, ("ValidationException", 400)),
        ({"sourceDatabaseName": "d" * 128}, ("ValidationException", 400)),
    ):
        assert owner.error(owner.restore_table_from_snapshot, **{**base, **params})[:2] == expected, params
    assert owner.error(owner.restore_table_from_recovery_point, recoveryPointId="nope", namespaceName="ns1",
                       workgroupName="wg1", sourceDatabaseName="dev", sourceTableName="t", newTableName="t2")[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.error(owner.get_table_restore_status, tableRestoreRequestId="nope")[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.error(owner.list_table_restore_status, nextToken="not-a-token")[:2] == ("ValidationException", 400)
    assert owner.list_table_restore_status()["tableRestoreStatuses"] == []


def test_one_restore_at_a_time_per_namespace(slow_owner):
    slow_owner.namespace_with_workgroup("ns1", "wg1")
    slow_owner.snapshot("snap1")
    request = {"namespaceName": "ns1", "workgroupName": "wg1", "snapshotName": "snap1", "sourceDatabaseName": "dev",
               "sourceTableName": "t"}
    slow_owner.restore_table_from_snapshot(newTableName="a", **request)
    assert slow_owner.error(slow_owner.restore_table_from_snapshot, newTableName="b", **request)[:2] == (
        "ConflictException", 409)


# --- with the data plane --------------------------------------------------------------------------


def test_tables_come_back_with_the_rows_of_their_snapshot_or_recovery_point(data_server):
    data_server.reset()
    owner = Serverless(data_server, OWNER)
    port = owner.namespace_with_workgroup("ns1", "wg1")["endpoint"]["port"]
    sql(port, "CREATE TABLE orders (id int PRIMARY KEY, item text)")
    sql(port, "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 400) g")
    owner.snapshot("snap1")
    sql(port, "INSERT INTO orders SELECT g, 'later' FROM generate_series(401, 600) g")
    inserted = datetime.fromisoformat(json.loads(owner.server.admin("/_localshift/time-travel?seconds=1800"))["now"])
    inserted -= timedelta(seconds=1800)

    def points_after_the_insert() -> list[dict]:
        # Not one the real clock's half hour may have made due before the insert (the test can cross it).
        return [p for p in owner.list_recovery_points()["recoveryPoints"] if p["recoveryPointCreateTime"] >= inserted]

    point = wait_for(points_after_the_insert)[0]
    sql(port, "DELETE FROM orders")

    status = restore_table(owner, snapshotName="snap1", sourceTableName="orders", newTableName="from_snapshot")
    assert status["status"] == "SUCCEEDED" and status["totalDataInMegaBytes"] >= 1
    assert sql(port, "SELECT count(*), max(id) FROM from_snapshot") == [(400, 400)]
    status = restore_table(owner, "restore_table_from_recovery_point", recoveryPointId=point["recoveryPointId"],
                           sourceTableName="orders", newTableName="from_point")
    assert status["status"] == "SUCCEEDED"
    assert sql(port, "SELECT count(*), max(id) FROM from_point") == [(600, 600)]
    assert sql(port, "SELECT count(*) FROM orders") == [(0,)]
    failed = restore_table(owner, snapshotName="snap1", sourceTableName="orders", newTableName="from_point")
    assert (failed["status"], failed["message"]) == ("FAILED", "Table public.from_point already exists in database dev.")
