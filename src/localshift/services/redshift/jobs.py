"""Data-plane keys of clusters and snapshots (common/jobs.py: what every service's jobs share)."""

from __future__ import annotations

from localshift.records import ClusterRecord, SnapshotRecord


def cluster_key(cluster: ClusterRecord) -> str:
    # Keyed by row id, which survives renames.
    return f"cluster-{cluster.row_id}"


def snapshot_key(snapshot: SnapshotRecord) -> str:
    return f"snapshot-{snapshot.row_id}"
