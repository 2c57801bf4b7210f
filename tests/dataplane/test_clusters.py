"""Cluster lifecycle: create, connect (psycopg and redshift_connector), pause/resume,
password changes, destroy, and surviving a service restart."""

from __future__ import annotations

import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redshift_connector

from localshift.dataplane import DataPlaneError, PostgresDataPlane
from localshift.dataplane.watchdog import pid_alive, postmaster_pid
from localshift.dataplane.wire_messages import (is_redshift_driver, rewrite_parameter_status, rewrite_startup,
                                                 startup_database, startup_user)

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, free_port, rows


def test_create_connect_and_redshift_connector(dp, cluster):
    key, port = cluster
    assert dp.is_running(key)
    with connect(port) as conn:
        assert conn.execute("select current_user, current_database()").fetchone() == (USER, DB)
        conn.execute("create table t (id int primary key, name text)")
        conn.cursor().executemany("insert into t values (%s, %s)", [(i, f"n{i}") for i in range(100)])
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, password="wrong")

    rc = redshift_connector.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD,
                                    database=DB, ssl=False)
    try:
        cur = rc.cursor()
        cur.execute("select count(*), sum(id) from t")
        assert list(cur.fetchone()) == [100, 4950]
        cur.execute("create table rc (id int, v varchar(40))")
        cur.execute("insert into rc values (%s, %s)", (1, "via redshift_connector"))
        rc.commit()
        cur.execute("select v from rc where id = %s", (1,))
        assert cur.fetchone()[0] == "via redshift_connector"
    finally:
        rc.close()
    assert rows(port, "select v from rc") == [("via redshift_connector",)]
    # the driver's default ssl=True verifies the endpoint's certificate: it needs the data
    # plane's CA (test_tls.py)
    with pytest.raises(redshift_connector.InterfaceError, match="CERTIFICATE_VERIFY_FAILED"):
        redshift_connector.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD,
                                   database=DB)
    assert dp.engine_size_bytes(key) > 1_000_000


def test_pause_resume_and_password(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 1000) id")
    dp.stop_engine(key)
    dp.stop_engine(key)  # idempotent
    assert not dp.is_running(key)
    with pytest.raises(psycopg.OperationalError):
        connect(port)
    assert dp.start_engine(key, port) == port
    assert dp.start_engine(key, port) == port  # idempotent
    assert dp.is_running(key)
    assert rows(port, "select count(*) from t") == [(1000,)]

    dp.set_password(key, USER, "N3w-password")
    with pytest.raises(psycopg.OperationalError):
        connect(port)
    assert rows(port, "select count(*) from t", password="N3w-password") == [(1000,)]
    # also works while stopped (the engine is started temporarily)
    dp.stop_engine(key)
    dp.set_password(key, USER, PASSWORD)
    assert not dp.is_running(key)
    dp.start_engine(key, port)
    assert rows(port, "select count(*) from t") == [(1000,)]


def test_an_engine_whose_postmaster_died_starts_again_while_its_old_processes_linger(dp, cluster):
    """A postmaster killed (the OOM killer, kill -9) leaves its children for a while: a backend
    running a long query notices only when it next waits.  They hold the engine's shared memory, so
    PostgreSQL refuses to start over them ("pre-existing shared memory block is still in use"): a
    resume or reboot then would fail the cluster.  The start ends them first."""
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 1000) id")
    data_dir = dp._engine(key).data_dir
    postmaster = postmaster_pid(data_dir)
    children = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                if pid != postmaster and _cwd(pid) == os.path.realpath(data_dir)]
    stopped = []
    for pid in children:  # stopped: none of them can notice its postmaster is gone and exit
        try:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        except ProcessLookupError:  # a session's backend that ended meanwhile
            continue
    stopped = [pid for pid in stopped if pid_alive(pid)]  # not one that had just exited
    assert stopped
    with dp._lock(key):  # as a job holds it: the supervisor does not start the engine meanwhile
        os.kill(postmaster, signal.SIGKILL)
        dp.stop_engine(key)  # the postmaster is gone: nothing to stop, and its children are left
    assert all(pid_alive(pid) for pid in stopped)
    assert dp.start_engine(key, port) == port
    assert not any(pid_alive(pid) for pid in stopped)
    assert rows(port, "select count(*) from t") == [(1000,)]


