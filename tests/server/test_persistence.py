"""State survives restarts and kill -9; concurrent writers never both win."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from support import OWNER, create_available_cluster, create_available_snapshot, make_server


@pytest.fixture
def private_server(tmp_path):
    server = make_server(tmp_path).start()
    yield server
    server.stop()


def test_state_survives_a_restart(private_server):
    client = private_server.client(OWNER)
    create_available_cluster(client)
    create_available_snapshot(client, "s1", Tags=[{"Key": "k", "Value": "v"}])
    client.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess="222222222222")
    before = client.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]
    private_server.stop()
    private_server.start()
    client = private_server.client(OWNER)
    cluster = client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert cluster["ClusterStatus"] == "available"
    after = client.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]
    assert after == before


def test_no_acknowledged_write_is_lost_to_kill_9(private_server):
    client = private_server.client(OWNER)
    create_available_cluster(client)
    acknowledged = []
    for index in range(15):
        client.create_cluster_snapshot(SnapshotIdentifier=f"s{index}", ClusterIdentifier="c1")
        acknowledged.append(f"s{index}")
    client.create_tags(ResourceName=f"arn:aws:redshift:us-east-1:{OWNER}:cluster:c1", Tags=[{"Key": "a", "Value": "b"}])
    private_server.stop(kill=True)
    private_server.start()
    client = private_server.client(OWNER)
    found = {s["SnapshotIdentifier"]: s for s in client.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]}
    assert set(found) == set(acknowledged)
    # Snapshots cut short by the kill are reported as failed, never as available without data.
    assert {s["Status"] for s in found.values()} <= {"available", "failed"}
    assert client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["Tags"] == [{"Key": "a", "Value": "b"}]


def test_sixteen_racing_creates_give_exactly_one_snapshot(ls):
    client = ls.client(OWNER)
    create_available_cluster(client)
    outcomes: list[str] = []
    barrier = threading.Barrier(16)

    def race() -> None:
        own_client = ls.client(OWNER)
        barrier.wait()
        try:
            own_client.create_cluster_snapshot(SnapshotIdentifier="contested", ClusterIdentifier="c1")
            outcomes.append("created")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("created") == 1
    assert outcomes.count("ClusterSnapshotAlreadyExists") == 15


def test_ephemeral_state_is_removed_at_exit(tmp_path):
    server = make_server(tmp_path, args=["--ephemeral"]).start()
    import json

    data_dir = json.loads(server.admin("/_localshift/health", method="GET"))["data_dir"]
    assert data_dir != str(tmp_path / "data")
    server.stop()
    import os

    assert not os.path.exists(data_dir)
