"""PostgreSQL's commands Redshift lacks (catalog/45_postgresql_only_commands.sql): refused in the
engine for the cluster's users, sent directly, from a DO block, a procedure's EXECUTE, a function's
body or inside CREATE SCHEMA; Redshift's own DDL, and the translator's, still run."""

from __future__ import annotations

import psycopg
import pytest

REFUSED = [
    "create trigger t_stamp before insert on it.t for each row execute function it.stamp()",
    "create rule r as on insert to it.t do instead nothing",
    "create sequence it.seq",
    "create type it.mood as enum ('sad', 'happy')",
    "create type it.pair as (a int, b int)",
    "create domain it.positive as int check (value > 0)",
    "create operator it.=== (function = it.same, leftarg = int, rightarg = int)",
    "create aggregate it.total (int) (sfunc = int4pl, stype = int)",
    "create cast(it.t AS int) with inout",  # the translator spells CAST(x AS t) so
    "create extension if not exists plpgsql",
    "create policy p on it.t using (true)",
    "create statistics it.st on a, b from it.t",
    "create text search dictionary it.d (template = simple)",
    "create collation it.c (locale = 'C')",
    "create foreign data wrapper fdw",
    "create publication pub for table it.t",
    "alter sequence if exists it.none restart",
    "reindex table it.t",
]


@pytest.fixture
def objects(db):
    db.execute("create table it.t (a int, b int)")
    db.execute("create function it.stamp() returns trigger language plpgsql as $$ begin return new; end $$")
    db.execute("create function it.same(int, int) returns boolean language sql immutable as $$ select $1 = $2 $$")
    return db


@pytest.mark.parametrize("statement", REFUSED)
def test_refused_as_redshift_refuses_them(objects, statement):
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        objects.execute(statement)
    assert str(e.value) == f'SQL command "{statement}" not supported.'
    assert e.value.diag.context is None


def test_create_index_is_refused_on_redshift_tables(objects):
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        objects.execute("create index t_a on it.t (a)")
    assert str(e.value) == 'SQL command "create index t_a on it.t (a)" not supported on Redshift tables.'
    # A marker written by hand lets through a plain index of the translator's name only.
    marker = '/*localshift:key_index["it.t","localshift_new_key_index"]*/'
    for statement in (f"create index t_a {marker} on it.t (a)",
                      f"create index localshift_new_key_index {marker} on it.t ((a + 1))",
                      f"create index localshift_new_key_index {marker} on it.t (a) where a > 0",
                      f"create unique index localshift_new_key_index {marker} on it.t (a)"):
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="not supported on Redshift tables"):
            objects.execute(statement)
    assert objects.execute("select count(*) from pg_indexes where schemaname = 'it'").fetchone() == (0,)
    objects.execute(f"create index localshift_new_key_index {marker} on it.t (a)")
    assert objects.execute("select count(*) from pg_indexes where schemaname = 'it'").fetchone() == (1,)


def test_create_index_concurrently_is_refused_before_it_starts(objects):
    """CREATE INDEX CONCURRENTLY commits its index before the engine's refusal runs at the
    statement's end: refused up front, it leaves no index (one kept up to date on every write,
    calling the function of its expression as whoever writes the table)."""
    objects.execute("create function it.twice(int) returns int language plpgsql immutable as"
                    " $$ begin return $1 * 2; end $$")
    for statement in ("create index concurrently t_a on it.t (a)",
                      "create unique index concurrently if not exists t_twice on it.t (it.twice(a))"):
        with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
            objects.execute(statement)
        assert str(e.value) == f'SQL command "{statement}" not supported on Redshift tables.'
    assert objects.execute("select count(*) from pg_indexes where schemaname = 'it'").fetchone() == (0,)


def test_nothing_gets_round_the_refusal(objects):
    """DO blocks, procedures, function bodies and CREATE SCHEMA's elements run in the engine, where
    the translator sees only the outer statement."""
    created = "select count(*) from pg_trigger where tgrelid = 'it.t'::regclass"
    attempts = [
        "do $$ begin create trigger t_stamp before insert on it.t for each row execute function it.stamp(); end $$",
        "do $$ begin execute 'create rule r as on insert to it.t do instead nothing'; end $$",
        "create schema it_inner create table t (a int)"
        " create trigger t_stamp before insert on t for each row execute function it.stamp()",
        "create schema it_inner create sequence s",
    ]
    for statement in attempts:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match=r"^SQL command .* not supported\.$"):
            objects.execute(statement)
    objects.execute("create procedure it.sneak(what text) language plpgsql as $$ begin execute what; end $$")
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        objects.execute("call it.sneak('create trigger t_stamp before insert on it.t"
                        " for each row execute function it.stamp()')")
    objects.execute("create function it.sneaky() returns int language sql as"
                    " $$ create sequence it.s2; select 1 $$")
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        objects.execute("select it.sneaky()")
    assert objects.execute(created).fetchone() == (0,)
    assert objects.execute("select count(*) from pg_namespace where nspname = 'it_inner'").fetchone() == (0,)
    assert objects.execute("select count(*) from pg_rewrite where ev_class = 'it.t'::regclass").fetchone() == (0,)


def test_redshift_ddl_and_the_translators_still_run(objects):
    objects.execute("create table it.keyed (id int identity(1, 1) primary key, code int unique, v varchar(5))")
    objects.execute("alter table it.t add primary key (a)")
    objects.execute("alter table it.t add constraint t_b_key unique (b)")
    objects.execute("create schema it_elements create table k (id int primary key, n bigint generated by default"
                    " as identity) create view kv as select id from k")
    objects.execute("insert into it.keyed (code, v) values (1, 'x'), (1, 'y')")
    assert objects.execute("select string_agg(indexrelid::regclass::text, ' ' order by indexrelid::regclass::text)"
                           " from pg_index where indrelid in ('it.t'::regclass, 'it_elements.k'::regclass)"
                           ).fetchone() == ("it_elements.k_pkey t_b_key t_pkey",)
    assert objects.execute("select id from it.keyed order by id").fetchall() == [(1,), (2,)]
    objects.execute("create view it.v as select a from it.t")
    objects.execute("create materialized view it.mv as select a from it.t")
    objects.execute("create or replace procedure it.p() language plpgsql as $$ begin"
                    " execute 'create table it.made (a int)'; end $$")
    objects.execute("call it.p()")
    objects.execute("comment on table it.made is 'made'")
    objects.execute("alter table it.made rename to made2")
    objects.execute("drop schema it_elements cascade")
    objects.execute("drop view it.v")
    objects.execute("drop function it.stamp()")
    assert objects.execute("select obj_description('it.made2'::regclass)").fetchone() == ("made",)
