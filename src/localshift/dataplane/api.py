"""What the services call: the data plane's interface, light to import (no PostgreSQL).

An *engine* is one PostgreSQL instance holding one resource's data: a provisioned
cluster's, or a serverless namespace's.  Services key engines and snapshots by
strings of their own choosing (``[a-z0-9-]``, at most 63 characters) and call
these blocking methods from worker threads.  ``PostgresDataPlane``
(dataplane.py) is the real one, ``NullDataPlane`` (null.py) the stand-in of
``--no-data-plane``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Collection, Iterable, Mapping, Protocol, Sequence

from .credentials import TemporaryLogin, password_md5
from .errors import DataPlaneError
from .masking import mask_passwords

__all__ = ["Progress", "ClusterFacts", "ENGINE_REVIVED", "ENGINE_FAILED", "EngineListener", "SnapshotStats", "SnapshotUsage", "StorageUsage", "DataPlane", "TemporaryLogin", "password_md5", "mask_passwords", "SqlSession", "Column",
           "Completion", "RowSink", "SqlError", "SqlConnectionError"]

# Called with (bytes done, bytes in all) while a snapshot is taken or restored.
Progress = Callable[[int, int], None]

# What on_engine_event's listeners hear, with the engine's key: an engine whose postmaster died was
# started again and serves; or it could not be started again and is no longer served.
ENGINE_REVIVED, ENGINE_FAILED = "revived", "failed"
EngineListener = Callable[[str, str], None]


# --- SQL on an engine, as a database user (sql_sessions.py) ----------------------------------
QUERY_CANCELED = "57014"


class SqlConnectionError(DataPlaneError):
    """The session could not be opened, or was lost; the message is the server's (or says why)."""


class SqlError(Exception):
    """The engine refused or failed a statement."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.query_id = -1  # the failed statement's in the query history (-1: none)

    @property
    def cancelled(self) -> bool:
        return self.sqlstate == QUERY_CANCELED


@dataclass(frozen=True)
class ClusterFacts:
    """What a cluster or serverless namespace's SQL may ask of it: its account, its namespace id
    (a UUID), its default IAM role's ARN (None: it has none)."""
    account: str
    namespace: str
    default_iam_role: str | None


@dataclass(frozen=True)
class Column:
    name: str
    type_oid: int
    type_name: str  # PostgreSQL's name: int4, varchar, numeric, timestamp...
    type_modifier: int  # atttypmod (-1: none)
    table_oid: int  # 0: not a column of a table
    table_column: int
    schema: str = ""
    table: str = ""
    not_null: bool = False


@dataclass(frozen=True)
class Completion:
    columns: tuple[Column, ...] | None  # None: the statement returned no result set
    command: str  # the status tag: "SELECT 3", "INSERT 0 2", "CREATE TABLE"
    rows: int  # rows returned or affected (-1: the tag gives no count)
    # Its id in the endpoint's query history (STL_QUERY.query); -1 when the engine keeps none.
    query_id: int = -1


# Called with the result's columns (as the engine describes them: no schema, table or
# nullability yet) and a chunk of its rows.
RowSink = Callable[[tuple[Column, ...], list[tuple]], None]


class SqlSession(Protocol):
    """One login to an engine's SQL endpoint as a database user, one statement at a time."""

    pid: int  # the engine's backend

    @property
    def closed(self) -> bool:
        """The session is gone."""

    @property
    def in_transaction(self) -> bool:
        """A transaction is open in it."""

    def run(self, statement: str, values: Sequence[str | None] = (), rows: RowSink | None = None) -> Completion:
        """Run one statement (``values``: its ``$n`` parameters as text, None for NULL); ``rows``
        gets the result's rows in chunks.  SqlError when the engine fails it."""

    def cancel(self) -> None:
        """Cancel what the session runs (any thread); nothing happens when it is idle."""

    def reset(self) -> bool:
        """Make it like a new session; False when it cannot be reused."""

    def reusable(self) -> bool:
        """Whether a statement may run in it as in a new login of the same user: it is open and
        nothing changed the login since (the user's role, the engine)."""

    def close(self) -> None:
        """End the session."""


