"""generate_series chosen by a CASE: the CASE moves into its arguments."""

from __future__ import annotations

import pytest

from sql_cluster import SqlCluster

from .helpers import pg


def test_a_case_whose_results_are_series_picks_their_arguments():
    assert pg("select case when a is null then generate_series(1, n)-1 else generate_series(1, n+1)-1 end as pos "
              "from t") == ("select generate_series(CASE WHEN a is null THEN 1 ELSE 1 END, "
                            "CASE WHEN a is null THEN n ELSE n+1 END)-1 as pos from t")
    assert pg("select case when x then generate_series(1, 2) when y then generate_series(3, 4) "
              "else generate_series(5, 6) end") == (
        "select generate_series(CASE WHEN x THEN 1 WHEN y THEN 3 ELSE 5 END, "
        "CASE WHEN x THEN 2 WHEN y THEN 4 ELSE 6 END)")


@pytest.mark.parametrize("sql", [
    "select case when x then generate_series(1, 2) end",  # no ELSE: a NULL row, not an empty series
    "select case when x then generate_series(1, 2) + 1 else generate_series(1, 3) end",  # other tails
    "select case when x then generate_series(1, 2) else 0 end",
    "select case x when 1 then generate_series(1, 2) else generate_series(1, 3) end",
])
def test_other_cases_are_left_to_the_engine(sql):
    assert pg(sql) == sql


@pytest.fixture(scope="module")
def database(sql_cluster: SqlCluster) -> str:
    return sql_cluster.fresh_database(__file__)


def test_each_row_gets_the_series_of_its_branch(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        rows = conn.execute(
            "SELECT k, CASE WHEN k = 1 THEN generate_series(1, 2) ELSE generate_series(10, 12) END AS v "
            "FROM (SELECT 1 AS k UNION ALL SELECT 2) s ORDER BY k, v").fetchall()
    assert rows == [(1, 1), (1, 2), (2, 10), (2, 11), (2, 12)]
