"""Helpers of the end-to-end restore tests: a connection to a cluster's port and a restore that waits until
the restored cluster is available."""

from __future__ import annotations

import psycopg


PASSWORD = "Passw0rd1"


def connect(port: int, user: str = "admin", password: str = PASSWORD, db: str = "dev") -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=db,
                           autocommit=True, connect_timeout=30)


def restore_cluster(client, identifier: str, **params) -> int:  # type: ignore[no-untyped-def]
    client.restore_from_cluster_snapshot(ClusterIdentifier=identifier, **params)
    waiter = {"Delay": 0.2, "MaxAttempts": 600}
    client.get_waiter("cluster_restored").wait(ClusterIdentifier=identifier, WaiterConfig=waiter)
    client.get_waiter("cluster_available").wait(ClusterIdentifier=identifier, WaiterConfig=waiter)
    return client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]["Endpoint"]["Port"]
