"""Rewrites that apply wherever they appear: bare words, types, identifiers,
glued numbers, Redshift-only catalog columns, engine functions."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.install import ENGINE_FUNCTIONS

from .helpers import pg


def test_bare_words():
    assert pg("select sysdate") == "select LOCALTIMESTAMP"
    assert pg("select approximate count(distinct a) from t") == "select count(distinct a) from t"
    assert pg("select current_user_id").startswith("select CAST((SELECT oid FROM pg_catalog.pg_roles")
    assert pg("select current_aws_account, current_namespace") \
        == "select (SELECT pg_catalog.current_aws_account()), (SELECT pg_catalog.current_namespace())"
    # a column or alias named like them stays
    assert pg("select t.sysdate, 1 as sysdate from t") == "select t.sysdate, 1 as sysdate from t"


def test_the_clusters_facts_are_read_once_per_statement():
    """A scalar subquery (the engine runs it once per statement) around the catalog's functions, which
    read the configuration files; a column's DEFAULT takes no subquery: the call itself there."""
    assert pg("select default_iam_role() from t") == "select (SELECT pg_catalog.default_iam_role()) from t"
    assert pg("select upper(DEFAULT_IAM_ROLE ( )), current_namespace from t") == \
        "select upper((SELECT pg_catalog.default_iam_role())), (SELECT pg_catalog.current_namespace()) from t"
    assert pg("create table t (a varchar(99) default default_iam_role(), b bigint default current_aws_account)") \
        == ("create table t (a varchar(99) default pg_catalog.default_iam_role(), "
            "b bigint default pg_catalog.current_aws_account())")
    # arguments it does not take are the engine's error; a qualified call and a column stay
    assert pg("select default_iam_role(1)") == "select default_iam_role(1)"
    assert pg("select pg_catalog.default_iam_role(), t.current_namespace from t") == \
        "select pg_catalog.default_iam_role(), t.current_namespace from t"


def test_redshift_type_names_after_a_cast_operator():
    assert pg("select a::varchar(max), b::super, c::nvarchar(10)") == \
        'select a::varchar(65535), localshift."super"(b), c::varchar(10)'


def test_delimited_identifiers_fold_to_lower_case_unless_case_sensitive():
    assert pg('select "MyCol" from "Sch"."T"') == 'select "mycol" from "sch"."t"'
    assert pg('select "MyCol" from t', case_sensitive=True) == 'select "MyCol" from t'


def test_a_number_glued_to_a_keyword_is_split():
    assert pg("select case when x then 4when y then 5end") == "select case when x then 4 when y then 5 end"


def test_redshift_catalog_columns_read_localshift_views():
    assert pg("select c.reldiststyle from pg_catalog.pg_class c") == \
        "select c.reldiststyle from localshift.redshift_pg_class c"
    assert pg("select attencodingtype from pg_attribute, pg_attrdef") == (
        "select attencodingtype from localshift.redshift_pg_attribute AS pg_attribute, localshift.redshift_pg_attrdef"
        " AS pg_attrdef")
    assert pg("select defacluser from pg_catalog.pg_default_acl") == \
        "select defacluser from localshift.redshift_pg_default_acl AS pg_default_acl"


def test_redshifts_postgresql_8_names_of_pg_stat_activity_and_pg_locks():
    assert pg("select a.procpid, l.transaction from pg_catalog.pg_locks l join pg_stat_activity a "
              "on a.procpid = l.pid") == ("select a.procpid, l.transaction from localshift.redshift_pg_locks l "
                                          "join localshift.redshift_pg_stat_activity a on a.procpid = l.pid")
    assert pg("select current_query from pg_stat_activity") == \
        "select current_query from localshift.redshift_pg_stat_activity AS pg_stat_activity"
    assert pg("select pid, query from pg_stat_activity") == "select pid, query from pg_stat_activity"


def test_pg_constraint_reads_the_view_without_not_null_rows_wherever_named():
    assert pg("select conname from pg_constraint c join pg_catalog.pg_constraint d on true") == \
        "select conname from localshift.redshift_pg_constraint c join localshift.redshift_pg_constraint d on true"
    assert pg("select 'pg_constraint'::regclass") == "select 'pg_constraint'::regclass"


