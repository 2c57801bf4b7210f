"""CancelStatement: a running query is really stopped in the engine."""

from __future__ import annotations

from .conftest import DataApi, error_of


def test_cancel_stops_a_running_pg_sleep_in_the_engine(data: DataApi):
    # Ten minutes: the wait below (two minutes at most) ends in time only if the sleep was really stopped, however
    # slow the machine (no wall-clock bound of a few seconds).
    statement_id = data.submit("SELECT pg_sleep(600)")
    pid = data.wait(statement_id, until=("STARTED",))["RedshiftPid"]
    assert data.cancel_statement(Id=statement_id)["Status"] is True
    ended = data.wait(statement_id)
    assert ended["Status"] == "ABORTED"
    assert ended["RedshiftQueryId"] > 0  # it ran in the engine: the query history has it
    running = data.records(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND state = 'active'")
    assert running == [[{"longValue": 0}]]
    error = error_of(data.cancel_statement, Id=statement_id)
    assert error.response["Error"] == {"Code": "ValidationException",
                                       "Message": "Could not cancel a query that is already in ABORTED state."}


def test_a_finished_statement_cannot_be_cancelled(data: DataApi):
    statement_id = data.ok("SELECT 1")["Id"]
    error = error_of(data.cancel_statement, Id=statement_id)
    assert error.response["Error"]["Message"] == "Could not cancel a query that is already in FINISHED state."


def test_cancelling_a_batch_stops_it_and_rolls_it_back(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} (v int)")
    statement_id = data.client.batch_execute_statement(
        Sqls=[f"INSERT INTO {table} VALUES (1)", "SELECT pg_sleep(60)", f"INSERT INTO {table} VALUES (2)"],
        **data.target)["Id"]
    data.wait(f"{statement_id}:2", until=("STARTED",))
    data.cancel_statement(Id=statement_id)
    ended = data.wait(statement_id)
    assert ended["Status"] == "ABORTED"
    assert [p["Status"] for p in ended["SubStatements"]] == ["FINISHED", "ABORTED", "ABORTED"]
    assert data.records(f"SELECT count(*) FROM {table}") == [[{"longValue": 0}]]
