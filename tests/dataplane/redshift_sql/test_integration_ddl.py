"""Redshift DDL through a real endpoint: tables are created and their
attributes recorded where the catalog reports them."""

from __future__ import annotations

import datetime
import json

import psycopg
import pytest


def attributes(db, table: str) -> tuple:
    return db.execute("SELECT diststyle, distkey, sortkey, sortkey_type, backup, identity_columns "
                      "FROM localshift.table_attributes WHERE table_oid = %s::regclass", (table,)).fetchone()


def encodings(db, table: str) -> dict:
    return dict(db.execute(
        "SELECT a.attname, c.encoding FROM localshift.column_attributes c JOIN pg_attribute a "
        "ON a.attrelid = c.table_oid AND a.attnum = c.attnum WHERE c.table_oid = %s::regclass",
        (table,)).fetchall())


def test_create_table_records_distribution_sort_keys_encodings_and_identity(db):
    db.execute("create table sales (id bigint identity(100, 5), region varchar(max) encode zstd, "
               "sold date sortkey, amount decimal(10, 2) encode az64) diststyle key distkey(region) "
               "backup no")
    assert attributes(db, "sales") == ("KEY", "region", ["sold"], "compound", False,
                                       {"id": {"seed": 100, "step": 5, "generated": "always"}})
    assert encodings(db, "sales") == {"region": "zstd", "amount": "az64"}
    db.execute("insert into sales (region, sold, amount) values ('eu', '2024-01-01', 1.5), "
               "('us', '2024-01-02', 2.5)")
    assert db.execute("select id, region from sales order by id").fetchall() == [(100, "eu"), (105, "us")]
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="^cannot set an identity column to a value$"):
        db.execute("insert into sales (id, region) values (1, 'x')")
    assert db.execute("select character_maximum_length from information_schema.columns "
                      "where table_name = 'sales' and column_name = 'region'").fetchone() == (65535,)


def test_identity_seeds_below_one_and_descending_steps(db):
    db.execute("create table counted (up int identity(0, 1), x int)")
    db.execute("create table countdown (down int identity(10, -3), x int)")
    for table in ("counted", "countdown"):
        db.execute(f"insert into {table} (x) values (1), (2), (3)")
    assert db.execute("select up from counted order by 1").fetchall() == [(0,), (1,), (2,)]
    assert db.execute("select down from countdown order by 1 desc").fetchall() == [(10,), (7,), (4,)]


def test_catalog_columns_report_the_attributes(db):
    db.execute("create table k (a int, b varchar(10), c date) distkey(b) interleaved sortkey(c, a)")
    assert db.execute("select reldiststyle from pg_catalog.pg_class where relname = 'k'").fetchone() == (1,)
    rows = db.execute(
        "select attname, trim(format_encoding(attencodingtype::integer)), attisdistkey, attsortkeyord "
        "from pg_attribute where attrelid = 'k'::regclass and attnum > 0 order by attnum").fetchall()
    # interleaved sort key positions alternate in sign, as in Redshift
    assert rows == [("a", "none", False, 2), ("b", "lzo", True, 0), ("c", "none", False, -1)]
    db.execute("create table plain (a int)")
    assert db.execute("select reldiststyle from pg_class where relname = 'plain'").fetchone() == (9,)  # AUTO


def test_like_ctas_temp_and_materialized_views(db):
    db.execute("create table parent (a int, b varchar(20) encode bytedict default 'x') diststyle all")
    db.execute("create table child (like parent including defaults)")
    assert attributes(db, "child")[0] == "ALL" and encodings(db, "child") == {"b": "bytedict"}
    db.execute("insert into child (a) values (1)")
    assert db.execute("select b from child").fetchone() == ("x",)
    db.execute("create table copy diststyle even sortkey(a) as select * from child")
    assert attributes(db, "copy")[:4] == ("EVEN", None, ["a"], "compound")
    db.execute("create temp table scratch (k int distkey, v int)")
    assert attributes(db, "scratch")[:2] == ("KEY", "k")
    db.execute("create table #stage (a int)")
    db.execute("insert into #stage values (7)")
    assert db.execute("select a from #stage").fetchone() == (7,)
    db.execute("create materialized view mv diststyle even auto refresh yes as select a from child")
    assert attributes(db, "mv")[0] == "EVEN"
    assert db.execute("select * from mv").fetchall() == [(1,)]


