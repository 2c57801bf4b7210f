"""Locks, open transactions, workload management and finished statements as the views of
catalog/34_monitoring_views.sql show them, on a real endpoint, seen from other sessions."""

from __future__ import annotations

import threading

import psycopg
import pytest

from sql_cluster import SqlCluster
from support import wait_for

from .helpers import fresh_user

CAROL, CAROL_PASSWORD = "monitor_carol", "Carol1password"


@pytest.fixture(scope="module")
def carol(sql_cluster: SqlCluster, database: str) -> str:
    return fresh_user(sql_cluster, database, CAROL, CAROL_PASSWORD)


def connect_as_carol(sql_cluster: SqlCluster, database: str, autocommit: bool = True) -> psycopg.Connection:
    return sql_cluster.connect(database, user=CAROL, password=CAROL_PASSWORD, autocommit=autocommit)


def test_a_lock_held_by_one_session_is_seen_from_another(sql_cluster, database, carol):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS locked_t (a int)")
        table_id = conn.execute("SELECT 'locked_t'::regclass::oid::bigint").fetchone()[0]
    with sql_cluster.connect(database, autocommit=False) as holder:
        holder.execute("LOCK TABLE locked_t")
        holder_pid = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        with sql_cluster.connect(database) as watcher:
            rows = watcher.execute("SELECT lock_owner_pid, trim(lock_status), lock_owner_start_ts IS NOT NULL"
                                   " FROM stv_locks WHERE table_id = %s", (table_id,)).fetchall()
            assert rows == [(holder_pid, "Holding write lock", True)]
            transactions = watcher.execute(
                "SELECT trim(txn_owner), txn_db, lock_mode, lockable_object_type, granted FROM svv_transactions"
                " WHERE pid = %s ORDER BY lockable_object_type", (holder_pid,)).fetchall()
            assert transactions == [("admin", database, "AccessExclusiveLock", "relation", True),
                                    ("admin", database, "ExclusiveLock", "transactionid", True)]
        holder.rollback()
    with sql_cluster.connect(database) as watcher:
        assert watcher.execute("SELECT count(*) FROM stv_locks WHERE table_id = %s", (table_id,)).fetchone() == (0,)


def test_a_waiting_statement_is_in_flight_and_waits_for_its_lock(sql_cluster, database, carol):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS contended_t (a int)")
        conn.execute(f"GRANT ALL ON contended_t TO {carol}")
        table_id = conn.execute("SELECT 'contended_t'::regclass::oid::bigint").fetchone()[0]
    with sql_cluster.connect(database, autocommit=False) as holder:
        holder.execute("LOCK TABLE contended_t")
        waiter = connect_as_carol(sql_cluster, database)
        waiter_pid = waiter.execute("SELECT pg_backend_pid()").fetchone()[0]
        blocked = threading.Thread(target=waiter.execute, args=("INSERT INTO contended_t VALUES (42)",))
        blocked.start()
        try:
            with sql_cluster.connect(database) as watcher:
                assert wait_for(lambda: watcher.execute(
                    "SELECT trim(lock_status) FROM stv_locks WHERE lock_owner_pid = %s AND table_id = %s",
                    (waiter_pid, table_id)).fetchall()) == [("Waiting for write lock",)]
                # The engine's RowExclusiveLock of an INSERT is Redshift's write lock.
                assert watcher.execute("SELECT lock_mode, granted FROM svv_transactions WHERE pid = %s"
                                       " AND lockable_object_type = 'relation'", (waiter_pid,)).fetchall() == [
                    ("ShareRowExclusiveLock", False)]
                inflight = watcher.execute("SELECT trim(text), sequence FROM svv_query_inflight WHERE pid = %s",
                                           (waiter_pid,)).fetchall()
                assert inflight == [("INSERT INTO contended_t VALUES (42)", 0)]
                assert watcher.execute("SELECT trim(state), service_class, exec_time >= 0 FROM stv_wlm_query_state"
                                       " WHERE task = %s", (waiter_pid,)).fetchall() == [("Running", 100, True)]
            # Carol sees her own waiting statement, not the superuser's lock (nor STV_LOCKS at all).
            with connect_as_carol(sql_cluster, database) as other:
                owners = {owner for (owner,) in other.execute("SELECT trim(txn_owner) FROM svv_transactions")}
                assert owners == {carol}
                assert other.execute("SELECT count(*) FROM stv_locks").fetchone() == (0,)
                assert other.execute("SELECT count(*) FROM svv_query_inflight WHERE pid = %s",
                                     (waiter_pid,)).fetchone() == (1,)
        finally:
            holder.rollback()
            blocked.join(timeout=60)
            waiter.close()


