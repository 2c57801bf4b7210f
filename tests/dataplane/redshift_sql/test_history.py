"""The query history: statements through the front land in localshift.query_history."""

from __future__ import annotations

import psycopg
import pytest

from localshift.dataplane.redshift_sql.history import QueryRecorder

from ..helpers import DB, connect


def history(dp, key):
    dp.front.recorder.flush()
    with dp._engine(key).connect(DB) as conn:
        return conn.execute("SELECT pid, user_name, database_name, query_text, status, command_tag, "
                            "row_count, error_code, start_time <= end_time FROM localshift.query_history "
                            "ORDER BY query_id").fetchall()


def test_statements_are_recorded_with_status_rows_and_errors(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        pid = conn.info.backend_pid
        conn.execute("create table h (a int)")
        conn.execute("insert into h select generate_series(1, 3)")
        conn.execute("select top 2 a from h")  # recorded as sent, before translation
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select 1/0")
    rows = history(dp, key)
    assert rows == [
        (pid, "awsuser", DB, "create table h (a int)", "success", "CREATE TABLE", None, None, True),
        (pid, "awsuser", DB, "insert into h select generate_series(1, 3)", "success", "INSERT 0 3", 3, None, True),
        (pid, "awsuser", DB, "select top 2 a from h", "success", "SELECT 2", 2, None, True),
        (pid, "awsuser", DB, "select 1/0", "failed", None, None, "22012", True),
    ]


def test_the_newest_rows_are_kept_and_lost_engines_are_skipped(dp, cluster):
    key, port = cluster
    recorder = QueryRecorder(dp.front.recorder._connect, keep_rows=2)
    socket = str(dp._engine(key).socket_path)
    for n in range(5):
        recorder.record(socket, DB, (1, "u", f"select {n}".encode(), 0.0, 1.0, b"SELECT 1", None))
    recorder.record("/nonexistent/.s.PGSQL.5432", DB, (1, "u", b"lost", 0.0, 1.0, None, None))
    recorder.flush()
    assert [r[3] for r in history(dp, key)][-2:] == ["select 3", "select 4"]
    with dp._engine(key).connect(DB) as conn:
        assert conn.execute("select count(*) from localshift.query_history").fetchone() == (2,)
