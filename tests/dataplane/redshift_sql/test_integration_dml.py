"""Everyday DML through a real endpoint, with Redshift's results: MERGE (also REMOVE
DUPLICATES), subquery aliases in MERGE/UPDATE/DELETE, #name temporary tables."""

from __future__ import annotations

import psycopg
import pytest


@pytest.fixture
def merged(db):
    db.execute("create table target (id int, name char(10))")
    db.execute("create table source (id int, name char(10))")
    db.execute("insert into target values (101, 'Bob'), (101, 'John'), (102, 'Susan'), (104, 'X')")
    db.execute("insert into source values (101, 'Tony'), (103, 'Alice')")
    return db


def rows(db, sql: str) -> list[tuple]:
    return db.execute(sql).fetchall()


def test_merge_from_a_subquery_with_aliases(merged):
    merged.execute("merge into target using (select 102 as id, 'Zed' as name) s on target.id = s.id "
                   "when matched then update set name = s.name when not matched then insert (id, name) "
                   "values (s.id, s.name)")
    merged.execute("merge into target as t using (select * from source where id > 102) as s on t.id = s.id "
                   "when matched then delete when not matched then insert values (s.id, s.name)")
    assert rows(merged, "select id, trim(name) from target order by 1, 2") == [
        (101, "Bob"), (101, "John"), (102, "Zed"), (103, "Alice"), (104, "X")]


def test_merge_remove_duplicates_replaces_matching_rows(merged):
    merged.execute("merge into target using source on target.id = source.id remove duplicates")
    assert rows(merged, "select id, trim(name) from target order by 1") == [
        (101, "Tony"), (102, "Susan"), (103, "Alice"), (104, "X")]
    merged.execute("merge into target t using (select 104 as id, 'Y'::char(10) as name) s "
                   "on t.id = s.id remove duplicates")
    assert rows(merged, "select trim(name) from target where id = 104") == [("Y",)]


def test_merge_restrictions_are_redshifts(merged):
    merged.execute("insert into source values (102, 'A'), (102, 'B')")
    with pytest.raises(psycopg.errors.CardinalityViolation, match="Found multiple matches to update the same tuple"):
        merged.execute("merge into target using source on target.id = source.id "
                       "when matched then update set name = source.name")
    for clause, near in [("when matched and source.id > 1 then delete", "and"),
                         ("when not matched by source then delete", "by"),
                         ("when matched then do nothing", "do")]:
        with pytest.raises(psycopg.errors.SyntaxError, match=f'syntax error at or near "{near}"'):
            merged.execute(f"merge into target using source on target.id = source.id {clause}")
    assert rows(merged, "select count(*) from target") == [(4,)]


def test_subquery_aliases_in_update_and_delete_are_relations(db):
    db.execute("create table m1 (name varchar(10), amt decimal(10,2))")
    db.execute("insert into m1 values ('a', 1), ('b', 2), ('c', 3)")
    db.execute("update m1 x set amt = s.amt from (select 'b' as name, 7 as amt) s where x.name = s.name")
    db.execute("delete from m1 x using (select 'a' as name) s, (select 'z' as name) u "
               "where x.name = s.name or x.name = u.name")
    db.execute("insert into m1 select s.name, s.amt from (select 'd' as name, 4 as amt) s")
    db.execute("insert into m1 values ('e', 5)")
    db.execute("delete m1 where name = 'e'")  # Redshift's FROM is optional
    assert [(n, int(a)) for n, a in rows(db, "select * from m1 order by 1")] == [("b", 7), ("c", 3), ("d", 4)]
    assert rows(db, "select m1.name, l.x from m1, lateral (select m1.amt * 2 as x) l where m1.name = 'c'") == \
        [("c", 6)]


