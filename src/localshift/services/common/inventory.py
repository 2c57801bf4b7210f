"""What the state document (server/state.py) reads of the data plane, and only reads: an engine's
health and size on disk, the bytes snapshots take.  No job calls this; nothing here changes anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from localshift.services.common.backend import ServiceBackend

SERVING, STOPPED, NO_ENGINE = "serving", "stopped", "no engine"


@dataclass(frozen=True)
class EngineState:
    health: str  # SERVING, STOPPED or NO_ENGINE
    size_bytes: int | None


def engine_state(backend: ServiceBackend, key: str) -> EngineState:
    size = backend.dataplane.engine_size_bytes(key)
    if size is None:
        return EngineState(NO_ENGINE, None)
    return EngineState(SERVING if backend.dataplane.is_running(key) else STOPPED, size)


def snapshots_stored_bytes(backend: ServiceBackend, snapshot_keys: Iterable[str]) -> int:
    """Bytes on disk of these snapshots' data, pages they share counted once."""
    return backend.dataplane.snapshots_stored_bytes(snapshot_keys)
