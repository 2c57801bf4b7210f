"""With real data in the snapshot store: DescribeStorage (per account, shrinking after deletes), the progress
fields of a 45 MB snapshot and restore, and a store (and engine files) left empty by deletes and by reset."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from support import GRANTEE, OWNER, Server, create_available_cluster, create_available_snapshot, served

PASSWORD = "Passw0rd1"
# About 45 MB of table data.
LOAD = "CREATE TABLE {table} AS SELECT g AS id, md5(g::text) || repeat('{fill}', 340) AS pad FROM generate_series(1, 100000) g"


@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served(tmp_path_factory, "storage", data_plane=True)


@pytest.fixture
def real(data_server: Server) -> Server:
    data_server.reset()
    return data_server


def sql(cluster: dict, statement: str) -> list[tuple]:
    endpoint = cluster["Endpoint"]
    with psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user="admin", password=PASSWORD,
                         dbname="dev", autocommit=True, connect_timeout=30) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def storage(client) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    answer = client.describe_storage()
    return answer["TotalBackupSizeInMegaBytes"], answer["TotalProvisionedStorageInMegaBytes"]


def store_files(server: Server) -> list[str]:
    """The manifests and packs in the server's snapshot store."""
    root = Path(server.data_dir) / "dataplane" / "snapshots"
    return sorted(p.name for folder in ("manifests", "packs") if (root / folder).is_dir()
                  for p in (root / folder).iterdir())


def test_storage_counts_the_accounts_snapshots_and_shrinks_after_deletes(real):
    client = real.client(OWNER)
    # No automated snapshots (dc2 may turn them off): only the snapshots the test takes are stored.
    cluster = create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=1, AutomatedSnapshotRetentionPeriod=0)
    assert storage(client)[0] == 0
    sql(cluster, LOAD.format(table="a", fill="a"))
    backups, provisioned = storage(client)
    assert backups == 0 and provisioned > 45  # the engine's data on disk

    first = create_available_snapshot(client, "first")
    after_first = storage(client)[0]
    # What the store holds for it: the table and the rest of the engine's files, pages stored once
    # (identical pages, empty ones above all, once for all), so no more than its restorable size.
    assert 45 < after_first <= first["TotalBackupSizeInMegaBytes"]
    create_available_snapshot(client, "same")  # nothing changed: shares every page
    assert storage(client)[0] < after_first + 1
    sql(cluster, "DROP TABLE a")
    sql(cluster, LOAD.format(table="b", fill="b"))
    create_available_snapshot(client, "second")
    after_second = storage(client)[0]
    assert after_second > after_first + 40  # the new table's pages
    # The store is shared by every account; another account's storage counts none of these.
    assert storage(real.client(GRANTEE)) == (0, 0)

    client.delete_cluster_snapshot(SnapshotIdentifier="first")
    assert storage(client)[0] > after_second - 1  # "same" still holds the first table
    client.batch_delete_cluster_snapshots(Identifiers=[{"SnapshotIdentifier": "same"}])
    shrunk = storage(client)[0]
    assert shrunk < after_second - 40
    # What is left restores with its data (compaction, in the background, never touches a live snapshot).
    client.restore_from_cluster_snapshot(ClusterIdentifier="back", SnapshotIdentifier="second")
    client.get_waiter("cluster_restored").wait(ClusterIdentifier="back", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    client.get_waiter("cluster_available").wait(ClusterIdentifier="back", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    restored = client.describe_clusters(ClusterIdentifier="back")["Clusters"][0]
    assert sql(restored, "SELECT count(*), min(right(pad, 1)) FROM b") == [(100000, "b")]
    assert storage(client)[1] > provisioned  # two engines now

    # Deleting every snapshot and cluster leaves nothing in the store.
    for identifier in ("c1", "back"):
        client.delete_cluster(ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
        client.get_waiter("cluster_deleted").wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    client.delete_cluster_snapshot(SnapshotIdentifier="second")
    assert storage(client) == (0, 0)
    assert store_files(real) == []


def test_progress_fields_of_a_45_mb_snapshot_and_restore(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=1, AutomatedSnapshotRetentionPeriod=0)
    sql(cluster, LOAD.format(table="t", fill="x"))
    snapshot = create_available_snapshot(client, "s1")
    assert snapshot["TotalBackupSizeInMegaBytes"] > 45
    assert snapshot["BackupProgressInMegaBytes"] == snapshot["TotalBackupSizeInMegaBytes"]
    assert snapshot["ActualIncrementalBackupSizeInMegaBytes"] > 40
    assert snapshot["ElapsedTimeInSeconds"] >= 1
    # As Redshift documents them for a completed backup.
    assert snapshot["CurrentBackupRateInMegaBytesPerSecond"] == 0 and snapshot["EstimatedSecondsToCompletion"] == 0

    client.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1")
    client.get_waiter("cluster_restored").wait(ClusterIdentifier="r1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    status = client.describe_clusters(ClusterIdentifier="r1")["Clusters"][0]["RestoreStatus"]
    assert status["Status"] == "completed"
    assert status["SnapshotSizeInMegaBytes"] == status["ProgressInMegaBytes"] == int(snapshot["TotalBackupSizeInMegaBytes"])
    assert status["ElapsedTimeInSeconds"] >= 1 and status["EstimatedTimeToCompletionInSeconds"] == 0
    # The average rate of the completed restore, as documented.
    rate = status["CurrentRestoreRateInMegaBytesPerSecond"]
    assert 0 < rate and status["SnapshotSizeInMegaBytes"] / rate <= status["ElapsedTimeInSeconds"] + 1


def engine_files(server: Server) -> list[str]:
    """The engines in the directory the server names for engine files (health, open mode)."""
    with urllib.request.urlopen(server.url + "/_localshift/health", timeout=30) as answer:
        root = Path(json.load(answer)["directories"]["engine files"])
    return sorted(p.name for p in root.iterdir() if p.name.startswith(("cluster-", "namespace-")))


def test_reset_empties_the_store_and_the_engine_files(real):
    client = real.client(OWNER)
    create_available_cluster(client, NodeType="dc2.large", NumberOfNodes=1)
    create_available_snapshot(client, "s1")
    assert store_files(real) != [] and engine_files(real) != []
    real.reset()
    assert store_files(real) == [] and engine_files(real) == []
    assert storage(client) == (0, 0)
