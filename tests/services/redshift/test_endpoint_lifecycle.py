"""A Redshift-managed VPC endpoint is a real further SQL port of its cluster, with the data plane."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from in_process import World, make_world, wait
from localshift.store.events import CLUSTER
from support import GRANTEE, OWNER, Server, create_available_cluster, make_server, wait_for

PASSWORD = "Passw0rd1"
SUBNETS = ["subnet-0123456789abcde00"]


@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("endpoints"), data_plane=True).start()
    yield server
    server.close()


@pytest.fixture
def real(data_server: Server) -> Server:
    data_server.reset()
    return data_server


def connect(port: int, **options: str) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="admin", password=PASSWORD, dbname="dev",
                           autocommit=True, connect_timeout=30, **options)


def rows(port: int) -> list[tuple]:
    with connect(port) as conn:
        return conn.execute("SELECT id, v FROM t ORDER BY id").fetchall()


def active_endpoint(client, name: str) -> dict:  # type: ignore[no-untyped-def]
    return wait_for(lambda: next((e for e in client.describe_endpoint_access(EndpointName=name)["EndpointAccessList"]
                                  if e["EndpointStatus"] == "active"), None))


def make_endpoint(client, name: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    client.create_cluster_subnet_group(ClusterSubnetGroupName="endpoints", Description="d", SubnetIds=SUBNETS)
    client.create_endpoint_access(ClusterIdentifier="c1", EndpointName=name, SubnetGroupName="endpoints", **extra)
    return active_endpoint(client, name)


def refused(port: int) -> bool:
    try:
        connect(port).close()
    except psycopg.OperationalError:
        return True
    return False


def test_owner_and_grantee_reach_the_clusters_data_on_their_endpoints_until_deleted(real):
    owner, grantee = real.client(OWNER), real.client(GRANTEE)
    cluster = create_available_cluster(owner)
    with connect(cluster["Endpoint"]["Port"]) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')")
    mine = make_endpoint(owner, "mine")
    assert mine["Port"] != cluster["Endpoint"]["Port"]
    assert rows(mine["Port"]) == [(1, "one"), (2, "two")]
    # The cluster's require_ssl (true in the default group) holds on its endpoints too.
    with pytest.raises(psycopg.OperationalError, match="SSL off"):
        connect(mine["Port"], sslmode="disable")
    # Writes through one port are seen through the other: one cluster.
    with connect(mine["Port"]) as conn:
        conn.execute("INSERT INTO t VALUES (3, 'three')")
    assert rows(cluster["Endpoint"]["Port"])[-1] == (3, "three")

    owner.authorize_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE)
    theirs = make_endpoint(grantee, "theirs", ResourceOwner=OWNER)
    assert len({theirs["Port"], mine["Port"], cluster["Endpoint"]["Port"]}) == 3
    assert rows(theirs["Port"]) == rows(mine["Port"])

    # Revoked with Force: the grantee's endpoint stops serving; the owner's stays.
    owner.revoke_endpoint_access(ClusterIdentifier="c1", Account=GRANTEE, Force=True)
    wait_for(lambda: not grantee.describe_endpoint_access()["EndpointAccessList"])
    assert refused(theirs["Port"])
    assert rows(mine["Port"])[0] == (1, "one")

    owner.delete_endpoint_access(EndpointName="mine")
    wait_for(lambda: not owner.describe_endpoint_access()["EndpointAccessList"])
    assert refused(mine["Port"])
    assert len(rows(cluster["Endpoint"]["Port"])) == 3


def test_a_paused_clusters_endpoint_refuses_then_serves_again_and_goes_with_the_cluster(real):
    owner = real.client(OWNER)
    cluster = create_available_cluster(owner)
    with connect(cluster["Endpoint"]["Port"]) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO t VALUES (1, 'one')")
    endpoint = make_endpoint(owner, "ep")
    owner.pause_cluster(ClusterIdentifier="c1")
    wait_for(lambda: owner.describe_clusters()["Clusters"][0]["ClusterStatus"] == "paused")
    with pytest.raises(psycopg.OperationalError, match="not available"):
        connect(endpoint["Port"])
    owner.resume_cluster(ClusterIdentifier="c1")
    owner.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    assert rows(endpoint["Port"]) == [(1, "one")]
    owner.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    wait_for(lambda: not owner.describe_clusters()["Clusters"])
    assert owner.describe_endpoint_access()["EndpointAccessList"] == []
    assert refused(endpoint["Port"])


def test_endpoints_are_served_again_after_a_restart(tmp_path: Path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        owner = server.client(OWNER)
        cluster = create_available_cluster(owner)
        with connect(cluster["Endpoint"]["Port"]) as conn:
            conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
            conn.execute("INSERT INTO t VALUES (1, 'one')")
        endpoint = make_endpoint(owner, "ep")
        server.stop()
        server.start()
        again = active_endpoint(owner, "ep")
        assert again["Port"] == endpoint["Port"]
        wait_for(lambda: not refused(again["Port"]))
        assert rows(again["Port"]) == [(1, "one")]
    finally:
        server.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    instance = make_world(tmp_path)
    yield instance
    instance.close()


def test_an_endpoint_whose_port_cannot_be_served_or_closed_is_failed_and_deletable(world: World):
    """In process, with a data plane told to fail: the endpoint ends ``failed`` with the reason kept, never
    stuck in ``creating`` or ``deleting``, and can be deleted once the port closes."""
    world.available_cluster()
    world.call("CreateClusterSubnetGroup", ClusterSubnetGroupName="endpoints", Description="d", SubnetIds=SUBNETS)
    world.dataplane.failing.add("serve_extra_port")
    world.call("CreateEndpointAccess", ClusterIdentifier="c1", EndpointName="ep1", SubnetGroupName="endpoints")

    def statuses() -> list[str]:
        return [e["EndpointStatus"] for e in world.call("DescribeEndpointAccess")["EndpointAccessList"]]

    wait(lambda: statuses() == ["failed"])
    assert world.events(CLUSTER, "c1") == [
        "Amazon Redshift could not create endpoint ep1 of cluster c1: the engine failed to serve a further port"]
    world.dataplane.failing = {"close_extra_port"}
    assert world.call("DeleteEndpointAccess", EndpointName="ep1")["EndpointStatus"] == "deleting"
    wait(lambda: statuses() == ["failed"])
    assert world.events(CLUSTER, "c1")[-1].startswith("Amazon Redshift could not delete endpoint ep1 of cluster c1")
    world.dataplane.failing.clear()
    world.call("DeleteEndpointAccess", EndpointName="ep1")
    wait(lambda: statuses() == [])
