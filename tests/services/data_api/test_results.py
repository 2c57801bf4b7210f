"""GetStatementResult and GetStatementResultV2: typed fields, column metadata, pages, limits."""

from __future__ import annotations

import csv
import io

import pytest

from localshift.dataplane.api import Column
from localshift.services.data_api.results import ResultTooLarge, ResultWriter

from .conftest import DataApi, code_of, error_of

TYPES = """CREATE TABLE {t} (
    c_smallint smallint NOT NULL, c_int integer, c_bigint bigint, c_real real, c_double double precision,
    c_numeric numeric(12, 3), c_bool boolean, c_char char(3), c_varchar varchar(10), c_date date,
    c_timestamp timestamp, c_timestamptz timestamptz, c_time time, c_bytes varbyte, c_super super)"""
ROW = """INSERT INTO {t} VALUES (-5, 2147483647, 9223372036854775807, 1.5, 2.25, 12345.678, true, 'ab',
    'hello', '2024-02-29', '2024-02-29 10:11:12', '2024-02-29 10:11:12.5+00', '23:59:58',
    '\\\\x00ff10', json_parse('{{"a": [1, 2]}}'))"""  # a backslash escapes in Redshift's strings


def test_every_type_maps_to_its_field(data: DataApi, table):
    data.ok(TYPES.format(t=table))
    data.ok(ROW.format(t=table))
    data.ok(f"INSERT INTO {table} (c_smallint) VALUES (0)")
    statement = data.ok(f"SELECT * FROM {table} ORDER BY c_smallint")
    result = data.get_statement_result(Id=statement["Id"])
    full, empty = result["Records"]
    assert full == [
        {"longValue": -5}, {"longValue": 2147483647}, {"longValue": 9223372036854775807}, {"doubleValue": 1.5},
        {"doubleValue": 2.25}, {"stringValue": "12345.678"}, {"booleanValue": True}, {"stringValue": "ab "},
        {"stringValue": "hello"}, {"stringValue": "2024-02-29"}, {"stringValue": "2024-02-29 10:11:12.0"},
        {"stringValue": "2024-02-29 10:11:12.5+00"}, {"stringValue": "23:59:58"}, {"blobValue": b"\x00\xff\x10"},
        {"stringValue": '{"a":[1,2]}'},  # SUPER's text as Redshift prints it: compact
    ]
    assert empty == [{"longValue": 0}] + [{"isNull": True}] * 14
    assert result["TotalNumRows"] == 2 and "NextToken" not in result
    columns = {c["name"]: c for c in result["ColumnMetadata"]}
    assert [c["typeName"] for c in result["ColumnMetadata"]] == [
        "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "bpchar", "varchar", "date", "timestamp",
        "timestamptz", "time", "varbyte", "super"]
    assert columns["c_smallint"] == {
        "name": "c_smallint", "label": "c_smallint", "typeName": "int2", "precision": 5, "scale": 0, "nullable": 0,
        "isCaseSensitive": False, "isSigned": True, "isCurrency": False, "schemaName": "public", "tableName": table,
        "length": 0}
    assert (columns["c_numeric"]["precision"], columns["c_numeric"]["scale"], columns["c_numeric"]["nullable"]) == (12, 3, 1)
    assert (columns["c_varchar"]["precision"], columns["c_varchar"]["isCaseSensitive"]) == (10, True)
    assert (columns["c_char"]["precision"], columns["c_timestamp"]["precision"], columns["c_timestamp"]["scale"]) == (3, 29, 6)


def test_expressions_have_no_table_and_odd_floats_are_text(data: DataApi):
    result = data.get_statement_result(Id=data.ok(
        "SELECT 'NaN'::float8 AS n, 'Infinity'::float8 AS i, 1::int AS one, NULL AS nothing")["Id"])
    assert result["Records"] == [[{"stringValue": "NaN"}, {"stringValue": "Infinity"}, {"longValue": 1},
                                  {"isNull": True}]]
    one = result["ColumnMetadata"][2]
    assert (one["schemaName"], one["tableName"], one["nullable"], one["label"]) == ("", "", 1, "one")


def test_fifty_thousand_rows_page_through_the_paginator(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} AS SELECT g AS id, 'row number ' || g AS label FROM generate_series(1, 50000) g")
    statement_id = data.ok(f"SELECT id, label FROM {table} ORDER BY id")["Id"]
    pages = list(data.get_paginator("get_statement_result").paginate(Id=statement_id))
    assert len(pages) > 1
    assert all(page["TotalNumRows"] == 50000 and len(page["ColumnMetadata"]) == 2 for page in pages)
    rows = [record for page in pages for record in page["Records"]]
    assert [r[0]["longValue"] for r in rows] == list(range(1, 50001))
    assert rows[-1][1] == {"stringValue": "row number 50000"}
    # A token is the statement's own, and names a page it has.
    second = data.get_statement_result(Id=statement_id, NextToken=pages[0]["NextToken"])
    assert second["Records"] == pages[1]["Records"]
    other = data.ok("SELECT 1")["Id"]
    assert code_of(data.get_statement_result, Id=other, NextToken=pages[0]["NextToken"]) == "ValidationException"
    assert code_of(data.get_statement_result, Id=statement_id, NextToken="nonsense") == "ValidationException"


