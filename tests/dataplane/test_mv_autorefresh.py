"""The materialized views' autorefresh (mv_autorefresh.py) on real engines: a view with AUTO REFRESH YES
whose base table changed is refreshed in the background once the table is quiet, and the refresh shows
in SVL_MV_REFRESH_STATUS; a refresh that fails is recorded as failed and leaves the view stale; only
running clusters are visited, and nothing a round meets ends the job."""

from __future__ import annotations

import threading
import time

import pytest

from localshift.dataplane.mv_autorefresh import FAILED, MvAutorefresh
from localshift.dataplane.roles import ADMIN_USER

from support import wait_for

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, free_port
from engine_seed import seeded_plane

INTERVAL = 0.3  # seconds between rounds, and of quiet before a view is refreshed
INCREMENTALLY = "Refresh successfully updated MV incrementally"
# Two views of a table, one of which divides by its rows: the last insert makes its refresh fail.
FAILING = ("CREATE SCHEMA failing", "CREATE TABLE failing.parts (a int)", "INSERT INTO failing.parts VALUES (2)",
           "CREATE MATERIALIZED VIEW failing.tenths AUTO REFRESH YES AS SELECT 10 / a AS q FROM failing.parts",
           "CREATE MATERIALIZED VIEW failing.counted AUTO REFRESH YES AS SELECT count(*) AS n FROM failing.parts",
           "INSERT INTO failing.parts VALUES (0)")


@pytest.fixture(scope="module")
def autorefreshed(tmp_path_factory):
    """A data plane whose autorefresh runs every INTERVAL, with one cluster: (data plane, port)."""
    plane = seeded_plane(tmp_path_factory.mktemp("autorefresh") / "dp", autorefresh_interval=INTERVAL)
    try:
        yield plane, plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    finally:
        cleanup(plane)


def statuses(conn, schema: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT trim(mv_name), status, userid, xid > 0 FROM svl_mv_refresh_status"
                        " WHERE schema_name = %s ORDER BY starttime", (schema,)).fetchall()


def internal_role_id(plane) -> int:  # type: ignore[no-untyped-def]
    with plane._engine("c1").connect(DB) as admin:
        return admin.execute("SELECT oid FROM pg_roles WHERE rolname = %s", (ADMIN_USER,)).fetchone()[0]


def test_a_changed_view_with_auto_refresh_is_refreshed_in_the_background(autorefreshed):
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA refreshed")
        conn.execute("CREATE TABLE refreshed.sales (region varchar(10), amount int)")
        conn.execute("CREATE MATERIALIZED VIEW refreshed.totals AUTO REFRESH YES AS"
                     " SELECT region, sum(amount) AS total FROM refreshed.sales GROUP BY region")
        conn.execute("CREATE MATERIALIZED VIEW refreshed.by_hand AS SELECT count(*) AS n FROM refreshed.sales")
        conn.execute("CREATE MATERIALIZED VIEW refreshed.ever_stale AUTO REFRESH YES AS"
                     " SELECT count(*) AS n, getdate() AS seen FROM refreshed.sales")
        conn.execute("INSERT INTO refreshed.sales VALUES ('north', 5)")
        assert conn.execute("SELECT * FROM refreshed.totals").fetchall() == []
        wait_for(lambda: conn.execute("SELECT * FROM refreshed.totals").fetchall())
        assert conn.execute("SELECT region, total FROM refreshed.totals").fetchall() == [("north", 5)]
        assert dict(conn.execute("SELECT trim(name), is_stale FROM svv_mv_info WHERE schema_name = 'refreshed'")
                    .fetchall()) == {"totals": "f", "by_hand": "t", "ever_stale": "t"}
        # Run as the internal role, shown to the view's owner; neither the view without AUTO REFRESH nor
        # the one whose query calls a mutable function (always stale) is refreshed.
        assert statuses(conn, "refreshed") == [("totals", INCREMENTALLY, internal_role_id(plane), True)]
        assert conn.execute("SELECT n FROM refreshed.by_hand").fetchall() == [(0,)]
        # A view over a view follows once that one is refreshed.
        conn.execute("CREATE MATERIALIZED VIEW refreshed.regions AUTO REFRESH YES AS SELECT count(*) AS n FROM refreshed.totals")
        conn.execute("INSERT INTO refreshed.sales VALUES ('south', 7)")
        wait_for(lambda: conn.execute("SELECT n FROM refreshed.regions").fetchall() == [(2,)])
        assert conn.execute("SELECT trim(name), is_stale FROM stv_mv_info WHERE schema = 'refreshed'"
                            " AND name IN ('totals', 'regions')").fetchall() in (
            [("totals", "f"), ("regions", "f")], [("regions", "f"), ("totals", "f")])


def test_a_refresh_that_fails_is_recorded_and_the_view_stays_stale(autorefreshed):
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn:
        for statement in FAILING:
            conn.execute(statement)
        wait_for(lambda: [row for row in statuses(conn, "failing") if row[0] == "tenths"])
        # The other view of the same table is refreshed all the same.
        wait_for(lambda: conn.execute("SELECT n FROM failing.counted").fetchall() == [(2,)])
        assert conn.execute("SELECT q FROM failing.tenths").fetchall() == [(5,)]
        assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE name = 'tenths'").fetchall() == [("t",)]
        failed = [("tenths", FAILED, internal_role_id(plane), False)]
        assert [row for row in statuses(conn, "failing") if row[0] == "tenths"] == failed
        # Not tried again until a base table changes anew.
        plane.autorefresh.run_once()
        assert [row for row in statuses(conn, "failing") if row[0] == "tenths"] == failed
        conn.execute("DELETE FROM failing.parts WHERE a = 0")
        wait_for(lambda: conn.execute("SELECT is_stale FROM svv_mv_info WHERE name = 'tenths'").fetchall() == [("f",)])
        assert conn.execute("SELECT q FROM failing.tenths").fetchall() == [(5,)]
        assert [row[1] for row in statuses(conn, "failing") if row[0] == "tenths"] == [FAILED, INCREMENTALLY]


