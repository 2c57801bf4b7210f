"""RestoreTableFromClusterSnapshot and DescribeTableRestoreStatus; with the data plane, the restored
table holds exactly the rows at snapshot time; a snapshot shared by another account restores no table; and a
snapshot copied to another region restores there with the same rows."""

from __future__ import annotations

import psycopg
import pytest
from botocore.exceptions import ClientError

from in_process import make_world, wait
from support import (GRANTEE, OWNER, aws_cli, create_available_cluster, create_available_snapshot, error_of,
                     make_server, sql, wait_available, wait_for)

DONE = ("SUCCEEDED", "FAILED", "CANCELED")


def code_of(call, **params) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def restore_table(client, **params) -> dict:  # type: ignore[no-untyped-def]
    """Request a table restore of c1 from s1 and wait for its end; its final status."""
    request = {"ClusterIdentifier": "c1", "SnapshotIdentifier": "s1", "SourceDatabaseName": "dev", **params}
    request_id = client.restore_table_from_cluster_snapshot(**request)["TableRestoreStatus"]["TableRestoreRequestId"]

    def finished() -> dict | None:
        status = client.describe_table_restore_status(TableRestoreRequestId=request_id)["TableRestoreStatusDetails"][0]
        return status if status["Status"] in DONE else None

    return wait_for(finished, timeout=120)


def test_the_restored_table_holds_the_rows_at_snapshot_time(data_server):
    data_server.reset()
    owner = data_server.client(OWNER)
    port = create_available_cluster(owner)["Endpoint"]["Port"]
    sql(port, "CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL)")
    sql(port, "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 5000) g")
    create_available_snapshot(owner, "s1")
    sql(port, "DELETE FROM orders WHERE id > 10")
    sql(port, "UPDATE orders SET item = 'changed'")

    status = restore_table(owner, SourceTableName="ORDERS", NewTableName="Orders_Back")
    assert status["Status"] == "SUCCEEDED" and "Message" not in status
    # Names fold to lowercase unless case-sensitive identifiers are asked for.
    assert (status["SourceTableName"], status["NewTableName"], status["TargetSchemaName"]) == (
        "orders", "orders_back", "public")
    assert status["TotalDataInMegaBytes"] >= 1 and status["ProgressInMegaBytes"] == status["TotalDataInMegaBytes"]
    assert sql(port, "SELECT count(*), count(*) FILTER (WHERE item = 'changed') FROM orders_back") == [(5000, 0)]
    assert sql(port, "SELECT count(*) FROM orders") == [(10,)]

    # The new table must not exist; a table missing from the snapshot fails with a message.
    taken = restore_table(owner, SourceTableName="orders", NewTableName="orders")
    assert (taken["Status"], taken["Message"]) == ("FAILED", "Table public.orders already exists in database dev.")
    missing = restore_table(owner, SourceTableName="nope", NewTableName="nope_back")
    assert (missing["Status"], missing["Message"]) == (
        "FAILED", "Table public.nope does not exist in database dev of the snapshot.")
    schema = restore_table(owner, SourceTableName="orders", NewTableName="x", TargetSchemaName="sales")
    assert schema["Message"] == "Schema sales does not exist in database dev."
    # Redshift folds quoted identifiers too, unless the session keeps their case.
    with psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev",
                         autocommit=True) as conn:
        conn.execute("SET enable_case_sensitive_identifier TO true")
        conn.execute('CREATE SCHEMA "Sales"')
        exact = restore_table(owner, SourceTableName="orders", NewTableName="Kept", TargetSchemaName="Sales",
                              EnableCaseSensitiveIdentifier=True)
        assert exact["Status"] == "SUCCEEDED"
        assert conn.execute('SELECT count(*) FROM "Sales"."Kept"').fetchall() == [(5000,)]
    listed = owner.describe_table_restore_status(ClusterIdentifier="c1")["TableRestoreStatusDetails"]
    assert [s["Status"] for s in listed] == ["SUCCEEDED", "FAILED", "FAILED", "FAILED", "SUCCEEDED"]


def test_a_shared_snapshot_restores_no_table_for_its_grantee(ls):
    """AWS: the new table goes into "the cluster that the snapshot was taken from", and a grantee's cluster
    never is, whatever its name; nor does the grantee reach the owner's cluster."""
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner)
    create_available_cluster(owner, "theirs")
    create_available_snapshot(owner, "s1")
    owner.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess=GRANTEE)
    create_available_cluster(grantee)  # c1, as the owner's
    assert grantee.describe_cluster_snapshots(OwnerAccount=OWNER)["Snapshots"][0]["SnapshotIdentifier"] == "s1"
    request = {"SnapshotIdentifier": "s1", "SourceDatabaseName": "dev", "SourceTableName": "orders",
               "NewTableName": "their_orders"}
    restore = grantee.restore_table_from_cluster_snapshot
    assert code_of(restore, ClusterIdentifier="c1", **request) == ("ClusterSnapshotNotFound", 404)
    assert code_of(restore, ClusterIdentifier="theirs", **request) == ("ClusterNotFound", 404)
    for client in (owner, grantee):
        assert client.describe_table_restore_status()["TableRestoreStatusDetails"] == []


