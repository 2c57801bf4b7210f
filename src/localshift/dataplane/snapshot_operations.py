"""The snapshot half of PostgresDataPlane (dataplane.py): snapshots taken online from a running
engine, copied, deleted and restored into new engines or, one table at a time, into running ones;
and the snapshot store's accounting and compaction.

A mixin: it uses the engines, locks and store that PostgresDataPlane sets up (engine_host.py).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable, Iterable

from . import restored_engine, table_restore, watchdog
from .api import Progress, SnapshotStats, StorageUsage, TableToRestore
from .compaction import CompactionResult
from .engine import Engine
from .engine_host import EngineHost
from .errors import DataPlaneError
from .online_backup import OnlineBackup, data_size
from .roles import EngineSetup, set_master_user


# A snapshot meta key: the rows of the source's BACKUP NO tables are not part of the snapshot.
NO_BACKUP_TABLES_LEFT_OUT = "no_backup_tables_left_out"


def check_key(key: str) -> str:
    """An engine or snapshot key: what names directories and store entries."""
    if not isinstance(key, str) or not watchdog.ENGINE_KEY.match(key):
        raise DataPlaneError(f"invalid key {key!r}: use [a-z0-9-], at most 63 characters")
    return key


def _against(progress: Progress, estimate: int) -> Callable[[int], None]:
    """Bytes done reported against ``estimate`` (or against the bytes done, once past it)."""
    return lambda done: progress(done, max(done, estimate))


class SnapshotOperations(EngineHost):
    # -- snapshots ----------------------------------------------------------------------
    def snapshot_exists(self, snapshot_key: str) -> bool:
        return self.store.exists(check_key(snapshot_key))

    def create_snapshot(self, engine_key: str, snapshot_key: str, progress: Progress | None = None, *,
                        without_no_backup_tables: bool = False) -> SnapshotStats:
        """Online, consistent snapshot (low-level backup API), stored incrementally.
        The engine keeps serving; a stopped engine is started for the duration.
        ``without_no_backup_tables``: the snapshot's meta says so, and restores empty those tables
        (the bytes are copied all the same: a consistent copy can't skip a table's files)."""
        eng = self._existing(engine_key)
        check_key(snapshot_key)
        with self._lock(engine_key), self._running(eng):
            meta = dict(eng.read_meta(), cluster_key=engine_key,
                        pg_version=list(self.bins.version))
            if without_no_backup_tables:
                meta[NO_BACKUP_TABLES_LEFT_OUT] = True
            estimate = data_size(eng.data_dir) if progress else 0
            backup = OnlineBackup(eng)
            stats = self.store.ingest(snapshot_key, backup.entries(), meta,
                                      _against(progress, estimate) if progress else None)
            stats = dataclasses.replace(stats, consistent_at=backup.consistent_at)
        if progress:
            progress(stats.total_bytes, stats.total_bytes)
        return stats

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> SnapshotStats:
        return self.store.copy(check_key(source_snapshot_key), check_key(target_snapshot_key))

    def delete_snapshot(self, snapshot_key: str) -> None:
        self.store.delete(check_key(snapshot_key))

    def restore_snapshot(self, snapshot_key: str, engine_key: str, port: int,
                         progress: Progress | None = None, master_username: str | None = None,
                         master_password: str | None = None) -> int:
        """New engine from a snapshot, served on ``port`` (any free port when it is taken);
        the port served.  Every page is verified while written.  On any failure
        (SnapshotCorruptedError included) nothing is left behind."""
        meta = self._snapshot_meta(snapshot_key)
        eng = self._engine(engine_key)
        with self._lock(engine_key):
            if eng.exists():
                raise DataPlaneError(f"engine {engine_key} already exists")
            with self._new_engine(engine_key, eng, port) as new:
                self._restore_data(snapshot_key, eng, progress)
                restored_engine.forget_source_sessions(eng)
                if meta.get(NO_BACKUP_TABLES_LEFT_OUT):
                    restored_engine.empty_no_backup_tables(eng)
                user = master_username or meta.get("master_username")
                if master_password is not None:
                    if not user:
                        raise DataPlaneError("master_username is unknown for this snapshot")
                    with eng.connect() as conn:
                        set_master_user(conn, user, master_password)
                # Snapshots of an older localshift hold a superuser master user: demoted here.
                self._initialise(EngineSetup(eng.connect, user, meta.get("db_name")))
                new.meta.update(master_username=user, db_name=meta.get("db_name"), restored_from=snapshot_key)
        return new.port

    def _snapshot_meta(self, snapshot_key: str) -> dict:
        """What a snapshot records of its engine; refuses one of another PostgreSQL major version."""
        meta = self.store.header(check_key(snapshot_key)).get("meta", {})
        if meta.get("pg_version", [self.bins.version[0]])[0] != self.bins.version[0]:
            raise DataPlaneError(f"snapshot {snapshot_key} is of PostgreSQL {meta['pg_version']}")
        return meta

    def _restore_data(self, snapshot_key: str, eng: Engine, progress: Progress | None) -> None:
        """Write a snapshot's data into a new engine directory and start the engine on it."""
        eng.prepare_dirs()
        self.store.restore(snapshot_key, eng.data_dir, progress, owner=eng.owner)
        os.chmod(eng.data_dir, 0o700)  # postgres insists on 0700/0750
        for sub in ("pg_wal/archive_status", "pg_wal/summaries"):
            self.bins.make_dir(eng.data_dir / sub, eng.owner)
        eng.start(restored=True)  # replays the WAL up to the end of the backup

    def restore_table(self, snapshot_key: str, engine_key: str, table: TableToRestore,
                      progress: Progress | None = None) -> int:
        """Copy one table of a snapshot into a running engine (table_restore.py): the snapshot is
        restored into a scratch engine no port serves, the table copied across, the scratch
        engine destroyed.  The table's size in bytes."""
        self._snapshot_meta(snapshot_key)
        target = self._existing(engine_key)
        if not target.is_running():
            raise DataPlaneError(f"engine {engine_key} is not running")
        scratch_key = table_restore.scratch_key()
        scratch = self._engine(scratch_key)
        try:
            self._restore_data(snapshot_key, scratch, None)
            return table_restore.copy_table(scratch, target, table, target.read_meta().get("master_username"),
                                            progress)
        finally:
            self.destroy_engine(scratch_key)

    # -- snapshot storage (snapshot_store.py, storage_ledger.py, compaction.py) ---------
    def snapshot_storage(self) -> StorageUsage:
        """Bytes on disk (deduplicated), live and garbage bytes, and per snapshot
        its total and unique bytes.  Cheap: kept up to date, not recomputed."""
        return self.store.usage()

    def snapshots_stored_bytes(self, snapshot_keys: Iterable[str]) -> int:
        """Bytes these snapshots take on disk, deduplicated among them (one
        account's TotalBackupSizeInMegaBytes); unknown keys count nothing."""
        return self.store.stored_bytes_of(snapshot_keys)

    def compact_snapshots(self) -> CompactionResult:
        """Reclaim now all the space deleted snapshots left inside shared packs
        (the store also does it in the background once garbage passes 10%)."""
        return self.store.compact()
