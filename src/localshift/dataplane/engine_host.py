"""What PostgresDataPlane (dataplane.py) gives the mixins it is made of, engine_lifecycle.py and
snapshot_operations.py: its engines by key and their locks, the ports serving them, the wire front,
the snapshot store, the template new engines are copied from, and the set-up new engines run.  Each
mixin subclasses EngineHost, so it is type-checked against what its host really has."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from .binaries import PgBinaries
from .credentials import LoginRegistry
from .engine import Engine
from .engine_template import EngineTemplate
from .roles import EngineSetup
from .snapshot_store import SnapshotStore
from .wire_front import WireFront

if TYPE_CHECKING:
    from .engine_lifecycle import NewEngine


class EngineHost(Protocol):
    bins: PgBinaries
    front: WireFront
    logins: LoginRegistry
    store: SnapshotStore
    template: EngineTemplate | None  # what new engines are copied from (None: initdb each)
    _engines: dict[str, Engine]
    _ports: dict[str, int]
    _extra_ports: dict[str, set[int]]  # further ports serving an engine (serve_extra_port)
    _guard: threading.Lock  # guards _engines and the per-key locks

    def _engine(self, key: str) -> Engine:
        """The engine of ``key``, whether its directory exists or not."""
        ...

    def _existing(self, key: str) -> Engine:
        """The engine of ``key``; ClusterNotFoundError when it has none."""
        ...

    def _lock(self, key: str) -> threading.RLock:
        """The lock that orders the work on ``key``'s engine."""
        ...

    def _running(self, eng: Engine) -> AbstractContextManager[Engine]:
        """The body runs with the engine up, started for it if stopped."""
        ...

    def _initialise(self, setup: EngineSetup) -> None:
        """Run the initialisers a new or restored engine gets."""
        ...

    def _new_engine(self, key: str, eng: Engine, port: int) -> AbstractContextManager[NewEngine]:
        """Serve a new engine while the body sets it up (engine_lifecycle.py)."""
        ...

    def destroy_engine(self, key: str) -> None:
        """Stop the engine and delete its data (engine_lifecycle.py)."""
        ...
