"""The engine's Redshift system views on a real endpoint: the query history as STL/SYS views
show it, what a regular user may see next to a Redshift superuser, groups and roles, and
table statistics that follow the data."""

from __future__ import annotations

import threading

import psycopg
import pytest

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster
from support import wait_for

from .helpers import fresh_user

BOB, BOB_PASSWORD = "catalog_bob", "Bob1password"
LONG = "select '" + "x" * 450 + "' as padding"


@pytest.fixture(scope="module")
def bob(sql_cluster: SqlCluster, database: str) -> str:
    return fresh_user(sql_cluster, database, BOB, BOB_PASSWORD)


def connect_as_bob(sql_cluster: SqlCluster, database: str) -> psycopg.Connection:
    return sql_cluster.connect(database, user=BOB, password=BOB_PASSWORD)


def history(conn: psycopg.Connection, text: str) -> list[tuple]:
    """SYS_QUERY_HISTORY rows of statements whose text contains ``text``, once recorded."""
    query = ("SELECT trim(query_type), trim(status), returned_rows, trim(error_message) FROM sys_query_history"
             " WHERE query_text LIKE %s AND query_text NOT LIKE '%%sys_query_history%%' ORDER BY query_id")
    return wait_for(lambda: conn.execute(query, (f"%{text}%",)).fetchall())


