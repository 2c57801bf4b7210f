"""With the data plane: a workgroup serves SQL, and snapshots hold and restore real data,
serverless to serverless (own and shared) and provisioned to serverless."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from support import GRANTEE, OWNER, Server, create_available_cluster, create_available_snapshot, make_server, wait_for

PASSWORD = "Passw0rd1"


@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("serverless-data"), data_plane=True).start()
    yield server
    server.close()


def sql(port: int, statement: str, user: str = "alice", password: str = PASSWORD, db: str = "dev") -> list[tuple]:
    with psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=db,
                         connect_timeout=30, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def serve(client, namespace: str, workgroup: str, **params) -> int:  # type: ignore[no-untyped-def]
    client.create_namespace(namespaceName=namespace, **params)
    client.create_workgroup(workgroupName=workgroup, namespaceName=namespace)
    return wait_available(client, workgroup)


def wait_available(client, workgroup: str) -> int:  # type: ignore[no-untyped-def]
    wait_for(lambda: client.get_workgroup(workgroupName=workgroup)["workgroup"]["status"] == "AVAILABLE")
    return client.get_workgroup(workgroupName=workgroup)["workgroup"]["endpoint"]["port"]


def restore(client, namespace: str, workgroup: str, **source) -> int:  # type: ignore[no-untyped-def]
    client.restore_from_snapshot(namespaceName=namespace, workgroupName=workgroup, **source)
    wait_for(lambda: client.get_namespace(namespaceName=namespace)["namespace"]["status"] == "AVAILABLE")
    return wait_available(client, workgroup)


def test_snapshots_hold_and_restore_data(data_server):
    data_server.reset()
    owner = data_server.client(OWNER, service="redshift-serverless")
    port = serve(owner, "sales", "wg-sales", adminUsername="alice", adminUserPassword=PASSWORD)
    sql(port, "CREATE TABLE orders (id int)")
    sql(port, "INSERT INTO orders SELECT generate_series(1, 1000)")
    owner.create_snapshot(namespaceName="sales", snapshotName="before")
    wait_for(lambda: owner.get_snapshot(snapshotName="before")["snapshot"]["status"] == "AVAILABLE")
    snapshot = owner.get_snapshot(snapshotName="before")["snapshot"]
    assert snapshot["totalBackupSizeInMegaBytes"] > 0  # sizes come from the real copy
    sql(port, "INSERT INTO orders VALUES (1001)")

    # Into another namespace, which takes the snapshot's admin user and data.
    serve(owner, "copy", "wg-copy", adminUsername="bob", adminUserPassword="OtherPassw0rd")
    copy_port = restore(owner, "copy", "wg-copy", snapshotName="before")
    assert sql(copy_port, "SELECT count(*) FROM orders") == [(1000,)]

    # Back into its own namespace: the row written after the snapshot is gone.
    port = restore(owner, "sales", "wg-sales", snapshotArn=snapshot["snapshotArn"])
    assert sql(port, "SELECT max(id) FROM orders") == [(1000,)]

    # Shared with another account, restored into its namespace.
    owner.put_resource_policy(resourceArn=snapshot["snapshotArn"], policy=(
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["%s"]},'
        ' "Action": ["redshift-serverless:RestoreFromSnapshot"]}]}' % GRANTEE))
    grantee = data_server.client(GRANTEE, service="redshift-serverless")
    serve(grantee, "theirs", "wg-theirs")
    their_port = restore(grantee, "theirs", "wg-theirs", snapshotName="before", ownerAccount=OWNER)
    assert sql(their_port, "SELECT count(*) FROM orders") == [(1000,)]
    # The restored data answers for the namespace it is in now, not the snapshot's.
    theirs = grantee.get_namespace(namespaceName="theirs")["namespace"]["namespaceId"]
    assert sql(their_port, "SELECT current_aws_account, current_namespace", "alice") == [(int(GRANTEE), theirs)]


def test_a_namespace_answers_its_account_id_and_default_iam_role(data_server):
    data_server.reset()
    owner = data_server.client(OWNER, service="redshift-serverless")
    first, second = (f"arn:aws:iam::{OWNER}:role/{name}" for name in ("first", "second"))
    port = serve(owner, "facts", "wg-facts", adminUsername="alice", adminUserPassword=PASSWORD,
                 iamRoles=[first, second], defaultIamRoleArn=first)
    namespace = owner.get_namespace(namespaceName="facts")["namespace"]["namespaceId"]
    facts = "SELECT current_aws_account, current_namespace, default_iam_role()"
    assert sql(port, facts) == [(int(OWNER), namespace, first)]
    owner.update_namespace(namespaceName="facts", iamRoles=[first, second], defaultIamRoleArn=second)
    wait_for(lambda: sql(port, facts) == [(int(OWNER), namespace, second)])


def test_provisioned_snapshot_restores_into_a_namespace(data_server):
    data_server.reset()
    redshift = data_server.client(OWNER)
    cluster = create_available_cluster(redshift, "c1", MasterUsername="carol", MasterUserPassword=PASSWORD)
    cluster_port = cluster["Endpoint"]["Port"]
    sql(cluster_port, "CREATE TABLE events AS SELECT generate_series(1, 42) AS id", user="carol")
    snapshot = create_available_snapshot(redshift, "prov", "c1")
    owner = data_server.client(OWNER, service="redshift-serverless")
    serve(owner, "target", "wg-target")
    port = restore(owner, "target", "wg-target", snapshotArn=snapshot["SnapshotArn"])
    assert owner.get_namespace(namespaceName="target")["namespace"]["adminUsername"] == "carol"
    assert sql(port, "SELECT count(*) FROM events", user="carol") == [(42,)]


def test_serverless_snapshot_restores_into_a_grantees_provisioned_cluster(data_server):
    data_server.reset()
    owner = data_server.client(OWNER, service="redshift-serverless")
    port = serve(owner, "sales", "wg-sales", adminUsername="alice", adminUserPassword=PASSWORD)
    sql(port, "CREATE TABLE orders AS SELECT generate_series(1, 500) AS id")
    owner.create_snapshot(namespaceName="sales", snapshotName="to-provisioned")
    wait_for(lambda: owner.get_snapshot(snapshotName="to-provisioned")["snapshot"]["status"] == "AVAILABLE")
    arn = owner.get_snapshot(snapshotName="to-provisioned")["snapshot"]["snapshotArn"]
    sql(port, "DELETE FROM orders WHERE id > 100")
    data_server.client(OWNER).authorize_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess=GRANTEE)
    grantee = data_server.client(GRANTEE)
    grantee.restore_from_cluster_snapshot(ClusterIdentifier="from-serverless", SnapshotArn=arn, NodeType="ra3.xlplus",
                                          NumberOfNodes=2)
    grantee.get_waiter("cluster_restored").wait(ClusterIdentifier="from-serverless",
                                                 WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    grantee.get_waiter("cluster_available").wait(ClusterIdentifier="from-serverless", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    cluster = grantee.describe_clusters(ClusterIdentifier="from-serverless")["Clusters"][0]
    assert cluster["MasterUsername"] == "alice"
    assert sql(cluster["Endpoint"]["Port"], "SELECT count(*) FROM orders", user="alice") == [(500,)]


def endpoint_port(client, name: str) -> int:  # type: ignore[no-untyped-def]
    wait_for(lambda: client.get_endpoint_access(endpointName=name)["endpoint"]["endpointStatus"] == "ACTIVE")
    return client.get_endpoint_access(endpointName=name)["endpoint"]["port"]


def test_an_endpoint_is_a_second_port_to_the_workgroups_data(data_server):
    data_server.reset()
    owner = data_server.client(OWNER, service="redshift-serverless")
    # A password alone is the default admin user's.
    port = serve(owner, "sales", "wg-sales", adminUserPassword=PASSWORD)
    sql(port, "CREATE TABLE orders AS SELECT generate_series(1, 10) id", user="admin")
    owner.create_snapshot(namespaceName="sales", snapshotName="ten")
    wait_for(lambda: owner.get_snapshot(snapshotName="ten")["snapshot"]["status"] == "AVAILABLE")
    owner.create_endpoint_access(endpointName="reporting", workgroupName="wg-sales",
                                 subnetIds=["subnet-0123456789abcdef0"])
    second = endpoint_port(owner, "reporting")
    assert second != port
    sql(second, "INSERT INTO orders VALUES (11)", user="admin")
    assert sql(port, "SELECT count(*) FROM orders", user="admin") == [(11,)]
    # A restore replaces the engine: the endpoint serves the restored data on the same port.
    port = restore(owner, "sales", "wg-sales", snapshotName="ten")
    wait_for(lambda: sql(second, "SELECT count(*) FROM orders", user="admin") == [(10,)])
    owner.delete_endpoint_access(endpointName="reporting")
    wait_for(lambda: not owner.list_endpoint_access()["endpoints"])
    with pytest.raises(psycopg.OperationalError):
        sql(second, "SELECT 1", user="admin")
    assert sql(port, "SELECT count(*) FROM orders", user="admin") == [(10,)]


def test_require_ssl_refuses_plain_text_on_the_workgroup_and_its_endpoints(data_server):
    data_server.reset()
    owner = data_server.client(OWNER, service="redshift-serverless")
    port = serve(owner, "tls", "wg-tls", adminUsername="alice", adminUserPassword=PASSWORD)
    owner.create_endpoint_access(endpointName="tls-endpoint", workgroupName="wg-tls",
                                 subnetIds=["subnet-0123456789abcdef0"])
    second = endpoint_port(owner, "tls-endpoint")

    def plain(served_port: int) -> list[tuple]:
        with psycopg.connect(host="127.0.0.1", port=served_port, user="alice", password=PASSWORD, dbname="dev",
                             sslmode="disable", connect_timeout=30) as conn:
            return conn.execute("SELECT 1").fetchall()

    # New workgroups require SSL (AWS's default): plain text is refused, TLS (psycopg's default) works.
    for served_port in (port, second):
        with pytest.raises(psycopg.OperationalError, match='user "alice", database "dev", SSL off'):
            plain(served_port)
        assert sql(served_port, "SELECT 1") == [(1,)]
    owner.update_workgroup(workgroupName="wg-tls", configParameters=[
        {"parameterKey": "require_ssl", "parameterValue": "false"}])
    assert wait_available(owner, "wg-tls") == port
    assert plain(port) == plain(second) == [(1,)]
