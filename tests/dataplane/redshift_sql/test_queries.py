"""Query-level rewrites: TOP, QUALIFY, WHERE 1, MINUS, a client's query reusing its aliases; aliases of DML's
subqueries (test_select_aliases.py: lateral aliases themselves)."""

from __future__ import annotations

from .helpers import pg, refused


def test_top_becomes_limit():
    assert pg("select top 5 a from t order by a") == "select   a from t order by a LIMIT 5"
    assert pg("select distinct top 2 a from t") == "select distinct   a from t LIMIT 2"
    assert pg("select top 1 a from t union select b from u") == \
        "(select   a from t LIMIT 1) union select b from u"
    assert pg("select a from (select top 3 a from t) s") == "select a from (select   a from t LIMIT 3) s"
    assert refused("select top 3 a from t limit 2")[0] == "42601"
    assert pg("select a from t union all select top 2 b from u where b > 1 order by 1 limit 3") == \
        "select a from t union all (select   b from u where b > 1 LIMIT 2) order by 1 limit 3"
    assert pg("select x from (select a from t except select top 1 b from u) s") == \
        "select x from (select a from t except (select   b from u LIMIT 1) ) s"


def test_redshift_connector_legacy_column_query_shape():
    sql = ("select case x when 1 then 4WHEN 2 then 5 end as IS_AUTOINCREMENT, "
           "IS_AUTOINCREMENT AS IS_GENERATEDCOLUMN from t")
    assert pg(sql) == ("select case x when 1 then 4 WHEN 2 then 5 end as IS_AUTOINCREMENT, "
                       "(case x when 1 then 4 WHEN 2 then 5 end) AS IS_GENERATEDCOLUMN from t")


def test_qualify_filters_outside():
    assert pg("select a, row_number() over (order by b) as rn from t qualify rn = 1") == (
        "SELECT __ls_col1 AS a, __ls_col2 AS rn FROM (SELECT a AS __ls_col1, row_number() over "
        "(order by b) AS __ls_col2, ((row_number() over (order by b)) = 1) AS __ls_qualify from t) "
        "AS __ls_qualified WHERE __ls_qualify")
    assert pg("select t.* from t qualify count(*) over () > 1 order by t.a").startswith(
        "SELECT (__ls_row1_1).* FROM (SELECT t AS __ls_row1_1")
    assert refused("select a from t qualify true order by b") == (
        "0A000", "QUALIFY with ORDER BY b (not an output column) is not supported by localshift")


def test_where_one_and_minus():
    assert pg("select 1 from t where 1") == "select 1 from t where true"
    assert pg("select 1 from t where 0 or a") == "select 1 from t where false or a"
    assert pg("select a from t minus select a from u") == "select a from t EXCEPT select a from u"
    assert pg("select a from t where a and 1 > 0") == "select a from t where a and 1 > 0"


def test_a_subquerys_alias_in_dml_is_no_super_navigation():
    # an alias of a subquery (or of a target) in MERGE, UPDATE, DELETE is a relation, not a SUPER column
    for sql in [
        "merge into m1 using (select 'a' as name) s on m1.name = s.name "
        "when matched then update set amt = s.amt when not matched then insert (name) values (s.name)",
        "merge into m1 as t using (select * from m2) as s on t.name = s.name when matched then delete",
        "update m1 x set amt = s.amt from (select 'b' as name, 7 as amt) s where x.name = s.name",
        "delete from t1 x using (select 1 as id) s, (select 2 as id) u where x.id = s.id or x.id = u.id",
        "insert into t1 (id) select s.id from (select 3 as id) s",
        "select t1.id, l.x from t1, lateral (select t1.v * 2 as x) l",
    ]:
        assert "->" not in pg(sql), sql
    # a column of a real SUPER value still navigates
    assert pg("update t set a = 1 from (select 1) s where t.data.x = s.y") == \
        "update t set a = 1 from (select 1) s where (t.data -> E'x') = s.y"
