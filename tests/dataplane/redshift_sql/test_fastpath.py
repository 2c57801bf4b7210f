"""The fast path lets PostgreSQL-compatible SQL through untouched."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.fastpath import needs_translation


@pytest.mark.parametrize("sql", [
    "select 1",
    "SELECT id, v FROM t WHERE id = $1",
    "INSERT INTO orders VALUES ($1, $2)",
    "UPDATE t SET v = $1 WHERE id <= 1000", "UPDATE t SET n = n + 1 WHERE id <= 1000",
    "select count(*), max(amount) from orders group by 1",
    "select a from t union all select b from u group by b", "select all a from t group by a",
    'select "id" from "public"."t"',
    "select a.x, b.y from t1 a join t2 b on a.k = b.k", "select s.t.c from s.t join u on u.id = s.t.id",
    "BEGIN", "COMMIT",
])
def test_plain_postgresql_needs_no_translation(sql):
    assert not needs_translation(sql)


@pytest.mark.parametrize("sql", [
    "select top 1 a from t", "select nvl(a, 1)", "select 'x' from t where 1",
    "  /* c */ create table t (a int)", "select 1; vacuum", 'select "MyCol" from t',
    "select a::varchar(max)", "select case when a then 4when b then 5 end",
    "select a as b, b + 1 from t", "select * from #temp", "delete from t using #tmp where #tmp.a = t.id",
    "truncate #t", "delete t where a = 1", "merge into t using s on t.a = s.a remove duplicates",
    # navigation in a JOIN's condition, and navigation rooted at a FROM item
    "select 1 from t join u on t.data.x = 1", "select 1 from t join u on data.x = u.id",
    "select t.data.x from t",
    # GROUP BY ALL, SELECT * EXCLUDE, and calls of the catalog's functions that replace PostgreSQL's
    "select a, count(*) from t group by all", "select a, count(*) from t GROUP  BY\n ALL order by 1",
    "select * exclude (a) from t", "select stddev(a) from t", "select power(2, 3)", "select log(2, 8)",
    "select to_date('20010631', 'YYYYMMDD')",
    # string literals an INSERT or an UPDATE assigns (string_literals.py)
    "insert into t (s) values ('abc')", "  -- c\nUPDATE t SET s = 'x'", "select 1; insert into t values ('a')",
])
def test_redshift_constructs_go_to_the_translator(sql):
    assert needs_translation(sql)


@pytest.mark.parametrize("sql", [
    # a SUPER column named in the select list, in a call, in GROUP BY: a comma outside a FROM
    # list names no FROM item
    "select x, d, d.a from t", "select x, d.a from t", "select coalesce(x, d.a) from t",
    "select x from t group by x, d.a", "select (select max(v) from u), d, d.a from t",
    "select extract(day from x), d, d.a from t", "select x, d.a from t a, u b",
    # unnesting after a FROM list's comma
    "select i from t c, c.items i", "select i from t as c, c.items as i",
    # navigation past a column qualified by schema and table
    "select s.t.data.x from s.t", "select db.s.t.data.x from db.s.t", "select s.t.data.x from db.s.t",
])
def test_navigation_the_from_items_do_not_explain_goes_to_the_translator(sql):
    assert needs_translation(sql)


@pytest.mark.parametrize("sql", [
    "select a.x, b.y, c.z from s.t a, s.u b, c", "select u.a from t,u", "select t.c from db.s.t",
    "select db.s.t.c, s.t.c from db.s.t", "delete from t using u, v where v.a = t.a",
])
def test_names_a_from_list_declares_qualify_columns(sql):
    assert not needs_translation(sql)
