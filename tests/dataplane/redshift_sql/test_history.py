"""The query history: statements through the front land in localshift.query_history."""

from __future__ import annotations

import datetime
import threading

import psycopg
import pytest

from localshift.dataplane.redshift_sql import history as history_module
from localshift.dataplane.redshift_sql.history import QueryRecorder
from support import GRANTEE, OWNER, create_available_cluster, make_server, wait_for

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
    socket, lost = str(dp._engine(key).socket_path), "/nonexistent/.s.PGSQL.5432"
    recorder.ids_read(socket, recorder.read_ids(socket))
    recorder.ids_read(lost, 0)
    for n in range(5):
        recorder.record(socket, DB, (1, "u", f"select {n}".encode(), 0.0, 1.0, b"SELECT 1", None))
    recorder.record(lost, DB, (1, "u", b"lost", 0.0, 1.0, None, None))
    recorder.flush()
    assert [r[3] for r in history(dp, key)][-2:] == ["select 3", "select 4"]
    with dp._engine(key).connect(DB) as conn:
        assert conn.execute("select count(*) from localshift.query_history").fetchone() == (2,)


def test_connection_events_are_written_beside_the_history_and_pruned_alike(dp, cluster):
    key, _ = cluster
    recorder = QueryRecorder(dp.front.recorder._connect, keep_rows=2)
    socket, unread = str(dp._engine(key).socket_path), "/unread/.s.PGSQL.5432"
    recorder.ids_read(socket, recorder.read_ids(socket))
    for n in range(3):
        recorder.record_connection(socket, DB, ("authenticated", 1.5 + n, "10.0.0.1", "5555", 40 + n, "u", "app",
                                                "TLSv1.3", "TLS_AES_256_GCM_SHA384", 0))
    recorder.record_connection(socket, DB, ("disconnecting session", 9.0, "10.0.0.1", "5555", 42, "u", "app", "",
                                            "", 7_500_000))
    recorder.record_connection(unread, DB, ("authenticated", 1.0, "", "", 1, "u", "", "", "", 0))  # no history
    recorder.flush()
    with dp._engine(key).connect(DB) as conn:
        assert conn.execute("SELECT event, recordtime, remotehost, remoteport, pid, dbname, username, duration,"
                            " sslversion, application_name FROM localshift.connection_log WHERE remotehost = '10.0.0.1'"
                            " ORDER BY event_id"
                            ).fetchall() == [
            ("authenticated", datetime.datetime(1970, 1, 1, 0, 0, 3, 500000), "10.0.0.1", "5555", 42, DB, "u", 0,
             "TLSv1.3", "app"),
            ("disconnecting session", datetime.datetime(1970, 1, 1, 0, 0, 9), "10.0.0.1", "5555", 42, DB, "u",
             7_500_000, "", "app")]


def test_query_ids_never_go_back_when_an_engine_is_read_again():
    def no_engine(socket: str, database: str):
        raise OSError("no engine here")

    recorder = QueryRecorder(no_engine, interval=60)
    entry = (1, "u", b"select 1", 0.0, 1.0, b"SELECT 1", None)
    assert recorder.record("e", DB, entry) == (0, -1) and not recorder.ids_known("e")  # ids not read: not recorded
    recorder.ids_read("e", 10)
    assert recorder.record("e", DB, entry)[1] == 11
    recorder.read_again("e")  # served anew: a restore may bring a longer history
    assert not recorder.ids_known("e")
    recorder.ids_read("e", 5)
    assert recorder.record("e", DB, entry)[1] == 12
    recorder.ids_read("e", 50)
    assert recorder.record("e", DB, entry)[1] == 51
    recorder.ids_read("e", None)  # no Redshift catalog: no history
    assert recorder.record("e", DB, entry) == (0, -1)
    recorder.close()  # what it could not write is lost with its engine


def test_ids_are_given_from_blocks_reserved_in_the_engine_before_use(dp, cluster, monkeypatch):
    monkeypatch.setattr(history_module, "ID_BLOCK", 10)
    key, _ = cluster
    socket = str(dp._engine(key).socket_path)
    recorder = QueryRecorder(dp.front.recorder._connect, interval=60)

    def reserved() -> int:
        with dp._engine(key).connect("postgres") as conn:
            return conn.execute("SELECT max(reserved) FROM localshift.query_ids_reserved").fetchone()[0]

    start = recorder.read_ids(socket)
    recorder.ids_read(socket, start)
    assert reserved() == start + 10
    ids = [recorder.record(socket, DB, (1, "u", b"select 1", 0.0, 1.0, b"SELECT 1", None))[1] for _ in range(6)]
    assert ids == list(range(start + 1, start + 7))
    recorder.flush()  # more than half the block given: the next is reserved, past the last id given
    assert reserved() == start + 16
    assert recorder.read_ids(socket) == start + 16  # served anew: past the reservation, though 6 were written
    recorder.close()


