"""Stored procedures' transactions and exception handlers as AWS's guide describes them
("Managing transactions", "Trapping errors"), through a cluster's endpoint: calls at top level
and inside a transaction block (psycopg's extended protocol)."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from sql_cluster import SqlCluster

UPDATE_EMPLOYEE_SP = """
CREATE OR REPLACE PROCEDURE update_employee_sp() AS
$$
BEGIN
    UPDATE employee SET firstname = 'Adam' WHERE lastname = 'Smith';
    EXECUTE 'select invalid';
EXCEPTION WHEN OTHERS THEN
    RAISE INFO 'An exception occurred.';
    INSERT INTO employee_error_log VALUES ('Error message: ' || SQLERRM);
END;
$$
LANGUAGE plpgsql"""


@pytest.fixture
def employees(db: psycopg.Connection) -> psycopg.Connection:
    db.execute("CREATE TABLE employee (firstname varchar, lastname varchar)")
    db.execute("INSERT INTO employee VALUES ('Tomas','Smith')")
    db.execute("CREATE TABLE employee_error_log (message varchar)")
    db.execute(UPDATE_EMPLOYEE_SP)
    return db


@pytest.fixture
def block(sql_cluster: SqlCluster, database: str, db: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """A second connection, not in autocommit: its statements run in a transaction block."""
    with sql_cluster.connect(database, autocommit=False) as conn:
        conn.execute("SET search_path TO it, public")
        conn.commit()
        yield conn


@pytest.fixture
def log(db: psycopg.Connection) -> None:
    """A table a procedure logs to."""
    db.execute("CREATE TABLE log (m varchar)")


def _rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


def test_an_atomic_handler_commits_its_own_work_and_rethrows_the_error(employees: psycopg.Connection):
    notices: list[str] = []
    employees.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    with pytest.raises(psycopg.errors.UndefinedColumn, match='column "invalid" does not exist'):
        employees.execute("CALL update_employee_sp()")
    assert notices == ["An exception occurred."]
    assert _rows(employees, "SELECT * FROM employee") == [("Tomas", "Smith")]
    assert _rows(employees, "SELECT * FROM employee_error_log") == [
        ('Error message: column "invalid" does not exist',)]


def test_an_atomic_handler_called_in_a_block_runs_and_rethrows_and_the_caller_rolls_back(
        employees: psycopg.Connection, block: psycopg.Connection):
    block.execute("INSERT INTO employee_error_log VALUES ('mine')")
    with pytest.raises(psycopg.errors.UndefinedColumn):
        block.execute("CALL update_employee_sp()")
    block.rollback()
    assert _rows(employees, "SELECT count(*) FROM employee_error_log") == [(0,)]
    assert _rows(employees, "SELECT firstname FROM employee") == [("Tomas",)]


def test_a_call_pipelined_after_begin_runs_in_its_block(employees: psycopg.Connection, sql_cluster: SqlCluster,
                                                         database: str):
    """(A JDBC driver sends BEGIN and the statement in one batch: the front knows the block is open.)"""
    with sql_cluster.connect(database) as conn:
        conn.execute("SET search_path TO it, public")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            with conn.pipeline():
                conn.execute("BEGIN")
                conn.execute("INSERT INTO employee_error_log VALUES ('mine')")
                conn.execute("CALL update_employee_sp()")
        conn.execute("ROLLBACK")
    assert _rows(employees, "SELECT count(*) FROM employee_error_log") == [(0,)]


def test_a_handled_block_may_truncate_which_commits_what_ran_before(db: psycopg.Connection, log: None):
    db.execute("CREATE TABLE test_table_b (a int)")
    db.execute("INSERT INTO test_table_b VALUES (1)")
    db.execute("""CREATE PROCEDURE sp_tr() AS $$ BEGIN
        INSERT INTO log VALUES ('before');
        TRUNCATE test_table_b;
        INSERT INTO test_table_b VALUES (5);
        PERFORM 1/0;
    EXCEPTION WHEN OTHERS THEN RAISE INFO 'caught %', SQLERRM; END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.DivisionByZero):
        db.execute("CALL sp_tr()")
    assert _rows(db, "SELECT * FROM log") == [("before",)]
    assert _rows(db, "SELECT * FROM test_table_b") == []


def test_a_nonatomic_handler_keeps_what_ran_before_the_error_and_does_not_rethrow(db: psycopg.Connection):
    db.execute("CREATE TABLE tbl1 (a int)")
    db.execute("CREATE TABLE error_log (message varchar)")
    db.execute("""CREATE OR REPLACE PROCEDURE sp_exc_handling_nonatomic() NONATOMIC AS $$
    BEGIN
        INSERT INTO tbl1 VALUES (1);
        INSERT INTO tbl1 VALUES (1/0);
        INSERT INTO tbl1 VALUES (2);
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO error_log VALUES ('Error occurred: ' || SQLERRM);
    END;
    $$ LANGUAGE plpgsql""")
    db.execute("CALL sp_exc_handling_nonatomic()")
    assert _rows(db, "SELECT a FROM tbl1") == [(1,)]
    assert _rows(db, "SELECT * FROM error_log") == [("Error occurred: division by zero",)]