def test_hash_temporary_tables_wherever_a_table_is_named(db):
    db.execute("create table t1 (id int, v int)")
    db.execute("insert into t1 values (1, 10), (2, 20), (3, 30)")
    db.execute("create table #t5 (a int)")
    db.execute("insert into #t5 values (1), (3)")
    assert rows(db, "select #t5.a from #t5 order by #t5.a") == [(1,), (3,)]
    assert rows(db, "select relpersistence from pg_class where relname = '#t5'") == [("t",)]
    db.execute("update t1 set v = 0 from #t5 where #t5.a = t1.id")
    assert rows(db, "select id, v from t1 order by 1") == [(1, 0), (2, 20), (3, 0)]
    db.execute("select * into #tmp from t1 where id = 2")
    db.execute("select id into temp #tmp_too from t1 where id = 3")
    assert rows(db, "select relname, relpersistence from pg_class where relname like '#tmp%' order by 1") == \
        [("#tmp", "t"), ("#tmp_too", "t")]  # SELECT INTO #name makes a temporary table, as CREATE TABLE does
    db.execute("delete from t1 using #tmp where #tmp.id = t1.id")
    assert rows(db, "select id from t1 order by 1") == [(1,), (3,)]
    db.execute("create table #copy (like #t5)")
    db.execute("alter table #copy add column b int")
    db.execute("insert into #copy select #t5.a, 9 from #t5")
    assert rows(db, "select x.a, #copy.b from #t5 x join #copy on #copy.a = x.a order by 1") == [(1, 9), (3, 9)]
    db.execute("truncate #copy")
    assert rows(db, "select count(*) from #copy") == [(0,)]
    assert rows(db, "select 5 # 3") == [(6,)]  # elsewhere # is XOR
    db.execute("drop table #t5, #tmp, #tmp_too, #copy")
    with pytest.raises(psycopg.errors.UndefinedTable, match='relation "#t5" does not exist'):
        db.execute("select * from #t5")


