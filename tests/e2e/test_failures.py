"""Real failures of real engines and snapshot data end in AWS's failure statuses, never stuck.

A server with the data plane whose engines live in a directory the test
controls (LOCALSHIFT_ENGINE_DIR), so it can take an engine away, make new
engines impossible, or lose snapshot data, and see what the API reports.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import stat
import tempfile
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from botocore.exceptions import ClientError

from localshift.dataplane.watchdog import pid_alive

from support import OWNER, Server, create_available_cluster, create_available_snapshot, free_port, make_server, wait_for

PASSWORD = "Passw0rd1"
TRANSITIONAL = {"creating", "modifying", "pausing", "resuming", "deleting"}


@pytest.fixture(scope="module")
def engines() -> Iterator[Path]:
    # Under /var/tmp: the unprivileged engine user must reach it when the tests run as root.
    path = Path(tempfile.mkdtemp(prefix="localshift-failures-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def failing_server(tmp_path_factory: pytest.TempPathFactory, engines: Path) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("failures"), data_plane=True,
                         extra_env={"LOCALSHIFT_ENGINE_DIR": str(engines)}).start()
    yield server
    server.close()


@pytest.fixture
def real(failing_server: Server) -> Server:
    failing_server.reset()
    return failing_server


def settled(client, identifier: str) -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: [c for c in client.describe_clusters(ClusterIdentifier=identifier)["Clusters"]
                             if c["ClusterStatus"] not in TRANSITIONAL], timeout=120)[0]


def delete(client, identifier: str) -> None:  # type: ignore[no-untyped-def]
    client.delete_cluster(ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    client.get_waiter("cluster_deleted").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})


def engine_dirs(engines: Path, prefix: str) -> list[Path]:
    return [path for path in engines.iterdir() if path.name.startswith(prefix)]


def test_a_cluster_whose_engine_is_gone_fails_to_resume_and_can_be_deleted(real, engines):
    client = real.client(OWNER)
    create_available_cluster(client)
    client.pause_cluster(ClusterIdentifier="c1")
    assert settled(client, "c1")["ClusterStatus"] == "paused"
    for path in engine_dirs(engines, "cluster-"):
        shutil.rmtree(path)
    client.resume_cluster(ClusterIdentifier="c1")
    failed = settled(client, "c1")
    assert failed["ClusterStatus"] == "hardware-failure" and "Endpoint" not in failed
    delete(client, "c1")


def test_a_cluster_whose_engine_died_serves_again_by_itself_while_its_processes_linger(real, engines):
    # The engine's postmaster killed from outside (kill -9, the OOM killer); its children stopped,
    # so that they linger as a backend in a long query does, holding the engine's shared memory.
    # Redshift replaces a failed node by itself: the cluster stays available and serves again.
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    endpoint = dict(host="127.0.0.1", port=cluster["Endpoint"]["Port"], user="admin", password=PASSWORD, dbname="dev",
                    autocommit=True, connect_timeout=30)
    with psycopg.connect(**endpoint) as conn:
        conn.execute("CREATE TABLE t AS SELECT 7 AS id")
    # Its first automated snapshot done: a backup reading from a stopped backend would wait for good.
    wait_for(lambda: [s["Status"] for s in client.describe_cluster_snapshots(ClusterIdentifier="c1")["Snapshots"]]
             == ["available"], timeout=120)
    (data_dir,) = [path / "data" for path in engine_dirs(engines, "cluster-")]
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    lingering = []
    for pid in (int(entry) for entry in os.listdir("/proc") if entry.isdigit() and int(entry) != postmaster):
        try:
            if os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(data_dir):  # PostgreSQL's processes run there
                os.kill(pid, signal.SIGSTOP)
                lingering.append(pid)
        except OSError:  # ended meanwhile
            continue
    assert lingering
    os.kill(postmaster, signal.SIGKILL)
    replaced = wait_for(lambda: [e for e in cluster_events(client, "c1") if e.get("EventId") == "REDSHIFT-EVENT-3001"],
                        timeout=180)
    assert [(e["Severity"], e["EventCategories"]) for e in replaced] == [("INFO", ["monitoring"])]
    assert re.fullmatch(r"Cluster c1 node replaced at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Cluster operating normally\.",
                        replaced[0]["Message"])
    with psycopg.connect(**endpoint) as conn:
        assert conn.execute("SELECT id FROM t").fetchall() == [(7,)]
    assert client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "available"
    assert not any(pid_alive(pid) for pid in lingering)
    delete(client, "c1")


def test_a_cluster_whose_engine_died_and_cannot_start_again_is_a_hardware_failure(real, engines):
    client = real.client(OWNER)
    create_available_cluster(client)
    (data_dir,) = [path / "data" for path in engine_dirs(engines, "cluster-")]
    with open(data_dir / "postgresql.conf", "a") as conf:
        conf.write("not_a_setting_at_all = on\n")  # PostgreSQL refuses to start with it
    os.kill(int((data_dir / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
    failed = wait_for(lambda: [c for c in client.describe_clusters(ClusterIdentifier="c1")["Clusters"]
                               if c["ClusterStatus"] == "hardware-failure"], timeout=180)[0]
    assert "Endpoint" not in failed
    reasons = wait_for(lambda: [e for e in cluster_events(client, "c1") if e["Severity"] == "ERROR"])
    assert [e["Message"] for e in reasons] == [
        "Amazon Redshift could not replace the failed node of cluster c1: its engine could not be started again"]
    delete(client, "c1")


def cluster_events(client, identifier: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.describe_events(SourceIdentifier=identifier, SourceType="cluster", Duration=60)["Events"]


def test_a_cluster_that_cannot_get_an_engine_is_a_hardware_failure(real, engines):
    client = real.client(OWNER)
    holder = engines.with_name(engines.name + "-held")
    engines.rename(holder)
    engines.write_text("not a directory: no engine can be made here")
    try:
        client.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                              MasterUsername="admin", MasterUserPassword=PASSWORD)
        assert settled(client, "c1")["ClusterStatus"] == "hardware-failure"
        sls = real.client(OWNER, service="redshift-serverless")
        sls.create_namespace(namespaceName="ns1")
        sls.create_workgroup(workgroupName="wg1", namespaceName="ns1")
        # The workgroup's creation is rolled back: it is gone, and the namespace can have another.
        wait_for(lambda: sls.list_workgroups()["workgroups"] == [])
    finally:
        engines.unlink()
        holder.rename(engines)
    delete(client, "c1")


def test_a_snapshot_whose_data_is_gone_is_refused_before_any_cluster_exists(real):
    client = real.client(OWNER)
    create_available_cluster(client)
    create_available_snapshot(client, "s1")
    for path in (Path(real.data_dir) / "dataplane" / "snapshots").rglob("*"):
        if path.is_file():
            path.unlink()  # the snapshot's data (and every other's) is gone
    with pytest.raises(ClientError) as caught:
        client.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidClusterSnapshotState", 400)
    assert [c["ClusterIdentifier"] for c in client.describe_clusters()["Clusters"]] == ["c1"]


def test_a_serverless_snapshot_of_a_namespace_whose_engine_is_gone_fails(real, engines):
    sls = real.client(OWNER, service="redshift-serverless")
    sls.create_namespace(namespaceName="ns1", adminUsername="alice", adminUserPassword=PASSWORD)
    sls.create_snapshot(namespaceName="ns1", snapshotName="first")  # makes the namespace's engine
    wait_for(lambda: sls.get_snapshot(snapshotName="first")["snapshot"]["status"] == "AVAILABLE")
    for path in engine_dirs(engines, "namespace-"):
        shutil.rmtree(path)
    sls.create_snapshot(namespaceName="ns1", snapshotName="second")
    wait_for(lambda: sls.get_snapshot(snapshotName="second")["snapshot"]["status"] == "FAILED")
    sls.delete_snapshot(snapshotName="second")


def test_modify_cluster_port_moves_the_endpoint(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=1)
    with psycopg.connect(host="127.0.0.1", port=cluster["Endpoint"]["Port"], user="admin", password=PASSWORD,
                         dbname="dev", autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS id")
    new_port = free_port()
    assert client.modify_cluster(ClusterIdentifier="c1", Port=new_port)["Cluster"]["ClusterStatus"] == "modifying"
    moved = settled(client, "c1")
    assert (moved["ClusterStatus"], moved["Endpoint"]["Port"]) == ("available", new_port)
    with psycopg.connect(host="127.0.0.1", port=new_port, user="admin", password=PASSWORD, dbname="dev",
                         autocommit=True, connect_timeout=30) as conn:
        assert conn.execute("SELECT id FROM t").fetchall() == [(1,)]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=cluster["Endpoint"]["Port"], user="admin", password=PASSWORD,
                        dbname="dev", connect_timeout=2)


def test_no_password_is_stored_in_plain_text(real):
    client = real.client(OWNER)
    create_available_cluster(client, MasterUserPassword="Plain1Text9Pw")
    managed = client.create_cluster(ClusterIdentifier="managed", NodeType="dc2.large", MasterUsername="boss",
                                    ManageMasterPassword=True)["Cluster"]
    sls = real.client(OWNER, service="redshift-serverless")
    sls.create_namespace(namespaceName="ns1", adminUsername="alice", adminUserPassword="Serverless1Pw")
    client.modify_cluster(ClusterIdentifier="c1", MasterUserPassword="Changed1Text9Pw")
    settled(client, "c1")
    settled(client, "managed")
    data_dir = Path(real.data_dir)
    store = b"".join(path.read_bytes() for path in data_dir.glob("localshift.sqlite3*"))
    for password in (b"Plain1Text9Pw", b"Changed1Text9Pw", b"Serverless1Pw"):
        assert password not in store
    # A managed password is kept for the service to read back, in a file only its user may read.
    secrets_file = data_dir / "localshift.secrets.json"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    import json

    secret = json.loads(secrets_file.read_text())[managed["MasterPasswordSecretArn"]]
    assert secret["username"] == "boss" and secret["password"].encode() not in store
    with psycopg.connect(host="127.0.0.1", port=settled(client, "managed")["Endpoint"]["Port"], user="boss",
                         password=secret["password"], dbname="dev", connect_timeout=30) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("boss",)
    assert stat.S_IMODE(os.stat(data_dir / "localshift.sqlite3").st_mode) == 0o600
    with sqlite3.connect(data_dir / "localshift.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM clusters WHERE attrs LIKE '%master_password_md5%'").fetchone() == (2,)
