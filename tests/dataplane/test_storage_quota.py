"""A cluster's storage quota (storage_quota.py): past it, the statements that store more fail with
Redshift's Disk Full before they reach the engine; reads and what frees space run; back under it,
everything runs again."""

from __future__ import annotations

import dataclasses
import os
import select
import socket
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
                          "select * into t4 from t", "alter table t add column c int", "create database d2",
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


def _failing(conn: psycopg.Connection, statement: str, errors: list[Exception]) -> None:
    try:
        conn.execute(statement)
    except psycopg.Error as e:
        errors.append(e)


def _fill(plane, key: str, conn: psycopg.Connection) -> None:
    """Give ``key``'s engine a quota it is past, and wait until the front knows."""
    engine = plane._engine(key)
    engine.limits = dataclasses.replace(engine.limits, disk_mb=1)
    conn.execute("select 1")
    wait_for(lambda: full(plane, key), timeout=30)


def test_every_statement_of_a_batch_or_pipeline_that_stores_more_is_refused_while_the_storage_is_full(plane):
    """A statement prepared before the storage was full (its Parse was not refused) is refused when a batch
    binds and executes it, in any position of the batch; a batch pipelined behind another's results, or
    holding a DELETE beside its reads, cannot have its reads write through a function either; the reads of
    batches of reads still answer."""
    port = plane.create_engine("c6", free_port(), USER, PASSWORD, DB)
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (a int)")
        conn.execute("insert into t values (1), (2)")
        conn.execute("create function ins(n int) returns int language plpgsql as $$ begin insert into t values (n); "
                     "return n; end $$")
        insert = "insert into t values (%s)"
        conn.execute(insert, (0,), prepare=True)  # prepared (named) while there is room: its Parse ran
        conn.execute("delete from t where a = %s", (0,), prepare=True)
        _fill(plane, "c6", conn)
        disk_full(conn, insert, (3,))  # psycopg sends only a Bind and an Execute of the statement now
        for position in range(3):  # the write first, in the middle, last: the batch fails with Disk Full
            with pytest.raises(psycopg.errors.InternalError_, match="Disk Full"):
                with conn.pipeline():
                    for k in range(3):
                        if k == position:
                            conn.execute(insert, (10 + k,), prepare=True)
                        else:
                            conn.execute("select count(*) + %s from t", (k,))
        # A batch pipelined while another's results are outstanding: its reads run read-only too.
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            with conn.pipeline() as pipeline:
                conn.execute("select count(*) + %s from t", (0,))
                pipeline.sync()
                conn.execute("select ins(%s)", (4,))
        # Reads beside a DELETE: the DELETE could not run in the reads' read-only transaction; refused (or,
        # psycopg having sent the DELETE in a later write than the read, the batch runs read-only: 25006).
        with pytest.raises((psycopg.errors.InternalError_, psycopg.errors.ReadOnlySqlTransaction)):
            with conn.pipeline():
                conn.execute("select ins(%s)", (5,))
                conn.execute("delete from t where a = %s", (0,), prepare=True)
        for statement in ("select ins(6); delete from t where a = 0",  # a simple Query: refused alike
                          "set transaction read write; select ins(7)", "select 1; commit; select ins(8)"):
            disk_full(conn, statement)
        with connect(port) as block:  # in a transaction block, a batch pipelined: read-only too
            block.execute("select 1")
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                with block.pipeline() as pipeline:
                    block.execute("select count(*) + %s from t", (0,))
                    pipeline.sync()
                    block.execute("select ins(%s)", (9,))
        with conn.pipeline() as pipeline:  # reads pipelined still answer
            cursors = [conn.execute("select count(*) + %s from t", (k,)) for k in range(3)]
            pipeline.sync()
            cursors.append(conn.execute("select max(a) + %s from t", (0,)))
        assert [c.fetchall() for c in cursors] == [[(2,)], [(3,)], [(4,)], [(2,)]]
        assert conn.execute("select a from t order by a").fetchall() == [(1,), (2,)]  # nothing written
        conn.execute("delete from t where a = %s", (2,))  # what frees space runs alone
        assert conn.execute("select a from t").fetchall() == [(1,)]


