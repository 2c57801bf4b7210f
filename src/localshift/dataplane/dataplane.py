"""DataPlane: the blocking API the service layer calls (from worker threads).

It ties together the engines (one PostgreSQL per cluster), the wire fronts
(public TCP ports) and the snapshot store.  Operations on one cluster key are
serialised by a per-key lock; different clusters proceed in parallel.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

import psycopg
from psycopg import sql

from .binaries import PgBinaries, accessible_by
from .compaction import CompactionResult
from .engine import ADMIN_USER, Engine
from .errors import ClusterNotFoundError, DataPlaneError
from .online_backup import OnlineBackup, data_size
from .redshift_sql import install_engine
from .redshift_sql.history import QueryRecorder, socket_connector
from .snapshot_store import SnapshotStats, SnapshotStore
from .storage_ledger import StorageUsage
from .wire_front import WireFront

Progress = Callable[[int, int], None]
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise DataPlaneError(f"invalid key {key!r}: use [a-z0-9-], at most 63 characters")
    return key


class DataPlane:
    def __init__(self, root: Path, pg_bin_dir: Path | None = None, *,
                 engine_root: Path | None = None) -> None:
        """``root``: where snapshots (and, when reachable by the engine user,
        engines) live.  ``engine_root`` overrides where engine directories go."""
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.bins = PgBinaries(pg_bin_dir)
        self.engine_root = Path(engine_root) if engine_root else self._default_engine_root()
        self.engine_root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.engine_root, 0o755)
        self.store = SnapshotStore(self.root / "snapshots")
        self._admin_password = self._load_admin_secret()
        self.front = WireFront(QueryRecorder(socket_connector(ADMIN_USER, self._admin_password)))
        self._engines: dict[str, Engine] = {}
        self._ports: dict[str, int] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    # -- setup -------------------------------------------------------------------
    def _default_engine_root(self) -> Path:
        inside = self.root / "engines"
        if self.bins.run_as is None or accessible_by(self.root, *self.bins.run_as):
            return inside
        # The engine user cannot reach the data dir (e.g. under /root, mode 700):
        # keep engines in a readable place derived from the data dir's path.
        h = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"localshift-engines-{h}"

    def _load_admin_secret(self) -> str:
        path = self.root / "admin-secret"
        with open(self.root / ".admin-secret.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(24))
            return path.read_text().strip()

    def _lock(self, key: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(key, threading.RLock())

    def _engine(self, key: str) -> Engine:
        _check_key(key)
        with self._guard:
            eng = self._engines.get(key)
            if eng is None:
                eng = Engine(self.bins, self.engine_root / key, self._admin_password)
                self._engines[key] = eng
            return eng

    def _existing(self, key: str) -> Engine:
        eng = self._engine(key)
        if not eng.exists():
            raise ClusterNotFoundError(f"cluster {key} has no engine")
        return eng

    @contextlib.contextmanager
    def _running(self, eng: Engine) -> Iterator[Engine]:
        """Run the body with the engine up, starting it temporarily if stopped."""
        started = not eng.is_running()
        if started:
            eng.start()
        try:
            yield eng
        finally:
            if started:
                eng.stop()

    # -- clusters --------------------------------------------------------------------
    def create_cluster(self, key: str, port: int, master_username: str, master_password: str,
                       db_name: str) -> None:
        eng = self._engine(key)
        with self._lock(key):
            if eng.exists():
                raise DataPlaneError(f"cluster {key} already exists")
            if master_username == ADMIN_USER:
                raise DataPlaneError(f"{ADMIN_USER} is reserved")
            self.front.serve(port, eng.socket_path)  # fail fast on a busy port
            try:
                eng.initdb()
                eng.start()
                with eng.connect() as conn:
                    _set_password(conn, master_username, master_password)
                    if db_name != "postgres":
                        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(db_name), sql.Identifier(master_username)))
                install_engine(eng.connect, [master_username])
                eng.write_meta({"key": key, "port": port, "master_username": master_username,
                                "db_name": db_name, "pg_version": list(self.bins.version)})
                self._ports[key] = port
            except BaseException:
                self.front.close(port)
                eng.remove()
                raise

    def start_cluster(self, key: str, port: int) -> None:
        eng = self._existing(key)
        with self._lock(key):
            eng.start()
            master = eng.read_meta().get("master_username")
            install_engine(eng.connect, [master] if master else [])  # engines of older versions
            old = self._ports.get(key)
            if old is not None and old != port:
                self.front.close(old)
            self.front.serve(port, eng.socket_path)
            self._ports[key] = port
            meta = eng.read_meta()
            if meta.get("port") != port:
                eng.write_meta(dict(meta, port=port))

    def stop_cluster(self, key: str) -> None:
        eng = self._engine(key)
        with self._lock(key):
            port = self._ports.pop(key, None)
            if port is not None:
                self.front.close(port)
            eng.stop()

    def destroy_cluster(self, key: str) -> None:
        eng = self._engine(key)
        with self._lock(key):
            self.stop_cluster(key)
            eng.remove()
        with self._guard:
            self._engines.pop(key, None)

    def set_master_password(self, key: str, username: str, password: str) -> None:
        eng = self._existing(key)
        with self._lock(key), self._running(eng), eng.connect() as conn:
            _set_password(conn, username, password)
            eng.write_meta(dict(eng.read_meta(), master_username=username))

    def cluster_size_bytes(self, key: str) -> int:
        return self._existing(key).size_bytes()

    def is_running(self, key: str) -> bool:
        """True when the engine is up and its public port is served."""
        eng = self._engine(key)
        return key in self._ports and eng.is_running()

    def stop_all(self) -> None:
        """Stop every engine under the engine root (including ones a previous
        service process left running) and every front."""
        self.front.close_all()
        self._ports.clear()
        self.store.stop_background()
        keys = set(self._engines)
        if self.engine_root.is_dir():
            keys |= {p.name for p in self.engine_root.iterdir() if _KEY.match(p.name)}
        for key in sorted(keys):
            eng = self._engine(key)
            with self._lock(key):
                eng.stop()

    # -- snapshots ----------------------------------------------------------------------
    def snapshot_exists(self, snapshot_key: str) -> bool:
        return self.store.exists(_check_key(snapshot_key))

    def create_snapshot(self, cluster_key: str, snapshot_key: str,
                        progress: Progress | None = None) -> SnapshotStats:
        """Online, consistent snapshot (low-level backup API), stored incrementally.
        The cluster keeps serving; a stopped cluster is started for the duration."""
        eng = self._existing(cluster_key)
        _check_key(snapshot_key)
        with self._lock(cluster_key), self._running(eng):
            meta = dict(eng.read_meta(), cluster_key=cluster_key,
                        pg_version=list(self.bins.version))
            estimate = data_size(eng.data_dir) if progress else 0

            def on_bytes(done: int) -> None:
                progress(done, max(done, estimate))

            backup = OnlineBackup(eng)
            stats = self.store.ingest(snapshot_key, backup.entries(), meta,
                                      on_bytes if progress else None)
            stats = dataclasses.replace(stats, consistent_at=backup.consistent_at)
        if progress:
            progress(stats.total_bytes, stats.total_bytes)
        return stats

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> SnapshotStats:
        return self.store.copy(_check_key(source_snapshot_key), _check_key(target_snapshot_key))

    def delete_snapshot(self, snapshot_key: str) -> None:
        self.store.delete(_check_key(snapshot_key))

    def restore_snapshot(self, snapshot_key: str, cluster_key: str, port: int,
                         progress: Progress | None = None, master_username: str | None = None,
                         master_password: str | None = None) -> None:
        """New cluster from a snapshot; every page is verified while written.
        On any failure (SnapshotCorruptedError included) nothing is left behind."""
        header = self.store.header(_check_key(snapshot_key))
        meta = header.get("meta", {})
        if meta.get("pg_version", [self.bins.version[0]])[0] != self.bins.version[0]:
            raise DataPlaneError(f"snapshot {snapshot_key} is of PostgreSQL {meta['pg_version']}")
        eng = self._engine(cluster_key)
        with self._lock(cluster_key):
            if eng.exists():
                raise DataPlaneError(f"cluster {cluster_key} already exists")
            self.front.serve(port, eng.socket_path)
            try:
                eng.prepare_dirs()
                self.store.restore(snapshot_key, eng.data_dir, progress, owner=self.bins.run_as)
                os.chmod(eng.data_dir, 0o700)  # postgres insists on 0700/0750
                for sub in ("pg_wal/archive_status", "pg_wal/summaries"):
                    self.bins.make_dir(eng.data_dir / sub)
                eng.start(fast_recovery=True)  # replays the WAL up to the end of the backup
                user = master_username or meta.get("master_username")
                if master_password is not None:
                    if not user:
                        raise DataPlaneError("master_username is unknown for this snapshot")
                    with eng.connect() as conn:
                        _set_password(conn, user, master_password)
                install_engine(eng.connect, [user] if user else [])
                eng.write_meta({"key": cluster_key, "port": port, "master_username": user,
                                "db_name": meta.get("db_name"),
                                "pg_version": list(self.bins.version),
                                "restored_from": snapshot_key})
                self._ports[cluster_key] = port
            except BaseException:
                self.front.close(port)
                eng.remove()
                raise

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

    def __enter__(self) -> "DataPlane":
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def _set_password(conn: psycopg.Connection, username: str, password: str) -> None:
    """Create or update a superuser login role with an md5-stored password."""
    conn.execute("SET password_encryption = 'md5'")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(sql.SQL(verb + " ROLE {} WITH LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD {}")
                 .format(sql.Identifier(username), sql.Literal(password)))