def test_statements_run_through_the_endpoint_are_in_the_history_views(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE hist_t (a int)")
        conn.execute("INSERT INTO hist_t VALUES (1), (2), (3)")
        conn.execute("SELECT count(*) FROM hist_t WHERE a > 1")
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM hist_missing")
        conn.execute(LONG)
        assert history(conn, "hist_t (a int)") == [("DDL", "success", None, None)]
        assert history(conn, "INSERT INTO hist_t") == [("INSERT", "success", 3, None)]
        assert history(conn, "count(*) FROM hist_t") == [("SELECT", "success", 1, None)]
        # A comment before the statement (dbt's query comment) does not change its kind.
        conn.execute("/* {\"app\": \"dbt\"} */\n-- hist\nSELECT max(a) FROM hist_t")
        assert history(conn, "max(a) FROM hist_t") == [("SELECT", "success", 1, None)]
        [(kind, status, rows, error)] = history(conn, "hist_missing")
        assert (kind, status, rows) == ("SELECT", "failed", None) and "hist_missing" in error
        # STL_QUERY holds queries; DDL goes to STL_DDLTEXT; long texts come in 200-character pieces.
        assert conn.execute("SELECT aborted FROM stl_query WHERE querytxt LIKE '%hist_missing%'"
                            " AND querytxt NOT LIKE '%stl_query%'").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM stl_query WHERE querytxt LIKE '%hist_t (a int)%'").fetchone() \
            == (0,)
        assert conn.execute("SELECT trim(text) FROM stl_ddltext WHERE text LIKE '%hist_t (a int)%'").fetchall() \
            == [("CREATE TABLE hist_t (a int)",)]
        # GRANT, TRUNCATE, COMMENT and CREATE/ALTER/DROP USER are DDL to SYS_QUERY_HISTORY but
        # Redshift files them under STL_UTILITYTEXT, not STL_DDLTEXT.
        for statement in ("GRANT SELECT ON hist_t TO PUBLIC", "/* c */ TRUNCATE hist_t",
                          "COMMENT ON TABLE hist_t IS 'kept'", "CREATE USER hist_u PASSWORD DISABLE",
                          "DROP USER hist_u"):
            conn.execute(statement)
        filed = ("SELECT (SELECT count(*) FROM stl_utilitytext WHERE text LIKE %(t)s),"
                 " (SELECT count(*) FROM stl_ddltext WHERE text LIKE %(t)s)")
        for text, utility_rows in (("GRANT SELECT ON hist_t%", 1), ("%TRUNCATE hist_t%", 1),
                                   ("COMMENT ON TABLE hist_t%", 1), ("%USER hist_u%", 2)):
            assert conn.execute(filed, {"t": text}).fetchone() == (utility_rows, 0), text
        pieces = conn.execute(
            "SELECT sequence, length(rtrim(text)) FROM stl_querytext WHERE query ="
            " (SELECT max(query) FROM stl_query WHERE querytxt LIKE 'select ''xxx%') ORDER BY sequence").fetchall()
        assert pieces == [(0, 200), (1, 200), (2, len(LONG) - 400)]
        assert conn.execute("SELECT pg_last_query_id() > 0").fetchone() == (True,)
        recents = conn.execute("SELECT trim(status), trim(query) FROM stv_recents WHERE pid = pg_backend_pid()"
                               " ORDER BY starttime DESC LIMIT 1").fetchone()
        assert recents[0] == "Running" and "stv_recents" in recents[1]


_RUNNING_TEXT = {  # the views showing what runs, and their text column
    "stv_recents": "query", "stv_inflight": "text", "svv_query_inflight": "text", "pg_stat_activity": "query"}


def running_texts(conn: psycopg.Connection, pid: int) -> dict[str, str]:
    texts = {}
    for view, column in _RUNNING_TEXT.items():
        state = " AND status = 'Running'" if view == "stv_recents" else ""
        row = conn.execute(f"SELECT string_agg(rtrim({column}), '' ORDER BY 1) FROM {view} WHERE pid = %s{state}",
                           (pid,)).fetchone()
        texts[view] = row[0] or ""
    return texts


def test_a_running_statement_shows_its_password_masked(sql_cluster, database, bob):
    """While a Query giving a password runs (here its first statement sleeps), its text shows
    PASSWORD '***' to the user running it, in another session, and to a superuser: never the password,
    as on Redshift."""
    with connect_as_bob(sql_cluster, database) as changer, connect_as_bob(sql_cluster, database) as watcher, \
            sql_cluster.connect(database) as superuser:
        # Each read its own transaction: pg_stat_activity is read once per transaction.
        changer.autocommit = watcher.autocommit = superuser.autocommit = True
        pid = changer.execute("SELECT pg_backend_pid()").fetchone()[0]

        def change() -> None:
            with pytest.raises(psycopg.errors.QueryCanceled):
                changer.execute(f"SELECT pg_sleep(60); ALTER USER {BOB} PASSWORD '{BOB_PASSWORD}'")

        changing = threading.Thread(target=change)
        changing.start()
        try:
            # (once every view shows the running statement: STV_INFLIGHT's 100 characters end before
            # the password of the translated ALTER USER)
            seen = wait_for(lambda: (lambda t: t if all("pg_sleep" in text for text in t.values()) else None)(
                running_texts(watcher, pid)))
            for viewer, texts in (("the user", seen), ("a superuser", running_texts(superuser, pid))):
                for view, text in texts.items():
                    assert BOB_PASSWORD not in text, (viewer, view)
                    if "PASSWORD" in text:
                        assert "PASSWORD '***'" in text, (viewer, view, text)
            assert all(seen.values()), seen  # the user sees their own statement in each view
            assert "PASSWORD '***'" in seen["stv_recents"]
        finally:
            changer.cancel_safe()
            changing.join()


def test_a_regular_user_sees_their_own_rows_a_superuser_sees_all(sql_cluster, database, bob):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE owned_by_admin (a int)")
        conn.execute("INSERT INTO owned_by_admin VALUES (1)")
        conn.execute("CREATE TABLE shared_with_bob (a int)")
        conn.execute(f"GRANT SELECT ON shared_with_bob TO {bob}")
    with connect_as_bob(sql_cluster, database) as conn:
        conn.execute("SELECT 'bob was here' AS marker")
        assert conn.execute("SELECT usesuper FROM pg_user WHERE usename = current_user").fetchone() == (False,)
        assert conn.execute("SELECT user_name, superuser, syslog_access FROM svv_user_info").fetchall() == [
            (bob, False, "RESTRICTED")]
        assert conn.execute("SELECT count(*) FROM svv_table_info").fetchone() == (0,)
        tables = {name for (name,) in conn.execute(
            "SELECT table_name FROM svv_tables WHERE table_schema = 'public'").fetchall()}
        assert "shared_with_bob" in tables and "owned_by_admin" not in tables
        assert history(conn, "bob was here")
        assert {user for (user,) in conn.execute("SELECT DISTINCT userid FROM stl_query").fetchall()} == {
            conn.execute("SELECT current_user_id").fetchone()[0]}
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM stl_query WHERE querytxt LIKE '%bob was here%'"
                            " AND querytxt NOT LIKE '%stl_query%'").fetchone() == (1,)
        assert conn.execute(f"SELECT superuser FROM svv_user_info WHERE user_name = '{bob}'").fetchone() == (False,)
        assert conn.execute("SELECT superuser FROM svv_user_info WHERE user_name = current_user").fetchone() \
            == (True,)