def test_pg_last_query_id_is_the_id_the_history_views_report_at_once(sql_cluster, database):
    """What the Data API reports as RedshiftQueryId: no waiting for the recorder."""
    with sql_cluster.connect(database) as conn:
        assert conn.execute("select pg_last_query_id()").fetchone() == (-1,)  # a new session
        conn.execute("create table if not exists lq (a int)")
        conn.execute("insert into lq values (1), (2)")
        [(insert_id,)] = conn.execute("select pg_last_query_id()").fetchall()
        assert conn.execute("select trim(query_text), returned_rows from sys_query_history where query_id = %s",
                            (insert_id,)).fetchall() == [("insert into lq values (1), (2)", 2)]
        conn.execute("select a from lq where a > %s", (1,))  # extended protocol
        [(select_id,)] = conn.execute("select pg_last_query_id()").fetchall()
        assert select_id > insert_id
        assert conn.execute("select trim(querytxt), aborted from stl_query where query = %s", (select_id,)).fetchall() \
            == [("select a from lq where a > $1", 0)]
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select 1/0")
        assert conn.execute("select trim(status) from sys_query_history where query_id = pg_last_query_id()"
                            ).fetchall() == [("failed",)]
    with sql_cluster.connect(database) as other:
        assert other.execute("select pg_last_query_id()").fetchone() == (-1,)


def test_pg_last_query_id_through_the_extended_protocol_sees_the_statement_before(sql_cluster, database):
    # The engine takes a portal's snapshot at Bind: the front waits for the history there.
    with sql_cluster.connect(database) as conn:
        conn.execute("select 41 where 1 = %s", (1,))
        [(query_id,)] = conn.execute("select pg_last_query_id() where 1 = %s", (1,)).fetchall()
        assert conn.execute("select trim(query_text) from sys_query_history where query_id = %s",
                            (query_id,)).fetchall() == [("select 41 where 1 = $1",)]


