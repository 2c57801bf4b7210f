"""Redshift's frame rules for aggregate window functions (window_frames.py), through the translator."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.fastpath import needs_translation
from .helpers import pg, refused


@pytest.mark.parametrize("sql", [
    "select sum(q) over (order by id) from t",
    "select count(*) over (partition by g order by id) from t",
    "select avg(q) over (order by id desc) from t",
    "select first_value(q) over (order by id), last_value(q) over (order by id) from t",
    "select nth_value(q, 2) over (partition by g order by id) from t",
    "select stddev_samp(q) over (order by id), var_pop(q) over (order by id) from t",
    "select x from (select max(q) over (order by id) as x from t) s",
])
def test_an_aggregate_window_function_with_order_by_needs_a_frame(sql):
    assert needs_translation(sql)
    assert refused(sql) == ("0A000", "Aggregate window functions with an ORDER BY clause require a frame clause")


@pytest.mark.parametrize("sql", [
    "select sum(q) over (order by id rows unbounded preceding) from t",
    "select sum(q) over (order by id rows between 1 preceding and 1 following) from t",
    "select sum(q) over (partition by g) from t",
    "select count(*) over () from t",
    "select row_number() over (order by id), ntile(2) over (order by id), lag(q) over (order by id) from t",
    "select sum(q) from t order by 1",
])
def test_frames_ranking_functions_and_windows_without_order_are_left_alone(sql):
    # (SUM is the catalog's, for Redshift's result types)
    assert pg(sql) == sql.replace("ntile(2) over (order by id)", "CAST(ntile(2) OVER (order by id) AS bigint)")\
        .replace("sum(", "localshift.sum(")


@pytest.mark.parametrize("sql", [
    "select median(q) over (order by id) from t",
    "select median(q) over (partition by g rows unbounded preceding) from t",
])
def test_median_takes_partition_by_only(sql):
    assert needs_translation(sql)
    assert refused(sql) == ("42601", "MEDIAN allows only PARTITION BY in its OVER clause")


def test_median_over_partitions_is_left_alone():
    assert pg("select median(q) over (partition by g) from t") == "select median(q) over (partition by g) from t"

