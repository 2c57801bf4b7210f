"""PIVOT and UNPIVOT in FROM: the derived tables they become, and Redshift's restrictions."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.fastpath import needs_translation

from .helpers import pg, refused


def test_pivot_groups_by_the_implicit_columns_with_one_filtered_aggregate_per_value():
    assert pg("select * from (select quality, manufacturer from part) pivot (count(*) as count "
              "for quality in (1 as high, 2 as low, null as na))") == (
        "select * from (SELECT manufacturer, "
        "count(*) FILTER (WHERE quality IS NOT DISTINCT FROM 1) AS high_count, "
        "count(*) FILTER (WHERE quality IS NOT DISTINCT FROM 2) AS low_count, "
        "count(*) FILTER (WHERE quality IS NOT DISTINCT FROM null) AS na_count "
        "FROM (select quality, manufacturer from part) GROUP BY manufacturer) AS __ls_pivot1")


def test_pivot_column_names_are_the_constants_or_their_aliases():
    sql = pg("select * from (select a, b from t) pivot (min(b) for a in ('X', -1, null, 2 two, 'y'::text)) p")
    assert 'AS x,' in sql and 'AS "-1",' in sql and 'AS "null",' in sql and "AS two," in sql
    assert 'AS "?column?" FROM' in sql and sql.endswith("AS p")
    # no implicit column: one row, no GROUP BY
    assert "GROUP BY" not in sql
    assert 'AS "X"' in pg("select * from (select a, b from t) pivot (min(b) for a in ('X'))", case_sensitive=True)


def test_pivot_over_a_cte_reads_its_columns_and_keeps_the_source_alias():
    sql = pg("with s as (select k, v, w from t) select * from s as src pivot (sum(src.v) for k in (1))")
    assert "SELECT w, localshift.sum(src.v) FILTER (WHERE k IS NOT DISTINCT FROM 1) AS \"1\" FROM s as src GROUP BY w" in sql
    sql = pg("with s (k, v, w) as (select 1, 2, 3) select * from s pivot (avg(v) for k in (1))")
    assert "GROUP BY w" in sql


def test_pivot_over_a_table_groups_by_its_rows_without_the_pivoted_columns():
    assert pg("select m, x from s.part p pivot (max(p.price) for kind in (1 as x))") == (
        "select m, x from (SELECT (__ls_key1).*, max(p.price) FILTER (WHERE kind IS NOT DISTINCT FROM 1) AS x "
        "FROM (SELECT jsonb_populate_record(p, E'{\"kind\": null, \"price\": null}'::jsonb) AS __ls_key1, p.* "
        "FROM s.part p) AS p GROUP BY __ls_key1) AS __ls_pivot2")


def test_pivot_aggregates_get_the_translators_rewrites():
    assert "avg(sum(localshift.sum_argument(price)) FILTER (WHERE partname IS NOT DISTINCT FROM 'prop')" in pg(
        "select * from (select partname, price from part) pivot (avg(price) for partname in ('prop'))")


@pytest.mark.parametrize("sql, message", [
    ("select * from (select a, b from t) pivot (stddev(b) for a in (1))", "aggregate function stddev"),
    ("select * from (select a, b from t) pivot (max(b) + 1 for a in (1))", "without an expression around it"),
    ("select * from (select a, b from t) pivot (max(b) for a in (b))", "cannot be column references"),
    ("select * from (select a, b from t) pivot (max(b) for a in ((select 1)))", "cannot be subqueries"),
    ("select * from t join u using (a) pivot (max(b) for a in (1))", "PIVOT cannot be applied to a JOIN"),
    ("select * from t pivot (max(b) for a in (1))", "SELECT * over PIVOT of a table"),
    ("select x from (select * from t) pivot (max(b) for a in (1))", "PIVOT over a subquery or CTE selecting *"),
    ("with s as (select * from t) select x from s pivot (max(b) for a in (1))", "subquery or CTE selecting *"),
    ("select * from (select a, b from t) pivot (max(b) for a in (1)) unpivot (v for n in (a))",
     "cannot be applied to a PIVOT or UNPIVOT expression"),
])
def test_pivot_restrictions_fail_loudly(sql, message):
    state, text = refused(sql)
    assert state == "0A000" and message in text


def test_unpivot_pairs_names_with_values_and_drops_nulls_by_default():
    assert pg("select * from (select q, red, green from c) unpivot (cnt for color in (red, green as g))") == (
        "select * from (SELECT q, __ls_unpivot1.color, __ls_unpivot1.cnt FROM (select q, red, green from c) "
        "CROSS JOIN LATERAL (VALUES (E'red'::varchar, red), (E'g'::varchar, green)) "
        "AS __ls_unpivot1(color, cnt) WHERE __ls_unpivot1.cnt IS NOT NULL) AS __ls_unpivot2")
    assert "IS NOT NULL" not in pg("select * from (select red from c) unpivot include nulls (n for k in (red))")
    assert "IS NOT NULL" in pg("select * from (select red from c) unpivot exclude nulls (n for k in (red)) x")


def test_unpivot_over_a_table_keeps_its_columns_unless_the_query_selects_star():
    assert pg("select quality, color from count_by_color unpivot (cnt for color in (red, blue))") == (
        "select quality, color from (SELECT count_by_color.*, __ls_unpivot1.color, __ls_unpivot1.cnt "
        "FROM count_by_color CROSS JOIN LATERAL (VALUES (E'red'::varchar, red), (E'blue'::varchar, blue)) "
        "AS __ls_unpivot1(color, cnt) WHERE __ls_unpivot1.cnt IS NOT NULL) AS __ls_unpivot2")
    assert refused("select * from count_by_color unpivot (cnt for color in (red))")[0] == "0A000"
    assert refused("select u.* from count_by_color unpivot (cnt for color in (red)) u")[0] == "0A000"
    assert refused("select * from (select red from c) unpivot (cnt for color in (red + 1))")[0] == "0A000"


def test_pivot_and_unpivot_go_to_the_translator():
    assert needs_translation("select * from t pivot (count(*) for a in (1))")
    assert needs_translation("select * from t unpivot (v for n in (a))")


def test_columns_named_pivot_are_columns():
    for sql in ("select t.pivot from t join u on t.pivot = u.unpivot", "select pivot, unpivot from t"):
        assert pg(sql) == sql


def test_case_sensitive_identifiers_keep_their_case():
    sql = pg('select * from (select "Kind", "Price" from t) pivot (max("Price") as "Top" for "Kind" in (1 as "One"))',
             case_sensitive=True)
    assert 'AS "One_Top"' in sql and "GROUP BY" not in sql
    sql = pg('select * from (select q, "Red" from c) unpivot ("N" for "Color" in ("Red"))', case_sensitive=True)
    assert "(SELECT q, __ls_unpivot1.\"Color\", __ls_unpivot1.\"N\"" in sql and "(E'Red'::varchar, \"Red\")" in sql
