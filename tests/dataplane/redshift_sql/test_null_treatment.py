"""IGNORE NULLS / RESPECT NULLS and NTH_VALUE ... FROM LAST (null_treatment.py): the translation,
and the results on a real engine against hand-computed answers."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.fastpath import needs_translation

from .helpers import pg, refused


@pytest.mark.parametrize("redshift, postgres", [
    ("select first_value(x) ignore nulls over (order by o rows unbounded preceding) from t",
     "select localshift.first_value(localshift.first_values(x, 1, true) OVER (order by o rows unbounded preceding), 1) "
     "from t"),
    ("select first_value(x ignore nulls) over w from t window w as (order by o)",
     "select localshift.first_value(localshift.first_values(x, 1, true) OVER w, 1) from t window w as (order by o)"),
    ("select last_value(x) ignore nulls over (order by o rows unbounded preceding) from t",
     "select localshift.last_value(localshift.last_values(x, 1, true) OVER (order by o rows unbounded preceding), 1) "
     "from t"),
    ("select nth_value(x, 3) from last ignore nulls over (partition by p) from t",
     "select localshift.nth_value(localshift.last_values(x, 3, true) OVER (partition by p), 3, true) from t"),
    ("select nth_value(x, 2) from last over (order by o rows 2 preceding) from t",
     "select localshift.nth_value(localshift.last_values(x, 2, false) OVER (order by o rows 2 preceding), 2, true) "
     "from t"),
    ("select lag(x, 2) ignore nulls over (partition by p order by o) from t",
     "select localshift.lag(localshift.last_values(x, 2, true) OVER (partition by p order by o "
     "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 2) from t"),
    ("select lead(x) ignore nulls over (order by o) from t",
     "select localshift.lead(localshift.first_values(x, 1, true) OVER (order by o "
     "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 1) from t"),
    # RESPECT NULLS and FROM FIRST are PostgreSQL's behaviour: the words go
    ("select lag(x) respect nulls over (order by o) from t", "select lag(x) over (order by o) from t"),
    ("select nth_value(x, 2) from first respect nulls over (partition by p) from t",
     "select nth_value(x, 2) over (partition by p) from t"),
    ("select first_value(x respect nulls) over (order by o rows unbounded preceding) from t",
     "select first_value(x) over (order by o rows unbounded preceding) from t"),
])
def test_rewrites(redshift, postgres):
    assert pg(redshift) == postgres


def test_plain_window_functions_stay_on_the_fast_path():
    assert not needs_translation("select lag(x) over (order by o), row_number() over (order by o) from t")
    assert not needs_translation("select first_value(x) over (partition by p), max(x) over () from t")
    assert needs_translation("select lag(x) ignore nulls over (order by o) from t")
    assert needs_translation("select nth_value(x, 2) from last over (order by o) from t")


def test_forms_without_a_faithful_translation_are_refused():
    assert refused("select lag(x, 0) ignore nulls over (order by o) from t") == (
        "0A000", "LAG IGNORE NULLS with an offset of 0 is not supported by localshift")
    assert refused("select lead(x, 1, 0) ignore nulls over (order by o) from t") == (
        "0A000", "LEAD with a default value and IGNORE NULLS is not supported by localshift")
    assert refused("select first_value(x ignore nulls) ignore nulls over () from t")[0] == "42601"
    assert refused("select lag(x) ignore nulls from t")[0] == "42601"


@pytest.fixture
def readings(db):
    db.execute("create table readings (p int, o int, x int)")
    db.execute("insert into readings values (1, 1, null), (1, 2, 10), (1, 3, null), (1, 4, 20), (1, 5, null), "
               "(2, 1, null), (2, 2, 7)")
    return db


def test_results_skip_nulls_within_the_frame(readings):
    rows = readings.execute("""
        select p, o,
               first_value(x) ignore nulls over (partition by p order by o
                                                 rows between unbounded preceding and unbounded following),
               last_value(x) ignore nulls over (partition by p order by o
                                                rows between unbounded preceding and current row),
               lag(x) ignore nulls over (partition by p order by o),
               lead(x) ignore nulls over (partition by p order by o),
               lag(x, 2) ignore nulls over (partition by p order by o),
               nth_value(x, 2) ignore nulls over (partition by p order by o
                                                  rows between unbounded preceding and unbounded following),
               nth_value(x, 1) from last over (partition by p order by o
                                               rows between unbounded preceding and unbounded following),
               lag(x) respect nulls over (partition by p order by o)
        from readings order by p, o""").fetchall()
    assert rows == [
        (1, 1, 10, None, None, 10, None, 20, None, None),
        (1, 2, 10, 10, None, 20, None, 20, None, None),
        (1, 3, 10, 10, 10, 20, None, 20, None, 10),
        (1, 4, 10, 20, 10, None, None, 20, None, None),
        (1, 5, 10, 20, 20, None, 10, 20, None, 20),
        (2, 1, 7, None, None, 7, None, None, 7, None),
        (2, 2, 7, 7, None, None, None, None, 7, None),
    ]


def test_an_order_without_a_frame_is_refused_and_types_are_kept(readings):
    # Redshift's frame rule (window_frames.py) holds with IGNORE NULLS / FROM LAST too
    assert refused("select last_value(x) ignore nulls over (partition by p order by o) from t") == (
        "0A000", "Aggregate window functions with an ORDER BY clause require a frame clause")
    assert refused("select nth_value(x, 2) from last over (order by o) from t")[0] == "0A000"
    assert readings.execute("select pg_typeof(first_value(x::varchar) ignore nulls over ())::text "
                            "from readings limit 1").fetchone() == ("character varying",)


def test_unaliased_columns_are_named_after_the_function(readings):
    cursor = readings.execute("""
        select first_value(x) ignore nulls over (partition by p order by o rows unbounded preceding),
               last_value(x ignore nulls) over (partition by p),
               nth_value(x, 2) ignore nulls over (partition by p),
               nth_value(x, 1) from last over (partition by p),
               lag(x) ignore nulls over (partition by p order by o),
               lead(x, 2) ignore nulls over (partition by p order by o)
        from readings""")
    assert [column.name for column in cursor.description] == [
        "first_value", "last_value", "nth_value", "nth_value", "lag", "lead"]