def test_a_continue_handler_goes_on_with_the_next_statement(db: psycopg.Connection):
    db.execute("CREATE TABLE tbl1 (a int)")
    db.execute("CREATE TABLE error_log (message varchar)")
    db.execute("""CREATE OR REPLACE PROCEDURE sp_continue() NONATOMIC AS $$
    DECLARE n int := 0;
    BEGIN
        INSERT INTO tbl1 VALUES (1);
        INSERT INTO tbl1 VALUES (1/0);
        IF n = 0 THEN
            INSERT INTO tbl1 VALUES (2);
        END IF;
        INSERT INTO tbl1 VALUES ('x'::int);
        INSERT INTO tbl1 VALUES (3);
    EXCEPTION CONTINUE_HANDLER WHEN OTHERS THEN
        INSERT INTO error_log VALUES ('Error occurred: ' || SQLERRM);
    END;
    $$ LANGUAGE plpgsql""")
    db.execute("CALL sp_continue()")
    assert _rows(db, "SELECT a FROM tbl1 ORDER BY 1") == [(1,), (2,), (3,)]
    assert _rows(db, "SELECT * FROM error_log") == [
        ("Error occurred: division by zero",), ('Error occurred: invalid input syntax for type integer: "x"',)]


def test_an_exit_handler_word_is_the_default(db: psycopg.Connection):
    db.execute("CREATE TABLE tbl1 (a int)")
    db.execute("""CREATE PROCEDURE sp_exit() NONATOMIC AS $$ BEGIN
        INSERT INTO tbl1 VALUES (1); INSERT INTO tbl1 VALUES (1/0); INSERT INTO tbl1 VALUES (2);
    EXCEPTION EXIT_HANDLER WHEN OTHERS THEN RAISE INFO 'left'; END $$ LANGUAGE plpgsql""")
    db.execute("CALL sp_exit()")
    assert _rows(db, "SELECT a FROM tbl1") == [(1,)]


def test_an_error_in_a_handler_is_caught_by_the_outer_handler(db: psycopg.Connection, log: None):
    db.execute("""CREATE PROCEDURE sp_nested() AS $$ BEGIN
        INSERT INTO log VALUES ('outer body');
        BEGIN
            PERFORM 1/0;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'inner handler: %', SQLERRM;
        END;
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO log VALUES ('outer handler: ' || SQLERRM);
    END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.RaiseException, match="inner handler: division by zero"):
        db.execute("CALL sp_nested()")
    assert _rows(db, "SELECT * FROM log") == [("outer handler: inner handler: division by zero",)]


# Managing transactions


@pytest.fixture
def tables(db: psycopg.Connection) -> psycopg.Connection:
    for name in ("test_table_a", "test_table_b", "test_table", "inner_table", "outer_table"):
        db.execute(f"CREATE TABLE {name} (c1 int)")
    return db


def test_a_call_in_a_block_is_the_callers_to_commit_or_roll_back(tables: psycopg.Connection,
                                                                  block: psycopg.Connection):
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_insert_table_a(a int) LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO test_table_a values (a); END; $$""")
    block.execute("insert into test_table_a values (1)")
    block.execute("Call sp_insert_table_a(2)")
    block.execute("insert into test_table_a values (3)")
    block.rollback()
    assert _rows(tables, "SELECT count(*) FROM test_table_a") == [(0,)]
    block.execute("Call sp_insert_table_a(2)")
    block.commit()
    assert _rows(tables, "SELECT c1 FROM test_table_a") == [(2,)]


def test_a_truncate_in_a_nested_call_commits_the_outer_procedures_work(tables: psycopg.Connection):
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_inner(c int, d int) LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO inner_table values (c); TRUNCATE outer_table; INSERT INTO inner_table values (d); END; $$""")
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_outer(a int, b int, c int, d int) LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO outer_table values (a); Call sp_inner(c, d); INSERT INTO outer_table values (b); END; $$""")
    tables.execute("Call sp_outer(1, 2, 3, 4)")
    assert _rows(tables, "SELECT c1 FROM inner_table ORDER BY 1") == [(3,), (4,)]
    assert _rows(tables, "SELECT c1 FROM outer_table") == [(2,)]


