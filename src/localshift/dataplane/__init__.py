"""localshift's data plane: real PostgreSQL engines, snapshots and restores.

Public API (plain blocking calls, meant to be run in worker threads)::

    from localshift.dataplane import DataPlane, SnapshotStats, DataPlaneError, SnapshotCorruptedError

See docs/dataplane.md for the design.  ``DataPlane`` and ``SnapshotStats`` are imported on first
use, so that ``localshift.dataplane.host`` (which every service calls at start) stays light.
"""

from .errors import (ClusterNotFoundError, DataPlaneError, SnapshotCorruptedError,
                     SnapshotNotFoundError)

__all__ = ["DataPlane", "SnapshotStats", "DataPlaneError", "SnapshotCorruptedError",
           "SnapshotNotFoundError", "ClusterNotFoundError"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "DataPlane":
        from .dataplane import DataPlane
        return DataPlane
    if name == "SnapshotStats":
        from .snapshot_store import SnapshotStats
        return SnapshotStats
    raise AttributeError(name)