@dataclass(frozen=True)
class SnapshotStats:
    total_bytes: int  # restorable size (sum of the files' sizes)
    incremental_bytes: int  # bytes this snapshot newly stored
    elapsed_seconds: float
    # The instant whose committed data the snapshot holds (None when not known).
    consistent_at: datetime | None = None


@dataclass(frozen=True)
class TableToRestore:
    """One table of a snapshot, and the new table it becomes in an engine (names as they are stored)."""

    source_database: str
    source_schema: str
    source_table: str
    target_database: str
    target_schema: str
    new_table: str


class TableRestoreRefused(Exception):
    """A table restore the data does not allow (no such table, the new name taken, ...); the message
    says why, in words for the user."""


@dataclass(frozen=True)
class SnapshotUsage:
    total_bytes: int   # the restorable size (sum of its files)
    unique_bytes: int  # stored page bytes no other snapshot references: what deleting it frees


@dataclass(frozen=True)
class StorageUsage:
    stored_bytes: int   # on disk: packs, their indexes and the manifests
    live_bytes: int     # page bytes at least one snapshot references
    garbage_bytes: int  # page bytes no snapshot references (compaction reclaims them)
    snapshots: Mapping[str, SnapshotUsage]


@dataclass(frozen=True)
class LogTarget:
    """Where a cluster's audit logs are delivered, below the data plane's log directory."""

    destination: str  # "s3": a gzip file per delivery and log type in dated directories; "cloudwatch": one file per log type
    path: tuple[str, ...]  # the directories, one name each
    file_prefix: str = ""  # s3: what each file's name starts with


