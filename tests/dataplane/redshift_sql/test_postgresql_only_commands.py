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


def test_text_in_another_client_encoding_is_refused_not_sent_as_it_is(objects):
    """Text that is not UTF-8 went to the engine untranslated, which read it in the session's
    client_encoding: a LATIN1 comment let CREATE INDEX CONCURRENTLY leave its index (secprobe3)."""
    objects.execute("set client_encoding = 'LATIN1'")
    with pytest.raises(psycopg.errors.CharacterNotInRepertoire) as e:
        objects.execute("create index concurrently t_a on it.t (a) -- caf\u00e9")
    assert str(e.value) == 'invalid byte sequence for encoding "UTF8": 0xe9'
    assert objects.execute("select 'caf' || chr(233)").fetchone() == ("caf\u00e9",)  # ASCII text runs
    assert objects.execute("select count(*) from pg_indexes where schemaname = 'it'").fetchone() == (0,)


@pytest.mark.parametrize("encoding", ["SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004"])
def test_client_encodings_whose_characters_hold_ascii_bytes_are_not_served(db, encoding):
    """In SJIS, b"'\\xc3\\x83\\x5c' template template0 --'" (valid UTF-8) is one string to the
    translator and ends a string before TEMPLATE to the engine: CREATE DATABASE ... COLLATION_VERSION
    = that passed the TEMPLATE refusal (found by secprobe3).  The engine serves no such encoding."""
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        db.execute(f"select set_config('client_encoding', '{encoding}', false)")
    assert e.value.diag.message_detail == f"Conversion between {encoding} and UTF8 is not supported."


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



# Table features Redshift has not ("Unsupported PostgreSQL features"): statement, SQLSTATE, message.
CHECK = "ALTER/CREATE TABLE column CHECK constraint is not supported"
TABLE_FEATURES = [
    ("create table it.c (a int check (a > 0))", "0A000", CHECK),
    ("create table it.c (a int, constraint positive check (a > 0))", "0A000", CHECK),
    ("alter table it.t add constraint positive check (a > 0)", "0A000", CHECK),
    ("alter table it.t add check (a > 0) not valid", "0A000", CHECK),
    ("create table it.c (a int, Exclude using btree (a with =))", "42601", 'syntax error at or near "Exclude"'),
    ("create table it.c (a int) Partition by range (a)", "42601", 'syntax error at or near "Partition"'),
    ("create table it.c (b int) inherits (it.t)", "0A000", "CREATE TABLE INHERITS is not supported"),
    ("alter table it.t inherit it.u", "42601", 'syntax error at or near "inherit"'),
    ("create table it.c (a int, b int Generated always as (a * 2) stored)", "42601",
     'syntax error at or near "always"'),
    ("alter table it.t add column g int generated ALWAYS as (a + 1) virtual", "42601",
     'syntax error at or near "ALWAYS"'),
]


@pytest.mark.parametrize("statement, sqlstate, message", TABLE_FEATURES)
def test_table_features_refused_as_redshift_refuses_them(objects, statement, sqlstate, message):
    objects.execute("create table it.u (a int, b int)")
    for attempt in (statement, f"do $do$ begin execute $s${statement}$s$; end $do$",
                    f"create schema it_inner {statement.replace('it.', '')}"):
        if attempt.startswith("create schema") and not statement.startswith("create table"):
            continue
        with pytest.raises(psycopg.Error) as e:
            objects.execute(attempt)
        assert (e.value.sqlstate, str(e.value)) == (sqlstate, message), attempt
    assert objects.execute("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                           " where relname = 'c' or nspname = 'it_inner'").fetchone() == (0,)
    assert objects.execute("select count(*) from pg_inherits").fetchone() == (0,)
    assert objects.execute("select count(*) from pg_constraint where conrelid = 'it.t'::regclass"
                           " and contype <> 'n'").fetchone() == (0,)


def test_postgresql_partitions_and_inheritance_are_syntax_errors(objects):
    """What needs a partitioned table or a parent is Redshift's syntax error at its keyword
    before PostgreSQL looks for the table."""
    for statement, near in [("create table it.c partition of it.t for values from (1) to (10)", "partition"),
                            ("alter table it.t attach partition it.u for values from (1) to (10)", "attach"),
                            ("alter table it.t detach partition it.u", "detach"),
                            ("alter table it.t no inherit it.u", "no"),
                            ("create table it.c (like it.t including indexes)", "indexes"),
                            ("create table it.c (like it.t including all)", "all"),
                            ("create table it.c (like it.t excluding defaults including constraints)", "including")]:
        with pytest.raises(psycopg.errors.SyntaxError) as e:
            objects.execute(statement)
        assert str(e.value) == f'syntax error at or near "{near}"'


def test_a_tables_keys_and_like_including_defaults_still_run(objects):
    objects.execute("create table it.k (id int not null primary key, v int unique, w int default 7,"
                    " foreign key (v) references it.k (id))")
    objects.execute("create table it.k2 (like it.k including defaults)")
    objects.execute("alter table it.k add column x int not null default 0")
    objects.execute("insert into it.k2 (id) values (1)")
    assert objects.execute("select id, w from it.k2").fetchall() == [(1, 7)]
    assert objects.execute("select string_agg(contype::text, '' order by contype) from pg_constraint"
                           " where conrelid = 'it.k'::regclass").fetchone() == ("fpu",)  # no NOT NULL rows, as Redshift's
