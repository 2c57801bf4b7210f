"""BatchExecuteStatement: one transaction, sub-statements with their own statuses and results."""

from __future__ import annotations

from .conftest import DataApi, error_of


def test_a_batch_runs_in_order_and_each_part_has_its_result(data: DataApi, table):
    batch = data.batch([f"CREATE TABLE {table} (v int)", f"INSERT INTO {table} VALUES (1), (2), (3)",
                        f"SELECT sum(v) AS total FROM {table}", "SELECT 'second result'"])
    assert batch["Status"] == "FINISHED"
    parts = batch["SubStatements"]
    assert [p["Id"] for p in parts] == [f"{batch['Id']}:{n}" for n in (1, 2, 3, 4)]
    assert [p["Status"] for p in parts] == ["FINISHED"] * 4
    assert [p["HasResultSet"] for p in parts] == [False, False, True, True]
    query_ids = [p["RedshiftQueryId"] for p in parts]
    assert 0 < query_ids[0] and query_ids == sorted(set(query_ids))  # each its own, in the order they ran
    assert parts[1]["ResultRows"] == 3 and parts[2]["ResultRows"] == 1
    assert batch["HasResultSet"] is True and batch["ResultRows"] == sum(p["ResultRows"] for p in parts)
    assert batch["Duration"] == sum(p["Duration"] for p in parts) and "QueryString" not in batch
    assert data.get_statement_result(Id=parts[2]["Id"])["Records"] == [[{"longValue": 6}]]
    assert data.get_statement_result(Id=parts[3]["Id"])["Records"] == [[{"stringValue": "second result"}]]
    whole = error_of(data.get_statement_result, Id=batch["Id"])
    assert whole.response["Error"] == {
        "Code": "ValidationException", "Message": "BatchExecuteStatement result can only be retrieved with sub-statement id."}
    one = data.describe_statement(Id=parts[2]["Id"])
    assert (one["Id"], one["QueryString"], one["ResultRows"]) == (parts[2]["Id"], f"SELECT sum(v) AS total FROM {table}", 1)
    listed = [s for s in data.list_statements(Status="ALL")["Statements"] if s["Id"] == batch["Id"]]
    assert listed[0]["IsBatchStatement"] is True and len(listed[0]["QueryStrings"]) == 4
    assert error_of(data.describe_statement, Id=f"{batch['Id']}:5").response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_failing_part_rolls_the_whole_batch_back(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} (v int PRIMARY KEY)")
    data.ok(f"INSERT INTO {table} VALUES (1)")
    batch = data.batch([f"INSERT INTO {table} VALUES (2)", f"UPDATE {table} SET v = v + 10",
                        f"INSERT INTO {table} VALUES (11 / 0)", f"INSERT INTO {table} VALUES (3)"])
    assert batch["Status"] == "FAILED"
    assert batch["Error"].startswith("ERROR: division by zero")
    assert [p["Status"] for p in batch["SubStatements"]] == ["FINISHED", "FINISHED", "FAILED", "ABORTED"]
    assert batch["SubStatements"][2]["Error"] == batch["Error"]
    ids = [p["RedshiftQueryId"] for p in batch["SubStatements"]]
    assert 0 < ids[0] < ids[1] < ids[2] and ids[3] == -1  # the failed part has its id, the one never run none
    # Nothing of it stayed.
    assert data.records(f"SELECT v FROM {table} ORDER BY v") == [[{"longValue": 1}]]


def test_parameters_are_shared_by_the_parts(data: DataApi, table):
    data.batch([f"CREATE TABLE {table} (v int, w varchar(10))"])
    batch = data.batch([f"INSERT INTO {table} VALUES (:n, :w)", f"INSERT INTO {table} VALUES (:n + 1, :w)"],
                       Parameters=[{"name": "n", "value": "5"}, {"name": "w", "value": "shared"}])
    assert batch["Status"] == "FINISHED"
    assert data.records(f"SELECT v, w FROM {table} ORDER BY v") == [
        [{"longValue": 5}, {"stringValue": "shared"}], [{"longValue": 6}, {"stringValue": "shared"}]]


def test_a_batch_stopped_by_its_statement_timeout_gives_back_a_clean_connection(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} (v int)")
    pid = data.records("SELECT pg_backend_pid()")[0][0]["longValue"]
    batch = data.batch([f"INSERT INTO {table} VALUES (1)", "SET search_path TO pg_catalog", "CREATE TEMP TABLE scratch (a int)",
                        "SET statement_timeout TO 1000", "SELECT pg_sleep(30)"])
    assert batch["Status"] == "FAILED" and batch["Error"].endswith("canceled on user's request")
    # The same connection, kept (no new login), as a new login would find it: no transaction, nothing SET, nothing made
    # (no temporary table of its own: another test's session may keep one of that name).
    [row] = data.records(f"SELECT pg_backend_pid(), txid_current_if_assigned() IS NULL, current_setting('search_path'), "
                         f"current_setting('statement_timeout'), (SELECT count(*) FROM public.{table}), "
                         "(SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'scratch' AND relnamespace = pg_my_temp_schema())")
    assert row == [{"longValue": pid}, {"booleanValue": True}, {"stringValue": '"$user", public'}, {"stringValue": "0"},
                   {"longValue": 0}, {"longValue": 0}]