def test_commit_and_rollback_in_a_procedure(tables: psycopg.Connection):
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_commit(a int, b int) LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO test_table values (a); COMMIT; INSERT INTO test_table values (b); COMMIT; END; $$""")
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_rollback(a int, b int) LANGUAGE plpgsql AS $$
    DECLARE sum_vals int;
    BEGIN
      INSERT INTO test_table values (a);
      SELECT sum(c1) into sum_vals from test_table;
      IF sum_vals > 2 THEN ROLLBACK; END IF;
      INSERT INTO test_table values (b);
    END; $$""")
    tables.execute("call sp_commit(1, 2)")
    assert _rows(tables, "SELECT c1 FROM test_table ORDER BY 1") == [(1,), (2,)]
    tables.execute("call sp_rollback(1, 2)")  # the sum is 4: the 1 is rolled back
    assert _rows(tables, "SELECT c1 FROM test_table ORDER BY 1") == [(1,), (2,), (2,)]


def test_a_procedure_called_in_a_block_cannot_truncate(tables: psycopg.Connection, block: psycopg.Connection):
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_truncate_atomic() LANGUAGE plpgsql AS $$
    BEGIN TRUNCATE test_table_b; END; $$""")
    with pytest.raises(psycopg.errors.InvalidTransactionTermination) as raised:
        block.execute("Call sp_truncate_atomic()")
    block.rollback()
    assert raised.value.diag.message_primary == (
        "TRUNCATE cannot be invoked from a procedure that is executing in an atomic context.")
    assert (raised.value.diag.message_hint or "").startswith("Try calling the procedure as a top-level call")


def test_a_procedure_called_in_a_block_cannot_commit_or_roll_back(tables: psycopg.Connection,
                                                                   block: psycopg.Connection):
    tables.execute("""CREATE PROCEDURE sp_commit_once() AS $$ BEGIN
        INSERT INTO test_table VALUES (1); COMMIT; END $$ LANGUAGE plpgsql""")
    tables.execute("""CREATE PROCEDURE sp_rollback_once() NONATOMIC AS $$ BEGIN
        IF true THEN ROLLBACK; END IF; END $$ LANGUAGE plpgsql""")
    for call, statement in (("CALL sp_commit_once()", "COMMIT"), ("CALL sp_rollback_once()", "ROLLBACK")):
        with pytest.raises(psycopg.errors.InvalidTransactionTermination,
                           match=f"^{statement} cannot be invoked from a procedure that is executing in an atomic"):
            block.execute(call)
        block.rollback()
    tables.execute("CALL sp_commit_once()")  # at top level it may
    assert _rows(tables, "SELECT c1 FROM test_table") == [(1,)]


def test_a_handled_block_may_commit_inside_an_if(db: psycopg.Connection, log: None):
    db.execute("""CREATE PROCEDURE sp_if_commit() AS $$ BEGIN
        INSERT INTO log VALUES ('kept');
        IF true THEN COMMIT; END IF;
        INSERT INTO log VALUES ('rolled back');
        PERFORM 1/0;
    EXCEPTION WHEN OTHERS THEN INSERT INTO log VALUES ('handler'); END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.DivisionByZero):
        db.execute("CALL sp_if_commit()")
    assert _rows(db, "SELECT m FROM log ORDER BY 1") == [("handler",), ("kept",)]


def test_a_truncate_closes_the_procedures_open_cursor(tables: psycopg.Connection):
    tables.execute("INSERT INTO test_table_a VALUES (1), (2)")
    tables.execute("""CREATE OR REPLACE PROCEDURE sp_open_cursor_truncate() LANGUAGE plpgsql AS $$
    DECLARE
      rec RECORD;
      cur1 cursor for select * from test_table_a order by 1;
    BEGIN
      open cur1;
      TRUNCATE table test_table_b;
      Loop
        fetch cur1 into rec;
        raise info '%', rec.c1;
        exit when not found;
      End Loop;
    END
    $$""")
    # (Redshift names the cursor "cur1"; PostgreSQL 16 and later give a bound cursor a portal name of its own)
    with pytest.raises(psycopg.errors.InvalidCursorName, match="does not exist"):
        tables.execute("call sp_open_cursor_truncate()")


