"""localshift's data plane: real PostgreSQL engines, snapshots and restores.

Public API (plain blocking calls, meant to be run in worker threads)::

    from localshift.dataplane import DataPlane, PostgresDataPlane, SnapshotStats, DataPlaneError

``DataPlane`` (api.py) is the interface the services call; ``PostgresDataPlane`` implements it
with real engines, ``NullDataPlane`` (null.py) without data.  See docs/dataplane.md for the
design.  Everything but the interface and the errors is imported on first use, so that
``localshift.dataplane.host`` (which every service calls at start) stays light.
"""

from importlib import import_module

from .api import DataPlane, SnapshotStats, SnapshotUsage, StorageUsage
from .errors import (ClusterNotFoundError, DataPlaneError, SnapshotCorruptedError,
                     SnapshotNotFoundError)

__all__ = ["DataPlane", "PostgresDataPlane", "SnapshotStats", "StorageUsage", "SnapshotUsage",
           "CompactionResult", "DataPlaneError", "SnapshotCorruptedError", "SnapshotNotFoundError",
           "ClusterNotFoundError"]

_LAZY = {"PostgresDataPlane": ".dataplane", "CompactionResult": ".compaction"}


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name not in _LAZY:
        raise AttributeError(name)
    return getattr(import_module(_LAZY[name], __name__), name)
