"""Redshift DDL through a real endpoint: tables are created and their
attributes recorded where the catalog reports them."""

from __future__ import annotations

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


def test_refused_ddl_names_the_construct(db):
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        db.execute("create table ci (a varchar(10) collate case_insensitive)")
    assert str(e.value) == "COLLATE CASE_INSENSITIVE is not supported by localshift"
    assert e.value.diag.context is None
    with pytest.raises(psycopg.errors.SyntaxError, match="DISTSTYLE KEY requires a DISTKEY"):
        db.execute("create table nokey (a int) diststyle key")
