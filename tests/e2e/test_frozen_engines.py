"""An engine that stops answering (its processes frozen with SIGSTOP, as a hung host leaves them)
never leaves a cluster or a snapshot in a transitional status: the service's work on it is bounded
by ``engine_timeout`` (shortened here), a reboot ends ``available`` serving its data, a snapshot
``failed`` with its event while the engine, killed, is replaced as a failed node."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from localshift.dataplane.dataplane import default_engine_root
from localshift.dataplane.watchdog import engine_processes, pid_alive, postmaster_pid

from support import OWNER, Server, create_available_cluster, served, wait_for

PASSWORD = "Passw0rd1"


@pytest.fixture(scope="module")
def frozen_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served(tmp_path_factory, "frozen", data_plane=True, extra_env={"LOCALSHIFT_ENGINE_TIMEOUT": "8"})


@pytest.fixture
def real(frozen_server: Server) -> Server:
    frozen_server.reset()
    return frozen_server


def engine_data_dir(server: Server) -> Path:
    """The data directory of the server's one cluster engine."""
    engines = default_engine_root((server.data_dir / "dataplane").resolve())
    (data_dir,) = [path / "data" for path in engines.iterdir() if path.name.startswith("cluster-")]
    return data_dir


def freeze_engine(server: Server) -> list[int]:
    """SIGSTOP every process of the server's one cluster engine (they run in its data directory)."""
    frozen = engine_processes(engine_data_dir(server))
    assert frozen
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    return frozen


def thaw(pids: list[int]) -> None:
    for pid in pids:
        if pid_alive(pid):
            os.kill(pid, signal.SIGCONT)


def settled_cluster(client) -> dict:  # type: ignore[no-untyped-def]
    """c1, available with a table, its first automated snapshot taken (the create job submits it)."""
    cluster = create_available_cluster(client)
    with psycopg.connect(**endpoint(cluster)) as conn:
        conn.execute("CREATE TABLE t AS SELECT 7 AS id")
    wait_for(lambda: [s["Status"] for s in client.describe_cluster_snapshots(ClusterIdentifier="c1")["Snapshots"]]
             == ["available"], timeout=120)
    return cluster


def endpoint(cluster: dict) -> dict:
    return dict(host="127.0.0.1", port=cluster["Endpoint"]["Port"], user="admin", password=PASSWORD, dbname="dev",
                autocommit=True, connect_timeout=30)


def events(client, source_type: str, identifier: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.describe_events(SourceIdentifier=identifier, SourceType=source_type, Duration=60)["Events"]


def test_a_reboot_of_a_frozen_engine_ends_available_and_serving(real):
    client = real.client(OWNER)
    cluster = settled_cluster(client)
    postmaster = postmaster_pid(engine_data_dir(real))
    frozen = freeze_engine(real)
    try:
        started = time.monotonic()
        client.reboot_cluster(ClusterIdentifier="c1")
        wait_for(lambda: not pid_alive(postmaster), timeout=180)
        took = time.monotonic() - started
        rebooted = wait_for(lambda: [c for c in client.describe_clusters(ClusterIdentifier="c1")["Clusters"]
                                     if c["ClusterStatus"] != "rebooting"], timeout=180)[0]
    finally:
        thaw(frozen)
    # Its fast shutdown given up after the bound (8 s), not after a minute; then the immediate one (8 s), then
    # SIGKILL: the frozen postmaster is gone some 16 s in.  Timed to its end, not to the restarted engine's
    # start (which a loaded machine slows), so the margin is the stop's own.
    assert postmaster is not None and took < 45
    assert rebooted["ClusterStatus"] == "available"
    assert not any(pid_alive(pid) for pid in frozen)  # the frozen engine was ended, not waited for
    with psycopg.connect(**endpoint(cluster)) as conn:
        assert conn.execute("SELECT id FROM t").fetchall() == [(7,)]
    heard = events(client, "cluster", "c1")
    assert "REDSHIFT-EVENT-3000" in [e.get("EventId") for e in heard]  # rebooted
    assert [e["Message"] for e in heard if e["Severity"] == "ERROR"] == []


def test_a_snapshot_of_a_frozen_engine_fails_and_the_node_is_replaced(real):
    client = real.client(OWNER)
    cluster = settled_cluster(client)
    frozen = freeze_engine(real)
    try:
        client.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
        failed = wait_for(lambda: [s for s in client.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"]
                                   if s["Status"] != "creating"], timeout=120)[0]
    finally:
        thaw(frozen)
    assert failed["Status"] == "failed"
    reasons = [e["Message"] for e in events(client, "cluster-snapshot", "s1") if e["Severity"] == "ERROR"]
    assert len(reasons) == 1 and reasons[0].startswith("Amazon Redshift could not take snapshot s1: ")
    wait_for(lambda: [e for e in events(client, "cluster", "c1") if e.get("EventId") == "REDSHIFT-EVENT-3001"],
             timeout=120)  # node replaced
    assert client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "available"
    with psycopg.connect(**endpoint(cluster)) as conn:
        assert conn.execute("SELECT id FROM t").fetchall() == [(7,)]
    assert not any(pid_alive(pid) for pid in frozen)
