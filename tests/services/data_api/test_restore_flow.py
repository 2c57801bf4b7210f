"""The restore-verification flow automation runs: load, snapshot, share, restore elsewhere, verify by Data API."""

from __future__ import annotations

from support import GRANTEE, OWNER, create_available_cluster, create_available_snapshot

from .conftest import DataApi


def test_a_grantee_verifies_a_restored_cluster_through_the_data_api(data_server):
    owner, grantee = data_server.client(OWNER), data_server.client(GRANTEE)
    create_available_cluster(owner, "source", ClusterType="single-node", NumberOfNodes=1)
    loader = DataApi(data_server, ClusterIdentifier="source", Database="dev", DbUser="admin")
    assert loader.batch(["CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10, 2))",
                         "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g"])["Status"] == "FINISHED"
    expected = loader.records("SELECT count(*), sum(amount) FROM orders")
    create_available_snapshot(owner, "nightly", "source")
    owner.authorize_snapshot_access(SnapshotIdentifier="nightly", SnapshotClusterIdentifier="source",
                                    AccountWithRestoreAccess=GRANTEE)
    try:
        grantee.restore_from_cluster_snapshot(ClusterIdentifier="verify", SnapshotIdentifier="nightly",
                                              SnapshotClusterIdentifier="source", OwnerAccount=OWNER)
        grantee.get_waiter("cluster_restored").wait(ClusterIdentifier="verify", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
        grantee.get_waiter("cluster_available").wait(ClusterIdentifier="verify", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
        verifier = DataApi(data_server, GRANTEE, ClusterIdentifier="verify", Database="dev", DbUser="admin")
        assert verifier.records("SELECT count(*), sum(amount) FROM orders") == expected == [
            [{"longValue": 1000}, {"stringValue": "750750.00"}]]
        assert verifier.list_tables(ClusterIdentifier="verify", Database="dev", DbUser="admin",
                                    TablePattern="orders")["Tables"] == [{"schema": "public", "name": "orders", "type": "TABLE"}]
        # The owner's Data API does not reach the grantee's cluster, nor the grantee's the owner's.
        assert loader.run("SELECT 1", ClusterIdentifier="source")["Status"] == "FINISHED"
        refused = DataApi(data_server, OWNER, ClusterIdentifier="verify", Database="dev", DbUser="admin")
        assert _code(refused) == "ValidationException"
    finally:
        grantee.delete_cluster(ClusterIdentifier="verify", SkipFinalClusterSnapshot=True)
        owner.delete_cluster(ClusterIdentifier="source", SkipFinalClusterSnapshot=True)


def _code(data: DataApi) -> str:
    try:
        data.submit("SELECT 1")
    except Exception as error:  # noqa: BLE001 - the refusal is the result
        return error.response["Error"]["Code"]  # type: ignore[attr-defined]
    return "accepted"
