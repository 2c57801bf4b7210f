"""Data-plane keys of clusters and snapshots, and what one account's hold on disk
(common/jobs.py: what every service's jobs share)."""

from __future__ import annotations

import re

from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.redshift.backend import RedshiftBackend


def cluster_key(cluster: ClusterRecord) -> str:
    # Keyed by row id, which survives renames.
    return f"cluster-{cluster.row_id}"


_CLUSTER_KEY = re.compile(r"cluster-(\d+)")


def cluster_row_id(key: str) -> int | None:
    """The row id of the cluster whose key (``cluster_key``) ``key`` is; None: not a cluster's key."""
    match = _CLUSTER_KEY.fullmatch(key)
    return int(match[1]) if match else None


def snapshot_key(snapshot: SnapshotRecord) -> str:
    return f"snapshot-{snapshot.row_id}"


def backup_bytes(backend: RedshiftBackend, account: str, region: str) -> int:
    """What the account's snapshots in the region take in the snapshot store, deduplicated among them
    (the store is shared by every account: only this account's snapshots count)."""
    return backend.dataplane.snapshots_stored_bytes(backend.snapshots.data_keys(account, region))


def engine_bytes(backend: RedshiftBackend, account: str, region: str) -> int:
    """The data on disk of the account's clusters in the region (a cluster without an engine: nothing)."""
    total = 0
    for cluster in backend.clusters.page(account, region, 0, backend.settings.cluster_quota):
        try:
            total += backend.dataplane.engine_size_bytes(cluster_key(cluster)) or 0
        except Exception:  # being created, restored or deleted: no engine to measure
            continue
    return total
