"""Query-level rewrites: TOP, QUALIFY, lateral aliases, WHERE 1, MINUS; aliases of DML's subqueries."""

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


def test_lateral_aliases_in_the_select_list_and_where():
    assert pg("select a + 1 as b, b * 2 as c from t") == "select a + 1 as b, (a + 1) * 2 as c from t"
    assert pg('select n.nspname as "schema" from namespaces n where 1 and schema = \'x\'') == \
        "select n.nspname as \"schema\" from namespaces n where true and (n.nspname) = 'x'"
    # the alias names a column its own expression reads: later uses mean that column
    assert pg("select lower(email) as email from u where email = 'A'") == \
        "select lower(email) as email from u where email = 'A'"
    # ORDER BY / GROUP BY an alias is PostgreSQL already; t.b and b() are not the alias
    assert pg("select a as b from t group by b order by b") == "select a as b from t group by b order by b"
    assert pg("select a as b, t.b, b(1) from t") == "select a as b, t.b, b(1) from t"
    # AWS's HAVING example names an aggregate's alias there
    assert pg("select eventname, max(pricepaid) as pp from sales group by 1 having pp > 800000 order by 2 desc, 1") == \
        "select eventname, max(pricepaid) as pp from sales group by 1 having (max(pricepaid)) > 800000 order by 2 desc, 1"


def test_lateral_aliases_inside_calls_the_translator_rewrote():
    # AWS's v_vacuum_summary: DATEDIFF's arguments are earlier aliases of the same SELECT
    assert pg("select a.t as start_time, b.t as end_time, datediff(s, start_time, end_time) as secs "
              "from v a, v b") == ("select a.t as start_time, b.t as end_time, "
                                   "date_diff('second', (a.t), (b.t)) as secs from v a, v b")
    # a string with the alias's name, a qualified column and a subquery's own column stay
    assert pg("select x as d, dateadd(day, 1, d) || 'd' as e, datediff(day, t.d, (select d from u)) as f "
              "from t") == ("select x as d, date_add('day', 1, (x)) || 'd' as e, "
                            "date_diff('day', t.d, (select d from u)) as f from t")


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