# AWS's sample query of SYS_QUERY_HISTORY: the running and queued queries.
RUNNING_QUERIES = ("SELECT user_id, query_id, transaction_id, session_id, status, trim(database_name) AS database_name,"
                   " start_time, end_time, result_cache_hit, elapsed_time, queue_time, execution_time"
                   " FROM sys_query_history WHERE status IN ('running','queued') ORDER BY start_time")


def test_running_statements_are_in_sys_query_history_until_they_finish(sql_cluster, database, carol):
    """AWS: SYS_QUERY_HISTORY "contains both running and finished queries"; the statement reading it runs too.
    A running statement has no query id yet (query 0, as STV_INFLIGHT shows it)."""
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS running_t (a int)")
        conn.execute(f"GRANT ALL ON running_t TO {carol}")
    with sql_cluster.connect(database, autocommit=False) as holder:
        holder.execute("LOCK TABLE running_t")
        waiter = connect_as_carol(sql_cluster, database)
        waiter_pid = waiter.execute("SELECT pg_backend_pid()").fetchone()[0]
        blocked = threading.Thread(target=waiter.execute, args=("INSERT INTO running_t VALUES (7)",))
        admin_waiter = sql_cluster.connect(database)
        admin_pid = admin_waiter.execute("SELECT pg_backend_pid()").fetchone()[0]
        admin_blocked = threading.Thread(target=admin_waiter.execute, args=("SELECT count(*) FROM running_t",))
        blocked.start()
        admin_blocked.start()
        try:
            with sql_cluster.connect(database) as watcher:
                own_pid = watcher.execute("SELECT pg_backend_pid()").fetchone()[0]

                def running() -> dict[int, tuple]:
                    rows = {row[3]: row for row in watcher.execute(RUNNING_QUERIES).fetchall()}
                    return rows if {waiter_pid, admin_pid} <= rows.keys() else {}

                rows = wait_for(running)
                carol_id = watcher.execute("SELECT usesysid FROM pg_user WHERE usename = %s", (carol,)).fetchone()[0]
                user_id, query_id, _, _, status, db, start, end, cached, elapsed, queued, executing = rows[waiter_pid]
                assert (user_id, query_id, status, db, end, cached, queued) == (
                    carol_id, 0, "running   ", database, None, False, 0)  # character(10)
                assert start is not None and elapsed >= 0 and executing == elapsed
                assert own_pid in rows  # the sample query itself, as in Redshift
                assert watcher.execute(
                    "SELECT trim(query_type), trim(query_text), error_message, returned_rows FROM sys_query_history"
                    " WHERE session_id = %s AND status = 'running'", (waiter_pid,)).fetchall() == [
                    ("INSERT", "INSERT INTO running_t VALUES (7)", None, None)]
            # Carol sees her own running statements, not the superuser's.
            with connect_as_carol(sql_cluster, database) as other:
                mine = {row[3] for row in other.execute(RUNNING_QUERIES).fetchall()}
                assert waiter_pid in mine and admin_pid not in mine
        finally:
            holder.rollback()
            blocked.join(timeout=60)
            admin_blocked.join(timeout=60)
            waiter.close()
            admin_waiter.close()
    with sql_cluster.connect(database) as conn:
        # Finished, it is in the history with its id, and runs no more.
        assert wait_for(lambda: conn.execute(
            "SELECT query_id > 0, trim(status), end_time >= start_time, returned_rows FROM sys_query_history"
            " WHERE session_id = %s AND query_text = 'INSERT INTO running_t VALUES (7)'", (waiter_pid,)).fetchall()) \
            == [(True, "success", True, 1)]
        assert conn.execute("SELECT count(*) FROM sys_query_history WHERE status = 'running' AND session_id IN (%s, %s)",
                            (waiter_pid, admin_pid)).fetchone() == (0,)