class DataPlane(Protocol):
    # Whether engines really run and serve SQL (False for --no-data-plane: nothing to wait for).
    serves_sql: bool

    # --- engines ---------------------------------------------------------------------------
    def create_engine(self, key: str, port: int, master_username: str, master_password: str, db_name: str) -> int:
        """A new engine served on ``port`` (another free port when it is taken); the port served."""

    def start_engine(self, key: str, port: int) -> int:
        """Serve a stopped (or served) engine on ``port`` (or another free one); the port served."""

    def serve_engine(self, key: str, port: int) -> int:
        """Serve the engine's public port on ``port`` (or another free one) before it starts, the
        port served: connections wait (bounded) until ``start_engine`` (on that
        port) has started it, or the start is over otherwise (``end_start``, stop_engine,
        destroy_engine, start_engine failing): then they are refused as not available."""

    def end_start(self, key: str) -> None:
        """The start ``serve_engine`` announced will not come (the job that was to start the engine
        failed or skipped it): connections waiting for it go on now (no error when none was announced)."""

    def stop_engine(self, key: str) -> None:
        """Stop serving and stop the engine; its data stays."""

    def destroy_engine(self, key: str) -> None:
        """Stop the engine and delete its data (no error when there is none)."""

    def serve_extra_port(self, key: str, port: int) -> int:
        """Serve the engine on a further port too (``port``, or another free one when it is taken);
        the port served.  It stays served, refusing connections as not available while the engine
        is stopped, until close_extra_port or destroy_engine."""

    def close_extra_port(self, key: str, port: int) -> None:
        """Stop serving a further port of the engine (no error when it is not served)."""

    def set_password(self, key: str, username: str, password: str) -> None:
        """Give the engine's master user a new password (an md5 verifier, records.password_verifier)."""

    def apply_settings(self, key: str, settings: Mapping[str, str]) -> None:
        """Make ``settings`` (parameter names and values, as Redshift names them) every new session's defaults;
        ``enable_case_sensitive_identifier`` and ``require_ssl`` also change how the SQL endpoint's front starts
        sessions (require_ssl true: plain-text startups refused), on every port serving the engine."""

    def set_cluster_facts(self, key: str, facts: ClusterFacts) -> None:
        """Tell the engine what CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE and DEFAULT_IAM_ROLE() answer."""

    def set_audit_logging(self, key: str, log_types: Collection[str]) -> None:
        """Have the engine log what ``log_types`` (connectionlog, userlog, useractivitylog) need; none: stop."""

    def deliver_logs(self, key: str, log_types: Collection[str], target: LogTarget, now: datetime) -> list[str]:
        """Write what the engine logged since the last delivery, in Redshift's formats, to ``target``; the log
        types that had something to deliver."""

    def discard_logs(self, accounts: Collection[str] | None) -> None:
        """Delete every log delivered for ``accounts`` (for every account: None)."""

    def engine_size_bytes(self, key: str) -> int | None:
        """The engine's data on disk; None when there is no such engine."""

    def is_running(self, key: str) -> bool:
        """True when the engine is up and served."""

    def on_engine_event(self, listener: EngineListener) -> None:
        """Also call ``listener(key, ENGINE_REVIVED | ENGINE_FAILED)`` (from a thread of the data plane's)
        when an engine that should be running died and was started again by itself, or could not be."""

    def stop_all(self) -> None:
        """Stop every engine (the service is stopping)."""

    def close(self) -> None:
        """Stop everything this data plane runs."""

    # --- SQL -------------------------------------------------------------------------------
    def sql_port(self, key: str) -> int | None:
        """The port serving the engine's SQL (None: not served now)."""

    def allow_login(self, key: str, login: TemporaryLogin) -> None:
        """Let a temporary credential log in to the engine's SQL endpoint until it expires."""

    def open_sql(self, key: str, user: str, password: str, database: str) -> SqlSession:
        """A session as ``user`` through the engine's SQL endpoint; SqlConnectionError (the
        server's words) when it is not served or the login fails."""

    # --- snapshots -------------------------------------------------------------------------
    def snapshot_exists(self, snapshot_key: str) -> bool:
        """Whether a snapshot is stored under the key."""

    def create_snapshot(self, engine_key: str, snapshot_key: str, progress: Progress | None = None, *,
                        without_no_backup_tables: bool = False) -> SnapshotStats:
        """A consistent snapshot of the engine's data, taken online.  ``without_no_backup_tables``: the rows
        of tables created ``BACKUP NO`` are not restored from it (their tables come back empty)."""

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> SnapshotStats:
        """A copy sharing the source's bytes (also a restore's lease on them)."""

    def delete_snapshot(self, snapshot_key: str) -> None:
        """Forget a snapshot (no error when there is none); bytes no other snapshot shares go."""

    def restore_snapshot(
        self,
        snapshot_key: str,
        engine_key: str,
        port: int,
        progress: Progress | None = None,
        master_username: str | None = None,
        master_password: str | None = None,
    ) -> int:
        """A new engine holding the snapshot's data, served on ``port`` (or another free one); the port served."""

    def restore_table(
        self, snapshot_key: str, engine_key: str, table: TableToRestore, progress: Progress | None = None
    ) -> int:
        """Copy one table of a snapshot into a running engine as a new table, with its rows and
        definition; the table's size in bytes.  Raises TableRestoreRefused when the data does not
        allow it.  On any failure nothing is left behind."""

    # --- snapshot storage --------------------------------------------------------------------
    def snapshot_storage(self) -> StorageUsage:
        """Bytes the snapshot store takes on disk (deduplicated), live and garbage bytes, per snapshot its
        total and unique bytes.  Deleting snapshots shrinks it: the store compacts in the background."""

    def snapshots_stored_bytes(self, snapshot_keys: Iterable[str]) -> int:
        """Bytes these snapshots take on disk, deduplicated among them (one account's backups); unknown
        keys count nothing."""
