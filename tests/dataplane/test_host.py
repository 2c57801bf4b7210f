"""What the service asks of its host, against a real `localshift serve`: files readable by the
service alone, and SQL connections that can never take the API's file descriptors (host.py)."""

from __future__ import annotations

import resource
import socket
import stat
from pathlib import Path

import psycopg
import pytest

from localshift.dataplane.host import sql_connection_budget

from support import create_available_cluster, create_available_snapshot, make_server

from .helpers import connect_once_free

IDLE_CONNECTIONS = 3000
# The server starts with a soft limit far below IDLE_CONNECTIONS and a hard limit it may raise to.
SOFT, HARD = 1024, 4096


def _soft_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-file limit")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_api_answers_with_thousands_of_idle_sql_connections(tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if min(soft, hard) < IDLE_CONNECTIONS + 500:
        pytest.skip("the test itself needs descriptors for its connections")
    # Idle connections stay until closed (not dropped by the startup timeout while the test runs).
    server = make_server(tmp_path, data_plane=True, extra_env={"LOCALSHIFT_SQL_STARTUP_TIMEOUT": "600"})
    server.preexec_fn = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT, HARD))
    server.start()
    held: list[socket.socket] = []
    try:
        assert _soft_limit(server.process.pid) == HARD  # raised at data-plane start
        client = server.client()
        port = create_available_cluster(client, "c1")["Endpoint"]["Port"]
        for _ in range(IDLE_CONNECTIONS):
            held.append(socket.create_connection(("127.0.0.1", port)))
        # Far more than the service's first soft limit, and than its SQL budget: the API still answers.
        assert IDLE_CONNECTIONS > sql_connection_budget(HARD) > 500
        assert client.describe_clusters()["Clusters"][0]["ClusterStatus"] == "available"
        assert server.admin("/_localshift/health", "GET")
        with pytest.raises(psycopg.OperationalError):  # the cluster's connections are all taken
            psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev",
                            connect_timeout=10)
        for sock in held:
            sock.close()
        held.clear()
        with connect_once_free(port, user="admin", password="Passw0rd1", dbname="dev") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        for sock in held:
            sock.close()
        server.close()


def test_state_is_readable_by_the_service_alone(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        client = server.client()
        create_available_cluster(client, "c1")
        create_available_snapshot(client, "s1", "c1")
        data_dir = server.data_dir
        assert _mode(data_dir) == 0o700
        assert _mode(data_dir / "localshift.sqlite3") == 0o600
        dataplane = data_dir / "dataplane"
        assert _mode(dataplane) == 0o700 and _mode(dataplane / "admin-secret") == 0o600
        snapshots = dataplane / "snapshots"
        files = [p for p in snapshots.rglob("*") if p.is_file()]
        assert files and {_mode(p) & 0o077 for p in files} == {0}, "snapshot files readable by others"
        assert {_mode(p) for p in snapshots.rglob("*") if p.is_dir()} <= {0o700}
    finally:
        server.close()