def test_csv_results_come_from_get_statement_result_v2(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} (id int, note varchar(40), flag boolean)")
    data.ok(f"INSERT INTO {table} VALUES (1, 'plain', true), (2, 'with, comma \"and\" quote', false), (3, NULL, NULL)")
    statement_id = data.ok(f"SELECT * FROM {table} ORDER BY id", ResultFormat="CSV")["Id"]
    assert data.describe_statement(Id=statement_id)["ResultFormat"] == "CSV"
    result = data.get_statement_result_v2(Id=statement_id)
    assert result["ResultFormat"] == "CSV" and result["TotalNumRows"] == 3
    text = "".join(record["CSVRecords"] for record in result["Records"])
    assert list(csv.reader(io.StringIO(text))) == [["1", "plain", "true"], ["2", 'with, comma "and" quote', "false"],
                                                   ["3", "", ""]]
    assert [c["name"] for c in result["ColumnMetadata"]] == ["id", "note", "flag"]
    wrong = error_of(data.get_statement_result, Id=statement_id)
    assert wrong.response["Error"]["Code"] == "ValidationException" and "GetStatementResultV2" in str(wrong)
    json_id = data.ok("SELECT 1")["Id"]
    assert code_of(data.get_statement_result_v2, Id=json_id) == "ValidationException"


def test_statements_without_a_result_have_none_to_get(data: DataApi, table):
    created = data.ok(f"CREATE TABLE {table} (v int)")
    assert created["HasResultSet"] is False
    error = error_of(data.get_statement_result, Id=created["Id"])
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.response["Error"]["Message"] == "Query does not have result. Please check query status."
    # A statement still running (held by another session's lock, not by a sleep a busy machine could outlast).
    locking = data.client.execute_statement(Sql="BEGIN", SessionKeepAliveSeconds=60, **data.target)
    data.wait(locking["Id"])
    holder = DataApi(data.server, SessionId=locking["SessionId"])
    holder.ok(f"LOCK TABLE {table}")
    running = data.submit(f"SELECT count(*) FROM {table}")
    data.wait(running, until=("STARTED",))
    assert code_of(data.get_statement_result, Id=running) == "ResourceNotFoundException"
    holder.ok("ROLLBACK")
    assert data.wait(running)["Status"] == "FINISHED"
    assert data.get_statement_result(Id=running)["TotalNumRows"] == 1
    # An empty result is a result.
    empty = data.get_statement_result(Id=data.ok(f"SELECT * FROM {table}")["Id"])
    assert empty["Records"] == [] and empty["TotalNumRows"] == 0 and empty["ColumnMetadata"][0]["name"] == "v"
    inserted = data.ok(f"INSERT INTO {table} SELECT generate_series(1, 3)")
    assert (inserted["ResultRows"], inserted["HasResultSet"]) == (3, False)


def test_the_data_api_limits_rows_to_64_kb_and_results_to_500_mb(data: DataApi):
    wide = data.run("SELECT repeat('x', 70000)")
    assert wide["Status"] == "FAILED" and wide["Error"].startswith("Packet for query is too large")
    assert data.ok("SELECT repeat('x', 60000)")["ResultSize"] > 60000
    assert code_of(data.get_statement_result, Id=wide["Id"]) == "ResourceNotFoundException"


def test_a_result_may_pass_100_mb_but_not_500_mb(tmp_path):
    """The results' limit is AWS's 500 MB (it was 100 MB), checked on the worker's writer alone (a result
    over it FAILS its statement as a row too large does, above; 500 MB through a server take a minute)."""
    writer = ResultWriter(tmp_path / "result", (Column("v", 25, "text", -1, 0, 0),), csv_format=False)
    chunk = [("x" * 60_000,)] * 1000  # 60 MB a chunk
    for _ in range(8):
        writer.add(chunk)
    assert writer.bytes == 8000 * len('[{"stringValue":"' + "x" * 60_000 + '"}]\n')  # 458 MB
    with pytest.raises(ResultTooLarge, match=r"^Database response exceeded size limit: .* 500 MB\.$"):
        writer.add(chunk)
    writer.discard()
    assert not (tmp_path / "result").exists()


def test_a_result_that_cannot_be_written_fails_the_statement_and_its_batch(data: DataApi, data_server, table):
    """The results' directory cannot be made (a file stands in its place): the statement ends
    FAILED, not STARTED for ever, and a batch's transaction is rolled back."""
    results = data_server.data_dir / "data-api"
    kept = results.with_name("data-api.kept")
    data.ok(f"CREATE TABLE {table} (v int)")
    results.rename(kept) if results.exists() else None
    results.write_text("not a directory")
    try:
        large = data.run("SELECT repeat('x', 1000) FROM generate_series(1, 10)")
        assert large["Status"] == "FAILED" and large["Error"].startswith("The result could not be kept")
        batch = data.batch([f"INSERT INTO {table} VALUES (1)", "SELECT repeat('x', 1000) FROM generate_series(1, 10)"])
        assert batch["Status"] == "FAILED" and [s["Status"] for s in batch["SubStatements"]] == ["FINISHED", "FAILED"]
        assert data.ok("SELECT 1")["ResultRows"] == 1  # a small result stays in the store
    finally:
        results.unlink()
        kept.rename(results) if kept.exists() else None
    assert data.records(f"SELECT count(*) FROM {table}") == [[{"longValue": 0}]]
