"""What the lifecycle modules share: data-plane keys, progress recording."""

from __future__ import annotations

import time
from typing import Callable

from localshift.records import ClusterRecord, SnapshotRecord

MB = 1024 * 1024


def cluster_key(cluster: ClusterRecord) -> str:
    # Keyed by row id, which survives renames.
    return f"cluster-{cluster.row_id}"


def snapshot_key(snapshot: SnapshotRecord) -> str:
    return f"snapshot-{snapshot.row_id}"


class ProgressRecorder:
    """Turns data-plane progress callbacks into throttled snapshot updates."""

    def __init__(self, write: Callable[[float, float, float, int, int], None]) -> None:
        self.write = write
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.25 and done < total:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / MB / elapsed
        remaining = int((total - done) / MB / rate) if rate > 0 else 0
        self.write(done / MB, total / MB, rate, int(elapsed), remaining)
