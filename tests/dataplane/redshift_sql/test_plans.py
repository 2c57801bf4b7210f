"""EXPLAIN in the shape of Redshift's plans (plans.py, catalog/38_explain.sql)."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import pg


def test_explain_passes_the_translated_query_to_explain_plan():
    assert pg("explain select * from t") == "SELECT * FROM localshift.explain_plan(E'select * from t', false)"
    assert pg("EXPLAIN VERBOSE select top 3 a from t order by 1") == \
        "SELECT * FROM localshift.explain_plan(E'select   a from t order by 1 LIMIT 3', true)"
    assert pg("explain delete t where a = 'x'") == \
        "SELECT * FROM localshift.explain_plan(E'delete FROM t where a = ''x''', false)"
    # PostgreSQL's own forms, and a query with bind parameters, run as PostgreSQL runs them.
    for sql in ("explain analyze select 1", "explain (costs off) select 1", "explain select * from t where a = $1",
                "explain vacuum t"):
        assert pg(sql) == sql


def plan(db, sql: str) -> list[str]:
    cursor = db.execute(sql)
    assert [column.name for column in cursor.description] == ["QUERY PLAN"]
    return [line for (line,) in cursor.fetchall()]


@pytest.fixture
def tables(db):
    db.execute("create table event (eventid int, venueid int, eventname varchar(200))")
    db.execute("create table venue (venueid int, venuename varchar(100))")
    db.execute("insert into event select g, g % 10, 'e' || g from generate_series(1, 2000) g")
    db.execute("insert into venue select g, 'v' || g from generate_series(1, 10) g")
    db.execute("analyze event")
    db.execute("analyze venue")
    return db


def cost(line: str) -> str:
    return line[line.index("  (cost="):]


def test_scans_aggregates_and_joins_are_xn_steps(tables):
    scan = plan(tables, "explain select * from event where eventid > 1990")
    assert scan[0].startswith("XN Seq Scan on event  (cost=0.00..") and scan[1] == "  Filter: (eventid > 1990)"
    grouped = plan(tables, "explain select eventname, count(*) from event group by eventname")
    assert grouped[0].startswith("XN HashAggregate  (cost=")
    assert grouped[2].startswith("  ->  XN Seq Scan on event  (cost=")
    joined = plan(tables, "explain select eventname, venuename from event, venue where event.venueid = venue.venueid")
    assert joined[0].startswith("XN Hash Join DS_DIST_NONE  (cost=")
    assert "  ->  XN Hash  (cost=" in [line[:line.index("(cost=") + 6] for line in joined if "XN Hash " in line]
    assert plan(tables, "explain select 1") == ["Result  (cost=0.00..0.01 rows=1 width=4)"]  # the leader's


def test_a_sorted_result_is_merged_on_the_leader(tables):
    ordered = plan(tables, "explain select eventid from event order by eventid desc")
    assert [line.split("  (cost=")[0] for line in ordered] == [
        "XN Merge", "  Merge Key: eventid DESC", "  ->  XN Network", "        Send to leader",
        "        ->  XN Sort", "              Sort Key: eventid DESC", "              ->  XN Seq Scan on event"]
    assert cost(ordered[0]) == cost(ordered[2]) == cost(ordered[4])
    limited = plan(tables, "explain select top 5 eventid from event order by eventid")
    assert [line.split("  (cost=")[0] for line in limited] == [
        "XN Limit", "  ->  XN Merge", "        Merge Key: eventid", "        ->  XN Network",
        "              Send to leader", "              ->  XN Sort", "                    Sort Key: eventid",
        "                    ->  XN Seq Scan on event"]


def test_writes_show_the_plan_of_their_rows(tables):
    assert [line.split("  (cost=")[0] for line in plan(tables, "explain delete from event where eventid = 3")] == [
        "XN Seq Scan on event", "  Filter: (eventid = 3)"]
    assert plan(tables, "explain update venue set venuename = 'x'")[0].startswith("XN Seq Scan on venue  (cost=")
    assert plan(tables, "explain create table event_copy as select * from event")[0].startswith(
        "XN Seq Scan on event  (cost=")
    assert tables.execute("select count(*) from event").fetchone() == (2000,)  # nothing ran
    assert tables.execute("select to_regclass('event_copy')").fetchone() == (None,)


def test_verbose_and_postgresql_forms(tables):
    verbose = plan(tables, "explain verbose select eventid from event")
    assert verbose[0].startswith("XN Seq Scan on it.event  (cost=") and verbose[1] == "  Output: eventid"
    assert plan(tables, "explain (costs off) select eventid from event") == ["Seq Scan on event"]
    with pytest.raises(psycopg.errors.UndefinedTable):
        tables.execute("explain select * from missing")
