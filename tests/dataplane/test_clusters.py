"""Cluster lifecycle: create, connect (psycopg and redshift_connector), pause/resume,
password changes, destroy, and surviving a service restart."""

from __future__ import annotations

import socket

import psycopg
import pytest
import redshift_connector

from localshift.dataplane import DataPlane, DataPlaneError
from localshift.dataplane.wire_front import rewrite_parameter_status, rewrite_startup

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
    # the driver's default ssl=True cannot work: the engine has no TLS
    with pytest.raises(redshift_connector.InterfaceError, match="Server refuses SSL"):
        redshift_connector.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD,
                                   database=DB)
    assert dp.cluster_size_bytes(key) > 1_000_000


def test_pause_resume_and_password(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 1000) id")
    dp.stop_cluster(key)
    dp.stop_cluster(key)  # idempotent
    assert not dp.is_running(key)
    with pytest.raises(psycopg.OperationalError):
        connect(port)
    dp.start_cluster(key, port)
    dp.start_cluster(key, port)  # idempotent
    assert dp.is_running(key)
    assert rows(port, "select count(*) from t") == [(1000,)]

    dp.set_master_password(key, USER, "N3w-password")
    with pytest.raises(psycopg.OperationalError):
        connect(port)
    assert rows(port, "select count(*) from t", password="N3w-password") == [(1000,)]
    # also works while stopped (the engine is started temporarily)
    dp.stop_cluster(key)
    dp.set_master_password(key, USER, PASSWORD)
    assert not dp.is_running(key)
    dp.start_cluster(key, port)
    assert rows(port, "select count(*) from t") == [(1000,)]


def test_restart_survival(tmp_path):
    root = tmp_path / "dp"
    first = DataPlane(root)
    try:
        port = free_port()
        first.create_cluster("keep", port, USER, PASSWORD, DB)
        with connect(port) as conn:
            conn.execute("create table t as select generate_series(1, 500) id")
        first.create_snapshot("keep", "snap")
        first.stop_all()
        assert not first.is_running("keep")

        second = DataPlane(root)  # a new service process over the same root
        try:
            assert second.snapshot_exists("snap")
            second.start_cluster("keep", port)
            assert rows(port, "select count(*) from t") == [(500,)]
            port2 = free_port()
            second.restore_snapshot("snap", "restored", port2)
            assert rows(port2, "select count(*) from t") == [(500,)]
        finally:
            cleanup(second)
    finally:
        cleanup(first)


def test_adopts_engine_left_running(tmp_path):
    """A service that died without stopping its engines: the next one adopts them."""
    root = tmp_path / "dp"
    first = DataPlane(root)
    try:
        port = free_port()
        first.create_cluster("orphan", port, USER, PASSWORD, DB)
        first.front.close_all()  # the fronts die with the process; the engine does not
        second = DataPlane(root)
        assert not second.is_running("orphan")
        second.start_cluster("orphan", port)
        assert second.is_running("orphan")
        assert rows(port, "select 1") == [(1,)]
        second.stop_all()
        assert not first._engine("orphan").is_running()
    finally:
        cleanup(first)


def test_destroy_and_busy_port(dp, cluster):
    key, port = cluster
    with pytest.raises(DataPlaneError, match="already served"):
        dp.create_cluster("c3", port, USER, PASSWORD, DB)  # the port of c1's front
    assert not (dp.engine_root / "c3").exists()
    assert rows(port, "select 1") == [(1,)]
    engine_dir = dp.engine_root / key
    assert engine_dir.exists()
    dp.destroy_cluster(key)
    assert not engine_dir.exists()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(DataPlaneError, match="cannot listen"):
            dp.create_cluster("c2", busy.getsockname()[1], USER, PASSWORD, DB)
    assert not (dp.engine_root / "c2").exists()
    with pytest.raises(DataPlaneError):
        dp.create_cluster("Bad_Key", free_port(), USER, PASSWORD, DB)


def test_startup_rewrites():
    params = [b"user", b"u", b"database", b"d", b"client_protocol_version", b"2",
              b"driver_version", b"x", b"application_name", b"a", b"_pq_.opt", b"1"]
    body = (196608).to_bytes(4, "big") + b"".join(p + b"\0" for p in params) + b"\0"
    out = rewrite_startup((len(body) + 4).to_bytes(4, "big") + body)
    assert int.from_bytes(out[:4], "big") == len(out)
    assert out[8:].split(b"\0")[:-2] == [b"user", b"u", b"database", b"d", b"application_name",
                                         b"a", b"_pq_.opt", b"1"]
    body = b"server_version\x0015.18 (Debian 15.18-0+deb12u1)\x00"
    msg = b"S" + (len(body) + 4).to_bytes(4, "big") + body
    out = rewrite_parameter_status(msg)
    assert out[5:] == b"server_version\x0015.18\x00"
    assert int.from_bytes(out[1:5], "big") == len(out) - 1
