"""The materialized views' autorefresh (mv_autorefresh.py) on real engines: a view with AUTO REFRESH YES
whose base table changed is refreshed in the background once the table is quiet, and the refresh shows
in SVL_MV_REFRESH_STATUS; a refresh that fails is recorded as failed and leaves the view stale (a user's
failed REFRESH does not hold it back); only running clusters are visited, and nothing a round meets ends
the job."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from localshift.dataplane.engine_timeouts import ANSWER_GRACE
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


def sleep_until_cancelled(conn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(psycopg.errors.QueryCanceled):
        conn.execute("SELECT pg_sleep(600)")


def test_a_users_failed_refresh_does_not_hold_the_autorefresh_back(autorefreshed):
    # A user's REFRESH that fails (recorded as failed, as Redshift does) after the base table's last change:
    # unlike a failed autorefresh, it does not keep the autorefresh from refreshing the view.
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn, connect(port, autocommit=True) as sleeper:
        conn.execute("CREATE SCHEMA manual_failure")
        conn.execute("CREATE TABLE manual_failure.parts (a int)")
        conn.execute("CREATE MATERIALIZED VIEW manual_failure.tenths AUTO REFRESH YES AS"
                     " SELECT 10 / a AS q FROM manual_failure.parts")
        # A statement of the user's running: the autorefresh leaves the database alone meanwhile.
        sleeping = threading.Thread(target=sleep_until_cancelled, args=(sleeper,))
        sleeping.start()
        try:
            wait_for(lambda: conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"
                                          " AND state = 'active'").fetchone() == (1,))
            conn.execute("INSERT INTO manual_failure.parts VALUES (2)")
            conn.execute("BEGIN")
            conn.execute("INSERT INTO manual_failure.parts VALUES (0)")
            with pytest.raises(psycopg.errors.DivisionByZero):
                conn.execute("REFRESH MATERIALIZED VIEW manual_failure.tenths")
            conn.execute("ROLLBACK")
            assert statuses(conn, "manual_failure") == [("tenths", FAILED, conn.execute(
                "SELECT current_user_id").fetchone()[0], False)]
        finally:
            sleeper.cancel_safe()
            sleeping.join()
        wait_for(lambda: conn.execute("SELECT q FROM manual_failure.tenths").fetchall() == [(5,)])
        assert [row[1] for row in statuses(conn, "manual_failure")] == [FAILED, INCREMENTALLY]


def test_a_view_in_use_is_left_for_a_later_round(autorefreshed):
    # A view whose rows repeat has no key: the engine's plain REFRESH refreshes it, which waits for its
    # readers.
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn, connect(port) as reader:
        conn.execute("CREATE SCHEMA in_use")
        conn.execute("CREATE TABLE in_use.t (a int)")
        conn.execute("INSERT INTO in_use.t VALUES (0), (0)")
        conn.execute("CREATE MATERIALIZED VIEW in_use.v AUTO REFRESH YES AS SELECT a AS n FROM in_use.t")
        reader.execute("SELECT n FROM in_use.v")  # its open transaction holds the view
        conn.execute("INSERT INTO in_use.t VALUES (1)")
        time.sleep(2 * INTERVAL)  # the table quiet for an interval
        plane.autorefresh.run_once()  # waits LOCK_WAIT for the view, then leaves it
        assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE schema_name = 'in_use'").fetchall() == [("t",)]
        assert statuses(conn, "in_use") == []
        reader.rollback()
        wait_for(lambda: statuses(conn, "in_use"))
        assert [row[1] for row in statuses(conn, "in_use")] == [INCREMENTALLY]
        assert conn.execute("SELECT n FROM in_use.v ORDER BY n").fetchall() == [(0,), (0,), (1,)]


def test_a_view_with_a_key_is_refreshed_while_it_is_read(autorefreshed):
    # Redshift's queries read a view's old rows while it refreshes, and hold up no refresh: a view with a
    # key (here its GROUP BY column) is refreshed CONCURRENTLY.
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn, connect(port) as reader:
        conn.execute("CREATE SCHEMA read_while")
        conn.execute("CREATE TABLE read_while.t (g int)")
        conn.execute("CREATE MATERIALIZED VIEW read_while.v AUTO REFRESH YES AS"
                     " SELECT g, count(*) AS n FROM read_while.t GROUP BY g")
        assert reader.execute("SELECT * FROM read_while.v").fetchall() == []  # its open transaction holds the view
        conn.execute("INSERT INTO read_while.t VALUES (1)")
        wait_for(lambda: statuses(conn, "read_while"), timeout=60)
        assert [row[1] for row in statuses(conn, "read_while")] == [INCREMENTALLY]
        assert conn.execute("SELECT * FROM read_while.v").fetchall() == [(1, 1)]
        reader.rollback()


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
                                       " AND query LIKE '%localshift.refresh_mv(%' AND state = 'active'").fetchone()[0])
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
            # A round leaves the database for the next when a user's statement runs in it, or when its compaction
            # waits past the lock timeout: rounds until one compacts.
            wait_for(lambda: rounds.run_once() or noted() == 1)
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
    # (waited for: while the supervisor measures c1 it holds c1's lock, and a round leaves c1 out)
    wait_for(lambda: visited(plane) == ["c1"])
    port = plane.create_engine("c2", free_port(), USER, PASSWORD, DB)
    wait_for(lambda: visited(plane) == ["c1", "c2"])
    plane.stop_engine("c2")  # stopped or paused
    wait_for(lambda: visited(plane) == ["c1"])
    plane.start_engine("c2", port)
    with plane._lock("c2"):  # a job (a restore, a resize) works on it: left for the next round
        wait_for(lambda: [key for key, _ in threading_visit(plane)] == ["c1"])
    plane.destroy_engine("c2")
    wait_for(lambda: visited(plane) == ["c1"])


def visited(plane) -> list[str]:  # type: ignore[no-untyped-def]
    return [key for key, _ in plane._autorefreshed_engines()]


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


ENGINE_TIMEOUT, REFRESH_TIMEOUT = 5.0, 20.0  # (long enough for a new engine's set-up on a loaded machine)
GATE = 4242  # the advisory lock the gated views' query waits for
# A function the view's query calls, waiting while the test holds the lock (polling it: the autorefresh's
# lock_timeout would end a wait for it); immutable, as the autorefresh leaves out views calling a mutable
# one.  The internal role's: users create no PL/pgSQL functions.
GATED = ("CREATE FUNCTION public.gate(a int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS"
         f" $$BEGIN WHILE NOT pg_try_advisory_lock_shared({GATE}) LOOP PERFORM pg_sleep(0.05); END LOOP;"
         f" PERFORM pg_advisory_unlock_shared({GATE}); RETURN a; END$$")


@pytest.fixture(scope="module")
def bounded(tmp_path_factory):
    """A data plane whose work on engines is bounded by ENGINE_TIMEOUT and its autorefresh's refreshes by
    REFRESH_TIMEOUT, with one cluster: (data plane, port, the internal role's connection to its database)."""
    plane = seeded_plane(tmp_path_factory.mktemp("bounded") / "dp", autorefresh_interval=INTERVAL,
                         engine_timeout=ENGINE_TIMEOUT, autorefresh_timeout=REFRESH_TIMEOUT)
    try:
        port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
        with plane._engine("c1").connect(DB) as admin:
            admin.execute(GATED)
            yield plane, port, admin
    finally:
        cleanup(plane)


def gated_view(conn, schema: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(f"CREATE TABLE {schema}.t (a int)")
    conn.execute(f"CREATE MATERIALIZED VIEW {schema}.v AUTO REFRESH YES AS SELECT count(public.gate(a)) AS n FROM {schema}.t")


def refreshing_for(admin, schema: str, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    return admin.execute("SELECT count(*) FROM pg_stat_activity"
                         " WHERE query = localshift.mv_refresh_statement(%s::regclass) AND state = 'active'"
                         " AND clock_timestamp() - query_start > make_interval(secs => %s)",
                         (f"{schema}.v", seconds)).fetchone()[0] > 0


def test_an_autorefresh_may_take_longer_than_the_engine_timeout(bounded):
    plane, port, admin = bounded
    with connect(port, autocommit=True) as conn:
        gated_view(conn, "long")
        admin.execute("SELECT pg_advisory_lock(%s)", (GATE,))
        try:
            conn.execute("INSERT INTO long.t VALUES (1)")
            # Past the engine timeout, and past the service's wait for the engine's answer to a statement.
            wait_for(lambda: refreshing_for(admin, "long", ENGINE_TIMEOUT + ANSWER_GRACE + 1), timeout=90)
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", (GATE,))
        wait_for(lambda: statuses(conn, "long"), timeout=60)
        assert [row[1] for row in statuses(conn, "long")] == [INCREMENTALLY]
        assert conn.execute("SELECT n FROM long.v").fetchall() == [(1,)]
        assert conn.execute("SELECT trim(refresh_type), status FROM sys_mv_refresh_history"
                            " WHERE schema_name = 'long'").fetchall() == [("Auto", INCREMENTALLY)]


def test_an_autorefresh_cut_at_its_timeout_is_recorded_as_failed(bounded):
    plane, port, admin = bounded
    with connect(port, autocommit=True) as conn:
        gated_view(conn, "cut")
        admin.execute("SELECT pg_advisory_lock(%s)", (GATE,))
        try:
            conn.execute("INSERT INTO cut.t VALUES (1)")
            wait_for(lambda: statuses(conn, "cut"), timeout=REFRESH_TIMEOUT + 90)
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", (GATE,))
        assert statuses(conn, "cut") == [("v", FAILED, internal_role_id(plane), False)]
        assert conn.execute("SELECT trim(refresh_type), status, duration >= %s FROM sys_mv_refresh_history"
                            " WHERE schema_name = 'cut'", (int(REFRESH_TIMEOUT * 1e6),)).fetchall() == [
            ("Auto", FAILED, True)]
        assert conn.execute("SELECT is_stale FROM svv_mv_info WHERE schema_name = 'cut'").fetchall() == [("t",)]
        assert conn.execute("SELECT n FROM cut.v").fetchall() == [(0,)]


def test_an_unrefreshable_view_is_left_alone(autorefreshed):
    """Redshift does not refresh a view a change of a base table made Unrefreshable (STV_MV_INFO's
    states 101 to 105): the autorefresh neither refreshes it nor records a failure for it."""
    plane, port = autorefreshed
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA unrefreshable")
        conn.execute("CREATE TABLE unrefreshable.sales (amount int, note varchar(10))")
        conn.execute("CREATE TABLE unrefreshable.ticks (a int)")
        conn.execute("CREATE MATERIALIZED VIEW unrefreshable.total AUTO REFRESH YES AS"
                     " SELECT sum(amount) AS s FROM unrefreshable.sales")
        conn.execute("CREATE MATERIALIZED VIEW unrefreshable.ticked AUTO REFRESH YES AS"
                     " SELECT count(*) AS n FROM unrefreshable.ticks")
        conn.execute("ALTER TABLE unrefreshable.sales RENAME COLUMN note TO remark")
        conn.execute("INSERT INTO unrefreshable.sales VALUES (5, 'x')")
        for n in (1, 2):  # rounds go by: the other view is refreshed twice after the change
            conn.execute("INSERT INTO unrefreshable.ticks VALUES (1)")
            wait_for(lambda: conn.execute("SELECT n FROM unrefreshable.ticked").fetchall() == [(n,)])
        assert conn.execute("SELECT s FROM unrefreshable.total").fetchall() == [(None,)]
        assert conn.execute("SELECT is_stale, state FROM stv_mv_info WHERE schema = 'unrefreshable'"
                            " AND name = 'total'").fetchall() == [("t", 104)]
        assert [row[0] for row in statuses(conn, "unrefreshable")] == ["ticked", "ticked"]
