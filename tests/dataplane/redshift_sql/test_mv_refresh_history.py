"""Materialized views' refreshes as Redshift records them (catalog/42_materialized_views.sql), on a real endpoint:
SVL_MV_REFRESH_STATUS, SYS_MV_REFRESH_HISTORY and STL_MV_STATE, each user seeing their own; REFRESH's tag and
errors; a failed refresh recorded without touching the user's transaction."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import MIA_PASSWORD


def test_refreshes_show_in_svl_mv_refresh_status_to_their_users(sql_cluster, database, mia):
    def refreshes(conn: psycopg.Connection) -> list[tuple]:
        return conn.execute("SELECT trim(schema_name), trim(mv_name), status, trim(db_name) = current_database(),"
                            " userid = current_user_id, xid > 0, starttime <= endtime"
                            " FROM svl_mv_refresh_status WHERE schema_name LIKE 'mv_status%' ORDER BY starttime").fetchall()

    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_status CASCADE")
        conn.execute("DROP SCHEMA IF EXISTS mv_status_mia CASCADE")
        conn.execute("CREATE SCHEMA mv_status")
        conn.execute(f"CREATE SCHEMA mv_status_mia AUTHORIZATION {mia}")
        conn.execute("CREATE TABLE mv_status.sales (g int, amount int)")
        conn.execute("GRANT USAGE ON SCHEMA mv_status TO PUBLIC")
        conn.execute("GRANT SELECT ON mv_status.sales TO PUBLIC")
        conn.execute("CREATE MATERIALIZED VIEW mv_status.sums AS SELECT g, sum(amount) AS s FROM mv_status.sales GROUP BY g")
        conn.execute("CREATE MATERIALIZED VIEW mv_status.ranked AS"
                     " SELECT g, row_number() OVER (ORDER BY g) AS r FROM mv_status.sales")
        conn.execute("REFRESH MATERIALIZED VIEW mv_status.sums")  # nothing changed since CREATE
        conn.execute("INSERT INTO mv_status.sales VALUES (1, 2)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_status.sums")
        conn.execute("REFRESH MATERIALIZED VIEW mv_status.ranked")
        assert refreshes(conn) == [
            ("mv_status", "sums", "MV was already updated", True, True, True, True),
            ("mv_status", "sums", "Refresh successfully updated MV incrementally", True, True, True, True),
            ("mv_status", "ranked", "Refresh successfully recomputed MV from scratch", True, True, True, True)]
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
        conn.execute("CREATE MATERIALIZED VIEW mv_status_mia.mine AS SELECT count(*) AS n FROM mv_status.sales")
        conn.execute("REFRESH MATERIALIZED VIEW mv_status_mia.mine")
        # Her own refreshes only; the history is the internal role's.
        assert refreshes(conn) == [("mv_status_mia", "mine", "MV was already updated", True, True, True, True)]
        for statement in ("SELECT * FROM localshift.mv_refresh_history",
                          "SELECT localshift.note_mv_refresh_status(0, 0, now()::timestamp, 'Refreshed')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with sql_cluster.connect(database) as conn:  # superusers see every row
        assert [row[1] for row in refreshes(conn)] == ["sums", "sums", "ranked", "mine"]


def test_refreshes_and_state_transitions_show_in_sys_mv_refresh_history_and_stl_sys_mv_state(sql_cluster, database, mia):
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_history CASCADE")
        conn.execute("CREATE SCHEMA mv_history")
        conn.execute("CREATE TABLE mv_history.sales (g int, amount int)")
        conn.execute("CREATE MATERIALIZED VIEW mv_history.sums AS SELECT g, sum(amount) AS s FROM mv_history.sales GROUP BY g")
        conn.execute("INSERT INTO mv_history.sales VALUES (1, 2)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_history.sums")
        # A TRUNCATE of a base table: the view's state becomes Recompute, its next refresh recomputes it.
        conn.execute("TRUNCATE mv_history.sales")
        conn.execute("REFRESH MATERIALIZED VIEW mv_history.sums")
        assert conn.execute(
            "SELECT user_id = current_user_id, session_id = pg_backend_pid(), transaction_id > 0,"
            " trim(database_name) = current_database(), trim(schema_name), mv_id = 'mv_history.sums'::regclass::oid,"
            " trim(mv_name), trim(refresh_type), status, start_time <= end_time, duration >= 0"
            " FROM sys_mv_refresh_history WHERE schema_name = 'mv_history' ORDER BY start_time").fetchall() == [
            (True, True, True, True, "mv_history", True, "sums", "Manual",
             "Refresh successfully updated MV incrementally", True, True),
            (True, True, True, True, "mv_history", True, "sums", "Manual",
             "Refresh successfully recomputed MV from scratch", True, True)]
        assert conn.execute(
            "SELECT userid = current_user_id, xid > 0, trim(event_desc), trim(db_name) = current_database(),"
            " trim(base_table_schema), trim(base_table_name), trim(mv_schema), trim(mv_name), trim(state)"
            " FROM stl_mv_state WHERE mv_schema = 'mv_history'").fetchall() == [
            (True, True, "TRUNCATE", True, "mv_history", "sales", "mv_history", "sums", "Recompute")]
        assert conn.execute(
            "SELECT user_id = current_user_id, transaction_id > 0, trim(database_name) = current_database(),"
            " trim(event_desc), trim(base_table_database_name) = current_database(), trim(base_table_schema),"
            " trim(base_table_name), trim(mv_schema), trim(mv_name), trim(state)"
            " FROM sys_mv_state WHERE mv_schema = 'mv_history'").fetchall() == [
            (True, True, True, "TRUNCATE", True, "mv_history", "sales", "mv_history", "sums", "Recompute")]
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:  # another's: not shown
        assert conn.execute("SELECT count(*) FROM sys_mv_refresh_history WHERE schema_name = 'mv_history'"
                            " UNION ALL SELECT count(*) FROM stl_mv_state WHERE mv_schema = 'mv_history'"
                            " UNION ALL SELECT count(*) FROM sys_mv_state WHERE mv_schema = 'mv_history'").fetchall() == [
            (0,), (0,), (0,)]
        for statement in ("SELECT * FROM localshift.mv_state_history", "SELECT localshift.ensure_mv_key(0)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_refresh_keeps_its_tag_and_errors(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS mv_tagged_base (a int)")
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS mv_tagged")
        conn.execute("CREATE MATERIALIZED VIEW mv_tagged AS SELECT a FROM mv_tagged_base")  # no key: a plain refresh
        assert conn.execute("REFRESH MATERIALIZED VIEW mv_tagged").statusmessage == "REFRESH MATERIALIZED VIEW"
        with pytest.raises(psycopg.errors.UndefinedTable, match='relation "mv_missing" does not exist'):
            conn.execute("REFRESH MATERIALIZED VIEW mv_missing")
        with pytest.raises(psycopg.errors.FeatureNotSupported, match='"mv_tagged_base" is not a materialized view'):
            conn.execute("REFRESH MATERIALIZED VIEW mv_tagged_base")


def test_a_failed_refresh_is_recorded_without_touching_the_users_transaction(sql_cluster, database, mia):
    def failed(conn: psycopg.Connection) -> list[tuple]:
        return conn.execute(
            "SELECT trim(mv_name), status, transaction_id, trim(refresh_type), user_id = current_user_id,"
            " session_id = pg_backend_pid(), start_time <= end_time FROM sys_mv_refresh_history"
            " WHERE schema_name = 'mv_failed' AND status LIKE 'Refresh failed%' ORDER BY start_time").fetchall()

    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_failed CASCADE")
        conn.execute(f"CREATE SCHEMA mv_failed AUTHORIZATION {mia}")
        conn.execute("CREATE TABLE mv_failed.sales (g int, amount int)")
        conn.execute(f"GRANT SELECT ON mv_failed.sales TO {mia}")
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
        conn.execute("CREATE MATERIALIZED VIEW mv_failed.sums AS SELECT g, sum(amount) AS s FROM mv_failed.sales GROUP BY g")
        conn.execute("CREATE MATERIALIZED VIEW mv_failed.ratios AS SELECT g, 1 / min(amount) AS r FROM mv_failed.sales GROUP BY g")
    with sql_cluster.connect(database) as conn:
        conn.execute(f"REVOKE SELECT ON mv_failed.sales FROM {mia}")
        conn.execute("INSERT INTO mv_failed.sales VALUES (1, 0)")
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
        # The owner lost SELECT on a base table: the refresh fails with the engine's error, in her
        # transaction block, which it aborts; the failure is recorded all the same.
        conn.execute("BEGIN")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation sales") as error:
            conn.execute("REFRESH MATERIALIZED VIEW mv_failed.sums")
        assert error.value.diag.schema_name is None and error.value.diag.table_name is None
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.execute("ROLLBACK")
        assert failed(conn) == [("sums", "Refresh failed due to an internal error", 0, "Manual", True, True, True)]
    with sql_cluster.connect(database) as conn:
        conn.execute(f"GRANT SELECT ON mv_failed.sales TO {mia}")
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
        conn.autocommit = True
        conn.execute("SET search_path TO mv_failed")
        with pytest.raises(psycopg.errors.DivisionByZero):  # an error of the view's query (unqualified name)
            conn.execute("REFRESH MATERIALIZED VIEW ratios")
        conn.execute("REFRESH MATERIALIZED VIEW sums")
        assert [row[:2] for row in failed(conn)] == [("sums", "Refresh failed due to an internal error"),
                                                     ("ratios", "Refresh failed due to an internal error")]
        assert conn.execute("SELECT status FROM svl_mv_refresh_status WHERE schema_name = 'mv_failed'"
                            " ORDER BY starttime").fetchall() == [
            ("Refresh failed due to an internal error",), ("Refresh failed due to an internal error",),
            ("Refresh successfully updated MV incrementally",)]
        # A refresh cut by statement_timeout (Redshift's words for the cancel).
        conn.execute("CREATE MATERIALIZED VIEW slow AS SELECT g, sum(amount) + count(pg_sleep(2)) AS s"
                     " FROM mv_failed.sales GROUP BY g")
        conn.execute("SET statement_timeout TO 200")
        with pytest.raises(psycopg.errors.QueryCanceled, match=r"Query \(\d+\) canceled on user's request"):
            conn.execute("REFRESH MATERIALIZED VIEW slow")
        conn.execute("RESET statement_timeout")
        assert [row[0] for row in failed(conn)] == ["sums", "ratios", "slow"]
        # Calling the catalog's function by hand records nothing.
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("SELECT localshift.raise_refresh_error('mv_failed.sums'::regclass, 'P0001', 'x', NULL)")
        assert len(failed(conn)) == 3
