"""One SQLite database file: connection, schema migrations, transactions.

All writers share one connection under one lock, so a transaction is never
interleaved with another.  Reads outside a transaction go through a read-only
connection of their thread's own: with WAL they never wait for a writer's commit
(the event loop reads, and must not wait for a disk flush).  Every change
is committed (synchronous=FULL) before the response that acknowledges it is
sent, so a kill -9 never loses an acknowledged write.  Beside the file lives
the secret store (managed master passwords), which SQLite never holds.  Both
are readable by the service's user only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Collection, Iterator, Protocol, TypeVar

from localshift.store.schema import MIGRATIONS
from localshift.store.secrets import SecretStore, arn_account

# Tables wiped by reset, children first, each with how a row names its account (for a reset of some
# accounts alone): its account column, the ARN in its resource_arn column, or None for rows that go
# with their parent row (ON DELETE CASCADE) or are kept until they expire (temporary credentials of
# engines reset: an engine key is never used again).
_TABLES = {
    "snapshot_grants": None, "tags": "account", "snapshots": "account", "clusters": "account",
    "serverless_snapshot_grants": None, "serverless_tags": "resource_arn", "serverless_snapshots": "account",
    "serverless_workgroups": "account", "serverless_namespaces": "account", "events": "account",
    "resources": "account", "data_api_statements": "account", "db_credentials": None,
}


Record = TypeVar("Record")


def inserted_row_id(cursor: sqlite3.Cursor) -> int:
    """The id SQLite gave the row the INSERT just run on ``cursor`` added."""
    if cursor.lastrowid is None:
        raise RuntimeError("the INSERT added no row")
    return cursor.lastrowid


class DuplicateError(Exception):
    """A record with the same identifier already exists."""


class NewerStoreError(Exception):
    """The file's schema is newer than this version's migrations: a later localshift made it."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(f"the store {path} was made by a newer localshift (schema version {version}; "
                         f"this version knows up to {len(MIGRATIONS)}): upgrade localshift, or use another data dir")


class RecordStore(Protocol[Record]):
    """A repository that reads a record by row id and writes it back."""

    def get_by_id(self, row_id: int) -> Record | None: ...

    def update(self, record: Record) -> None: ...


class Database:
    def __init__(self, path: Path, on_upgrade: Callable[[int, int], None] | None = None) -> None:
        """``on_upgrade(done, total)`` hears of the migrations of a store made by an earlier version."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # 0600 before SQLite opens it (a store made earlier too); its -wal and -shm files take the same mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            if file.exists():
                os.chmod(file, 0o600)
        self.secrets = SecretStore(path.with_name(f"{path.stem}.secrets.json"))
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # Checked before anything is written (WAL mode included): a newer store is left as it is.
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            self._conn.close()
            raise NewerStoreError(path, version)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        # Write transactions committed so far: a reader may reuse what it read while this is unchanged.
        self.generation = 0
        self._writer: int | None = None  # the thread inside a write transaction
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not the writers' lock: a reader never waits for a writer
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._migrate(on_upgrade)

    def _migrate(self, on_upgrade: Callable[[int, int], None] | None) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            upgrade = 0 < version < len(MIGRATIONS)  # else a new store is made, or nothing to do
            # The migrations, then the file's rebuild.
            steps = len(MIGRATIONS) - version + 1
            if upgrade and on_upgrade:
                on_upgrade(0, steps)
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                if isinstance(migration, str):
                    self._conn.executescript(f"BEGIN IMMEDIATE;\n{migration}\nPRAGMA user_version = {number};\nCOMMIT;")
                else:
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        migration(self._conn, self.secrets)
                        self._conn.execute(f"PRAGMA user_version = {number}")
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
                if upgrade and on_upgrade:
                    on_upgrade(number - version, steps)
            if upgrade:
                # Rewritten rows may leave what they held (passwords, say) in free pages: rebuild the file.
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                if on_upgrade:
                    on_upgrade(steps, steps)

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction.  ``durable=False``: committed without waiting for the disk
        (it survives a crash of the service, not of the machine): for the Data API's
        statements, whose status changes would otherwise each wait milliseconds for an fsync."""
        with self._lock:
            if self._conn.in_transaction:
                # Nested use joins the outer transaction.
                yield self._conn
                return
            if not durable:
                self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._writer = threading.get_ident()
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                finally:
                    self._writer = None
                try:
                    self._conn.execute("COMMIT")
                finally:
                    self.generation += 1
            finally:
                if not durable:
                    self._conn.execute("PRAGMA synchronous=FULL")

    def mutate(self, repository: RecordStore[Record], row_id: int, change: Callable[[Record], None]) -> Record | None:
        """Re-read a record, change it and write it back in one transaction (None when it is gone):
        never a record read earlier written back, so no change made meanwhile is undone."""
        with self.transaction():
            record = repository.get_by_id(row_id)
            if record is None:
                return None
            change(record)
            repository.update(record)
            return record

    def query(self, sql: str, args: Any = ()) -> list[sqlite3.Row]:
        if self._writer == threading.get_ident():
            # Inside this thread's transaction: it must see its own writes, not yet committed.
            return self._conn.execute(sql, args).fetchall()
        return self._reader().execute(sql, args).fetchall()

    def _reader(self) -> sqlite3.Connection:
        connection = getattr(self._readers, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA query_only=ON")
            with self._readers_lock:
                self._reader_connections.append(connection)
            self._readers.connection = connection
        return connection

    def wipe(self, accounts: Collection[str] | None = None) -> None:
        """Delete every row (and secret) of ``accounts``; of every account when None."""
        with self.transaction() as conn:
            if accounts is None:
                for table in _TABLES:
                    conn.execute(f"DELETE FROM {table}")
                self.secrets.wipe()
                return
            conn.create_function("arn_account", 1, arn_account, deterministic=True)
            marks = ",".join("?" * len(accounts))
            for table, column in _TABLES.items():
                if column == "account":
                    conn.execute(f"DELETE FROM {table} WHERE account IN ({marks})", list(accounts))
                elif column is not None:
                    conn.execute(f"DELETE FROM {table} WHERE arn_account({column}) IN ({marks})", list(accounts))
            self.secrets.wipe(accounts)

    def close(self) -> None:
        with self._lock, self._readers_lock:
            for connection in self._reader_connections:
                connection.close()
            self._conn.close()
