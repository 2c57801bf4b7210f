"""catalog/25_text_datetime_comparisons.sql: a string compared with a DATE, TIMESTAMP or
TIMESTAMPTZ is read as one, by operators the planner inlines (an index on the datetime column
serves a comparison with a string), in the session's time zone.
(Results beside CASE/UNION's mixed types are in tests/clients/corpus/datetime_text_and_mixed_types.yaml.)"""

from __future__ import annotations

import datetime

import psycopg
import pytest


def _plan(db, sql: str) -> str:
    return "\n".join(row[0] for row in db.execute(f"explain {sql}").fetchall())


def test_a_date_column_compared_with_a_string_uses_its_index(db):
    db.execute("create table days (d date primary key, n int)")
    db.execute("insert into days select date '2024-01-01' + g, g from generate_series(0, 1999) g")
    db.execute("analyze days")
    db.execute("set enable_seqscan = off")
    sql = "select n from days where d = '2024-01-11'::varchar"
    plan = _plan(db, sql)
    assert "Index" in plan and "::date" in plan, plan
    assert db.execute(sql).fetchall() == [(10,)]
    assert db.execute("select count(*) from days where '2024-01-11'::varchar > d").fetchone() == (10,)


def test_the_comparison_is_of_datetimes_not_of_text(db):
    # as text '2024-01-01 00:00:00' > '2024-01-01' and '2024-1-2' > '2024-01-10'
    row = db.execute("select timestamp '2024-01-01 00:00:00' = '2024-01-01'::varchar, "
                     "date '2024-01-10' > '2024-1-2'::varchar, '2024-1-2'::varchar < date '2024-01-10'").fetchone()
    assert row == (True, True, True)


def test_a_string_compared_with_a_timestamptz_is_read_in_the_session_time_zone(db):
    db.execute("create table events (at timestamptz, local varchar(30))")
    db.execute("insert into events values ('2024-06-01 12:00:00+00', '2024-06-01 14:00:00')")
    db.execute("set timezone to 'Europe/Berlin'")
    assert db.execute("select at = local from events").fetchone() == (True,)
    db.execute("set timezone to 'UTC'")
    assert db.execute("select at = local, at < local from events").fetchone() == (False, True)


def test_a_string_that_is_no_timestamp_fails_and_a_null_compares_unknown(db):
    db.execute("create table stamps (ts timestamp, v varchar(20))")
    db.execute("insert into stamps values ('2024-01-01 08:00', null)")
    assert db.execute("select ts = v, ts < v from stamps").fetchone() == (None, None)
    db.execute("update stamps set v = 'soon'")
    with pytest.raises(psycopg.errors.InvalidDatetimeFormat, match='invalid input syntax for type timestamp: "soon"'):
        db.execute("select count(*) from stamps where ts < v")


def test_results_keep_their_types(db):
    db.execute("create table typed (d date, v varchar(10))")
    db.execute("insert into typed values ('2024-02-29', '2024-02-29')")
    row = db.execute("select d, v, d = v from typed where v >= d").fetchone()
    assert row == (datetime.date(2024, 2, 29), "2024-02-29", True)
