"""A cluster's storage quota (storage_quota.py): past it, the statements that store more fail with
Redshift's Disk Full before they reach the engine; reads and what frees space run; back under it,
everything runs again."""

from __future__ import annotations

import dataclasses
import threading
import time

import psycopg
import pytest
import redshift_connector

from localshift.dataplane.engine_limits import MIB, EngineLimits
from support import wait_for

from .conftest import listened_plane
from .helpers import DB, PASSWORD, USER, connect, free_port


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    for plane, _ in listened_plane(tmp_path_factory.mktemp("quota") / "dp", supervise_interval=0.2):
        yield plane


def full(plane, key: str) -> bool:
    return str(plane._engine(key).socket_path) in plane.front.storage_full


def disk_full(conn: psycopg.Connection, statement: str, params: tuple | None = None) -> None:
    with pytest.raises(psycopg.errors.InternalError_) as excinfo:
        conn.execute(statement, params)
    assert excinfo.value.diag.message_primary == "Disk Full"
    assert "code:      1016" in excinfo.value.diag.message_detail


def test_statements_that_store_more_fail_while_the_storage_is_full(plane):
    port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c1")
    assert engine.limits.disk_mb == EngineLimits().disk_mb  # the default quota: 20 GiB
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (a int, b varchar(100))")
        conn.execute("insert into t select g, repeat('x', 100) from generate_series(1, 1000) g")
        conn.execute("create function ins() returns int language plpgsql as $$ begin insert into t values (7, 'f'); "
                      "return 1; end $$")
        conn.execute("create table big as select g, md5(g::text) || repeat('y', 200) as b "
                     "from generate_series(1, 60000) g")  # ~16 MiB
        assert not full(plane, "c1")
        # A quota 8 MiB short of what the engine holds now (its catalog, databases, and big).
        engine.limits = dataclasses.replace(engine.limits, disk_mb=engine.size_bytes() // MIB - 8)
        conn.execute("select 1")
        wait_for(lambda: full(plane, "c1"), timeout=20)
        for statement in ("insert into t values (1, 'x')", "update t set a = 2",
                          "create table t2 (a int)", "create temp table t3 as select 1 as a",
                          "select * into t4 from t", "alter table t add column c int",
                          "insert into t values (1, 'x'); select 1"):
            disk_full(conn, statement)
        with pytest.raises(psycopg.errors.InternalError_, match="Disk Full"):
            conn.execute("insert into t values (%s, %s)", (1, "x"))  # the extended protocol too
        # Reads run, and what frees space: as on Redshift.  A read whose text says into (not the keyword) too.
        assert conn.execute("select count(*) from t").fetchone() == (1000,)
        assert conn.execute("""select 'copy into' as "into" -- into
                               from t limit 1""").fetchone() == ("copy into",)
        # A read calling a function that writes: run read-only, so the engine refuses the write.
        for statement in ("select ins()", "select 1; with x as (select ins()) select * from x"):
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute(statement)
        with connect(port) as block:  # in a transaction block
            assert block.execute("select count(*) from t").fetchone() == (1000,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                block.execute("select ins()")
            block.rollback()
            block.execute("select count(*) from t")
            block.execute("delete from t where a = 1000")  # the block's own statements still write
            block.rollback()
        assert conn.execute("select count(*) from t where b = 'f'").fetchone() == (0,)
        conn.execute("delete from t where a > 500")
        conn.execute("create view v as select a from t")
        conn.execute("drop table big")
        wait_for(lambda: not full(plane, "c1"), timeout=20)
        conn.execute("insert into t values (1, 'x')")
        assert conn.execute("select count(*) from t").fetchone() == (501,)


def test_a_batch_of_reads_of_the_extended_protocol_runs_read_only_while_the_storage_is_full(plane):
    """A prepared read calling a function that writes (psycopg with parameters, its pipeline mode,
    redshift_connector) cannot write while the storage is full: its batch runs read-only, the front's own
    SET TRANSACTION READ ONLY unseen by the client; the batch's reads answer as usual."""
    port = plane.create_engine("c5", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c5")
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (a int)")
        conn.execute("insert into t values (1), (2)")
        conn.execute("create function ins(n int) returns int language plpgsql as $$ begin insert into t values (n); "
                     "return n; end $$")
        engine.limits = dataclasses.replace(engine.limits, disk_mb=1)
        conn.execute("select 1")
        wait_for(lambda: full(plane, "c5"), timeout=20)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("select ins(%s)", (3,))
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("select ins(%s)", (4,), prepare=True)  # a named prepared statement
        assert conn.execute("select count(*) + %s from t", (0,)).fetchone() == (2,)
        disk_full(conn, "select * into t2 from t where a > %s", (0,))  # refused as before, not 25006
        assert conn.execute("select count(*) from t where a > %s", (0,), prepare=True).fetchone() == (2,)
        with conn.pipeline() as pipeline:  # batches sent before the last one's results: answered in order
            cursors = []
            for k in range(5):
                cursors.append(conn.execute("select a + %s from t order by a", (k,)))
                if k % 2:
                    pipeline.sync()
        assert [c.fetchall() for c in cursors] == [[(1 + k,), (2 + k,)] for k in range(5)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            with conn.pipeline():
                conn.execute("select ins(%s)", (5,))
        with connect(port) as block:  # in a transaction block: read-only for the batch only
            assert block.execute("select count(*) from t where a > %s", (0,)).fetchone() == (2,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                block.execute("select ins(%s)", (6,))
            block.rollback()
            assert block.execute("select count(*) from t where a > %s", (0,)).fetchone() == (2,)
            assert block.execute("delete from t where a = %s", (1,)).rowcount == 1  # the block's own write
            assert block.execute("select a from t where a > %s", (0,)).fetchall() == [(2,)]
            with pytest.raises(psycopg.errors.InvalidSavepointSpecification):
                block.execute("release savepoint localshift_read_only")  # the front's did not stay open
            block.rollback()
        for autocommit in (True, False):  # redshift_connector's default: a transaction block
            rs = redshift_connector.connect(host="localhost", port=port, database=DB, user=USER, password=PASSWORD,
                                            ssl=False)
            try:
                rs.autocommit = autocommit
                cursor = rs.cursor()
                cursor.execute("select a from t where a > %s order by a", (0,))
                assert [list(row) for row in cursor.fetchall()] == [[1], [2]]
                with pytest.raises(redshift_connector.ProgrammingError, match="read-only transaction"):
                    cursor.execute("select ins(%s)", (6,))
                rs.rollback()
                cursor.executemany("select a from t where a = %s", [(1,), (2,)])
                cursor.execute("select a from t where a > %s order by a", (1,))
                assert [list(row) for row in cursor.fetchall()] == [[2]]
            finally:
                rs.close()
        conn.execute("delete from t where a = %s", (2,))  # what frees space still runs
        assert conn.execute("select a from t").fetchall() == [(1,)]
        engine.limits = dataclasses.replace(engine.limits, disk_mb=EngineLimits().disk_mb)
        wait_for(lambda: not full(plane, "c5"), timeout=20)
        assert conn.execute("select ins(%s)", (7,)).fetchone() == (7,)


def test_a_quota_of_zero_is_none(plane):
    port = plane.create_engine("c2", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c2")
    engine.limits = dataclasses.replace(engine.limits, disk_mb=0)
    plane.bound_storage("c2")
    assert not full(plane, "c2")
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (a int)")


def test_an_engine_is_measured_again_only_when_it_may_have_changed(plane):
    """Measuring stats every file of the data directory: an engine nobody used since is not measured
    again; one whose front forwarded something, or with a statement running, is."""
    port = plane.create_engine("c3", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c3")
    measure, calls = engine.size_bytes, []
    engine.size_bytes = lambda: calls.append(1) or measure()
    wait_for(lambda: calls, timeout=30)  # the first measurement
    measured = len(calls)
    for _ in range(5):
        time.sleep(0.3)
        plane.bound_storage("c3")
    assert len(calls) == measured  # nothing happened: not measured again
    with connect(port, autocommit=True) as conn:
        conn.execute("select 1")
        wait_for(lambda: len(calls) > measured, timeout=30)
        # A statement running, with nothing more from its client: measured while it runs.
        running = threading.Thread(target=lambda: _quietly(conn, "select pg_sleep(60)"))
        running.start()
        try:
            wait_for(lambda: plane.front.activity(str(engine.socket_path))[1], timeout=30)
            measured = len(calls)
            wait_for(lambda: len(calls) >= measured + 2, timeout=60)
        finally:
            conn.cancel_safe()
            running.join()


def _quietly(conn: psycopg.Connection, statement: str) -> None:
    try:
        conn.execute(statement)
    except psycopg.errors.QueryCanceled:
        pass


def test_a_statement_that_takes_the_storage_past_the_quota_is_cancelled(plane):
    """One statement writing past the quota is not left to run to its end: a measurement that finds the
    engine past it cancels it (its transaction wrote), as Redshift fails a query that fills its disks,
    with Redshift's Disk Full (not PostgreSQL's 57014); reads, and what frees space, are not cancelled."""
    port = plane.create_engine("c4", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c4")
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (a int, b varchar(1000))")
        for params in (None, (200000,)):  # a simple Query, then the extended protocol
            engine.limits = dataclasses.replace(engine.limits, disk_mb=engine.size_bytes() // MIB + 8)
            wait_for(lambda: not full(plane, "c4"), timeout=30)
            with pytest.raises(psycopg.errors.InternalError_) as excinfo:  # ~200 MiB, were it not stopped
                conn.execute("insert into t select g, repeat(md5(g::text), 30) from generate_series(1, "
                             + ("200000" if params is None else "%s") + ") g", params)
            assert excinfo.value.diag.message_primary == "Disk Full"
            assert "code:      1016" in excinfo.value.diag.message_detail
            assert conn.execute("select count(*) from t").fetchone() == (0,)  # its transaction rolled back
            conn.execute("vacuum t")
            wait_for(lambda: not full(plane, "c4"), timeout=30)
        # A statement the client cancels itself still gets 57014.
        errors: list[Exception] = []
        running = threading.Thread(target=lambda: _failing(conn, "select pg_sleep(60)", errors))
        running.start()
        wait_for(lambda: plane.front.activity(str(engine.socket_path))[1], timeout=30)
        conn.cancel_safe()
        running.join()
        assert [type(e) for e in errors] == [psycopg.errors.QueryCanceled]
        assert not plane.front.quota_cancelled


def _failing(conn: psycopg.Connection, statement: str, errors: list[Exception]) -> None:
    try:
        conn.execute(statement)
    except psycopg.Error as e:
        errors.append(e)
