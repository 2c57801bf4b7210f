"""Endpoint.Port always names the port that serves that cluster, even when clusters asking for the same
port are created and resumed at the same time (the data plane binds and holds the port it reports)."""

from __future__ import annotations

import psycopg

from support import make_server, wait_for

NAMES = ["alpha", "beta", "gamma"]


def _status(client, name: str) -> str:  # type: ignore[no-untyped-def]
    return client.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"]


def _served_databases(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Cluster name -> its endpoint port, after checking the port serves that cluster's database."""
    ports = {}
    for name in NAMES:
        port = client.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["Endpoint"]["Port"]
        with psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname=f"db_{name}",
                             connect_timeout=30) as conn:
            assert conn.execute("select current_database()").fetchone() == (f"db_{name}",)
        ports[name] = port
    return ports


def test_clusters_asking_for_one_port_each_serve_on_their_own(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        client = server.client()
        for name in NAMES:
            client.create_cluster(ClusterIdentifier=name, NodeType="ra3.xlplus", NumberOfNodes=2, Port=5439,
                                  MasterUsername="admin", MasterUserPassword="Passw0rd1", DBName=f"db_{name}")
        wait_for(lambda: all(_status(client, name) == "available" for name in NAMES), timeout=120)
        assert len(set(_served_databases(client).values())) == len(NAMES)

        for name in NAMES:
            client.pause_cluster(ClusterIdentifier=name)
        wait_for(lambda: all(_status(client, name) == "paused" for name in NAMES), timeout=120)
        for name in NAMES:  # resumed together: the jobs run at the same time
            client.resume_cluster(ClusterIdentifier=name)
        wait_for(lambda: all(_status(client, name) == "available" for name in NAMES), timeout=120)
        assert len(set(_served_databases(client).values())) == len(NAMES)
    finally:
        server.close()