def test_pg_class_pg_namespace_pg_database_and_pg_type_read_views_with_redshifts_rows_wherever_named():
    assert pg("select c.relname from pg_catalog.pg_class c join pg_namespace as n on n.oid = c.relnamespace") == (
        "select c.relname from localshift.redshift_pg_class c join localshift.redshift_pg_namespace as n"
        " on n.oid = c.relnamespace")
    assert pg("select typname from pg_type t") == "select typname from localshift.redshift_pg_type t"
    # without an alias the view takes the catalog's name, which qualifies its columns
    assert pg("select pg_class.relname from pg_class, pg_catalog.pg_namespace where pg_namespace.oid = 1") == (
        "select pg_class.relname from localshift.redshift_pg_class AS pg_class, localshift.redshift_pg_namespace"
        " AS pg_namespace where pg_namespace.oid = 1")
    assert pg("select 1 from (select oid from pg_namespace) s") == \
        "select 1 from (select oid from localshift.redshift_pg_namespace AS pg_namespace) s"
    assert pg("select 'pg_class'::regclass, x.pg_type from x") == "select 'pg_class'::regclass, x.pg_type from x"
    # a name qualified by pg_catalog names the view's alias; an alias named as the catalog stays one
    assert pg("select pg_catalog.pg_namespace.nspname from pg_catalog.pg_namespace") == \
        "select pg_namespace.nspname from localshift.redshift_pg_namespace AS pg_namespace"
    assert pg("select pg_namespace.nspname from pg_catalog.pg_namespace as pg_namespace join t pg_class on true") == (
        "select pg_namespace.nspname from localshift.redshift_pg_namespace as pg_namespace join t pg_class on true")
    assert pg("create temporary table pg_class (oid oid)") == "create temporary table pg_class (oid oid)"
    # pg_database without the engine's own database (SHOW DATABASES's list, and the templates)
    assert pg("select datname from pg_catalog.pg_database where not datistemplate") == \
        "select datname from localshift.redshift_pg_database AS pg_database where not datistemplate"


def test_functions_the_catalog_defines_are_qualified():
    assert "regexp_count" in ENGINE_FUNCTIONS
    assert pg("select regexp_count('aaa', 'a')") == "select localshift.regexp_count('aaa', 'a')"
    assert pg("select x.regexp_count('aaa', 'a')") == "select x.regexp_count('aaa', 'a')"


def test_partiql_navigation_into_super_values():
    assert pg("select c.orders[0].id from customer_orders c") == \
        "select (c.orders -> (0) -> E'id') AS \"id\" from customer_orders c"
    assert pg("select data.Items[1].name::varchar from t") == \
        "select (data -> E'items' -> (1) ->> E'name')::varchar from t"
    assert pg("select e.payload.kind from s.events e where payload.n >= 3 and payload.tag = 'x'") == (
        "select (e.payload -> E'kind') AS \"kind\" from s.events e where (payload -> E'n') >= to_jsonb(3) and "
        "(payload -> E'tag') = to_jsonb(E'x'::text)")
    # in a JOIN's ON condition (the name after ON is a column, not a relation), then a FROM item after a comma
    assert pg("select 1 from t join u on t.data.x = 1 and data.y = u.id, v where v.a = 1") == (
        "select 1 from t join u on (t.data -> E'x') = to_jsonb(1) and (data -> E'y') = u.id, v where v.a = 1")
    # qualified columns, schema-qualified names, functions, star, catalog arrays, ARRAY[...]
    for sql in ("select s.t.a, t.b, u.c from s.t join u on u.c = t.b",
                "select x.f(1), t.* from t", "select i.indkey[0] from pg_index i",
                "select array[1, 2]", "insert into t (a) select 1 on conflict (a) do update set a = excluded.a",
                "select a from only s.t", "select m[1:2], m[:2] from t"):
        assert pg(sql) == sql
    assert pg("create table if not exists s.t (a int)") == "create table IF NOT EXISTS s.t (a int)"


