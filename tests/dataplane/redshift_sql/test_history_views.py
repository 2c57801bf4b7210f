"""Statement texts, sessions, changes to users and WLM queue times as the views of
catalog/33_stl_views.sql, 34_monitoring_views.sql and 34_sys_history_views.sql show them, with AWS's sample queries, on a real endpoint."""

from __future__ import annotations

import psycopg
import pytest

from sql_cluster import SqlCluster
from support import wait_for

from .helpers import fresh_user

DAVE, DAVE_PASSWORD = "history_dave", "Dave1password"


@pytest.fixture(scope="module")
def dave(sql_cluster: SqlCluster, database: str) -> str:
    return fresh_user(sql_cluster, database, DAVE, DAVE_PASSWORD)


def test_sys_query_text_holds_each_statement_in_4000_character_pieces(sql_cluster, database):
    long_literal = "x" * 5000
    with sql_cluster.connect(database) as conn:
        conn.execute(f"SELECT '{long_literal}' AS long_one")
        long_id = conn.execute("SELECT pg_last_query_id()").fetchone()[0]
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        # AWS's sample: the statement before it (pg_last_query_id), piece by piece.
        pieces = conn.execute("SELECT trim(text) as text, sequence FROM sys_query_text"
                              " WHERE query_id = pg_last_query_id() AND user_id > 1 order by sequence").fetchall()
        assert pieces == [("SELECT pg_backend_pid()", 0)]
        rows = conn.execute("SELECT user_id, query_id, transaction_id, session_id, start_time, sequence,"
                            " trim(text) as text from sys_query_text ORDER BY sequence").fetchall()
        long_pieces = [row for row in rows if row[1] == long_id]
        assert [(row[3], row[5], row[6]) for row in long_pieces] == [
            (pid, 0, "SELECT '" + "x" * 3992), (pid, 1, "x" * 1008 + "' AS long_one")]
        user_id = conn.execute("SELECT current_user_id").fetchone()[0]
        assert {row[0] for row in rows} == {user_id}


def test_an_ended_session_is_in_stl_sessions_and_sys_session_history(sql_cluster, database, dave):
    with sql_cluster.connect(database, user=dave, password=DAVE_PASSWORD) as conn:
        dave_pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Her own session is open: active, not ended.
        assert conn.execute("SELECT trim(status), end_time, session_timeout FROM sys_session_history"
                            " WHERE session_id = %s", (dave_pid,)).fetchall() == [("active", None, 0)]
    with sql_cluster.connect(database) as conn:
        ended = "SELECT process FROM stl_sessions WHERE process = %s"
        wait_for(lambda: conn.execute(ended, (dave_pid,)).fetchone())
        dave_id = conn.execute("SELECT usesysid FROM pg_user WHERE usename = %s", (dave,)).fetchone()[0]
        assert conn.execute("SELECT userid, trim(user_name), trim(db_name), timeout_sec, timed_out, endtime >= starttime"
                            " FROM stl_sessions WHERE process = %s", (dave_pid,)).fetchall() \
            == [(dave_id, dave, database, 0, 2, True)]  # 2: the client ended it
        assert conn.execute("SELECT trim(user_id), trim(database_name), trim(status), end_time >= start_time"
                            " FROM sys_session_history WHERE session_id = %s", (dave_pid,)).fetchall() \
            == [(str(dave_id), database, "closed", True)]
        # AWS's sample: a database's session history.
        rows = conn.execute("select starttime, process, user_name, timeout_sec, timed_out from stl_sessions"
                            " where db_name=%s order by starttime", (database,)).fetchall()
        assert dave_pid in [row[1] for row in rows]
    with sql_cluster.connect(database, user=dave, password=DAVE_PASSWORD) as conn:
        # A regular user sees only their own sessions.
        assert {row[0] for row in conn.execute("SELECT trim(user_name) FROM stl_sessions").fetchall()} == {dave}
        assert conn.execute("SELECT count(*) FROM sys_session_history WHERE trim(user_id) <> current_user_id::text"
                            ).fetchone() == (0,)