def test_a_function_call_message_is_refused(plane):
    """The FunctionCall message (libpq's PQfn, the fast path: large objects) would run a function past the
    front's checks of statements (a function that writes while the storage is full): refused, as Redshift
    has no large objects and its drivers never send one; the session goes on."""
    port = plane.create_engine("c7", free_port(), USER, PASSWORD, DB)
    with connect(port, autocommit=True, sslmode="disable") as conn:
        conn.execute("create table t (a int)")
        conn.execute("create function ins(n int) returns int language plpgsql as $$ begin insert into t values (n); "
                     "return n; end $$")
        (oid,) = conn.execute("select 'ins'::regproc::oid").fetchone()
        # FunctionCall: the function's oid, one argument format (text), one argument, the result's format.
        body = oid.to_bytes(4, "big") + b"\0\1\0\0" + b"\0\1" + (1).to_bytes(4, "big") + b"7" + b"\0\0"
        sock = socket.socket(fileno=os.dup(conn.pgconn.socket))
        try:
            sock.sendall(b"F" + (len(body) + 4).to_bytes(4, "big") + body)
            received = b""
            while not received.endswith(b"Z\0\0\0\x05I"):
                select.select([sock], [], [], 30)
                chunk = sock.recv(65536)
                assert chunk, received
                received += chunk
        finally:
            sock.detach()
        assert received[:1] == b"E" and b"fast path function calls are not supported" in received
        assert b"C0A000" in received
        assert conn.execute("select count(*) from t").fetchone() == (0,)  # the function never ran


def test_temporary_tables_count_towards_the_storage(plane):
    """A temporary table's data is the cluster's storage too (Redshift counts it): past the quota, writes to it
    are refused like any other; dropping it frees the space."""
    port = plane.create_engine("c8", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c8")
    with connect(port, autocommit=True) as conn:
        engine.limits = dataclasses.replace(engine.limits, disk_mb=engine.size_bytes() // MIB + 8)
        conn.execute("create temp table tt (a int, b varchar(1000))")
        conn.execute("insert into tt select g, repeat(md5(g::text), 10) from generate_series(1, 40000) g")  # ~15 MiB
        wait_for(lambda: full(plane, "c8"), timeout=30)
        disk_full(conn, "insert into tt values (1, 'x')")
        conn.execute("drop table tt")
        wait_for(lambda: not full(plane, "c8"), timeout=30)


def test_a_read_spilling_to_temporary_files_past_the_quota_is_cancelled(plane):
    """A sort or hash spilling to temporary files takes disk too: a measurement that finds the cluster past its
    quota cancels a statement with temporary files, a read too, with Disk Full (as a Redshift query whose spill
    fills the disks fails)."""
    port = plane.create_engine("c9", free_port(), USER, PASSWORD, DB)
    with connect(port, autocommit=True) as conn:
        _fill(plane, "c9", conn)
        conn.execute("set work_mem = '64kB'")
        with pytest.raises(psycopg.errors.InternalError_) as excinfo:  # sorts for many seconds, spilling
            conn.execute("select count(*) from (select md5(g::text) || repeat('z', 200) as x "
                         "from generate_series(1, 20000000) g order by 1) s")
        assert excinfo.value.diag.message_primary == "Disk Full"
        assert conn.execute("select 1").fetchone() == (1,)


def test_a_quota_cancel_never_reaches_the_next_statement(plane):
    """The quota's cancel of a running statement that ends before the cancel is sent: what its client sends
    next waits in the front until the cancel was sent, so the cancel finds the backend idle (PostgreSQL drops
    it) and the next statement runs to its end."""
    port = plane.create_engine("c10", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c10")
    path = str(engine.socket_path)
    with connect(port, autocommit=True) as conn:
        pid = conn.info.backend_pid
        results: list[object] = []

        def client() -> None:
            try:
                results.append(conn.execute("select pg_sleep(1)").fetchone())
                results.append(conn.execute("select 2").fetchone())  # sent while the cancel is under way
            except psycopg.Error as e:
                results.append(e)

        def cancel(pids: list[int]) -> None:
            with engine.connect() as admin:  # the statement ends and the client sends its next: held
                wait_for(lambda: results, timeout=30)
                time.sleep(0.5)
                assert admin.execute("select state from pg_stat_activity where pid = %s", (pid,)).fetchone() == ("idle",)
                admin.execute("select pg_cancel_backend(%s)", (pids[0],))

        running = threading.Thread(target=client)
        running.start()
        wait_for(lambda: plane.front.activity(path)[1], timeout=30)
        assert plane.front.cancel_statements(path, [pid], cancel) == 1
        running.join()
        assert len(results) == 2 and not isinstance(results[0], Exception) and results[1] == (2,), results
