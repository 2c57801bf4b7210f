"""Create the cluster and snapshots on a server, and pre-sign the requests each cell replays."""

from __future__ import annotations

import time
from typing import Any, Callable

from throughput import CLUSTER, FIXED
from throughput.servers import ServerProcess
from throughput.signing import Wire, make_client, presign


def populate(server: ServerProcess, snapshots: int, log: Callable[[str], None]) -> dict[str, Any]:
    """One available cluster and `snapshots` available manual snapshots of it."""
    client = make_client(server.url)
    started = time.monotonic()
    client.create_cluster(
        ClusterIdentifier=CLUSTER, NodeType="ra3.xlplus", NumberOfNodes=2,
        MasterUsername="admin", MasterUserPassword="Passw0rd1",
    )
    client.get_waiter("cluster_available").wait(
        ClusterIdentifier=CLUSTER, WaiterConfig={"Delay": 0.1, "MaxAttempts": 1200}
    )
    cluster_seconds = time.monotonic() - started
    started = time.monotonic()
    for index in range(snapshots):
        client.create_cluster_snapshot(SnapshotIdentifier=f"snap-{index:05d}", ClusterIdentifier=CLUSTER)
    create_seconds = time.monotonic() - started
    deadline = time.monotonic() + 120
    while True:
        listing = list_all_snapshots(client)
        manual = [s for s in listing if s["SnapshotType"] == "manual"]
        ready = [s for s in manual if s["Status"] == "available"]
        if len(ready) == snapshots:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name}: only {len(ready)} of {snapshots} snapshots became available")
        time.sleep(0.2)
    info = {
        "cluster_available_s": round(cluster_seconds, 2),
        "create_snapshots_s": round(create_seconds, 2),
        "manual_snapshots": len(manual),
        "all_snapshots": len(listing),
    }
    log(f"  {server.name}: cluster in {cluster_seconds:.2f}s, {snapshots} CreateClusterSnapshot in "
        f"{create_seconds:.2f}s; lists {len(listing)} snapshots ({len(manual)} manual)")
    return info


def list_all_snapshots(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    marker = None
    while True:
        page = client.describe_cluster_snapshots(**({"Marker": marker} if marker else {}))
        found.extend(page["Snapshots"])
        marker = page.get("Marker")
        if not marker:
            return found


def middle_snapshot(snapshots: int) -> str:
    return f"snap-{snapshots // 2:05d}"


def request_plan(server: ServerProcess, operation: str, snapshots: int) -> list[Wire]:
    """The sequence of signed requests one client replays in a loop for an operation."""
    client = make_client(server.url)
    if operation == "snapshots":
        return [presign(client, "describe_cluster_snapshots")]
    if operation == "snapshot":
        return [presign(client, "describe_cluster_snapshots", SnapshotIdentifier=middle_snapshot(snapshots))]
    if operation in ("clusters", FIXED):
        return [presign(client, "describe_clusters")]
    if operation == "snapshots-all":
        plan = []
        marker = None
        while True:
            params = {"Marker": marker} if marker else {}
            plan.append(presign(client, "describe_cluster_snapshots", **params))
            marker = client.describe_cluster_snapshots(**params).get("Marker")
            if not marker:
                return plan
    raise ValueError(operation)