def _cwd(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def test_restart_survival(tmp_path):
    root = tmp_path / "dp"
    first = PostgresDataPlane(root)
    try:
        port = first.create_engine("keep", free_port(), USER, PASSWORD, DB)
        with connect(port) as conn:
            conn.execute("create table t as select generate_series(1, 500) id")
        first.create_snapshot("keep", "snap")
        first.close()
        assert not first.is_running("keep")

        second = PostgresDataPlane(root)  # a new service process over the same root
        try:
            assert second.snapshot_exists("snap")
            assert second.start_engine("keep", port) == port
            assert rows(port, "select count(*) from t") == [(500,)]
            port2 = second.restore_snapshot("snap", "restored", free_port())
            assert rows(port2, "select count(*) from t") == [(500,)]
        finally:
            cleanup(second)
    finally:
        cleanup(first)


def test_adopts_engine_left_running(tmp_path):
    """A service that died with its watchdog, leaving its engines running: the next one adopts them."""
    root = tmp_path / "dp"
    first = PostgresDataPlane(root)
    try:
        port = first.create_engine("orphan", free_port(), USER, PASSWORD, DB)
        first._watchdog.kill()  # killed together with the service (e.g. its whole cgroup)
        first._watchdog.wait()
        first.front.close_all()  # the fronts die with the process; the engine does not
        second = PostgresDataPlane(root)
        assert not second.is_running("orphan")
        assert second.start_engine("orphan", port) == port
        assert second.is_running("orphan")
        assert rows(port, "select 1") == [(1,)]
        second.close()
        assert not first._engine("orphan").is_running()
    finally:
        cleanup(first)


def test_destroy_and_busy_port(dp, cluster):
    key, port = cluster
    # The port of c1's front is taken: c3 is served on another one.
    other = dp.create_engine("c3", port, USER, PASSWORD, "third")
    assert other != port
    assert rows(port, "select current_database()") == [(DB,)]
    with connect(other, dbname="third") as conn:
        assert conn.execute("select current_database()").fetchone() == ("third",)
    engine_dir = dp.engine_root / key
    assert engine_dir.exists()
    dp.destroy_engine(key)
    assert not engine_dir.exists()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert dp.create_engine("c2", taken, USER, PASSWORD, DB) != taken
    with pytest.raises(DataPlaneError):
        dp.create_engine("Bad_Key", free_port(), USER, PASSWORD, DB)


def test_startup_rewrites():
    params = [b"user", b"u", b"database", b"d", b"client_protocol_version", b"2",
              b"driver_version", b"x", b"application_name", b"a", b"_pq_.opt", b"1"]
    body = (196608).to_bytes(4, "big") + b"".join(p + b"\0" for p in params) + b"\0"
    packet = (len(body) + 4).to_bytes(4, "big") + body
    assert is_redshift_driver(packet)
    assert not is_redshift_driver(packet.replace(b"client_protocol_version", b"application_name")
                                  .replace(b"driver_version", b"fallback_application_name"))
    out = rewrite_startup(packet)
    assert int.from_bytes(out[:4], "big") == len(out)
    assert out[8:].split(b"\0")[:-2] == [b"user", b"u", b"database", b"d", b"application_name",
                                         b"a", b"_pq_.opt", b"1"]
    # A parameter given twice reaches the engine once, with the last value (PostgreSQL's, the front's).
    twice = packet.replace(b"database\0d\0", b"database\0d\0user\0rdsdb\0database\0\0")
    assert (startup_user(twice), startup_database(twice)) == ("rdsdb", "rdsdb")  # no database: the user's
    assert rewrite_startup(twice)[8:].split(b"\0")[:-2] == [b"user", b"rdsdb", b"database", b"",
                                                            b"application_name", b"a", b"_pq_.opt", b"1"]
    assert rewrite_startup(twice, "alice")[8:].split(b"\0")[:4] == [b"user", b"alice", b"database", b"rdsdb"]
    body = b"server_version\x0015.18 (Debian 15.18-0+deb12u1)\x00"
    msg = b"S" + (len(body) + 4).to_bytes(4, "big") + body
    out = rewrite_parameter_status(msg)
    assert out[5:] == b"server_version\x0015.18\x00"
    assert int.from_bytes(out[1:5], "big") == len(out) - 1
    out = rewrite_parameter_status(msg, redshift_driver=True)
    assert out[5:] == b"server_version\x008.0.2\x00"
    assert int.from_bytes(out[1:5], "big") == len(out) - 1


def _served_database(port: int, db: str) -> str:
    with connect(port, dbname=db) as conn:
        return conn.execute("select current_database()").fetchone()[0]


def test_clusters_wanting_one_port_at_once_each_get_a_port_of_their_own(dp):
    """Binding is the allocation: clusters created, resumed or restored at the same time on
    the same preferred port end on distinct ports, each serving its own cluster."""
    wanted, keys = free_port(), [f"p{i}" for i in range(4)]
    with ThreadPoolExecutor(len(keys)) as pool:
        ports = list(pool.map(lambda i: dp.create_engine(keys[i], wanted, USER, PASSWORD, f"db{i}"),
                              range(len(keys))))
    assert len(set(ports)) == len(keys) and wanted in ports
    assert [_served_database(port, f"db{i}") for i, port in enumerate(ports)] == [f"db{i}" for i in range(4)]

    for key in keys:
        dp.stop_engine(key)
    with ThreadPoolExecutor(len(keys)) as pool:
        ports = list(pool.map(lambda key: dp.start_engine(key, wanted), keys))
    assert len(set(ports)) == len(keys) and wanted in ports
    assert [_served_database(port, f"db{i}") for i, port in enumerate(ports)] == [f"db{i}" for i in range(4)]

    dp.create_snapshot("p0", "s0")
    with ThreadPoolExecutor(2) as pool:
        restored = list(pool.map(lambda key: dp.restore_snapshot("s0", key, wanted), ["r0", "r1"]))
    assert len(set(restored) | set(ports)) == len(keys) + 2
    for key, port in zip(["r0", "r1"], restored):
        with connect(port, dbname="db0", autocommit=True) as conn:
            conn.execute(f"create table marker_{key} ()")
        with dp._existing(key).connect("db0") as admin:  # that port really is that engine
            assert admin.execute("select to_regclass(%s) is not null", (f"public.marker_{key}",)).fetchone() == (True,)


def test_a_served_cluster_moves_to_the_port_asked_or_another_free_one(dp, cluster):
    key, port = cluster
    wanted = free_port()
    assert dp.start_engine(key, wanted) == wanted
    assert rows(wanted, "select 1") == [(1,)]
    with pytest.raises(psycopg.OperationalError):
        connect(port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        moved = dp.start_engine(key, busy.getsockname()[1])  # taken: another free port
        assert moved not in (wanted, busy.getsockname()[1])
    assert rows(moved, "select 1") == [(1,)]
    assert dp._existing(key).read_meta()["port"] == moved