def test_stored_procedures_as_redshift_users_write_them(db):
    notices: list[str] = []
    db.add_notice_handler(lambda d: notices.append(f"{d.severity} {d.message_primary}"))
    db.execute("create table pt (id int identity(1, 1), a int default 5, b varchar(10) default 'x')")
    db.execute("insert into pt default values")
    # AWS's CREATE PROCEDURE example: IN, INOUT and OUT arguments; CALL leaves OUT out
    db.execute("create or replace procedure test_sp1(f1 in int, f2 inout varchar(256), out_var out varchar(256)) "
               "as $$ declare loop_var int; begin "
               "create temp table my_etl(a int, b varchar); "
               "for loop_var in 1..f1 loop insert into my_etl values (loop_var, f2); f2 := f2 || '+' || f2; end loop; "
               "select into out_var count(*) from my_etl; end; $$ language plpgsql")
    assert db.execute("call test_sp1(3, 'book')").fetchall() == [("book+book+book+book+book+book+book+book", "3")]
    db.execute("create procedure p_nonatomic() nonatomic as $$ begin insert into pt (a) values (1); commit; "
               "insert into pt (a) values (2); rollback; end; $$ language plpgsql")
    db.execute("call p_nonatomic()")
    # (NONATOMIC commits each statement as it ends: the ROLLBACK has nothing left to undo)
    assert db.execute("select a from pt order by id").fetchall() == [(5,), (1,), (2,)]
    db.execute("create procedure p_diag(out r int) as $$ begin update pt set b = 'y'; "
               "get diagnostics r := row_count; raise info 'updated %', r; end; $$ language plpgsql")
    assert db.execute("call p_diag()").fetchall() == [(3,)] and "INFO updated 3" in notices
    db.execute("create procedure p_exec(inout n int) as $$ begin "
               "execute 'select count(*) from pt where a > ' || n into n; end; $$ language plpgsql")
    assert db.execute("call p_exec(2)").fetchall() == [(1,)]
    db.execute("create procedure p_raise(x int) as $$ begin if x > 1 then raise exception 'too big: %', x; end if; "
               "exception when others then raise info 'caught %', sqlerrm; end; $$ language plpgsql")
    # (Redshift's handler runs, then re-throws the error: test_procedure_transactions.py)
    with pytest.raises(psycopg.errors.RaiseException, match="too big: 2"):
        db.execute("call p_raise(2)")
    assert "INFO caught too big: 2" in notices
    db.execute("create function f_max(varchar(max)) returns varchar(max) stable as $$ select $1 || '!' $$ "
               "language sql")
    assert db.execute("select f_max('a')").fetchone() == ("a!",)
    # the body is Redshift SQL: NVL, DATEDIFF, #name tables, TOP, VARCHAR(MAX) variables
    db.execute("create procedure p_body(out r varchar) as $$ declare v varchar(max); begin "
               "create table #x (a int) distkey(a) sortkey(a); set query_group to 'etl'; "
               "insert into #x select a from pt; "
               "select top 1 a into v from #x order by a desc; "
               "r := nvl(null, 'n') || v || datediff(day, '2024-01-01'::date, '2024-01-05'::date); end; $$ "
               "language plpgsql")
    assert db.execute("call p_body()").fetchall() == [("n54",)]
    assert db.execute("select relpersistence from pg_class where relname = '#x'").fetchone() == ("t",)
    assert db.execute("show query_group").fetchone() == ("etl",)
    db.execute("drop procedure p_diag()")
    db.execute("drop procedure test_sp1(int, varchar, out varchar)")
    with pytest.raises(psycopg.errors.UndefinedFunction, match=r"procedure p_diag\(\) does not exist"):
        db.execute("drop procedure p_diag()")
    db.execute("drop procedure if exists p_diag()")
    assert db.execute("select count(*) from pg_proc where proname in ('p_diag', 'test_sp1')").fetchone() == (0,)
    # found as SHOW PROCEDURE finds it (localshift.find_routine): by schema, translated types, or not at all
    db.execute("create procedure public.p_max(a super, out r int) as $$ begin r := 1; end; $$ language plpgsql")
    with pytest.raises(psycopg.errors.UndefinedFunction,
                       match=r"procedure public.p_max\(character varying\) does not exist"):
        db.execute("drop procedure public.p_max(varchar)")
    db.execute("drop procedure if exists public.p_max(varchar)")
    db.execute("drop procedure if exists nowhere.p_max(super)")
    db.execute("drop procedure public.p_max(super)")
    # two procedures of the same input arguments (PostgreSQL keeps both): neither is dropped
    db.execute("create procedure p_two(a int) as $$ begin end; $$ language plpgsql")
    db.execute("create procedure p_two(a int, out r int) as $$ begin r := a; end; $$ language plpgsql")
    for drop in ("drop procedure p_two(int)", "drop procedure if exists p_two(int)"):
        with pytest.raises(psycopg.errors.AmbiguousFunction, match=r'procedure name "p_two\(integer\)" is not unique'):
            db.execute(drop)
    assert db.execute("select count(*) from pg_proc where proname in ('p_max', 'p_two')").fetchone() == (2,)


def test_concurrent_transactions_that_cannot_be_serialized_fail_with_error_1023(sql_cluster, database, db):
    """AWS's example of a serializable isolation violation: each of two concurrent transactions reads
    the table the other writes.  In a transaction begun SERIALIZABLE one of them fails with Redshift's
    error 1023 (the engine's serialization failure, 40001, worded as Redshift words it); sessions run
    READ COMMITTED by default, where both commit (docs/sql.md, "Not supported yet")."""
    db.execute("create table tab1 (a int)")
    db.execute("create table tab2 (a int)")
    failures = []
    for begin in ("begin isolation level serializable", "begin"):
        with sql_cluster.connect(database, autocommit=True) as one, \
                sql_cluster.connect(database, autocommit=True) as two:
            try:
                for session, statement in ((one, begin), (two, begin),
                                           (one, "select * from it.tab1"), (two, "insert into it.tab1 values (1)"),
                                           (two, "select * from it.tab2"), (one, "insert into it.tab2 values (1)"),
                                           (one, "commit"), (two, "commit")):
                    session.execute(statement)
            except psycopg.errors.SerializationFailure as failure:
                failures.append((begin, failure.diag.message_primary, failure.diag.message_detail))
    assert failures == [("begin isolation level serializable", "1023",
                         "Serializable isolation violation on a table in Redshift")]
    assert db.execute("select (select count(*) from tab1), (select count(*) from tab2)").fetchone() in ((2, 1), (1, 2))
