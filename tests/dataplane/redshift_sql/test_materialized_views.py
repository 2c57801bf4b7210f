"""Materialized views' state in SVV_MV_INFO and STV_MV_INFO (catalog/42_materialized_views.sql),
on a real endpoint: staleness follows the base tables' changes and the views' refreshes."""

from __future__ import annotations

import threading

import psycopg
import pytest

from support import wait_for

from .helpers import MIA_PASSWORD, stale_in


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
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
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