def test_finished_statements_are_in_the_wlm_log_and_qlog(sql_cluster, database, carol):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS qlog_t (a int)")
        conn.execute("SELECT count(*) FROM qlog_t WHERE a > 0 /* admin qlog marker */")
        conn.execute("CREATE OR REPLACE PROCEDURE qlog_proc() LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END; $$")
        conn.execute("CALL qlog_proc()")
        query = wait_for(lambda: conn.execute(
            "SELECT query FROM stl_query WHERE querytxt LIKE '%admin qlog marker%'"
            " AND querytxt NOT LIKE '%stl_query%'").fetchone())[0]
        assert conn.execute("SELECT service_class, trim(final_state), total_exec_time >= 0, total_queue_time,"
                            " trim(service_class_name) FROM stl_wlm_query WHERE query = %s", (query,)).fetchall() \
            == [(100, "Completed", True, 0, "Default queue")]
        assert conn.execute("SELECT trim(substring), aborted, elapsed >= 0 FROM svl_qlog WHERE query = %s",
                            (query,)).fetchall() == [("SELECT count(*) FROM qlog_t WHERE a > 0 /* admin qlog marker */"[:60], 0, True)]
        assert conn.execute("SELECT trim(querytxt), aborted FROM svl_stored_proc_call"
                            " WHERE querytxt LIKE 'CALL qlog_proc%'").fetchall() == [("CALL qlog_proc()", 0)]
        # CALL and DDL are not queries WLM logs.
        assert conn.execute("SELECT count(*) FROM svl_qlog WHERE substring LIKE 'CALL qlog_proc%'"
                            " OR substring LIKE 'CREATE TABLE IF NOT EXISTS qlog_t%'").fetchone() == (0,)
    with connect_as_carol(sql_cluster, database) as conn:
        conn.execute("SELECT 'carol qlog marker'")
        assert wait_for(lambda: conn.execute("SELECT count(*) FROM svl_qlog WHERE substring LIKE '%carol qlog marker%'"
                                             ).fetchone()[0]) == 1
        assert conn.execute("SELECT count(*) FROM svl_qlog WHERE substring LIKE '%admin qlog marker%'").fetchone() \
            == (0,)
        assert conn.execute("SELECT count(*) FROM stl_wlm_query WHERE userid <> current_user_id").fetchone() == (0,)


STL_QUERY_METRICS_COLUMNS = [
    "userid", "service_class", "query", "segment", "step_type", "starttime", "slices", "max_rows", "rows",
    "max_cpu_time", "cpu_time", "max_blocks_read", "blocks_read", "max_run_time", "run_time", "max_blocks_to_disk",
    "blocks_to_disk", "step", "max_query_scan_size", "query_scan_size", "query_priority", "query_queue_time",
    "service_class_name"]
SVL_QUERY_METRICS_COLUMNS = [
    "userid", "query", "service_class", "dimension", "segment", "step", "step_label", "query_cpu_time",
    "query_blocks_read", "query_execution_time", "query_cpu_usage_percent", "query_temp_blocks_to_disk",
    "segment_execution_time", "cpu_skew", "io_skew", "scan_row_count", "join_row_count", "nested_loop_join_row_count",
    "return_row_count", "spectrum_scan_row_count", "spectrum_scan_size_mb", "query_queue_time", "service_class_name"]