def test_user_changes_are_in_stl_userlog_and_sys_userlog(sql_cluster, database, dave):
    with sql_cluster.connect(database) as conn:
        # AWS's sample: four user actions, then the view, newest first.
        conn.execute("create user history_userlog1 password 'Userlog1'")
        conn.execute("alter user history_userlog1 createdb createuser")
        conn.execute("alter user history_userlog1 rename to history_userlog2")
        conn.execute("drop user history_userlog2")
        rows = conn.execute("SELECT user_id, user_name, original_user_name, action, has_create_db_privs,"
                            " is_superuser from SYS_USERLOG order by record_time desc").fetchall()
        assert [(row[0], row[1].rstrip(), row[2].rstrip(), row[3].rstrip(), row[4], row[5]) for row in rows] == [
            (None, "history_userlog2", "", "drop", None, None),
            (None, "history_userlog2", "history_userlog1", "rename", None, None),
            (None, "history_userlog1", "", "alter", None, None),
            (None, "history_userlog1", "", "create", None, None),
            (None, DAVE, "", "create", None, None),  # the module's fixture: DROP USER IF EXISTS, CREATE USER
            (None, DAVE, "", "drop", None, None)]
        # STL_USERLOG's sample: the same rows with Redshift's older names.
        legacy = conn.execute("select userid, username, oldusername, action, usecreatedb, usesuper from stl_userlog"
                              " order by recordtime desc").fetchall()
        assert [tuple(v.rstrip() if isinstance(v, str) else v for v in row) for row in legacy][:4] == [
            (None, "history_userlog2", "", "drop", None, None),
            (None, "history_userlog2", "history_userlog1", "rename", None, None),
            (None, "history_userlog1", "", "alter", None, None),
            (None, "history_userlog1", "", "create", None, None)]
        assert conn.execute("select count(*) from stl_userlog where pid = pg_backend_pid()").fetchone() == (4,)
        conn.execute('create user "History ""Q""" password \'Userlog1\'')
        conn.execute("create user history_userlog3 password 'Userlog1'")
        conn.execute('drop user if exists "History ""Q""", history_userlog3')
        drops = conn.execute("select trim(user_name) from sys_userlog where action = 'drop'"
                             " order by record_time desc, user_name").fetchall()
        assert drops[:2] == [('History "Q"',), ("history_userlog3",)]
    with sql_cluster.connect(database, user=dave, password=DAVE_PASSWORD) as conn:
        # Superusers only, as in Redshift.
        assert conn.execute("SELECT count(*) FROM stl_userlog").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sys_userlog").fetchone() == (0,)


def test_svl_query_queue_info_times_statements_in_the_default_queue(sql_cluster, database, dave):
    with sql_cluster.connect(database) as conn:
        conn.execute("select pg_sleep(1.1) /* queue info */")
        # AWS's sample: the statements that spent time in WLM.
        rows = conn.execute("select query, service_class, queue_elapsed, exec_elapsed, wlm_total_elapsed"
                            " from svl_query_queue_info where wlm_total_elapsed > 0").fetchall()
        slept = conn.execute("SELECT query FROM stl_query WHERE querytxt LIKE '%queue info */%'"
                             " AND querytxt NOT LIKE '%stl_query%'").fetchone()[0]
        assert [row[1:3] for row in rows if row[0] == slept] == [(100, 0)]
        assert [row[3] >= 1 and row[3] == row[4] for row in rows if row[0] == slept] == [True]
        assert conn.execute("SELECT trim(service_class_name), slots, trim(querytxt) FROM svl_query_queue_info"
                            " WHERE query = %s", (slept,)).fetchone() \
            == ("Default queue", 1, "select pg_sleep(1.1) /* queue info */")
    with sql_cluster.connect(database, user=dave, password=DAVE_PASSWORD) as conn:
        assert conn.execute("SELECT count(*) FROM svl_query_queue_info").fetchone() == (0,)


@pytest.mark.parametrize(("view", "column"), [("stl_sessions", "user_name"), ("sys_session_history", "database_name"),
                                              ("sys_query_text", "text"), ("stl_userlog", "username")])
def test_a_users_failing_condition_never_shows_the_rows_a_view_hides(sql_cluster, database, dave, view, column):
    """The views' filters run before a regular user's conditions (their base views are security
    barriers): a cast that fails quotes one of the user's own rows, never another user's."""
    with sql_cluster.connect(database) as conn:
        conn.execute("SELECT 'admin only' AS hidden")
    with sql_cluster.connect(database, user=dave, password=DAVE_PASSWORD) as conn:
        conn.execute("SELECT 'mine'")
        try:
            conn.execute(f"SELECT count(*) FROM {view} WHERE {column}::int = 1")
        except psycopg.errors.InvalidTextRepresentation as error:
            assert "admin" not in str(error)