def test_a_copy_in_another_region_restores_the_same_rows(data_server):
    data_server.reset()
    east, west = data_server.client(OWNER), data_server.client(OWNER, region="us-west-2")
    port = create_available_cluster(east)["Endpoint"]["Port"]
    sql(port, "CREATE TABLE orders (id int)")
    sql(port, "INSERT INTO orders SELECT generate_series(1, 2000)")
    east.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion="us-west-2")
    create_available_snapshot(east, "s1")
    sql(port, "INSERT INTO orders VALUES (2001)")
    wait_for(lambda: west.describe_cluster_snapshots(SnapshotIdentifier="copy:s1")["Snapshots"][0]["Status"]
             == "available")
    west.restore_from_cluster_snapshot(ClusterIdentifier="dr", SnapshotIdentifier="copy:s1")
    west.get_waiter("cluster_available").wait(ClusterIdentifier="dr", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    west_port = west.describe_clusters(ClusterIdentifier="dr")["Clusters"][0]["Endpoint"]["Port"]
    assert sql(west_port, "SELECT count(*), max(id) FROM orders") == [(2000, 2000)]


# --- without the data plane: what the request itself is checked for --------------------------------


@pytest.fixture
def snapshot_of_c1(redshift):
    create_available_cluster(redshift)
    create_available_cluster(redshift, "c2")
    create_available_snapshot(redshift, "s1")
    create_available_snapshot(redshift, "s2", cluster="c2")
    return redshift


@pytest.mark.parametrize("params, expected", [
    ({"ClusterIdentifier": "nope"}, ("ClusterNotFound", 404)),
    ({"SnapshotIdentifier": "nope"}, ("ClusterSnapshotNotFound", 404)),
    ({"SnapshotIdentifier": "s2"}, ("InvalidTableRestoreArgument", 400)),  # a snapshot of another cluster
    ({"NewTableName": ""}, ("InvalidTableRestoreArgument", 400)),
    ({"SourceTableName": "x" * 128}, ("InvalidTableRestoreArgument", 400)),
])
def test_request_errors(snapshot_of_c1, params, expected):
    request = {"ClusterIdentifier": "c1", "SnapshotIdentifier": "s1", "SourceDatabaseName": "dev",
               "SourceTableName": "t", "NewTableName": "t2", **params}
    assert code_of(snapshot_of_c1.restore_table_from_cluster_snapshot, **request) == expected
    assert snapshot_of_c1.describe_table_restore_status()["TableRestoreStatusDetails"] == []


def test_a_snapshot_from_before_a_resize_restores_no_table_but_across_an_elastic_one_of_the_same_type(redshift):
    """AWS: "You can't restore a table from a cluster snapshot that was taken prior to a cluster being resized.
    An exception is that you can restore a table after an elastic resize if the node type didn't change.\""""
    create_available_cluster(redshift)
    create_available_snapshot(redshift, "before-elastic")
    redshift.resize_cluster(ClusterIdentifier="c1", NumberOfNodes=4)
    wait_available(redshift)
    assert restore_table(redshift, SnapshotIdentifier="before-elastic", SourceTableName="t",
                         NewTableName="t1")["Status"] == "SUCCEEDED"
    create_available_snapshot(redshift, "before-classic")
    redshift.resize_cluster(ClusterIdentifier="c1", NumberOfNodes=3, Classic=True)
    wait_available(redshift)
    create_available_snapshot(redshift, "after-classic")
    redshift.resize_cluster(ClusterIdentifier="c1", NodeType="ra3.4xlarge", NumberOfNodes=2)
    wait_available(redshift)
    for snapshot in ("before-elastic", "before-classic", "after-classic"):
        with pytest.raises(ClientError) as refused:
            redshift.restore_table_from_cluster_snapshot(
                ClusterIdentifier="c1", SnapshotIdentifier=snapshot, SourceDatabaseName="dev", SourceTableName="t",
                NewTableName="t2")
        assert error_of(refused) == ("InvalidTableRestoreArgument", 400, (
            f"Snapshot {snapshot} was taken before cluster c1 was resized: tables can't be restored from it (only "
            "an elastic resize that kept the node type allows it)."))
    create_available_snapshot(redshift, "after-all")
    assert restore_table(redshift, SnapshotIdentifier="after-all", SourceTableName="t",
                         NewTableName="t3")["Status"] == "SUCCEEDED"


def test_status_filters_paging_and_states(snapshot_of_c1):
    client = snapshot_of_c1
    for i in range(25):
        restore_table(client, SourceTableName="t", NewTableName=f"t{i}")
    pages = list(client.get_paginator("describe_table_restore_status").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["TableRestoreStatusDetails"]) for p in pages] == [20, 5]
    assert {s["Status"] for p in pages for s in p["TableRestoreStatusDetails"]} == {"SUCCEEDED"}
    assert client.describe_table_restore_status(ClusterIdentifier="c2")["TableRestoreStatusDetails"] == []
    assert code_of(client.describe_table_restore_status, TableRestoreRequestId="nope") == (
        "TableRestoreNotFoundFault", 400)
    assert code_of(client.describe_table_restore_status, ClusterIdentifier="nope") == ("ClusterNotFound", 404)
    assert code_of(client.describe_table_restore_status, MaxRecords=5) == ("InvalidParameterValue", 400)
    client.pause_cluster(ClusterIdentifier="c1")
    assert code_of(client.restore_table_from_cluster_snapshot, ClusterIdentifier="c1", SnapshotIdentifier="s1",
                   SourceDatabaseName="dev", SourceTableName="t", NewTableName="t2") == ("InvalidClusterState", 400)