def test_finished_queries_have_query_level_metrics_with_nothing_unmeasured(sql_cluster, database, carol):
    """STL_QUERY_METRICS, SVL_QUERY_METRICS: a row per finished query at the query level, in the default
    queue; what the engine does not measure (CPU, blocks, rows, run times) is NULL, so AWS's sample
    queries for expensive queries find none."""
    with sql_cluster.connect(database) as conn:
        conn.execute("SELECT 1 /* admin metrics marker */")
        query = wait_for(lambda: conn.execute(
            "SELECT query FROM stl_query WHERE querytxt LIKE '%admin metrics marker%'"
            " AND querytxt NOT LIKE '%stl_query%'").fetchone())[0]
        cursor = conn.execute("SELECT * FROM stl_query_metrics WHERE query = %s", (query,))
        assert [c.name for c in cursor.description] == STL_QUERY_METRICS_COLUMNS
        [row] = cursor.fetchall()
        values = dict(zip(STL_QUERY_METRICS_COLUMNS, row))
        assert (values["service_class"], values["segment"], values["step_type"], values["step"],
                values["query_queue_time"], values["service_class_name"].strip()) == (100, -1, -1, -1, 0, "Default queue")
        assert values["starttime"] is not None and values["cpu_time"] is None and values["rows"] is None
        cursor = conn.execute("SELECT * FROM svl_query_metrics WHERE query = %s", (query,))
        assert [c.name for c in cursor.description] == SVL_QUERY_METRICS_COLUMNS
        [row] = cursor.fetchall()
        values = dict(zip(SVL_QUERY_METRICS_COLUMNS, row))
        assert (values["service_class"], values["dimension"], values["segment"], values["query_cpu_time"],
                values["query_queue_time"]) == (100, "query", None, None, 0)
        assert values["query_execution_time"] >= 0
        assert conn.execute("SELECT query_execution_time FROM svl_query_metrics_summary WHERE query = %s",
                            (query,)).fetchall() == [(values["query_execution_time"],)]
        # AWS's sample queries: high CPU time, nested loop joins, long runs on little CPU.
        for sample in ("Select query, cpu_time / 1000000 as cpu_seconds from stl_query_metrics where segment = -1"
                       " and cpu_time > 1000000000 order by cpu_time",
                       "select query, rows from stl_query_metrics where step_type = 15 and rows > 1000000 order by rows",
                       "select query, run_time/1000000 as run_time_seconds from stl_query_metrics where segment = -1"
                       " and run_time > 60000000 and cpu_time < 10000000"):
            assert conn.execute(sample).fetchall() == []
    with connect_as_carol(sql_cluster, database) as conn:  # another user's queries are not hers
        for view in ("stl_query_metrics", "svl_query_metrics"):
            assert conn.execute(f"SELECT count(*) FROM {view} WHERE query = %s", (query,)).fetchone() == (0,)


def test_a_procedures_raised_messages_are_kept_with_its_call(sql_cluster, database, carol):
    """SVL_STORED_PROC_MESSAGES and SYS_PROCEDURE_MESSAGES: what a CALL's procedures RAISE, with its query
    id, even when the call fails (AWS's example: an error of a statement is no message of its own)."""
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE OR REPLACE PROCEDURE raise_inner(f int) LANGUAGE plpgsql AS $$\n"
                     "BEGIN\n  RAISE WARNING 'inner warning %', f;\nEND; $$")
        conn.execute("CREATE OR REPLACE PROCEDURE raise_proc(f int) LANGUAGE plpgsql AS $$\n"
                     "BEGIN\n  RAISE INFO 'Log Level: Input f1 is %', f;\n  RAISE NOTICE 'Notice Level: Input f1 is %', f;\n"
                     "  CALL raise_inner(f);\n  DROP TABLE IF EXISTS no_such_table_here;\n"
                     "  IF f > 1 THEN RAISE EXCEPTION 'too big: %', f; END IF;\n"
                     "  IF f < 0 THEN EXECUTE 'select invalid'; END IF;\nEND; $$")
        conn.execute("CALL raise_proc(1) /* messages one */")
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("CALL raise_proc(2) /* messages two */")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("CALL raise_proc(-1) /* messages three */")
        with pytest.raises(psycopg.errors.FeatureNotSupported):  # refused by the catalog's raise_error
            conn.execute("CALL raise_proc(1::geography) /* messages four */")
        conn.execute("SELECT 1 /* not a call */")

        def messages(marker: str) -> list[tuple]:
            return conn.execute(
                "SELECT loglevel, trim(loglevel_text), trim(message), linenum, aborted, trim(querytext)"
                " FROM svl_stored_proc_messages WHERE querytext LIKE %s ORDER BY recordtime, loglevel",
                (f"%{marker}%",)).fetchall()

        one = messages("messages one")
        # (lines counted from the one the body starts on, after ``$$``, as PL/pgSQL counts)
        assert one == [(30, "INFO", "Log Level: Input f1 is 1", 3, 0, "CALL raise_proc(1) /* messages one */"),
                       (40, "NOTICE", "Notice Level: Input f1 is 1", 4, 0, "CALL raise_proc(1) /* messages one */"),
                       (50, "WARNING", "inner warning 1", 3, 0, "CALL raise_proc(1) /* messages one */")]
        assert [row[:5] for row in messages("messages two")][3:] == [(60, "EXCEPTION", "too big: 2", 7, 1)]
        # The engine's own notice (DROP ... IF EXISTS) and a statement's error are no RAISE.
        assert [row[1] for row in messages("messages three")] == ["INFO", "NOTICE", "WARNING"]
        assert messages("messages four") == []
        call = conn.execute("SELECT query FROM svl_stored_proc_call WHERE querytxt LIKE '%messages one%'").fetchone()[0]
        assert conn.execute("SELECT trim(log_level), trim(message), line_number FROM sys_procedure_messages"
                            " WHERE query_id = %s ORDER BY record_time", (call,)).fetchall() == \
            [("INFO", "Log Level: Input f1 is 1", 3), ("NOTICE", "Notice Level: Input f1 is 1", 4),
             ("WARNING", "inner warning 1", 3)]
    with connect_as_carol(sql_cluster, database) as conn:  # another user's calls are not hers
        assert conn.execute("SELECT count(*) FROM svl_stored_proc_messages").fetchone() == (0,)


