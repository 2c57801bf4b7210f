"""End to end with the data plane: clusters serve SQL, snapshots hold data, restores bring it back."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest
import redshift_connector

from support import GRANTEE, OWNER, create_available_cluster, create_available_snapshot, make_server, wait_for

PASSWORD = "Passw0rd1"


def connect(cluster: dict, password: str = PASSWORD) -> psycopg.Connection:
    endpoint = cluster["Endpoint"]
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=cluster["MasterUsername"],
                           password=password, dbname=cluster["DBName"], autocommit=True, connect_timeout=30)


def rows(cluster: dict, query: str = "SELECT id, v FROM t ORDER BY id") -> list[tuple]:
    with connect(cluster) as conn:
        return conn.execute(query).fetchall()


def restore(client, identifier: str, **params) -> dict:  # type: ignore[no-untyped-def]
    client.restore_from_cluster_snapshot(ClusterIdentifier=identifier, **params)
    client.get_waiter("cluster_restored").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    client.get_waiter("cluster_available").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    return client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]


def test_restores_bring_back_the_snapshots_rows_for_owner_and_grantee(real):
    owner, grantee = real.client(OWNER), real.client(GRANTEE)
    cluster = create_available_cluster(owner)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g")
    expected = rows(cluster)
    snapshot = create_available_snapshot(owner, "s1")
    assert snapshot["TotalBackupSizeInMegaBytes"] > 1
    with connect(cluster) as conn:
        conn.execute("DELETE FROM t WHERE id > 1000")
        conn.execute("UPDATE t SET v = 'changed'")
    mine = restore(owner, "mine", SnapshotIdentifier="s1")
    assert rows(mine) == expected
    assert mine["RestoreStatus"]["SnapshotSizeInMegaBytes"] == int(snapshot["TotalBackupSizeInMegaBytes"])
    owner.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess=GRANTEE)
    theirs = restore(grantee, "theirs", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert rows(theirs) == expected
    assert rows(cluster, "SELECT count(*), min(v) FROM t") == [(1000, "changed")]


def test_redshift_connector_loads_and_reads_back_after_restore(real, monkeypatch):
    # The driver's default TLS (the default parameter group requires SSL), trusting the data dir's CA, which
    # the health endpoint names.
    assert json.loads(real.admin("/_localshift/health", method="GET"))["sql_ca_file"] == str(real.ca_file)
    monkeypatch.setenv("SSL_CERT_FILE", str(real.ca_file))
    client = real.client(OWNER)
    cluster = create_available_cluster(client, DBName="sales")
    endpoint = cluster["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="sales",
                                      user="admin", password=PASSWORD)
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE orders (id int, amount numeric(10,2))")
    cursor.executemany("INSERT INTO orders VALUES (%s, %s)", [(i, i * 1.5) for i in range(1, 51)])
    conn.commit()
    conn.close()
    create_available_snapshot(client, "orders-snap")
    restored = restore(client, "orders-copy", SnapshotIdentifier="orders-snap")
    endpoint = restored["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="sales",
                                      user="admin", password=PASSWORD)
    cursor = conn.cursor()
    cursor.execute("SELECT count(*), sum(amount) FROM orders")
    count, total = cursor.fetchone()
    conn.close()
    assert (count, float(total)) == (50, sum(i * 1.5 for i in range(1, 51)))


def test_snapshot_under_write_load_holds_exactly_the_data_committed_at_its_create_time(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    committed: list[tuple[int, float, float]] = []  # id, time the insert began, time its commit returned
    errors: list[Exception] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            with connect(cluster) as conn:
                next_id = 1
                while not stop.is_set():
                    began = time.time()
                    conn.execute("INSERT INTO t VALUES (%s, 'x')", (next_id,))
                    committed.append((next_id, began, time.time()))
                    next_id += 1
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    # Writes before the snapshot and after it, counted rather than slept for (a loaded machine may commit
    # none in a fixed half second).
    wait_for(lambda: len(committed) >= 3 or errors)
    client.create_cluster_snapshot(SnapshotIdentifier="busy", ClusterIdentifier="c1")
    client.get_waiter("snapshot_available").wait(SnapshotIdentifier="busy", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    after = len(committed)
    wait_for(lambda: len(committed) >= after + 3 or errors)
    stop.set()
    thread.join()
    assert errors == []
    snapshot = client.describe_cluster_snapshots(SnapshotIdentifier="busy")["Snapshots"][0]
    at = snapshot["SnapshotCreateTime"].astimezone(timezone.utc).timestamp()
    restored_ids = {row[0] for row in rows(restore(client, "r", SnapshotIdentifier="busy"), "SELECT id FROM t")}
    # Consistent: a prefix of the writer's sequence, with no gaps.
    assert restored_ids == set(range(1, len(restored_ids) + 1))
    # Exact: everything committed before SnapshotCreateTime is there, nothing begun after it is.
    assert all(i in restored_ids for i, _, done in committed if done < at)
    assert not any(i in restored_ids for i, began, _ in committed if began > at + 0.001)
    assert len(committed) > len(restored_ids) > 0


def test_incremental_snapshots_store_only_what_changed(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=2)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t (id int, v text)")
        conn.execute("INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g")
    full = create_available_snapshot(client, "full")
    with connect(cluster) as conn:
        conn.execute("INSERT INTO t SELECT g, repeat('y', 200) FROM generate_series(100001, 101000) g")
    incremental = create_available_snapshot(client, "incremental")
    assert incremental["TotalBackupSizeInMegaBytes"] >= full["TotalBackupSizeInMegaBytes"]
    assert incremental["ActualIncrementalBackupSizeInMegaBytes"] < 0.25 * incremental["TotalBackupSizeInMegaBytes"]
    # Deleting the older snapshot never breaks the newer one that shares its pages.
    client.delete_cluster_snapshot(SnapshotIdentifier="full")
    assert rows(restore(client, "r", SnapshotIdentifier="incremental"), "SELECT count(*) FROM t") == [(101000,)]
    options = client.describe_node_configuration_options(ActionType="restore-cluster", SnapshotIdentifier="incremental")
    # Disk utilization comes from the snapshot's real size over each option's capacity (160 GB per dc2.large).
    dc2 = {o["NumberOfNodes"]: o["EstimatedDiskUtilizationPercent"]
           for o in options["NodeConfigurationOptionList"] if o["NodeType"] == "dc2.large"}
    expected = incremental["TotalBackupSizeInMegaBytes"] / (2 * 160 * 1024) * 100
    assert dc2[2] == pytest.approx(expected, abs=0.01) and dc2[2] > 0


def test_damaged_snapshot_fails_its_restore(real):
    client = real.client(OWNER)
    create_available_cluster(client)
    create_available_snapshot(client, "s1")
    packs = Path(real.data_dir) / "dataplane" / "snapshots" / "packs"
    pack = max(packs.glob("*.pack"), key=lambda p: p.stat().st_size)
    with open(pack, "r+b") as f:
        f.seek(pack.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    client.restore_from_cluster_snapshot(ClusterIdentifier="broken", SnapshotIdentifier="s1")
    broken = wait_for(lambda: [c for c in client.describe_clusters(ClusterIdentifier="broken")["Clusters"]
                               if c["ClusterStatus"] == "incompatible-restore"])[0]
    assert broken["RestoreStatus"]["Status"] == "failed"
    # It never served: no endpoint, and a later delete works.
    assert "Endpoint" not in broken
    client.delete_cluster(ClusterIdentifier="broken", SkipFinalClusterSnapshot=True)
    client.get_waiter("cluster_deleted").wait(ClusterIdentifier="broken", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})


def test_pause_resume_password_and_delete(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS id, 'kept' AS v")
    with pytest.raises(psycopg.OperationalError):
        connect(cluster, password="WrongPassw0rd")
    client.pause_cluster(ClusterIdentifier="c1")
    wait_for(lambda: client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "paused")
    with pytest.raises(psycopg.OperationalError):
        connect(cluster)
    client.resume_cluster(ClusterIdentifier="c1")
    client.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    cluster = client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert rows(cluster) == [(1, "kept")]
    client.modify_cluster(ClusterIdentifier="c1", MasterUserPassword="Another1Pass")
    client.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    with connect(cluster, password="Another1Pass") as conn:
        assert conn.execute("SELECT v FROM t").fetchone() == ("kept",)
    with pytest.raises(psycopg.OperationalError):
        connect(cluster)
    client.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    client.get_waiter("cluster_deleted").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    with pytest.raises(psycopg.OperationalError):
        connect(cluster, password="Another1Pass")


def test_clusters_serve_their_data_again_after_a_restart(tmp_path):
    server = make_server(tmp_path, data_plane=True, extra_env={"LOCALSHIFT_LOG_LEVEL": "info"}).start()
    try:
        client = server.client(OWNER)
        cluster = create_available_cluster(client)
        with connect(cluster) as conn:
            conn.execute("CREATE TABLE t AS SELECT 7 AS id, 'survives' AS v")
        create_available_snapshot(client, "s1")
        server.stop()
        # Shutdown says which engines it stopped, then a last line.
        log = server.log_path.read_text().splitlines()
        assert len([line for line in log if " INFO localshift stopped engine cluster-" in line]) == 1
        assert log[-1].endswith(f"localshift stopped; its state stays in {server.data_dir}")
        server.start()
        client = server.client(OWNER)
        cluster = client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
        assert wait_for(lambda: _serves(cluster))
        assert rows(cluster) == [(7, "survives")]
        assert rows(restore(client, "again", SnapshotIdentifier="s1")) == [(7, "survives")]
    finally:
        server.close()


def _serves(cluster: dict) -> bool:
    try:
        connect(cluster).close()
        return True
    except psycopg.OperationalError:
        return False


def test_snapshot_progress_is_live_while_it_runs(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id, repeat('z', 500) AS v FROM generate_series(1, 400000) g")
    client.create_cluster_snapshot(SnapshotIdentifier="big", ClusterIdentifier="c1")
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        snapshot = client.describe_cluster_snapshots(SnapshotIdentifier="big")["Snapshots"][0]
        seen.append(snapshot)
        if snapshot["Status"] == "available":
            break
        time.sleep(0.05)
    running = [s for s in seen if s["Status"] == "creating" and s["BackupProgressInMegaBytes"] > 0]
    assert running, "no progress was reported while the snapshot ran"
    assert running[-1]["BackupProgressInMegaBytes"] <= seen[-1]["TotalBackupSizeInMegaBytes"]
    assert seen[-1]["TotalBackupSizeInMegaBytes"] > 100
    assert datetime.now(timezone.utc) >= seen[-1]["SnapshotCreateTime"]