def test_a_view_in_use_is_left_for_a_later_round(autorefreshed):
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn, connect(port) as reader:
        conn.execute("CREATE SCHEMA in_use")
        conn.execute("CREATE TABLE in_use.t (a int)")
        conn.execute("CREATE MATERIALIZED VIEW in_use.v AUTO REFRESH YES AS SELECT count(*) AS n FROM in_use.t")
        reader.execute("SELECT n FROM in_use.v")  # its open transaction holds the view
        conn.execute("INSERT INTO in_use.t VALUES (1)")
        time.sleep(2 * INTERVAL)  # the table quiet for an interval
        plane.autorefresh.run_once()  # waits LOCK_WAIT for the view, then leaves it
        assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE schema_name = 'in_use'").fetchall() == [("t",)]
        assert statuses(conn, "in_use") == []
        reader.rollback()
        wait_for(lambda: statuses(conn, "in_use"))
        assert [row[1] for row in statuses(conn, "in_use")] == [INCREMENTALLY]
        assert conn.execute("SELECT n FROM in_use.v").fetchall() == [(1,)]


def test_a_database_is_dropped_while_its_view_is_being_refreshed(autorefreshed):
    # The autorefresh's session is the internal role's (a superuser, whom the master user may not
    # terminate): the drop waits for it to end instead of failing (drop_guard.py).
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS scratch")
        conn.execute("CREATE DATABASE scratch")
    with connect(port, dbname="scratch", autocommit=True) as conn:
        conn.execute("CREATE TABLE t (a int)")
        conn.execute("CREATE MATERIALIZED VIEW slow AUTO REFRESH YES AS"
                     " SELECT count(*) AS n FROM t CROSS JOIN generate_series(1, 5000000) AS g")
        conn.execute("INSERT INTO t VALUES (1)")
    with plane._engine("c1").connect() as admin:
        wait_for(lambda: admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'scratch'"
                                       " AND query LIKE 'REFRESH%' AND state = 'active'").fetchone()[0])
    with connect(port, autocommit=True) as conn:
        conn.execute("DROP DATABASE scratch WITH (FORCE)")
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'scratch'").fetchone() == (0,)


def test_the_changes_of_a_table_whose_views_are_not_refreshed_are_bounded(autorefreshed):
    plane, port = autorefreshed
    # The background rounds pause for this test: on a loaded machine the inserts take longer than an interval, and
    # a round between them would forget their changes before they are counted.  This test runs its own rounds.
    plane.autorefresh.close()
    rounds = MvAutorefresh(0, plane._autorefreshed_engines)
    try:
        with connect(port, autocommit=True) as conn, plane._engine("c1").connect(DB) as admin:
            conn.execute("CREATE SCHEMA unrefreshed")
            conn.execute("CREATE TABLE unrefreshed.t (a int)")
            conn.execute("CREATE MATERIALIZED VIEW unrefreshed.v AS SELECT count(*) AS n FROM unrefreshed.t")
            for a in range(20):  # one change noted per writing transaction
                conn.execute("INSERT INTO unrefreshed.t VALUES (%s)", (a,))

            def noted() -> int:
                return admin.execute("SELECT count(*) FROM localshift.mv_base_changes"
                                     " WHERE relation = 'unrefreshed.t'::regclass").fetchone()[0]

            assert noted() == 20
            rounds.run_once()
            assert noted() == 1
            assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE schema_name = 'unrefreshed'").fetchall() \
                == [("t",)]
            conn.execute("REFRESH MATERIALIZED VIEW unrefreshed.v")
            assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE schema_name = 'unrefreshed'").fetchall() \
                == [("f",)]
            assert conn.execute("SELECT n FROM unrefreshed.v").fetchall() == [(20,)]
    finally:
        plane.autorefresh = MvAutorefresh(INTERVAL, plane._autorefreshed_engines)


def test_only_clusters_that_should_run_are_visited(autorefreshed):
    plane, _ = autorefreshed
    assert [key for key, _ in plane._autorefreshed_engines()] == ["c1"]
    port = plane.create_engine("c2", free_port(), USER, PASSWORD, DB)
    assert [key for key, _ in plane._autorefreshed_engines()] == ["c1", "c2"]
    plane.stop_engine("c2")  # stopped or paused
    assert [key for key, _ in plane._autorefreshed_engines()] == ["c1"]
    plane.start_engine("c2", port)
    with plane._lock("c2"):  # a job (a restore, a resize) works on it: left for the next round
        assert [key for key, _ in threading_visit(plane)] == ["c1"]
    plane.destroy_engine("c2")
    assert [key for key, _ in plane._autorefreshed_engines()] == ["c1"]


def threading_visit(plane):  # type: ignore[no-untyped-def]
    """What the autorefresh's thread would visit now (the engines' locks are re-entrant: ask from another thread)."""
    found: list = []
    visitor = threading.Thread(target=lambda: found.extend(plane._autorefreshed_engines()))
    visitor.start()
    visitor.join()
    return found


def test_a_round_that_fails_does_not_end_the_job():
    rounds: list[int] = []

    def engines():  # type: ignore[no-untyped-def]
        rounds.append(1)
        raise RuntimeError("the engines could not be listed")

    job = MvAutorefresh(0.01, engines)
    try:
        wait_for(lambda: len(rounds) >= 3)
    finally:
        job.close()
    done = len(rounds)
    assert job._thread is None and len(rounds) == done  # closed: no round after