def test_stl_error_keeps_no_sql_errors(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM no_such_table_for_stl_error")
        assert conn.execute("SELECT count(*) FROM stl_error").fetchone() == (0,)
        assert [c.name for c in conn.execute("SELECT * FROM stl_error").description] == [
            "userid", "process", "recordtime", "pid", "errcode", "file", "linenum", "context", "error"]


def test_connections_and_disconnections_are_logged_for_superusers(sql_cluster, database, carol):
    with psycopg.connect(host=sql_cluster.host, port=sql_cluster.port, user=carol, password=CAROL_PASSWORD,
                         dbname=database, application_name="monitor-test", autocommit=True) as conn:
        carol_pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Not a superuser: the log is not hers to read.
        assert conn.execute("SELECT count(*) FROM stl_connection_log").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sys_connection_log").fetchone() == (0,)
    query = ("SELECT trim(event), trim(remotehost), trim(dbname), trim(authmethod), duration > 0, trim(sslversion),"
             " trim(application_name) FROM stl_connection_log WHERE pid = %s AND username = %s")
    with sql_cluster.connect(database) as conn:
        wait_for(lambda: conn.execute(query + " AND event = 'disconnecting session'", (carol_pid, carol)).fetchone())
        tls = conn.execute("SELECT trim(sslversion) FROM stl_connection_log WHERE pid = %s", (carol_pid,)).fetchone()[0]
        assert tls.startswith("TLSv1.")  # psycopg asks for TLS first (sslmode prefer)
        assert sorted(conn.execute(query, (carol_pid, carol)).fetchall()) == [
            ("authenticated", "127.0.0.1", database, "password", False, tls, "monitor-test"),
            ("disconnecting session", "127.0.0.1", database, "password", True, tls, "monitor-test"),
            ("initiating session", "127.0.0.1", database, "password", False, tls, "monitor-test")]
        assert conn.execute("SELECT trim(user_name), trim(ssl_cipher) <> '' FROM sys_connection_log"
                            " WHERE session_id = %s AND event LIKE 'disconnecting%%'", (carol_pid,)).fetchall() \
            == [(carol, True)]


def test_sessions_from_the_connection_log(sql_cluster, database, carol):
    with psycopg.connect(host=sql_cluster.host, port=sql_cluster.port, user=carol, password=CAROL_PASSWORD,
                         dbname=database, autocommit=True) as conn:
        carol_pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Her own session, open: SYS_SESSION_HISTORY shows it active, STL_SESSIONS (ended ones) not yet.
        assert conn.execute("SELECT trim(status), trim(database_name), end_time IS NULL, session_timeout "
                            "FROM sys_session_history WHERE session_id = %s", (carol_pid,)).fetchall() == [
            ("active", database, True, 0)]
        assert conn.execute("SELECT count(*) FROM stl_sessions WHERE process = %s", (carol_pid,)).fetchone() == (0,)
    query = ("SELECT trim(user_name), trim(db_name), endtime >= starttime, timeout_sec, timed_out "
             "FROM stl_sessions WHERE process = %s AND user_name = %s")
    with sql_cluster.connect(database) as conn:
        assert wait_for(lambda: conn.execute(query, (carol_pid, carol)).fetchall()) == [
            (carol, database, True, 0, 2)]
        assert conn.execute("SELECT trim(status), end_time >= start_time FROM sys_session_history "
                            "WHERE session_id = %s AND trim(user_id) = (SELECT usesysid::text FROM pg_user "
                            "WHERE usename = %s)", (carol_pid, carol)).fetchall() == [("closed", True)]