def test_alter_table_redshift_actions(db):
    db.execute("create table t (a int, b varchar(10))")
    db.execute("alter table t alter diststyle key distkey b")
    db.execute("alter table t alter compound sortkey (a, b)")
    db.execute("alter table t alter column b encode zstd")
    db.execute("alter table t add column c smallint encode delta default 3")
    assert attributes(db, "t")[:4] == ("KEY", "b", ["a", "b"], "compound")
    assert encodings(db, "t") == {"b": "zstd", "c": "delta"}
    db.execute("alter table t alter diststyle even")
    assert attributes(db, "t")[:2] == ("EVEN", None)
    db.execute("alter table t alter column b type varchar(max)")
    with pytest.raises(psycopg.errors.UndefinedColumn):
        db.execute("alter table t alter distkey nope")
    db.execute("alter table t drop column c")
    assert encodings(db, "t") == {"b": "zstd"}
    db.execute("drop table t")
    assert db.execute("select count(*) from localshift.column_attributes c "
                      "where not exists (select 1 from pg_class where oid = c.table_oid)").fetchone() == (0,)


def test_renamed_key_and_identity_columns_stay_the_tables_keys(db):
    db.execute("create table renamed (id int identity(1, 1), k int, v int) distkey(k) compound sortkey(v, id)")
    db.execute("alter table renamed rename column k to key")
    db.execute("alter table renamed rename v to value")
    db.execute("alter table renamed rename column id to row_id")
    assert attributes(db, "renamed")[:4] == ("KEY", "key", ["value", "row_id"], "compound")
    assert attributes(db, "renamed")[5] == {"row_id": {"seed": 1, "step": 1, "generated": "always"}}
    assert db.execute("select \"column\", distkey, sortkey from pg_table_def where tablename = 'renamed'"
                      " order by 1").fetchall() == [("key", True, 0), ("row_id", False, 2), ("value", False, 1)]


def test_append_moves_rows(db):
    db.execute("create table target (id int, v varchar(10))")
    db.execute("create table source (id int, v varchar(10), extra int)")
    db.execute("insert into source values (1, 'a', 0), (2, 'b', 0)")
    with pytest.raises(psycopg.errors.DatatypeMismatch, match="attributes don't match"):
        db.execute("alter table target append from source")
    db.execute("alter table target append from source ignoreextra")
    assert db.execute("select id, v from target order by id").fetchall() == [(1, "a"), (2, "b")]
    assert db.execute("select count(*) from source").fetchone() == (0,)


def test_late_binding_views_and_foreign_keys(db):
    db.execute("create table base (a int primary key)")
    db.execute("create view lbv as select a from it.base with no schema binding")
    db.execute("create table ref (a int references base(a))")
    db.execute("insert into ref values (99)")  # informational, as in Redshift
    assert db.execute("select count(*) from lbv").fetchone() == (0,)


