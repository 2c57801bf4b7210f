"""A data plane that holds no data: for ``--no-data-plane``.

It implements the DataPlane interface (api.py).  Work takes a short
configurable delay, so statuses still move from creating to available over
time; sizes are reported as zero.  Nothing listens, so every engine "serves"
on the port it asked for and no directory is written.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Collection, Iterable, Mapping

from localshift.dataplane.api import (ClusterFacts, EngineListener, LogTarget, Progress, SnapshotStats,
                                     SqlConnectionError, SqlSession, StorageUsage, TableToRestore, TemporaryLogin)


class NullDataPlane:
    serves_sql = False

    def __init__(self, delay_seconds: float) -> None:
        self.delay = delay_seconds

    def _work(self) -> None:
        if self.delay > 0:
            time.sleep(self.delay)

    def create_engine(self, key: str, port: int, master_username: str, master_password: str, db_name: str) -> int:
        self._work()
        return port

    def start_engine(self, key: str, port: int) -> int:
        self._work()
        return port

    def serve_engine(self, key: str, port: int) -> int:
        return port

    def end_start(self, key: str) -> None:
        return None  # nothing listens, so nothing waits

    def stop_engine(self, key: str) -> None:
        self._work()

    def destroy_engine(self, key: str) -> None:
        self._work()

    def serve_extra_port(self, key: str, port: int) -> int:
        self._work()
        return port

    def close_extra_port(self, key: str, port: int) -> None:
        return None

    def set_password(self, key: str, username: str, password: str) -> None:
        self._work()

    # Settings are instant (no engine to configure): creates and restores take no longer for them.
    def apply_settings(self, key: str, settings: Mapping[str, str]) -> None:
        return None

    def set_cluster_facts(self, key: str, facts: ClusterFacts) -> None:
        return None

    def set_audit_logging(self, key: str, log_types: Collection[str]) -> None:
        return None

    def deliver_logs(self, key: str, log_types: Collection[str], target: LogTarget, now: datetime) -> list[str]:
        return []  # no engine, nothing logged

    def discard_logs(self, accounts: Collection[str] | None) -> None:
        return None  # nothing was ever delivered

    def sql_port(self, key: str) -> int | None:
        return None  # nothing serves SQL

    def allow_login(self, key: str, login: TemporaryLogin) -> None:
        return None

    def open_sql(self, key: str, user: str, password: str, database: str) -> SqlSession:
        raise SqlConnectionError("localshift runs without a data plane (--no-data-plane): no engine serves SQL")

    def engine_size_bytes(self, key: str) -> int | None:
        return None

    def is_running(self, key: str) -> bool:
        return False

    def on_engine_event(self, listener: EngineListener) -> None:
        return None  # no engine runs, so none dies

    def stop_all(self) -> None:
        return None

    def close(self) -> None:
        return None

    def snapshot_exists(self, snapshot_key: str) -> bool:
        return True

    def create_snapshot(self, engine_key: str, snapshot_key: str, progress: Progress | None = None, *,
                        without_no_backup_tables: bool = False) -> SnapshotStats:
        started = time.monotonic()
        self._work()
        return SnapshotStats(0, 0, time.monotonic() - started)

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> SnapshotStats:
        return SnapshotStats(0, 0, 0.0)

    def delete_snapshot(self, snapshot_key: str) -> None:
        return None

    def restore_snapshot(
        self,
        snapshot_key: str,
        engine_key: str,
        port: int,
        progress: Progress | None = None,
        master_username: str | None = None,
        master_password: str | None = None,
    ) -> int:
        self._work()
        return port

    def restore_table(
        self, snapshot_key: str, engine_key: str, table: TableToRestore, progress: Progress | None = None
    ) -> int:
        self._work()
        return 0

    def snapshot_storage(self) -> StorageUsage:
        return StorageUsage(0, 0, 0, {})

    def snapshots_stored_bytes(self, snapshot_keys: Iterable[str]) -> int:
        return 0
