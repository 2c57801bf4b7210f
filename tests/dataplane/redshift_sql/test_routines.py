"""CREATE FUNCTION / PROCEDURE and DROP PROCEDURE: Redshift's types, OUT arguments, NONATOMIC."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import pg


def test_trailing_out_arguments_become_inout_with_a_default():
    assert pg("create procedure test_sp1(f1 IN int, f2 INOUT varchar(256), out_var OUT varchar(256)) "
              "as $$ begin end; $$ language plpgsql") == (
        "create procedure test_sp1(IN f1 int, INOUT f2 varchar(256), INOUT out_var varchar(256) DEFAULT NULL) "
        "as $$ begin end; $$ language plpgsql")
    # an OUT argument followed by an input one stays OUT (PostgreSQL's CALL then needs it)
    assert pg("create procedure p(out r int, a int) as $$ begin end; $$ language plpgsql") == \
        "create procedure p(OUT r int, a int) as $$ begin end; $$ language plpgsql"


def test_nonatomic_goes_and_redshift_types_become_postgresqls():
    assert pg("create procedure p(a varchar(max), b super) nonatomic as $$ begin end; $$ language plpgsql") == \
        "create procedure p(a varchar(65535), b jsonb)  as $$ begin end; $$ language plpgsql"
    assert pg("create function f(varchar(max)) returns varchar(max) stable as $$ select $1 $$ language sql") == \
        "create function f(varchar(65535)) returns varchar(65535) stable as $$ select $1 $$ language sql"
    for unchanged in ("create function f(a int, b double precision) returns float8 as $$ select 1 $$ language sql",
                      "create procedure p() as $$ begin end; $$ language plpgsql"):
        assert pg(unchanged) == unchanged


def test_drop_procedure_names_it_by_its_input_arguments():
    # the procedure SHOW PROCEDURE finds (catalog/15_show.sql), its input arguments' types translated
    sql = pg("drop procedure p_args(int, varchar(max), out int)")
    assert "localshift.find_routine(NULL, E'p_args', ARRAY[E'int', E'varchar(65535)']::regtype[], 'p')" in sql
    assert "undefined_function" not in sql
    sql = pg("drop procedure if exists s.p() cascade")
    assert "localshift.find_routine(E's', E'p', ARRAY[]::regtype[], 'p'); EXCEPTION WHEN undefined_function " \
        "THEN RETURN;" in sql and "E' CASCADE'" in sql
    assert pg("drop procedure p") == "drop procedure p"


def test_alter_procedure_names_it_by_its_input_arguments():
    sql = pg("alter procedure s.sp_open(a int, b out int) rename to \"SP_Close\"")
    assert "localshift.find_routine(E's', E'sp_open', ARRAY[E'int']::regtype[], 'p');" in sql
    assert "EXECUTE 'ALTER PROCEDURE ' || found::regprocedure::text || E' RENAME TO sp_close';" in sql
    sql = pg('alter procedure sp_open(int) owner to "DwUser"')
    assert "|| E' OWNER TO \"DwUser\"';" in sql  # a user name keeps its case
    assert "|| E' OWNER TO CURRENT_USER';" in pg("alter procedure sp_open() owner to current_user")
    assert pg("alter procedure sp_open rename to sp_close") == "alter procedure sp_open rename to sp_close"
    assert pg("alter procedure sp_open(int) security definer") == "alter procedure sp_open(int) security definer"


def test_a_body_is_redshift_sql_statement_by_statement():
    assert pg("create procedure p(out r varchar) as $$ declare v varchar(max); n constant int := 1; begin "
              "select into r nvl(null, 'a'); create table #x (a int); select top 1 a into v from #x; "
              "r := r || v; end; $$ language plpgsql") == (
        "create procedure p(INOUT r varchar DEFAULT NULL) as $$ declare v varchar(65535); n constant int := 1; "
        "begin select into r coalesce(null, 'a'); create TEMP table \"#x\" (a int); "
        "select   a into v from \"#x\" LIMIT 1; r := r || v; end; $$ language plpgsql")
    assert pg("create function f(int) returns int stable as $body$ select nvl($1, 0) $body$ language sql") == \
        "create function f(int) returns int stable as $body$ select coalesce($1, 0) $body$ language sql"
    # a record's field is no SUPER navigation
    assert "r2.a" in pg("create procedure p() as $$ declare r2 record; begin "
                        "for r2 in select a from t loop raise info '%', nvl(r2.a, 0); end loop; end; $$ "
                        "language plpgsql")


def test_a_qualified_routine_name_is_no_navigation():
    assert pg("create or replace function public.f() returns timestamp language sql as $$ select now() $$") == \
        "create or replace function public.f() returns timestamp language sql as $$ select now() $$"
    assert pg("create procedure s.p(b out int) as $$ begin end; $$ language plpgsql") == \
        "create procedure s.p(INOUT b int DEFAULT NULL) as $$ begin end; $$ language plpgsql"


def test_a_bodys_statements_with_redshift_only_forms_get_their_translation():
    sql = pg("create procedure p() as $$ begin create table #x (a int) distkey(a); set query_group to 'etl'; "
             "if true then delete #x where a = 1; end if; "
             "exception when others then drop table if exists #x; end; $$ language plpgsql")
    # (each statement of a block with a handler is a block of its own with it: procedure_handlers.py)
    assert 'begin BEGIN create TEMP table "#x" (a int) /*localshift:{' in sql
    assert "; EXCEPTION  when others then " in sql
    assert "BEGIN set redshift.query_group TO 'etl'; EXCEPTION" in sql
    assert 'BEGIN if true then delete FROM "#x" where a = 1; end if; EXCEPTION' in sql
    # (by localshift.run_as_owner: a superuser's routine drops what another superuser owns, owner_reach.py)
    assert ('DO $localshift_owner$DECLARE ls_detail text; BEGIN PERFORM '
            'localshift.run_as_owner($localshift_statement$drop table if exists "#x"$localshift_statement$, false);') in sql
    assert sql.endswith('$localshift_owner$;  IF NOT localshift.atomic_call() THEN PERFORM '
                        "localshift.check_transaction_end('COMMIT', False); COMMIT; END IF; RAISE; END; end; $$ "
                        "language plpgsql")


def test_a_truncate_in_a_procedure_commits():
    assert pg("create procedure p() as $$ begin insert into a values (1); truncate b; "
              "if x then truncate c; end if; end $$ language plpgsql") == (
        "create procedure p() as $$ begin insert into a values (1); "
        "PERFORM localshift.check_transaction_end('TRUNCATE', False); truncate b;\nCOMMIT; "
        "if x then PERFORM localshift.check_transaction_end('TRUNCATE', False); truncate c;\nCOMMIT; end if; end $$ "
        "language plpgsql")
    # a function's body is left alone (Redshift's functions run no TRUNCATE)
    assert pg("create function f() returns int as $$ begin truncate b; return 1; end $$ language plpgsql") == \
        "create function f() returns int as $$ begin truncate b; return 1; end $$ language plpgsql"


def test_a_truncate_in_a_procedure_commits_the_work_before_it(db):
    """AWS (stored procedures, managing transactions): a TRUNCATE commits the current transaction and
    begins a new one; called inside a transaction block, a procedure cannot run one."""
    db.execute("create table kept (x int)")
    db.execute("create table other (y int)")
    db.execute("insert into other values (1)")
    db.execute("create procedure load_then_fail() as $$ begin insert into kept values (1); truncate other; "
               "insert into kept values (2); raise exception 'boom'; end $$ language plpgsql")
    with pytest.raises(psycopg.Error) as raised:
        db.execute("call load_then_fail()")
    assert "boom" in str(raised.value)
    assert db.execute("select x from kept").fetchall() == [(1,)]
    assert db.execute("select count(*) from other").fetchone() == (0,)
    with db.transaction():
        with pytest.raises(psycopg.Error) as raised:
            db.execute("call load_then_fail()")
        assert raised.value.sqlstate == "2D000"


def test_a_security_definer_procedure_ends_no_transaction():
    """PostgreSQL lets no SECURITY DEFINER procedure COMMIT: its TRUNCATE commits with the call, its
    START TRANSACTION is a no-op and its handlers only re-throw."""
    sql = pg("create procedure p() security definer as $$ begin start transaction; truncate b; x; "
             "exception when others then h; end $$ language plpgsql")
    assert "truncate b; " in sql and "COMMIT" not in sql and "ROLLBACK" not in sql
    assert "begin NULL; " in sql and "when others then h;  RAISE; END;" in sql
