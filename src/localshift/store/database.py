"""One SQLite database file: connection, schema migrations, transactions.

All writers share one connection under one lock, so a transaction is never
interleaved with another; WAL lets readers proceed meanwhile.  Every change
is committed (synchronous=FULL) before the response that acknowledges it is
sent, so a kill -9 never loses an acknowledged write.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from localshift.store.schema import MIGRATIONS


class DuplicateError(Exception):
    """A record with the same identifier already exists."""


class Database:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        # Write transactions committed so far: a reader may reuse what it read while this is unchanged.
        self.generation = 0
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn.in_transaction:
                # Nested use joins the outer transaction.
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            finally:
                self.generation += 1

    def query(self, sql: str, args: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def wipe(self) -> None:
        with self.transaction() as conn:
            for table in ("snapshot_grants", "tags", "snapshots", "clusters", "serverless_snapshot_grants",
                          "serverless_tags", "serverless_snapshots", "serverless_workgroups", "serverless_namespaces"):
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