def test_a_column_named_in_the_select_list_then_navigated():
    assert pg("select x, d, d.a from t") == "select x, d, (d -> E'a') AS \"a\" from t"
    assert pg("select coalesce(x, d.a) from t group by x, d.a") == \
        "select coalesce(x, (d -> E'a')) from t group by x, (d -> E'a')"


def test_qualified_object_names_are_no_navigation():
    for sql in (
            # a CREATE that holds no query: its dotted names are objects' (functions, types, tables)
            "create operator s.=== (procedure = s.fn, leftarg = int, rightarg = s.typ)",
            "create operator === (function = public.fn, leftarg = int, rightarg = int)",
            "create aggregate s.agg (int) (sfunc = s.fn, stype = int)",
            "create type s.typ as (a int, b s.other)", "create sequence s.seq owned by s.t.c",
            "create function s.f(a s.typ) returns setof s.t as $$ select * from s.t $$ language sql",
            "create rule r as on insert to s.t do instead nothing",
            # other statements naming objects
            "comment on column s.t.c is 'x'", "grant select on s.t to u", "revoke all on s.t from u",
            "alter table s.t rename to u", "create index i on s.t (c)", "drop function s.f(int)",
            "call s.p()", "select nextval('s.seq')", "select s.f(x), t.c from t", "select x::s.typ from t",
            "create table x (a s.typ) inherits (s.t)", "select a collate pg_catalog.default from t",
            # columns qualified by schema and table, relations by database and schema
            "select s.t.c from s.t", "select db.s.t.c, t.c from db.s.t",
            "insert into s.t (a) select s.u.a from s.u"):
        assert pg(sql) == sql, sql
    assert pg("select cast(x as s.typ) from t") == "select cast(x AS s.typ) from t"
    assert pg("alter table s.t rename column a to b") == \
        """alter table s.t rename column a to b /*localshift:{"schema":"s","name":"t","rename_column":["a","b"]}*/"""
    assert pg("create table x (a int references s.t (a))") == \
        """create table x (a int references s.t (a) NOT ENFORCED) /*localshift:references["s.t"]*/"""
    # navigation past a qualified column, in a view's or a CTAS's query
    assert pg("select s.t.data.a from s.t") == "select (s.t.data -> E'a') AS \"a\" from s.t"
    assert pg("create view v as select t.data.a, d.b from s.t") == \
        "create view v as select (t.data -> E'a') AS \"a\", (d -> E'b') AS \"b\" from s.t"


@pytest.mark.parametrize("redshift, postgres", [
    # Redshift's column name (PostgreSQL's would be ?column?, twice in a view or CTAS: a collision)
    ("create table u as select c.doc.x, c.doc.\"Y\" from t c",
     "create table u AS select (c.doc -> E'x') AS \"x\", (c.doc -> E'y') AS \"y\" from t c"),
    ("select distinct c.doc.x from t c union select c.doc.y from t c",
     "select distinct (c.doc -> E'x') AS \"x\" from t c union select (c.doc -> E'y') AS \"y\" from t c"),
    # aliased, part of an expression, an element, cast, outside the select list: as before
    ("select c.doc.x as y from t c", "select (c.doc -> E'x') as y from t c"),
    ("select c.doc.x + 1, f(c.doc.x) from t c", "select (c.doc -> E'x') + 1, f((c.doc -> E'x')) from t c"),
    ("select c.doc.items[0] from t c", "select (c.doc -> E'items' -> (0)) from t c"),
    ("select c.doc.x::int from t c", "select (c.doc ->> E'x')::int from t c"),
    ("select 1 from t c order by c.doc.x, c.doc.y", "select 1 from t c order by (c.doc -> E'x'), (c.doc -> E'y')"),
    ("select case when a then c.doc.x end from t c", "select case when a then (c.doc -> E'x') end from t c"),
])
def test_a_navigated_select_item_is_named_after_its_last_attribute(redshift, postgres):
    assert pg(redshift) == postgres