def test_late_binding_views_read_their_tables_when_queried(sql_cluster, database, db):
    db.execute("create table lb_base (id int, name varchar(10))")
    db.execute("insert into lb_base values (1, 'one'), (2, 'two')")
    db.execute("create view lb_view as select id, upper(name) as name from it.lb_base where id > 1"
               " with no schema binding")
    db.execute("create view lb_on_lb as select count(*) as n from it.lb_view with no schema binding")
    assert db.execute("select * from lb_view").fetchall() == [(2, "TWO")]
    # The table can go and come back: no CASCADE, the views stay.
    db.execute("drop table lb_base")
    with pytest.raises(psycopg.errors.UndefinedTable) as missing:
        db.execute("select * from lb_view")
    assert missing.value.diag.message_primary == 'relation "it.lb_base" does not exist'
    assert missing.value.diag.context is None and missing.value.diag.internal_query is None
    db.execute("create table lb_base (id int, name varchar(10))")
    db.execute("insert into lb_base values (3, 'three')")
    assert db.execute("select * from lb_view where name like 'T%'").fetchall() == [(3, "THREE")]
    assert db.execute("select n from lb_on_lb").fetchall() == [(1,)]
    db.execute("alter table lb_base rename to lb_old")  # renamed and replaced under the view
    db.execute("create table lb_base as select 4 as id, 'four'::varchar(10) as name")
    assert db.execute("select * from lb_view").fetchall() == [(4, "FOUR")]
    # Read with its owner's privileges: a user granted the view alone reads it.
    db.execute("drop user if exists lb_reader")
    db.execute("create user lb_reader password 'Reader123'")
    db.execute("grant usage on schema it to lb_reader")
    db.execute("grant select on lb_view to lb_reader")
    with sql_cluster.connect(database, "lb_reader", "Reader123") as reader:
        assert reader.execute("select id from it.lb_view").fetchall() == [(4,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("select id from it.lb_base")
    # Replaced without the clause, the view binds again; dropped, it leaves nothing behind.
    db.execute("create or replace view lb_view as select id, upper(name) as name from it.lb_base")
    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        db.execute("drop table lb_base")
    functions = "select count(*) from pg_proc where proname ~ '^late_binding_(probe_)?[0-9]+$'"
    before = db.execute(functions).fetchone()[0]
    db.execute("drop view lb_on_lb")
    assert db.execute(functions).fetchone()[0] == before - 2  # its read and its probe
    db.execute("drop view lb_view")
    db.execute("revoke usage on schema it from lb_reader")
    db.execute("drop user lb_reader")


LATE_COLUMNS = ("select col_name, col_type from pg_get_late_binding_view_cols() cols(view_schema name, "
                "view_name name, col_name name, col_type varchar, col_num int) where view_name = %s order by col_num")


def late_columns(db, view: str) -> list[tuple]:
    """The view's columns as pg_get_late_binding_view_cols, SVV_COLUMNS and information_schema list them
    (asserted equal)."""
    listed = db.execute(LATE_COLUMNS, (view,)).fetchall()
    assert db.execute("select column_name, data_type from svv_columns where table_schema = 'it' and "
                      "table_name = %s order by ordinal_position", (view,)).fetchall() == \
        [(name, type_.split("(")[0]) for name, type_ in listed]
    assert [name for name, _ in listed] == [row[0] for row in db.execute(
        "select column_name from information_schema.columns where table_schema = 'it' and table_name = %s "
        "order by ordinal_position", (view,))]
    return listed


def test_late_binding_views_bind_when_their_tables_appear_and_change(sql_cluster, database, db):
    # Created before its table exists; read meanwhile, it fails naming the relation.
    db.execute("create view lb_star as select * from it.lb_later where id > 0 with no schema binding")
    db.execute("create view lb_named as (select id, label from it.lb_later) with no schema binding")
    db.execute("create view lb_over as select count(*) as n, max(id) as top from it.lb_star with no schema binding")
    with pytest.raises(psycopg.errors.UndefinedTable) as missing:
        db.execute("select * from lb_star")
    assert missing.value.diag.message_primary == 'relation "it.lb_later" does not exist'
    assert missing.value.diag.context is None
    assert late_columns(db, "lb_star") == []
    db.execute("create table lb_later (id int, label varchar(10))")
    db.execute("insert into lb_later values (1, 'one'), (2, 'two')")
    assert db.execute("select * from lb_star order by id").fetchall() == [(1, "one"), (2, "two")]
    assert db.execute("select * from lb_over").fetchall() == [(2, 2)]
    assert late_columns(db, "lb_star") == [("id", "integer"), ("label", "character varying(10)")]
    db.execute("grant select on lb_star to public")
    db.execute("comment on view lb_star is 'kept'")
    # Dropped and created again with other columns and types: SELECT * follows the table, named
    # columns follow their types, and views over the view follow it.
    db.execute("drop table lb_later")
    db.execute("create table lb_later (label varchar(20), id bigint, since date)")
    db.execute("insert into lb_later values ('three', 3, '2024-01-02')")
    assert db.execute("select * from lb_star").fetchall() == [("three", 3, datetime.date(2024, 1, 2))]
    assert late_columns(db, "lb_star") == [("label", "character varying(20)"), ("id", "bigint"),
                                           ("since", "date")]
    assert late_columns(db, "lb_named") == [("id", "bigint"), ("label", "character varying(20)")]
    assert db.execute("select n, top from lb_over").fetchall() == [(1, 3)]
    assert late_columns(db, "lb_over") == [("n", "bigint"), ("top", "bigint")]
    # Created again under the same name, the view kept its privileges and comment.
    assert db.execute("select has_table_privilege('public', 'lb_star', 'select'), "
                      "obj_description('lb_star'::regclass, 'pg_class')").fetchone() == (True, "kept")
    db.execute("alter table lb_later add column extra int default 7")
    assert db.execute("select extra from lb_star").fetchall() == [(7,)]
    # A column the query names is gone: the view keeps its columns and its read fails as the query does.
    db.execute("alter table lb_later drop column label")
    with pytest.raises(psycopg.errors.UndefinedColumn, match='column "label" does not exist'):
        db.execute("select * from lb_named")
    assert late_columns(db, "lb_named") == [("id", "bigint"), ("label", "character varying(20)")]
    # pg_get_viewdef and SHOW VIEW give the statement as it was written.
    text = "create view lb_named as (select id, label from it.lb_later) with no schema binding;"
    assert db.execute("select pg_get_viewdef('lb_named'), pg_get_viewdef('lb_named'::regclass::oid, true)"
                      ).fetchone() == (text, text)
    assert db.execute("show view lb_named").fetchone() == (text,)
    # OR REPLACE may change the columns; the view keeps its owner and privileges.
    db.execute("create or replace view lb_star as select since from it.lb_later with no schema binding")
    assert db.execute("select * from lb_star").fetchall() == [(datetime.date(2024, 1, 2),)]
    assert db.execute("select has_table_privilege('public', 'lb_star', 'select')").fetchone() == (True,)
    # A delimited name keeps its case when identifiers are case sensitive.
    db.execute("set enable_case_sensitive_identifier to true")
    db.execute('create view "LbCase" as select id from it.lb_later with no schema binding')
    assert db.execute('select * from "LbCase"').fetchall() == [(3,)]
    assert db.execute('show view "LbCase"').fetchone() == (
        'create view "LbCase" as select id from it.lb_later with no schema binding;',)
    db.execute('create table "MixedCase" ("Col" int)')
    assert db.execute('show table it."MixedCase"').fetchone()[0].startswith(
        'CREATE TABLE it."MixedCase" (\n    "Col" integer')
    db.execute('drop table "MixedCase"')
    db.execute('drop view "LbCase"')
    db.execute("reset enable_case_sensitive_identifier")
    for view in ("lb_over", "lb_named", "lb_star"):
        db.execute(f"drop view {view}")
    assert db.execute("select count(*) from pg_proc where proname ~ '^late_binding_(probe_)?[0-9]+$' "
                      "and not exists (select from pg_class where oid = substring(proname from '[0-9]+$')::oid)"
                      ).fetchone() == (0,)


def test_late_binding_views_under_ordinary_views_and_concurrent_ddl(sql_cluster, database, db):
    db.execute("create table lb_dep (a int, b varchar(5))")
    db.execute("create view lb_depv as select * from it.lb_dep with no schema binding")
    db.execute("create view lb_plain as select a from lb_depv")  # an ordinary view over it
    # Its columns cannot change under the ordinary view: it keeps them, read by name.
    db.execute("drop table lb_dep")
    db.execute("create table lb_dep (b varchar(5), a bigint, c int)")
    db.execute("insert into lb_dep values ('x', 1, 2)")
    assert db.execute("select * from lb_depv").fetchall() == [(1, "x")]
    assert db.execute("select * from lb_plain").fetchall() == [(1,)]
    db.execute("drop view lb_plain")
    # Two transactions changing relations one view reads: the second leaves the view to the first
    # rather than wait for it (or fail).
    db.execute("create table lb_left (k int)")
    db.execute("create table lb_right (k int)")
    db.execute("create view lb_both as select l.k, r.k as rk from it.lb_left l join it.lb_right r using (k) "
               "with no schema binding")
    with sql_cluster.connect(database) as first, sql_cluster.connect(database) as second:
        first.autocommit = second.autocommit = False
        # (a table made again: Redshift changes no column's type but a VARCHAR's size, outside a block)
        first.execute("drop table it.lb_left")
        first.execute("create table it.lb_left (k bigint)")
        second.execute("set statement_timeout = '20s'")
        second.execute("comment on table it.lb_right is 'changed'")
        second.commit()
        first.commit()
    assert late_columns(db, "lb_both") == [("k", "bigint"), ("rk", "integer")]
    db.execute("insert into lb_left values (1)")
    db.execute("insert into lb_right values (1)")
    assert db.execute("select * from lb_both").fetchall() == [(1, 1)]


def test_late_binding_views_are_read_with_their_owners_privileges_only(sql_cluster, database, db):
    db.execute("create table lb_secret (v int)")
    db.execute("insert into lb_secret values (42)")
    db.execute("create view lb_open as select v from it.lb_secret with no schema binding")
    db.execute("create view lb_closed as select v from it.lb_secret with no schema binding")
    view_oid = db.execute("select 'lb_closed'::regclass::oid").fetchone()[0]
    for user in ("lb_owner", "lb_other"):
        db.execute(f"drop user if exists {user}")
        db.execute(f"create user {user} password 'Secret123'")
        db.execute(f"grant usage, create on schema it to {user}")
    db.execute("grant select on lb_open to lb_other")
    try:
        with sql_cluster.connect(database, "lb_other", "Secret123") as other:
            # Granted the view, a user reads it (its owner reads the table); not granted, not at
            # all, not even through the view's function.
            assert other.execute("select v from it.lb_open").fetchall() == [(42,)]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                other.execute("select v from it.lb_closed")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation lb_closed"):
                other.execute(f"select * from localshift.late_binding_{view_oid}() as r(v int)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                other.execute(f"select localshift.late_binding_probe_{view_oid}()")
        with sql_cluster.connect(database, "lb_owner", "Secret123") as owner:
            # A view of a user who may not read the table gives its readers nothing either.
            owner.execute("create view it.lb_theirs as select v from it.lb_secret with no schema binding")
            owner.execute("grant select on it.lb_theirs to lb_other")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation lb_secret"):
                owner.execute("select * from it.lb_theirs")
        with sql_cluster.connect(database, "lb_other", "Secret123") as other:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation lb_secret"):
                other.execute("select * from it.lb_theirs")
            db.execute("alter view lb_theirs owner to admin")  # an owner who may read the table
            assert other.execute("select * from it.lb_theirs").fetchall() == [(42,)]
            # A marker written by hand binds a view with its author's rights: what it smuggles
            # in runs as them, never as the internal role.
            forged = json.dumps({"schema": "it", "name": "lb_forged", "replace": False, "columns": "",
                                 "query": "select 1; grant localshift_superuser to lb_other", "text": "x"})
            other.execute(f"do /*localshift:late_binding{forged}*/ $$ begin "
                          "execute 'create view it.lb_forged as select'; end $$")
            assert other.execute("select pg_has_role('lb_other', 'localshift_superuser', 'member')"
                                 ).fetchone() == (False,)
            assert db.execute("select query from localshift.late_binding_views where view_oid = "
                              "'it.lb_forged'::regclass").fetchone() == (json.loads(forged)["query"],)
            other.execute("drop view it.lb_forged")
    finally:
        db.execute("drop view if exists lb_theirs")
        for user in ("lb_owner", "lb_other"):
            db.execute(f"revoke all on schema it from {user}")
            db.execute(f"revoke all on all tables in schema it from {user}")
            db.execute(f"drop user {user}")


def test_a_late_binding_view_that_could_not_bind_says_so_rather_than_read_nothing(sql_cluster, database, db):
    db.execute("create table lb_rows (a int)")
    db.execute("insert into lb_rows values (1)")
    db.execute("drop user if exists lb_notemp")
    db.execute("create user lb_notemp password 'Secret123'")
    db.execute("grant usage, create on schema it to lb_notemp")
    db.execute("grant select on lb_rows to lb_notemp")
    # Its owner cannot compile the query (no TEMPORARY privilege): the view cannot take its columns.
    db.execute(f"revoke temporary on database {database} from public")
    try:
        with sql_cluster.connect(database, "lb_notemp", "Secret123") as owner:
            owner.execute("create view it.lb_unbound as select a from it.lb_rows with no schema binding")
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as unbound:
                owner.execute("select * from it.lb_unbound")
            assert unbound.value.diag.message_primary == "late-binding view lb_unbound is not bound to its relations yet"
            owner.execute("drop view it.lb_unbound")
    finally:
        db.execute(f"grant temporary on database {database} to public")
        db.execute("revoke all on schema it from lb_notemp")
        db.execute("revoke all on lb_rows from lb_notemp")
        db.execute("drop user lb_notemp")


def test_refused_ddl_names_the_construct(db):
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        db.execute("create table ci (a varchar(10) collate case_insensitive)")
    assert str(e.value) == "COLLATE CASE_INSENSITIVE is not supported by localshift"
    assert e.value.diag.context is None
    with pytest.raises(psycopg.errors.SyntaxError, match="DISTSTYLE KEY requires a DISTKEY"):
        db.execute("create table nokey (a int) diststyle key")


def test_qualified_object_names_are_objects_not_super_navigation(db):
    db.execute("create table it.counts (c int primary key, data super)")
    db.execute("""insert into it.counts values (1, json_parse('{"k": "x"}'))""")
    db.execute("create function it.add_one(a int, b int) returns int language sql immutable as $$ select a + b + 1 $$")
    assert db.execute("select it.add_one(c, c) from it.counts").fetchone() == (3,)
    # PostgreSQL's objects Redshift has not are refused by the engine, which quotes the statement
    # as it came: their names were left as they are.
    for statement in ("create operator it.@+@ (procedure = it.add_one, leftarg = int, rightarg = int)",
                      "create sequence it.seq start 5", "create domain it.positive as int check (value > 0)"):
        with pytest.raises(psycopg.errors.FeatureNotSupported) as refused:
            db.execute(statement)
        assert str(refused.value) == f'SQL command "{statement}" not supported.'
    db.execute("comment on column it.counts.c is 'how many'")
    db.execute("grant select on it.counts to public")
    db.execute("alter table it.counts add column d int default 7")
    db.execute("create table it.refs (c int references it.counts (c))")
    db.execute("create procedure it.bump() language plpgsql as $$ begin update it.counts set d = d + 1; end $$")
    db.execute("call it.bump()")
    assert db.execute("select col_description('it.counts'::regclass, 1), "
                      "has_table_privilege('public', 'it.counts', 'select'), 2::pg_catalog.int8, "
                      "cast(3 as pg_catalog.int2)").fetchone() == ("how many", True, 2, 3)
    database = db.info.dbname
    assert db.execute(f"select it.counts.c, counts.d, {database}.it.counts.c, it.counts.data.k "
                      f"from {database}.it.counts").fetchone() == (1, 8, 1, "x")
    db.execute("drop function it.add_one(int, int) cascade")