def test_one_restore_at_a_time_per_cluster(slow):
    client = slow.client(OWNER)
    create_available_cluster(client)
    create_available_snapshot(client, "s1")
    request = {"ClusterIdentifier": "c1", "SnapshotIdentifier": "s1", "SourceDatabaseName": "dev",
               "SourceTableName": "t"}
    first = client.restore_table_from_cluster_snapshot(NewTableName="a", **request)["TableRestoreStatus"]
    assert first["Status"] == "PENDING" and first["RequestTime"] is not None
    assert code_of(client.restore_table_from_cluster_snapshot, NewTableName="b", **request) == (
        "InProgressTableRestoreQuotaExceededFault", 400)
    wait_for(lambda: client.describe_table_restore_status()["TableRestoreStatusDetails"][0]["Status"] == "SUCCEEDED")
    client.restore_table_from_cluster_snapshot(NewTableName="b", **request)


def test_a_restore_cut_short_by_a_restart_ends_failed(tmp_path):
    server = make_server(tmp_path).start()
    try:
        client = server.client(OWNER)
        create_available_cluster(client)
        create_available_snapshot(client, "s1")
        server.stop()
        server.env["LOCALSHIFT_TRANSITION_DELAY"] = "5"  # the restore is still running when the service is killed
        server.start()
        request_id = server.client(OWNER).restore_table_from_cluster_snapshot(
            ClusterIdentifier="c1", SnapshotIdentifier="s1", SourceDatabaseName="dev", SourceTableName="t",
            NewTableName="t2")["TableRestoreStatus"]["TableRestoreRequestId"]
        server.stop(kill=True)
        server.env["LOCALSHIFT_TRANSITION_DELAY"] = "0.05"
        server.start()
        status = server.client(OWNER).describe_table_restore_status(TableRestoreRequestId=request_id)[
            "TableRestoreStatusDetails"][0]
        assert (status["Status"], status["Message"]) == (
            "FAILED", "The table restore was interrupted by a restart of the service. Request it again.")
    finally:
        server.stop()


def test_a_restore_whose_cluster_is_gone_before_it_starts_is_canceled(tmp_path, monkeypatch):
    world = make_world(tmp_path)
    try:
        world.available_cluster()
        world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
        wait(lambda: world.snapshot("s1")["Status"] == "available")
        held: list[tuple] = []
        with monkeypatch.context() as patch:
            # The restore's job is held back, as if the workers were busy, until its cluster is deleted.
            patch.setattr(world.redshift, "submit_for", lambda account, job, *args: held.append((job, args)))
            request_id = world.call("RestoreTableFromClusterSnapshot", ClusterIdentifier="c1", SnapshotIdentifier="s1",
                                    SourceDatabaseName="dev", SourceTableName="t",
                                    NewTableName="t2")["TableRestoreStatus"]["TableRestoreRequestId"]
        world.call("DeleteCluster", ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
        wait(lambda: world.call("DescribeClusters")["Clusters"] == [])
        [(job, args)] = held
        deleted: list[str] = []
        monkeypatch.setattr(world.dataplane, "delete_snapshot", deleted.append)
        job(world.redshift, *args)
        status = world.call("DescribeTableRestoreStatus", TableRestoreRequestId=request_id)[
            "TableRestoreStatusDetails"][0]
        assert (status["Status"], status["Message"]) == ("CANCELED", "c1 no longer exists.")
        # Its hold on the snapshot's data is let go.
        assert [key for key in deleted if key.startswith("table-restore-lease-")] != []
    finally:
        world.close()


def test_a_table_restore_through_the_aws_cli(snapshot_of_c1, ls):
    accepted = aws_cli(ls, "restore-table-from-cluster-snapshot", "--cluster-identifier", "c1", "--snapshot-identifier",
                       "s1", "--source-database-name", "dev", "--source-table-name", "orders", "--new-table-name",
                       "orders_back")["TableRestoreStatus"]
    assert (accepted["Status"], accepted["NewTableName"], accepted["SourceSchemaName"]) == (
        "PENDING", "orders_back", "public")
    listed = wait_for(lambda: [s for s in aws_cli(ls, "describe-table-restore-status", "--cluster-identifier", "c1")[
        "TableRestoreStatusDetails"] if s["Status"] == "SUCCEEDED"])
    assert [s["TableRestoreRequestId"] for s in listed] == [accepted["TableRestoreRequestId"]]