def test_under_qualify_the_rewrite_names_navigated_items():
    assert "SELECT (c.doc -> E'x') AS __ls_col1," in pg("select c.doc.x from t c qualify row_number() over (order by id) = 1")


def test_a_relation_named_as_a_catalog_function_is_no_call():
    # LOG, POWER and TO_DATE are the catalog's (schema localshift) wherever they are called ...
    assert pg("select log(2, 8), power (2, 3) from t where to_date(d, 'YYYYMMDD') > x") == \
        "select localshift.log(2, 8), localshift.power (2, 3) from t where localshift.to_date(d, 'YYYYMMDD') > x"
    # ... but a table or a common table expression of that name with its columns is a relation
    for sql in ("insert into log (a, b) values (1, 2)", "create table IF NOT EXISTS power (a int)",
                "analyze log (a)", "analyze verbose log (a)",
                "with log (a) as (select 1) select a from log",
                "with x as (select 1), power (b) as materialized (select 2) select b from power",
                "with recursive to_date (n) as (select 1 union all select n + 1 from to_date where n < 3) "
                "select n from to_date"):
        assert pg(sql) == sql, sql
    assert pg("create table t (a int references log (id))") == (
        """create table t (a int references log (id) NOT ENFORCED) /*localshift:references["log"]*/""")
    assert pg("with recursive log (n) as (select 1) select log(n) from log") == \
        "with recursive log (n) as (select 1) select localshift.log(n) from log"


def test_the_catalogs_math_string_and_formatting_functions_take_over_their_calls():
    # Functions whose PostgreSQL namesakes return other types or print otherwise (SQRT of a
    # DECIMAL, TO_CHAR's L and TZ, TO_TIMESTAMP's rollover, BPCHARCMP's -1/0/1).
    assert {"sqrt", "exp", "to_char", "to_timestamp", "bpcharcmp", "bttext_pattern_cmp"} <= ENGINE_FUNCTIONS
    assert pg("select sqrt(n), exp(n), to_char(d, 'HH TZ'), to_timestamp(s, 'YYYY'), bpcharcmp(a, b) from t") == (
        "select localshift.sqrt(n), localshift.exp(n), localshift.to_char(d, 'HH TZ'), "
        "localshift.to_timestamp(s, 'YYYY'), localshift.bpcharcmp(a, b) from t")
    # Redshift's functions are pg_catalog's: a call qualified so is the catalog's too (DataHub's
    # ``pg_catalog.pg_get_viewdef (c.oid,TRUE)``, ``pg_catalog.array_to_string(c.relacl,'\n')``).
    assert pg("select pg_catalog.to_char(d, 'YYYY') from t") == "select localshift.to_char(d, 'YYYY') from t"
    assert pg('select "pg_catalog".sqrt(n), pg_catalog . exp (n) from t') == (
        "select localshift.sqrt(n), localshift.exp (n) from t")
    assert pg("select pg_catalog.pg_get_viewdef (c.oid,TRUE) from pg_class c") == (
        "select localshift.pg_get_viewdef (c.oid,TRUE) from localshift.redshift_pg_class c")
    # Other schemas' functions, and pg_catalog's the catalog does not take over, stay as written.
    assert pg("select s.to_char(d), pg_catalog.textlen(a), t.to_char from t") == (
        "select s.to_char(d), pg_catalog.textlen(a), t.to_char from t")


def test_the_catalogs_view_and_constraint_texts_take_over_qualified_calls():
    # sqlalchemy-redshift calls them by their pg_catalog names (a late-binding view's text, a foreign key's).
    assert pg("select pg_catalog.pg_get_viewdef(c.oid, true), pg_catalog . pg_get_constraintdef(t.oid) from c, t") \
        == "select localshift.pg_get_viewdef(c.oid, true), localshift.pg_get_constraintdef(t.oid) from c, t"
    assert pg("select other.pg_get_viewdef(1), localshift.pg_get_viewdef(1)") \
        == "select other.pg_get_viewdef(1), localshift.pg_get_viewdef(1)"
