"""A data plane that holds no data: for ``--no-data-plane``.

It stands in for localshift.dataplane.DataPlane with the same methods.  Work
takes a short configurable delay, so statuses still move from creating to
available over time; sizes are reported as zero.  Nothing listens, so every
cluster "serves" on the port it asked for and no directory is written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class EmptySnapshotStats:
    total_bytes: int = 0
    incremental_bytes: int = 0
    elapsed_seconds: float = 0.0
    consistent_at: datetime | None = None


class NullDataPlane:
    serves_sql = False

    def __init__(self, delay_seconds: float) -> None:
        self.delay = delay_seconds
        self.directories: list[Path] = []

    def _work(self) -> None:
        if self.delay > 0:
            time.sleep(self.delay)

    def create_cluster(self, key: str, port: int, master_username: str, master_password: str, db_name: str) -> int:
        self._work()
        return port

    def start_cluster(self, key: str, port: int) -> int:
        self._work()
        return port

    def stop_cluster(self, key: str) -> None:
        self._work()

    def destroy_cluster(self, key: str) -> None:
        self._work()

    def set_master_password(self, key: str, username: str, password: str) -> None:
        self._work()

    def cluster_size_bytes(self, key: str) -> int:
        return 0

    def is_running(self, key: str) -> bool:
        return False

    def sql_port(self, key: str) -> int | None:
        return None  # nothing serves SQL

    def allow_login(self, key: str, login: object) -> None:
        return None

    def use_clock(self, now: Callable[[], datetime]) -> None:
        return None

    def stop_all(self) -> None:
        return None

    def close(self) -> None:
        return None

    def create_snapshot(self, cluster_key: str, snapshot_key: str, progress: Progress = None) -> EmptySnapshotStats:
        started = time.monotonic()
        self._work()
        return EmptySnapshotStats(elapsed_seconds=time.monotonic() - started)

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> EmptySnapshotStats:
        return EmptySnapshotStats()

    def delete_snapshot(self, snapshot_key: str) -> None:
        return None

    def restore_snapshot(
        self,
        snapshot_key: str,
        cluster_key: str,
        port: int,
        progress: Progress = None,
        master_username: str | None = None,
        master_password: str | None = None,
    ) -> int:
        self._work()
        return port

    def snapshot_exists(self, snapshot_key: str) -> bool:
        return True
