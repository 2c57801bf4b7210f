"""Query-level rewrites: TOP, QUALIFY, lateral aliases, WHERE 1, MINUS."""

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
    assert pg('select n.nspname as "schema" from pg_namespace n where 1 and schema = \'x\'') == \
        "select n.nspname as \"schema\" from pg_namespace n where true and (n.nspname) = 'x'"
    # the alias names a column its own expression reads: later uses mean that column
    assert pg("select lower(email) as email from u where email = 'A'") == \
        "select lower(email) as email from u where email = 'A'"
    # ORDER BY / GROUP BY an alias is PostgreSQL already; t.b and b() are not the alias
    assert pg("select a as b from t group by b order by b") == "select a as b from t group by b order by b"
    assert pg("select a as b, t.b, b(1) from t") == "select a as b, t.b, b(1) from t"


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