def test_a_procedure_called_from_a_handled_block_rethrows_its_own_error_to_the_callers_handler(
        db: psycopg.Connection, log: None):
    db.execute("""CREATE PROCEDURE sp_step(n int) AS $$ BEGIN
        INSERT INTO log VALUES ('step ' || n); PERFORM 1/n;
    EXCEPTION WHEN OTHERS THEN INSERT INTO log VALUES ('step handler: ' || SQLERRM); END $$ LANGUAGE plpgsql""")
    db.execute("""CREATE PROCEDURE sp_orchestrate() AS $$ BEGIN
        CALL sp_step(1);
        CALL sp_step(0);
    EXCEPTION WHEN OTHERS THEN INSERT INTO log VALUES ('orchestrator: ' || SQLERRM); END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.DivisionByZero):
        db.execute("CALL sp_orchestrate()")
    # (Redshift commits the inner handler's row too; here it runs in the caller's subtransaction)
    assert _rows(db, "SELECT m FROM log") == [("orchestrator: division by zero",)]
    db.execute("CALL sp_step(1)")  # the count of handled calls went back with the transaction
    assert _rows(db, "SELECT count(*) FROM log") == [(2,)]


def test_a_procedure_created_with_set_options_cannot_truncate(tables: psycopg.Connection):
    tables.execute("INSERT INTO test_table_b VALUES (1)")
    tables.execute("""CREATE PROCEDURE sp_truncate_configured() AS $$ BEGIN TRUNCATE test_table_b; END $$
        LANGUAGE plpgsql SET search_path = it""")
    with pytest.raises(psycopg.errors.InvalidTransactionTermination,
                       match="^TRUNCATE cannot be invoked from a procedure that is executing in an atomic context"):
        tables.execute("CALL sp_truncate_configured()")
    assert _rows(tables, "SELECT count(*) FROM test_table_b") == [(1,)]


def test_a_nonatomic_procedures_statements_commit_as_they_end(tables: psycopg.Connection, block: psycopg.Connection):
    tables.execute("""CREATE PROCEDURE sp_autocommit(n int) NONATOMIC AS $$ DECLARE k int; BEGIN
        INSERT INTO test_table VALUES (n);
        UPDATE test_table SET c1 = c1 WHERE c1 = n;
        GET DIAGNOSTICS k := ROW_COUNT;
        INSERT INTO test_table VALUES (n + k);
        START TRANSACTION;
        INSERT INTO test_table VALUES (100);
        RAISE EXCEPTION 'stop';
    END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.RaiseException, match="stop"):
        tables.execute("CALL sp_autocommit(1)")
    # what ran before the START TRANSACTION stays; the explicit block's insert is rolled back
    assert _rows(tables, "SELECT c1 FROM test_table ORDER BY 1") == [(1,), (2,)]
    # called in a transaction block, nothing commits: the caller's ROLLBACK undoes it all
    with pytest.raises(psycopg.errors.RaiseException):
        block.execute("CALL sp_autocommit(5)")
    block.rollback()
    assert _rows(tables, "SELECT count(*) FROM test_table") == [(2,)]


def test_a_nonatomic_loop_over_a_query_commits_each_statement(tables: psycopg.Connection):
    tables.execute("INSERT INTO test_table_a VALUES (1), (2), (3)")
    tables.execute("""CREATE PROCEDURE sp_loop_copy() NONATOMIC AS $$ DECLARE r record; BEGIN
        FOR r IN SELECT c1 FROM test_table_a ORDER BY c1 LOOP
            INSERT INTO test_table_b VALUES (10 / (3 - r.c1));
        END LOOP;
    END $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.DivisionByZero):
        tables.execute("CALL sp_loop_copy()")
    assert _rows(tables, "SELECT c1 FROM test_table_b ORDER BY 1") == [(5,), (10,)]


def test_a_handlers_raise_is_recorded_with_the_failed_call(db: psycopg.Connection):
    """AWS's SVL_STORED_PROC_MESSAGES example: the handler raises its own exception."""
    db.execute("""CREATE OR REPLACE PROCEDURE test_proc1(f1 int) AS
    $$
    BEGIN
        RAISE INFO 'Log Level: Input f1 is %',f1;
        RAISE NOTICE 'Notice Level: Input f1 is %',f1;
        EXECUTE 'select invalid';
        RAISE NOTICE 'Should not print this';

    EXCEPTION WHEN OTHERS THEN
         raise exception 'EXCEPTION level: Exception Handling';
    END;
    $$ LANGUAGE plpgsql""")
    with pytest.raises(psycopg.errors.RaiseException, match="EXCEPTION level: Exception Handling"):
        db.execute("CALL test_proc1(2) /* guide messages */")
    assert _rows(db, "SELECT query, loglevel, loglevel_text, trim(message) as message, aborted "
                     "FROM svl_stored_proc_messages WHERE loglevel > 30 AND querytext LIKE '%guide messages%' "
                     "ORDER BY recordtime")[0][1:] == (40, "NOTICE    ", "Notice Level: Input f1 is 2", 1)
    assert [row[1:] for row in _rows(db, "SELECT query, loglevel_text, trim(message), aborted "
                                         "FROM svl_stored_proc_messages WHERE loglevel_text = 'EXCEPTION' "
                                         "AND querytext LIKE '%guide messages%'")] == [
        ("EXCEPTION ", "EXCEPTION level: Exception Handling", 1)]