def test_each_statement_of_a_query_is_its_own_entry(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("create table ms (a int); insert into ms values (1), (2);select count(*) from ms")
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("insert into ms values (3); select 1/0; insert into ms values (4)")
        rows = conn.execute("select trim(query_text), trim(status), returned_rows from sys_query_history"
                            " where session_id = pg_backend_pid() and query_text not like '%sys_query_history%'"
                            " order by query_id").fetchall()
        assert rows == [("create table ms (a int)", "success", None),
                        ("insert into ms values (1), (2)", "success", 2),
                        ("select count(*) from ms", "success", 1),
                        ("insert into ms values (3)", "success", 1),
                        ("select 1/0", "failed", None)]
        assert conn.execute("select count(*) from ms").fetchone() == (2,)  # the failed query's insert rolled back


def test_passwords_in_the_history_are_masked(sql_cluster, database):
    """Redshift shows PASSWORD '***' in its history views; a superuser reads every user's rows."""
    with sql_cluster.connect(database) as conn:
        conn.execute("drop user if exists hist_masked")
        conn.execute("create user hist_masked password 'Secret123x'")
        conn.execute("alter user hist_masked with password 'md5" + "0" * 32 + "' valid until 'infinity'")
        conn.execute("alter user hist_masked password 'Secret456Y'")
        views = ("select trim(query_text) from sys_query_history where query_text like '%hist_masked%'",
                 "select trim(text) from svl_statementtext where text like '%hist_masked%'",
                 "select query_text from localshift.query_history where query_text like '%hist_masked%'")
        for view in views:
            texts = {text for (text,) in conn.execute(view)}
            assert {"create user hist_masked password '***'",
                    "alter user hist_masked with password '***' valid until 'infinity'",
                    "alter user hist_masked password '***'"} <= texts, view
            assert not any("Secret" in text or "md50" in text for text in texts), view


def test_standard_conforming_strings_changes_how_strings_are_read(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        assert conn.execute("select top 1 'a\\\\b', 'it\\'s'").fetchone() == ("a\\b", "it's")  # Redshift's rule
        conn.execute("set standard_conforming_strings = on")
        assert conn.execute("select top 1 'a\\b', E'c\\\\d', 'it''s'").fetchone() == ("a\\b", "c\\d", "it's")
        conn.execute("reset standard_conforming_strings")
        assert conn.execute("select top 1 'a\\\\b'").fetchone() == ("a\\b",)


def test_a_statement_stopped_by_statement_timeout_names_its_query_id(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        # A second: the reset after the stopped statement runs under the timeout too (100 ms has cut such
        # statements short on a busy machine).
        conn.execute("set statement_timeout to 1000")
        with pytest.raises(psycopg.errors.QueryCanceled) as stopped:
            conn.execute("select pg_sleep(30)")
        conn.execute("reset statement_timeout")
        [(query_id, status)] = conn.execute("select query_id, trim(status) from sys_query_history where session_id = "
                                            "pg_backend_pid() and query_text = 'select pg_sleep(30)'").fetchall()
        assert str(stopped.value).strip() == f"Query ({query_id}) canceled on user's request"  # Redshift's words
        assert status == "failed"


def test_ids_given_but_not_written_when_the_service_is_killed_are_never_given_again(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        redshift = server.client(OWNER)
        cluster = create_available_cluster(redshift, "ids", ClusterType="single-node", NumberOfNodes=1)
        # The kill must not cut short the cluster's first automated snapshot, which the next start would redo.
        wait_for(lambda: [s["Status"] for s in redshift.describe_cluster_snapshots(ClusterIdentifier="ids")["Snapshots"]]
                 == ["available"])
        port = cluster["Endpoint"]["Port"]
        data = server.client(OWNER, "redshift-data")
        # The master holds the history of dev: its writer waits, so the statements' ids are given, not written.
        holder = psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev",
                                 autocommit=True)
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE localshift.query_history")
        given = [_query_id(data) for _ in range(3)]
        assert 0 < given[0] < given[1] < given[2]
        server.stop(kill=True)
        holder.close()
        server.start()
        again = _query_id(server.client(OWNER, "redshift-data"))
        assert again > given[-1]
        # (Served again on the port it had, unless another process took it meanwhile.)
        port = redshift.describe_clusters(ClusterIdentifier="ids")["Clusters"][0]["Endpoint"]["Port"]
        with psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev") as conn:
            assert conn.execute("SELECT count(*) FROM stl_query WHERE query IN (%s, %s, %s)", given).fetchone() == (0,)
    finally:
        server.close()


def test_an_engine_whose_user_holds_its_history_up_holds_up_no_other_accounts(tmp_path):
    """The owner's master user locks its history table in an open transaction: its engine's writer waits (for the
    service's lock timeout, an hour here), and another account's session that reads the history after a statement
    still sees that statement at once."""
    server = make_server(tmp_path, data_plane=True, extra_env={"LOCALSHIFT_ENGINE_TIMEOUT": "3600"}).start()
    try:
        holder_port = create_available_cluster(server.client(OWNER))["Endpoint"]["Port"]
        other_port = create_available_cluster(server.client(GRANTEE))["Endpoint"]["Port"]
        other = psycopg.connect(host="127.0.0.1", port=other_port, user="admin", password="Passw0rd1", dbname="dev",
                                autocommit=True)
        holder = psycopg.connect(host="127.0.0.1", port=holder_port, user="admin", password="Passw0rd1", dbname="dev")
        reader = threading.Thread(daemon=True, target=lambda: seen.extend(other.execute(
            "SELECT count(*) FROM stl_query WHERE querytxt = 'SELECT 42'").fetchall()))
        seen: list[tuple] = []
        try:
            holder.execute("LOCK localshift.query_history")
            holder.execute("SELECT 1")  # recorded: its writer waits for the lock
            other.execute("SELECT 42")
            reader.start()
            assert wait_for(lambda: seen) == [(1,)]
        finally:
            holder.rollback()  # first: the owner's writer goes on, and so does a reader it held up
            holder.close()
            reader.join(60)
            other.close()
    finally:
        server.close()


def _query_id(data) -> int:  # type: ignore[no-untyped-def]
    statement_id = data.execute_statement(ClusterIdentifier="ids", Database="dev", DbUser="admin", Sql="SELECT 1")["Id"]
    described = wait_for(lambda: (d := data.describe_statement(Id=statement_id))["Status"] in ("FINISHED", "FAILED", "ABORTED")
                         and d, timeout=120, interval=0.01)
    assert described["Status"] == "FINISHED", described.get("Error")
    return described["RedshiftQueryId"]
