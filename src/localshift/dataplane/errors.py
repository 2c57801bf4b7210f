"""Exceptions raised by the data plane."""

from __future__ import annotations


class DataPlaneError(Exception):
    """Base class of every error the data plane raises."""


class SnapshotCorruptedError(DataPlaneError):
    """A snapshot's stored bytes do not match their checksums (or are missing)."""


class SnapshotNotFoundError(DataPlaneError):
    """No snapshot is stored under the given key."""


class ClusterNotFoundError(DataPlaneError):
    """No engine exists for the given cluster key."""
