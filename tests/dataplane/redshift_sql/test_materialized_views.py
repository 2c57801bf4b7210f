"""Materialized views' state in SVV_MV_INFO and STV_MV_INFO (catalog/42_materialized_views.sql),
on a real endpoint: staleness follows the base tables' changes and the views' refreshes."""

from __future__ import annotations

import threading

import psycopg
import pytest

from sql_cluster import SqlCluster
from support import wait_for

from .helpers import fresh_user

MIA, PASSWORD = "mv_mia", "Matviews1password"


@pytest.fixture(scope="module")
def mia(sql_cluster: SqlCluster, database: str) -> str:
    return fresh_user(sql_cluster, database, MIA, PASSWORD)


def stale(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT trim(name), is_stale FROM svv_mv_info WHERE schema_name = 'mvs'").fetchall())


def test_a_view_is_stale_once_a_base_changes_and_fresh_after_refresh(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mvs CASCADE")
        conn.execute("CREATE SCHEMA mvs")
        conn.execute("CREATE TABLE mvs.sales (region varchar(10), amount int)")
        conn.execute("INSERT INTO mvs.sales VALUES ('north', 1), ('south', 2)")
        conn.execute("CREATE VIEW mvs.north AS SELECT amount FROM mvs.sales WHERE region = 'north'")
        conn.execute("CREATE MATERIALIZED VIEW mvs.totals AUTO REFRESH YES AS"
                     " SELECT region, sum(amount) AS total FROM mvs.sales GROUP BY region")
        conn.execute("CREATE MATERIALIZED VIEW mvs.north_total AS SELECT sum(amount) AS total FROM mvs.north")
        conn.execute("CREATE MATERIALIZED VIEW mvs.of_totals AS SELECT count(*) AS n FROM mvs.totals")
        assert conn.execute("SELECT trim(name), is_stale, state, autorefresh, autorewrite FROM svv_mv_info"
                            " WHERE schema_name = 'mvs' ORDER BY 1").fetchall() == [
            ("north_total", "f", 1, "f", "t"), ("of_totals", "f", 1, "f", "t"), ("totals", "f", 1, "t", "t")]
        with pytest.raises(psycopg.errors.DivisionByZero):
            with conn.transaction():  # a change rolled back changes nothing
                conn.execute("INSERT INTO mvs.sales VALUES ('north', 3)")
                conn.execute("SELECT 1 / 0")
        assert stale(conn) == {"north_total": "f", "of_totals": "f", "totals": "f"}
        # Through the plain view too; a view over a view is stale once that view is refreshed.
        conn.execute("UPDATE mvs.sales SET amount = 5 WHERE region = 'north'")
        assert stale(conn) == {"north_total": "t", "of_totals": "f", "totals": "t"}
        conn.execute("REFRESH MATERIALIZED VIEW mvs.totals")
        assert stale(conn) == {"north_total": "t", "of_totals": "t", "totals": "f"}
        conn.execute("REFRESH MATERIALIZED VIEW mvs.of_totals")
        conn.execute("REFRESH MATERIALIZED VIEW mvs.north_total")
        assert stale(conn) == {"north_total": "f", "of_totals": "f", "totals": "f"}
        assert conn.execute("SELECT total FROM mvs.north_total").fetchall() == [(5,)]
        conn.execute("TRUNCATE mvs.sales")
        assert dict(conn.execute("SELECT trim(name), is_stale FROM stv_mv_info WHERE schema = 'mvs'").fetchall()) == {
            "north_total": "t", "of_totals": "f", "totals": "t"}
        # The changes every view has seen are forgotten.
        for view in ("totals", "of_totals", "north_total"):
            conn.execute(f"REFRESH MATERIALIZED VIEW mvs.{view}")
        assert stale(conn) == {"north_total": "f", "of_totals": "f", "totals": "f"}


def test_a_view_calling_a_mutable_function_is_always_stale(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS mv_events (a int)")
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS mv_recent")
        conn.execute("CREATE MATERIALIZED VIEW mv_recent AS SELECT a, getdate() AS seen FROM mv_events")
        assert conn.execute("SELECT is_stale, autorewrite FROM svv_mv_info WHERE name = 'mv_recent'").fetchall() == [
            ("t", "f")]
        conn.execute("REFRESH MATERIALIZED VIEW mv_recent")
        assert conn.execute("SELECT is_stale FROM stv_mv_info WHERE name = 'mv_recent'").fetchall() == [("t",)]
        # Over a catalog table of the system's (which takes no trigger; not pg_namespace, which a
        # user's statement reads through the Redshift-rows view, whose query is no plain table's).
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS mv_access_methods")
        conn.execute("CREATE MATERIALIZED VIEW mv_access_methods AS SELECT amname FROM pg_am")
        assert conn.execute("SELECT is_stale, state FROM svv_mv_info WHERE name = 'mv_access_methods'").fetchall() == [
            ("f", 1)]



def test_state_says_whether_redshift_refreshes_a_view_incrementally(sql_cluster, database):
    # AWS: incremental for SELECT, FROM, [INNER] JOIN, WHERE, GROUP BY, HAVING, SUM/MIN/MAX/AVG/COUNT
    # and immutable functions; otherwise the view is recomputed in full (state 0).
    queries = {
        "inner_join": "SELECT o.g, sum(o.a), count(*), avg(o.a), min(o.a), max(o.a) FROM mv_orders o"
                      " JOIN mv_groups g ON g.g = o.g WHERE o.a > 0 GROUP BY o.g HAVING sum(o.a) > 1",
        "expressions": "SELECT upper(n) AS n, g + 1 AS g FROM mv_groups",
        "outer_join": "SELECT o.g FROM mv_orders o LEFT JOIN mv_groups g ON g.g = o.g",
        "distinct": "SELECT DISTINCT g FROM mv_orders",
        "count_distinct": "SELECT count(DISTINCT a) AS n FROM mv_orders",
        "set_operation": "SELECT g FROM mv_orders UNION SELECT g FROM mv_groups",
        "window": "SELECT g, row_number() OVER (ORDER BY a) AS r FROM mv_orders",
        "subquery": "SELECT g FROM mv_orders WHERE g IN (SELECT g FROM mv_groups)",
        "listagg": "SELECT listagg(n, ',') AS names FROM mv_groups",
    }
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_states CASCADE")
        conn.execute("CREATE SCHEMA mv_states")
        conn.execute("SET search_path TO mv_states")
        conn.execute("CREATE TABLE mv_orders (a int, g int)")
        conn.execute("CREATE TABLE mv_groups (g int, n varchar(5))")
        for name, query in queries.items():
            conn.execute(f"CREATE MATERIALIZED VIEW mv_{name} AS {query}")
        assert dict(conn.execute("SELECT trim(name), state FROM svv_mv_info WHERE schema_name = 'mv_states'")
                    .fetchall()) == {f"mv_{name}": int(name in ("inner_join", "expressions")) for name in queries}


def test_users_see_their_own_views_and_cannot_touch_the_state(sql_cluster, database, mia):
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mia_mvs CASCADE")
        conn.execute(f"CREATE SCHEMA mia_mvs AUTHORIZATION {mia}")
        conn.execute("CREATE TABLE IF NOT EXISTS mv_hidden_base (a int)")
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS mv_hidden")
        conn.execute("CREATE MATERIALIZED VIEW mv_hidden AS SELECT a FROM mv_hidden_base")
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
        conn.execute("CREATE TABLE mia_mvs.base (a int)")
        conn.execute("CREATE MATERIALIZED VIEW mia_mvs.mine AS SELECT a FROM mia_mvs.base")
        conn.execute("INSERT INTO mia_mvs.base VALUES (1)")
        assert conn.execute("SELECT trim(name), is_stale FROM svv_mv_info").fetchall() == [("mine", "t")]
        # STV_MV_INFO: the views of the schemas she may use (public's among them).
        assert {name for (name,) in conn.execute("SELECT trim(name) FROM stv_mv_info").fetchall()} >= {
            "mine", "mv_hidden"}
        for statement in ("SELECT * FROM localshift.mv_refreshes", "DELETE FROM localshift.mv_base_changes",
                          "SELECT localshift.note_mv_base_change('mia_mvs.base'::regclass)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        conn.execute("REFRESH MATERIALIZED VIEW mia_mvs.mine")
        assert conn.execute("SELECT is_stale FROM svv_mv_info").fetchall() == [("f",)]
        conn.execute("DROP MATERIALIZED VIEW mia_mvs.mine")
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM localshift.mv_refreshes r LEFT JOIN pg_class c"
                            " ON c.oid = r.view_oid WHERE c.oid IS NULL").fetchall() == [(0,)]


@pytest.fixture
def races(sql_cluster, database):  # type: ignore[no-untyped-def]
    """Two sessions and a view over a table: (refresher, writer)."""
    with sql_cluster.connect(database) as refresher, sql_cluster.connect(database) as writer:
        refresher.execute("DROP SCHEMA IF EXISTS mv_races CASCADE")
        refresher.execute("CREATE SCHEMA mv_races")
        refresher.execute("CREATE TABLE mv_races.events (a int)")
        refresher.execute("CREATE MATERIALIZED VIEW mv_races.counted AS SELECT count(*) AS n FROM mv_races.events")
        yield refresher, writer


def counted(conn: psycopg.Connection) -> tuple[int, str]:
    return conn.execute("SELECT (SELECT n FROM mv_races.counted), (SELECT is_stale FROM svv_mv_info"
                        " WHERE schema_name = 'mv_races' AND name = 'counted')").fetchone()


INSERT = "INSERT INTO mv_races.events VALUES (1)"
REFRESH = "REFRESH MATERIALIZED VIEW mv_races.counted"


@pytest.mark.parametrize("steps, after", [
    # The write comes first but commits after the refresh read the table: the refresh did not see it.
    pytest.param([("writer", "BEGIN"), ("writer", INSERT), ("refresher", REFRESH), ("writer", "COMMIT")], (0, "t"),
                 id="committed-while-refreshing"),
    # A REPEATABLE READ transaction's refresh reads the transaction's snapshot, older than the write.
    pytest.param([("refresher", "BEGIN ISOLATION LEVEL REPEATABLE READ"),
                  ("refresher", "SELECT count(*) FROM mv_races.events"), ("writer", INSERT),
                  ("refresher", REFRESH), ("refresher", "COMMIT")], (0, "t"), id="older-snapshot"),
    # A refresh sees the writes its own transaction made before it, not those after it.
    pytest.param([("refresher", "BEGIN"), ("refresher", INSERT), ("refresher", REFRESH), ("refresher", "COMMIT")],
                 (1, "f"), id="own-write-before"),
    pytest.param([("refresher", "BEGIN"), ("refresher", REFRESH), ("refresher", INSERT), ("refresher", "COMMIT")],
                 (0, "t"), id="own-write-after"),
])
def test_a_view_is_fresh_only_with_the_changes_its_refresh_saw(races, steps, after):
    sessions = dict(zip(("refresher", "writer"), races))
    for session, statement in steps:
        sessions[session].execute(statement)
    refresher = sessions["refresher"]
    assert counted(refresher) == after
    refresher.execute(REFRESH)
    assert counted(refresher) == (1, "f")


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
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
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


@pytest.mark.parametrize("schema, view", [("auto", "x"), ("distkey", "auto"), ('"Backup"', '"Sortkey"')])
def test_a_views_name_may_be_a_word_of_its_attributes(sql_cluster, database, schema, view):
    """The name is read as a name, qualifiers and all, before the attributes that follow it:
    a schema named AUTO (or DISTKEY) is a schema, not the start of AUTO REFRESH.  Quoted names
    are folded to lower case, as Redshift does without enable_case_sensitive_identifier."""
    with sql_cluster.connect(database) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.base (a int)")
        conn.execute(f"CREATE MATERIALIZED VIEW {schema}.{view} DISTKEY(a) AUTO REFRESH YES AS"
                     f" SELECT a FROM {schema}.base")
        assert conn.execute("SELECT trim(schema_name), trim(name), autorefresh FROM svv_mv_info"
                            " WHERE schema_name = %s", (schema.strip('"').lower(),)).fetchall() == [
            (schema.strip('"').lower(), view.strip('"').lower(), "t")]
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_queries_read_the_old_rows_while_a_view_refreshes(sql_cluster, database):
    """Redshift's queries read a view's old contents while it refreshes.  The refresh is held mid-way:
    it waits for its base table, which another session locked."""
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_reading CASCADE")
        conn.execute("CREATE SCHEMA mv_reading")
        conn.execute("CREATE TABLE mv_reading.sales (region varchar(10), amount int)")
        conn.execute("INSERT INTO mv_reading.sales VALUES ('north', 1)")
        conn.execute("CREATE MATERIALIZED VIEW mv_reading.totals AS"
                     " SELECT region, sum(amount) AS total FROM mv_reading.sales GROUP BY region")
        conn.execute("CREATE MATERIALIZED VIEW mv_reading.everything AS SELECT count(*) AS n FROM mv_reading.sales")
        # Without a key in its query: a plain SELECT of columns (the rows' own key), and a set operation.
        conn.execute("CREATE MATERIALIZED VIEW mv_reading.rows AS SELECT region, amount FROM mv_reading.sales"
                     " WHERE amount < 2")
        conn.execute("CREATE MATERIALIZED VIEW mv_reading.regions AS SELECT region FROM mv_reading.sales"
                     " WHERE amount = 1 UNION ALL SELECT 'all'")
        conn.execute("INSERT INTO mv_reading.sales VALUES ('south', 2), ('east', 0)")
    for view, old, new in (("totals", [("north", 1)], [("east", 0), ("north", 1), ("south", 2)]),
                           ("everything", [(1,)], [(3,)]),
                           ("rows", [("north", 1)], [("east", 0), ("north", 1)]),
                           ("regions", [("all",), ("north",)], [("all",), ("north",)])):
        with sql_cluster.connect(database, autocommit=False) as locker, sql_cluster.connect(database) as refresher, \
                sql_cluster.connect(database) as reader:
            locker.execute("LOCK mv_reading.sales")
            pid = refresher.execute("SELECT pg_backend_pid()").fetchone()[0]
            refreshing = threading.Thread(target=refresher.execute, args=(f"REFRESH MATERIALIZED VIEW mv_reading.{view}",))
            refreshing.start()
            try:
                wait_for(lambda: reader.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                                (pid,)).fetchone() == ("Lock",), timeout=60)
                reader.execute("SET statement_timeout TO 30000")  # the old code's reader waits: cut, not hung
                assert reader.execute(f"SELECT * FROM mv_reading.{view} ORDER BY 1").fetchall() == old
            finally:
                locker.rollback()
                refreshing.join()
            assert reader.execute(f"SELECT * FROM mv_reading.{view} ORDER BY 1").fetchall() == new
            assert stale_in(reader, "mv_reading")[view] == "f"


def test_a_views_repeated_rows_survive_its_refreshes(sql_cluster, database):
    """A view whose rows repeat (Redshift keeps every one) refreshes to the right number of each: rows
    with a NULL, rows that come to repeat after a refresh that read none, and back."""
    def rows(conn: psycopg.Connection) -> list[tuple]:
        return conn.execute("SELECT region, amount, count(*) FROM mv_repeated.regions GROUP BY 1, 2"
                            " ORDER BY 1 NULLS FIRST, 2 NULLS FIRST").fetchall()

    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mv_repeated CASCADE")
        conn.execute("CREATE SCHEMA mv_repeated")
        conn.execute("CREATE TABLE mv_repeated.sales (region varchar(10), amount int)")
        conn.execute("INSERT INTO mv_repeated.sales VALUES ('north', 1), ('south', NULL), ('south', NULL)")
        conn.execute("CREATE MATERIALIZED VIEW mv_repeated.regions AS SELECT region, amount FROM mv_repeated.sales")
        assert rows(conn) == [("north", 1, 1), ("south", None, 2)]
        conn.execute("INSERT INTO mv_repeated.sales VALUES ('south', NULL), (NULL, NULL), (NULL, NULL)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_repeated.regions")
        assert rows(conn) == [(None, None, 2), ("north", 1, 1), ("south", None, 3)]
        conn.execute("INSERT INTO mv_repeated.sales VALUES ('north', 1), ('north', 1)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_repeated.regions")
        assert rows(conn) == [(None, None, 2), ("north", 1, 3), ("south", None, 3)]
        conn.execute("DELETE FROM mv_repeated.sales WHERE amount = 1")
        conn.execute("INSERT INTO mv_repeated.sales VALUES ('north', 1)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_repeated.regions")
        assert rows(conn) == [(None, None, 2), ("north", 1, 1), ("south", None, 3)]
        conn.execute("REFRESH MATERIALIZED VIEW mv_repeated.regions")
        assert rows(conn) == [(None, None, 2), ("north", 1, 1), ("south", None, 3)]
        assert stale_in(conn, "mv_repeated") == {"regions": "f"}


def stale_in(conn: psycopg.Connection, schema: str) -> dict[str, str]:
    return dict(conn.execute("SELECT trim(name), is_stale FROM svv_mv_info WHERE schema_name = %s", (schema,)).fetchall())


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
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:  # another's: not shown
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
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
        conn.execute("CREATE MATERIALIZED VIEW mv_failed.sums AS SELECT g, sum(amount) AS s FROM mv_failed.sales GROUP BY g")
        conn.execute("CREATE MATERIALIZED VIEW mv_failed.ratios AS SELECT g, 1 / min(amount) AS r FROM mv_failed.sales GROUP BY g")
    with sql_cluster.connect(database) as conn:
        conn.execute(f"REVOKE SELECT ON mv_failed.sales FROM {mia}")
        conn.execute("INSERT INTO mv_failed.sales VALUES (1, 0)")
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
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
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
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


UNREFRESHABLE = (  # view, the change, STV_MV_INFO's state, STL_MV_STATE's event, the refresh's status and reason
    ("dropped", "ALTER TABLE mv_ddl.t_dropped DROP COLUMN note", 101, "Column was dropped",
     "Refresh failed. Base table column was dropped", "a column was dropped for a base table"),
    ("retyped", "ALTER TABLE mv_ddl.t_retyped ALTER COLUMN note TYPE varchar(20)", 102, "Column type was changed",
     "Refresh failed. Base table column type was changed", "a column type was changed for a base table"),
    ("table_renamed", "ALTER TABLE mv_ddl.t_table_renamed RENAME TO t_table_renamed2", 103, "Table was renamed",
     "Refresh failed. Base table was renamed", "a base table was renamed"),
    ("column_renamed", "ALTER TABLE mv_ddl.t_column_renamed RENAME COLUMN amount TO total", 104, "Column was renamed",
     "Refresh failed. Base table column was renamed", "a column was renamed for a base table"),
    ("schema_renamed", "ALTER SCHEMA mv_ddl_base RENAME TO mv_ddl_base2", 105, "Schema name was changed",
     "Refresh failed. Schema name of a base table was changed", "a schema name was changed for a base table"),
)


def test_base_table_changes_make_a_view_unrefreshable_as_redshift(sql_cluster, database):
    """Redshift stops refreshing a view once a column of a base table is dropped or retyped (one the view
    does not read too), a column, base table or its schema renamed: STV_MV_INFO's states 101 to 105,
    a transition to Unrefreshable in STL_MV_STATE, and REFRESH fails, recorded with its reason."""
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        for schema in ("mv_ddl", "mv_ddl_base", "mv_ddl_base2"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute("CREATE SCHEMA mv_ddl")
        conn.execute("CREATE SCHEMA mv_ddl_base")
        for view, *_ in UNREFRESHABLE:
            schema = "mv_ddl_base" if view == "schema_renamed" else "mv_ddl"
            conn.execute(f"CREATE TABLE {schema}.t_{view} (g varchar(10), amount int, note varchar(10))")
            conn.execute(f"INSERT INTO {schema}.t_{view} VALUES ('north', 1, 'x')")
            conn.execute(f"CREATE MATERIALIZED VIEW mv_ddl.{view} AUTO REFRESH YES AS"
                         f" SELECT g, sum(amount) AS s FROM {schema}.t_{view} GROUP BY g")
        conn.execute("CREATE TABLE mv_ddl.t_kept (g varchar(10), amount int)")
        conn.execute("CREATE MATERIALIZED VIEW mv_ddl.kept AS SELECT g, sum(amount) AS s FROM mv_ddl.t_kept GROUP BY g")
        # Refused as before by the engine (its views depend on the columns they read); adding a column
        # changes nothing.
        with pytest.raises(psycopg.errors.DependentObjectsStillExist):
            conn.execute("ALTER TABLE mv_ddl.t_kept DROP COLUMN amount")
        conn.execute("ALTER TABLE mv_ddl.t_kept ADD COLUMN note varchar(10)")
        for view, change, *_ in UNREFRESHABLE:
            conn.execute(change)
        assert dict(conn.execute("SELECT trim(name), state FROM stv_mv_info WHERE schema = 'mv_ddl'").fetchall()) == {
            "kept": 1, **{view: state for view, _, state, *_ in UNREFRESHABLE}}
        assert dict(conn.execute("SELECT trim(name), state FROM svv_mv_info WHERE schema_name = 'mv_ddl'").fetchall()) \
            == {"kept": 1, **{view: state for view, _, state, *_ in UNREFRESHABLE}}
        assert conn.execute("SELECT trim(mv_name), trim(event_desc), trim(state), trim(base_table_schema),"
                            " trim(base_table_name) FROM stl_mv_state WHERE mv_schema = 'mv_ddl'"
                            " ORDER BY starttime").fetchall() == [
            ("dropped", "Column was dropped", "Unrefreshable", "mv_ddl", "t_dropped"),
            ("retyped", "Column type was changed", "Unrefreshable", "mv_ddl", "t_retyped"),
            ("table_renamed", "Table was renamed", "Unrefreshable", "mv_ddl", "t_table_renamed2"),
            ("column_renamed", "Column was renamed", "Unrefreshable", "mv_ddl", "t_column_renamed"),
            ("schema_renamed", "Schema name was changed", "Unrefreshable", "mv_ddl_base2", "t_schema_renamed")]
        for view, _, _, _, status, reason in UNREFRESHABLE:
            with pytest.raises(psycopg.errors.InternalError_,
                               match=f"Materialized view {view} is unrefreshable as {reason}"):
                conn.execute(f"REFRESH MATERIALIZED VIEW mv_ddl.{view}")
            assert wait_for(lambda: conn.execute(
                "SELECT status FROM sys_mv_refresh_history WHERE schema_name = 'mv_ddl' AND mv_name = %s"
                " ORDER BY start_time DESC LIMIT 1", (view,)).fetchone() == (status,), timeout=60)
        # Still read; the other view refreshes; one made again over the same table refreshes.
        assert conn.execute("SELECT g, s FROM mv_ddl.column_renamed").fetchall() == [("north", 1)]
        conn.execute("REFRESH MATERIALIZED VIEW mv_ddl.kept")
        conn.execute("DROP MATERIALIZED VIEW mv_ddl.column_renamed")
        conn.execute("CREATE MATERIALIZED VIEW mv_ddl.column_renamed AS"
                     " SELECT g, sum(total) AS s FROM mv_ddl.t_column_renamed GROUP BY g")
        conn.execute("INSERT INTO mv_ddl.t_column_renamed VALUES ('north', 2, 'y')")
        conn.execute("REFRESH MATERIALIZED VIEW mv_ddl.column_renamed")
        assert conn.execute("SELECT g, s FROM mv_ddl.column_renamed").fetchall() == [("north", 3)]
        assert conn.execute("SELECT state FROM stv_mv_info WHERE schema = 'mv_ddl' AND name = 'column_renamed'"
                            ).fetchone() == (1,)


def test_views_over_views_show_in_svv_mv_dependency_and_stv_mv_deps(sql_cluster, database, mia):
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        conn.execute("DROP SCHEMA IF EXISTS mv_deps CASCADE")
        conn.execute("CREATE SCHEMA mv_deps")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA mv_deps TO {mia}")
        conn.execute("CREATE TABLE mv_deps.foo (a int)")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_foo AS SELECT a FROM mv_deps.foo")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_over_foo AS SELECT a FROM mv_deps.mv_foo")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_both AS"
                     " SELECT f.a FROM mv_deps.mv_foo f JOIN mv_deps.mv_over_foo o ON o.a = f.a JOIN mv_deps.foo t"
                     " ON t.a = f.a")
        conn.execute(f"GRANT SELECT ON mv_deps.mv_foo TO {mia}")
    with sql_cluster.connect(database, user=mia, password=PASSWORD) as conn:
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mias AS SELECT count(*) AS n FROM mv_deps.mv_foo")
        conn.commit()
        # Regular users see their own views' rows.
        assert conn.execute("SELECT trim(schema_name), trim(name), trim(dependent_schema_name), trim(dependent_name),"
                            " database_name = dependent_database_name FROM svv_mv_dependency").fetchall() == [
            ("mv_deps", "mias", "mv_deps", "mv_foo", True)]
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        assert conn.execute("SELECT trim(name), trim(dependent_name) FROM svv_mv_dependency"
                            " WHERE schema_name = 'mv_deps' ORDER BY 1, 2").fetchall() == [
            ("mias", "mv_foo"), ("mv_both", "mv_foo"), ("mv_both", "mv_over_foo"), ("mv_over_foo", "mv_foo")]
        assert conn.execute("SELECT trim(name), trim(ref_schema), trim(ref_name), trim(db_name) = trim(ref_database_name)"
                            " FROM stv_mv_deps WHERE schema = 'mv_deps' AND name = 'mv_over_foo'").fetchall() == [
            ("mv_over_foo", "mv_deps", "mv_foo", True)]
        # REFRESH ... CASCADE refreshes the views a view is built on first, those deepest down first;
        # RESTRICT (the default) the view alone.
        conn.execute("INSERT INTO mv_deps.foo VALUES (1)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_deps.mv_both RESTRICT")
        assert conn.execute("SELECT count(*) FROM mv_deps.mv_both").fetchone() == (0,)
        conn.execute("REFRESH MATERIALIZED VIEW mv_deps.mv_both CASCADE")
        assert conn.execute("SELECT a FROM mv_deps.mv_both").fetchall() == [(1,)]
        assert conn.execute("SELECT trim(mv_name) FROM svl_mv_refresh_status WHERE schema_name = 'mv_deps'"
                            " ORDER BY starttime").fetchall()[-3:] == [("mv_foo",), ("mv_over_foo",), ("mv_both",)]
        assert stale_in(conn, "mv_deps") == {"mv_foo": "f", "mv_over_foo": "f", "mv_both": "f", "mias": "t"}
        # A view others are built on is dropped with them only with CASCADE.
        with pytest.raises(psycopg.errors.DependentObjectsStillExist,
                           match='cannot drop materialized view (mv_deps.)?mv_foo because other objects depend on it'):
            conn.execute("DROP MATERIALIZED VIEW mv_deps.mv_foo")
        conn.execute("DROP MATERIALIZED VIEW mv_deps.mv_foo CASCADE")
        assert conn.execute("SELECT count(*) FROM svv_mv_dependency WHERE schema_name = 'mv_deps'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM svv_mv_info WHERE schema_name = 'mv_deps'").fetchone() == (0,)


def test_alter_materialized_view_changes_its_distribution_and_sort_key(sql_cluster, database):
    def layout(conn: psycopg.Connection) -> tuple:
        return conn.execute("SELECT diststyle, trim(sortkey1), autorefresh FROM svv_table_info t"
                            " JOIN svv_mv_info m ON m.schema_name = t.schema AND m.name = t.\"table\""
                            " WHERE t.schema = 'mv_layout' AND t.\"table\" = 'sums'").fetchone()

    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        conn.execute("DROP SCHEMA IF EXISTS mv_layout CASCADE")
        conn.execute("CREATE SCHEMA mv_layout")
        conn.execute("CREATE TABLE mv_layout.sales (g int, amount int)")
        conn.execute("INSERT INTO mv_layout.sales VALUES (1, 2)")
        conn.execute("CREATE MATERIALIZED VIEW mv_layout.sums DISTKEY (g) SORTKEY (g) AS"
                     " SELECT g, sum(amount) AS s FROM mv_layout.sales GROUP BY g")
        assert layout(conn) == ("KEY(g)", "g", "f")
        for statement, expected in (("ALTER DISTSTYLE ALL", ("ALL", "g", "f")), ("ALTER SORTKEY (s)", ("ALL", "s", "f")),
                                    ("ALTER DISTKEY s", ("KEY(s)", "s", "f")), ("AUTO REFRESH YES", ("KEY(s)", "s", "t")),
                                    ("ALTER DISTSTYLE EVEN", ("EVEN", "s", "t"))):
            conn.execute(f"ALTER MATERIALIZED VIEW mv_layout.sums {statement}")
            assert layout(conn) == expected, statement
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute("ALTER MATERIALIZED VIEW mv_layout.sums ROW LEVEL SECURITY ON")
        # Nothing of it makes the view unrefreshable.
        conn.execute("REFRESH MATERIALIZED VIEW mv_layout.sums")
        assert conn.execute("SELECT g, s FROM mv_layout.sums").fetchall() == [(1, 2)]