def test_pg_user_keeps_the_internal_roles_settings_and_the_superusers_reach_to_itself(sql_cluster, database, bob):
    """rdsdb's session settings (its search_path, timeouts) are localshift's; the grant through which
    Redshift superusers reach every user's objects is no membership Redshift shows."""
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT usesysid, usesuper, usecatupd, useconfig FROM pg_user_info"
                            " WHERE usename = 'rdsdb'").fetchone() == (10, True, True, None)
        assert conn.execute("SELECT usecatupd FROM pg_user WHERE usename = current_user").fetchone() == (False,)
        assert conn.execute("SELECT pg_has_role('localshift_superuser', %s, 'MEMBER')", (bob,)).fetchone() == (True,)
        assert conn.execute("SELECT count(*) FROM localshift.role_grants WHERE roleid = %s::regrole",
                            (bob,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM svv_user_grants WHERE user_name = %s", (bob,)).fetchone() == (0,)


def test_groups_roles_and_what_they_were_granted(sql_cluster, database, bob):
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP GROUP IF EXISTS catalog_readers")
        conn.execute("DROP ROLE IF EXISTS catalog_auditor")
        conn.execute(f"CREATE GROUP catalog_readers WITH USER {bob}")
        conn.execute("CREATE ROLE catalog_auditor")
        conn.execute("CREATE TABLE granted_t (a int)")
        conn.execute("GRANT SELECT ON granted_t TO GROUP catalog_readers")
        conn.execute("GRANT INSERT ON granted_t TO ROLE catalog_auditor")
        conn.execute(f"GRANT DELETE ON granted_t TO {bob}")
        assert conn.execute("SELECT groname, grolist = ARRAY[(SELECT usesysid FROM pg_user WHERE usename = %s)]"
                            " FROM pg_group WHERE groname = 'catalog_readers'", (bob,)).fetchall() == [
            ("catalog_readers", True)]
        roles = {name for (name,) in conn.execute("SELECT role_name FROM svv_roles").fetchall()}
        assert "catalog_auditor" in roles and "catalog_readers" not in roles
        assert not any(name.startswith("localshift_") for name in roles)
        assert conn.execute("SELECT privilege_type, identity_name, identity_type FROM svv_relation_privileges"
                            " WHERE relation_name = 'granted_t' ORDER BY 1").fetchall() == [
            ("DELETE", bob, "user"), ("INSERT", "catalog_auditor", "role"), ("SELECT", "catalog_readers", "group")]


def test_table_statistics_follow_the_data(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE stats_t (id int, note varchar(30)) DISTKEY(id) SORTKEY(id)")
        assert conn.execute("SELECT count(*) FROM svv_table_info WHERE \"table\" = 'stats_t'").fetchone() == (0,)
        conn.execute("INSERT INTO stats_t SELECT g, 'n' || g FROM generate_series(1, 5000) g")
        conn.execute("DELETE FROM stats_t WHERE id > 4000")
        row = conn.execute("SELECT tbl_rows, estimated_visible_rows, size >= 1, create_time IS NOT NULL"
                           " FROM svv_table_info WHERE \"table\" = 'stats_t'").fetchone()
        assert row == (4000, 4000, True, True)
        assert conn.execute("SELECT rows, sorted_rows FROM stv_tbl_perm WHERE trim(name) = 'stats_t'").fetchone() \
            == (4000, 4000)
        conn.execute("ANALYZE stats_t")
        assert conn.execute("SELECT stats_off FROM svv_table_info WHERE \"table\" = 'stats_t'").fetchone()[0] == 0


def test_late_binding_views_list_their_columns_apart(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE lbv_base (id int, amount decimal(8,2))")
        conn.execute("CREATE VIEW lbv AS SELECT id, amount * 2 AS doubled FROM public.lbv_base WITH NO SCHEMA BINDING")
        conn.execute("CREATE VIEW bound AS SELECT id FROM lbv_base")
        query = ("SELECT view_name, col_name, col_type, col_num FROM pg_get_late_binding_view_cols()"
                 " cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)"
                 " WHERE view_schema = 'public' ORDER BY col_num")
        assert conn.execute(query).fetchall() == [("lbv", "id", "integer", 1), ("lbv", "doubled", "numeric", 2)]
        # Redshift's pg_attribute has no columns for late-binding views.
        assert conn.execute("SELECT count(*), bool_and(attencodingtype = 0) FROM pg_attribute"
                            " WHERE attrelid = 'lbv'::regclass").fetchone() == (0, None)
        conn.execute("CREATE OR REPLACE VIEW lbv AS SELECT id, amount * 2 AS doubled FROM public.lbv_base")
        assert conn.execute(query).fetchall() == []


def test_show_databases_svv_redshift_databases_and_pg_database_list_the_same_databases(sql_cluster, database, bob):
    """The cluster's databases, the same for every user: the engine's own database postgres is in none
    of them (nor, as a database, in SHOW GRANTS); pg_database also has Redshift's templates."""
    for user, password in ((MASTER_USER, PASSWORD), (BOB, BOB_PASSWORD)):
        with sql_cluster.connect(database, user=user, password=password) as conn:
            shown = conn.execute("SHOW DATABASES").fetchall()
            names = [row[0] for row in shown]
            assert database in names and "dev" in names and "postgres" not in names
            assert conn.execute("SELECT database_name, database_owner, database_isolation_level"
                                " FROM svv_redshift_databases ORDER BY 1").fetchall() == [
                (row[0], row[1], row[5]) for row in shown]
            assert {row[5] for row in shown} == {"Snapshot Isolation"}
            assert conn.execute("SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1").fetchall() \
                == [(name,) for name in names]
            assert conn.execute("SELECT datname FROM pg_catalog.pg_database WHERE datistemplate ORDER BY 1"
                                ).fetchall() == [("template0",), ("template1",)]
            assert conn.execute("SELECT count(*) FROM pg_database_info WHERE datname = 'postgres'").fetchone() == (0,)
    with sql_cluster.connect(database) as conn, pytest.raises(psycopg.errors.InvalidCatalogName):
        conn.execute("SHOW GRANTS ON DATABASE postgres")


def test_a_name_in_another_database_fails_as_redshift_without_cross_database_queries(sql_cluster, database):
    """Each database is an engine database of its own, with no foreign data wrapper: reading,
    writing or creating a relation of another database is refused, naming that database."""
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM pg_available_extensions"
                            " WHERE name IN ('postgres_fdw', 'dblink')").fetchone() == (0,)
        conn.execute("CREATE TABLE here_t (a int)")
        assert conn.execute(f"SELECT count(*) FROM {database}.public.here_t").fetchone() == (0,)
        for statement in ("SELECT * FROM dev.public.some_table", "INSERT INTO dev.public.t VALUES (1)",
                          "CREATE TABLE dev.public.t (a int)", "CREATE VIEW cross_v AS SELECT * FROM dev.public.t",
                          "SELECT * FROM here_t JOIN dev.s.t USING (a)"):
            with pytest.raises(psycopg.errors.FeatureNotSupported) as failed:
                conn.execute(statement)
            assert str(failed.value).splitlines()[0] == 'cross-database reference to database "dev" is not supported'


def test_a_users_id_is_the_same_in_every_view(sql_cluster, database, bob):
    """PG_USER, PG_USER_INFO, SVV_USER_INFO, CURRENT_USER_ID and the query history agree on a user's id
    (the engine's role id); rdsdb's is 10, the engine's first role."""
    for user, password in ((MASTER_USER, PASSWORD), (BOB, BOB_PASSWORD)):
        with sql_cluster.connect(database, user=user, password=password) as conn:
            conn.execute("SELECT 'whose id' AS marker")
            (me,) = conn.execute("SELECT current_user_id").fetchone()
            assert conn.execute("SELECT usesysid FROM pg_user WHERE usename = current_user").fetchone() == (me,)
            assert conn.execute("SELECT usesysid FROM pg_user_info WHERE usename = current_user").fetchone() == (me,)
            assert conn.execute("SELECT user_id FROM svv_user_info WHERE user_name = current_user").fetchone() == (me,)
            assert conn.execute("SELECT pg_get_userbyid(current_user_id)").fetchone() == (user,)
            assert wait_for(lambda: conn.execute(
                "SELECT DISTINCT userid FROM stl_query WHERE querytxt LIKE '%whose id%'"
                " AND querytxt NOT LIKE '%stl_query%'").fetchall()) == [(me,)]
            assert conn.execute("SELECT usesysid FROM pg_user WHERE usename = 'rdsdb'").fetchone() == (10,)
