"""localshift's data plane: real PostgreSQL engines, snapshots and restores.

Public API (plain blocking calls, meant to be run in worker threads)::

    from localshift.dataplane import DataPlane, SnapshotStats, DataPlaneError, SnapshotCorruptedError

See docs/dataplane.md for the design.
"""

from .compaction import CompactionResult
from .dataplane import DataPlane
from .errors import (ClusterNotFoundError, DataPlaneError, SnapshotCorruptedError,
                     SnapshotNotFoundError)
from .snapshot_store import SnapshotStats
from .storage_ledger import SnapshotUsage, StorageUsage

__all__ = ["DataPlane", "SnapshotStats", "StorageUsage", "SnapshotUsage", "CompactionResult",
           "DataPlaneError", "SnapshotCorruptedError", "SnapshotNotFoundError",
           "ClusterNotFoundError"]
