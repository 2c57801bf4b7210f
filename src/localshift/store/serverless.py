"""Redshift Serverless namespaces, workgroups, snapshots (their records) and tags, in SQL.

The records are plain dataclasses kept as JSON beside a few indexed columns,
as clusters and snapshots are.  One table class serves the three resource
tables; they differ only in their extra indexed columns.  The snapshots' table,
its listing and sharing grants are serverless_snapshots.py.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Generic, TypeVar

from localshift.records import record_from_json, record_to_json
from localshift.store.database import Database, DuplicateError, inserted_row_id
from localshift.store.paging import decode_marker, encode_marker
from localshift.store.tags import ArnTagTable

# Sharing grant kinds: restore into a namespace (resource policy), or into a provisioned cluster.
RESTORE = "restore"
PROVISIONED_RESTORE = "provisioned"


@dataclass
class CredentialsPlan:
    """An UpdateNamespace of the admin credentials that the engine has not taken yet."""

    username: str
    password_md5: str  # records.password_verifier


@dataclass
class RestorePlan:
    """A RestoreFromSnapshot accepted and not finished: what the namespace gets when it succeeds."""

    lease: str | None  # the data-plane lease the restore reads (None: the snapshot holds no data)
    workgroup_row_id: int
    admin_username: str | None  # as the namespace will show it
    engine_username: str  # the login the engine gets the password for
    password_md5: str
    db_name: str
    secret_arn: str | None
    secret_kms_key_id: str | None
    # The snapshot restored (None in plans a version before the lineage wrote).
    snapshot_arn: str | None = None


@dataclass
class DeletePlan:
    """A DeleteNamespace accepted and not finished."""

    final_snapshot_row_id: int | None


@dataclass
class NamespaceRecord:
    account: str
    region: str
    name: str
    namespace_id: str
    arn: str
    status: str  # AVAILABLE | MODIFYING | DELETING
    create_time: datetime
    db_name: str = "dev"
    admin_username: str | None = None
    # The admin password as the engine stores it (records.password_verifier); never the password.
    # Made up when none was given.
    admin_password_md5: str = ""
    admin_password_secret_arn: str | None = None
    admin_password_secret_kms_key_id: str | None = None
    kms_key_id: str = "AWS_OWNED_KMS_KEY"
    iam_roles: list[str] = field(default_factory=list)
    default_iam_role_arn: str | None = None
    log_exports: list[str] = field(default_factory=list)
    redshift_idc_application_arn: str | None = None
    # 0 until the namespace's engine exists; bumped by every restore (a new engine replaces the old).
    engine_generation: int = 0
    # The ARN of the snapshot whose data the namespace holds since its last restore (its lineage).
    restored_from: str | None = None
    # Work in progress (MODIFYING or DELETING), kept so a restart can resume it.
    credentials_plan: CredentialsPlan | None = None
    restore_plan: RestorePlan | None = None
    delete_plan: DeletePlan | None = None
    # The 30-minute boundary at which the next recovery point is due (None: not scheduled yet).
    next_recovery_point_time: datetime | None = None
    # The store's id, set by insert (0: not stored yet; SQLite's ids start at 1).
    row_id: int = 0


@dataclass
class WorkgroupRecord:
    account: str
    region: str
    name: str
    workgroup_id: str
    arn: str
    namespace_name: str
    status: str  # CREATING | AVAILABLE | MODIFYING | DELETING
    create_time: datetime
    port: int = 5439
    base_capacity: int = 128
    max_capacity: int | None = None
    enhanced_vpc_routing: bool = False
    publicly_accessible: bool = False
    config_parameters: dict[str, str] = field(default_factory=dict)
    security_group_ids: list[str] = field(default_factory=list)
    subnet_ids: list[str] = field(default_factory=list)
    ip_address_type: str = "ipv4"
    track_name: str = "current"
    price_performance_target: dict[str, Any] | None = None
    extra_compute_for_automatic_optimization: bool = False
    # The local port the namespace's engine really serves this workgroup on (endpoint.port).
    endpoint_port: int | None = None
    # A new port accepted by UpdateWorkgroup that the engine does not serve yet (MODIFYING).
    pending_port: int | None = None
    # Its custom domain name association, if any (custom_domains.py).
    custom_domain_name: str | None = None
    custom_domain_certificate_arn: str | None = None
    custom_domain_certificate_expiry_time: datetime | None = None
    # The store's id, set by insert (0: not stored yet; SQLite's ids start at 1).
    row_id: int = 0


@dataclass
class ServerlessSnapshotRecord:
    account: str
    region: str
    name: str
    snapshot_id: str
    arn: str
    namespace_name: str
    namespace_arn: str
    namespace_row_id: int
    status: str  # CREATING | AVAILABLE | FAILED | ...
    create_time: datetime
    namespace_create_time: datetime
    db_name: str
    admin_username: str | None
    # The namespace's admin credentials when the snapshot was taken (a restore brings them back).
    admin_password_md5: str = ""
    engine_username: str = "admin"
    admin_password_secret_arn: str | None = None
    admin_password_secret_kms_key_id: str | None = None
    kms_key_id: str = "AWS_OWNED_KMS_KEY"
    # The namespace's workgroup base capacity (RPUs) when the snapshot was taken, if it had one.
    base_capacity: int | None = None
    retention_period: int = -1
    retention_start_time: datetime | None = None
    total_size_mb: float = 0.0
    incremental_size_mb: float = 0.0
    progress_mb: float = 0.0
    rate_mb_per_s: float = 0.0
    elapsed_seconds: int = 0
    estimated_seconds_to_completion: int = -1
    # The data-plane snapshot holding the data (None until taken).
    data_key: str | None = None
    # The resource policy text as the owner put it (its grants are in the grants table).
    resource_policy: str | None = None
    # The region a cross-region copy was copied from (None: not a copy).
    source_region: str | None = None
    # The store's id, set by insert (0: not stored yet; SQLite's ids start at 1).
    row_id: int = 0


@dataclass
class RecoveryPointRecord:
    """A namespace's data at a 30-minute boundary, kept a day (a data-plane snapshot of its engine)."""

    account: str
    region: str
    name: str  # the recoveryPointId
    namespace_name: str
    namespace_arn: str
    namespace_row_id: int
    workgroup_name: str | None
    create_time: datetime
    status: str = "CREATING"  # CREATING | AVAILABLE | FAILED (only AVAILABLE ones are listed)
    total_size_mb: float = 0.0
    data_key: str | None = None
    row_id: int = 0


@dataclass
class SnapshotCopyConfigurationRecord:
    """Where a namespace's snapshots are copied (CreateSnapshotCopyConfiguration)."""

    account: str
    region: str
    name: str  # the snapshotCopyConfigurationId
    arn: str
    namespace_name: str
    namespace_row_id: int
    destination_region: str
    retention_period: int = -1
    destination_kms_key_id: str | None = None
    row_id: int = 0


Record = TypeVar("Record", NamespaceRecord, WorkgroupRecord, ServerlessSnapshotRecord)


def _namespace_plans(attrs: dict[str, Any]) -> None:
    """A namespace stored before its plans were typed kept them in one ``pending`` dict."""
    pending = attrs.pop("pending", {})
    for work in ("credentials", "restore", "delete"):
        if work in pending:
            attrs[f"{work}_plan"] = pending[work]


def _workgroup_plans(attrs: dict[str, Any]) -> None:
    """A workgroup stored before its plans were typed kept a port move in ``pending``."""
    pending = attrs.pop("pending", {})
    if "port" in pending:
        attrs["pending_port"] = pending["port"]


class RecordTable(Generic[Record]):
    """One resource table: id, account, region, name, arn, status, attrs, plus extra columns.

    ``upgrade`` turns the attrs of rows written by an older localshift into the current fields
    (the next write stores them so)."""

    def __init__(self, db: Database, table: str, cls: type[Record], extra: dict[str, Callable[[Record], Any]],
                 upgrade: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.db, self.table = db, table
        self.cls: type[Record] = cls
        self.extra: dict[str, Callable[[Record], Any]] = extra
        self.upgrade = upgrade

    def _record(self, row: sqlite3.Row) -> Record:
        attrs = json.loads(row["attrs"])
        if self.upgrade is not None:
            self.upgrade(attrs)
        return record_from_json(self.cls, attrs, row["id"])

    def _columns(self, record: Record) -> dict[str, Any]:
        columns: dict[str, Any] = {"name": record.name, "status": record.status,
                                   "attrs": json.dumps(record_to_json(record))}
        columns.update({column: read(record) for column, read in self.extra.items()})
        return columns

    def insert(self, record: Record) -> Record:
        columns = {"account": record.account, "region": record.region, "arn": record.arn, **self._columns(record)}
        sql = f"INSERT INTO {self.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        try:
            with self.db.transaction() as conn:
                record.row_id = inserted_row_id(conn.execute(sql, list(columns.values())))
        except sqlite3.IntegrityError:
            raise DuplicateError(record.name) from None
        return record

    def update(self, record: Record) -> None:
        columns: dict[str, Any] = self._columns(record)
        assignments = ", ".join(f"{column} = ?" for column in columns)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE {self.table} SET {assignments} WHERE id = ?", [*columns.values(), record.row_id])

    def delete(self, record: Record) -> None:
        with self.db.transaction() as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE id = ?", (record.row_id,))

    def _select(self, where: str, args: Any) -> list[Record]:
        rows = self.db.query(f"SELECT id, attrs FROM {self.table} WHERE {where}", args)
        return [self._record(row) for row in rows]

    def _one(self, where: str, args: Any) -> Record | None:
        found = self._select(where, args)
        return found[0] if found else None

    def get(self, account: str, region: str, name: str) -> Record | None:
        return self._one("account = ? AND region = ? AND name = ?", (account, region, name))

    def get_by_id(self, row_id: int) -> Record | None:
        return self._one("id = ?", (row_id,))

    def get_by_arn(self, arn: str) -> Record | None:
        return self._one("arn = ?", (arn,))

    def in_statuses(self, statuses: list[str]) -> list[Record]:
        return self._select(f"status IN ({','.join('?' * len(statuses))}) ORDER BY id", statuses)

    def all(self) -> list[Record]:
        return self._select("1 = 1 ORDER BY id", ())

    def page(self, account: str, region: str, limit: int, token: str | None) -> tuple[list[Record], str | None]:
        """Records of one account and region in creation order, and the next page's token."""
        after = decode_marker(token, (int,))[0] if token else 0
        rows = self._select("account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?", (account, region, after, limit + 1))
        more = len(rows) > limit
        return rows[:limit], encode_marker([rows[limit - 1].row_id]) if more else None


class NamespaceRepository(RecordTable[NamespaceRecord]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, "serverless_namespaces", NamespaceRecord, {}, _namespace_plans)


class WorkgroupRepository(RecordTable[WorkgroupRecord]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, "serverless_workgroups", WorkgroupRecord, {"namespace_name": lambda w: w.namespace_name},
                         _workgroup_plans)

    def of_namespace(self, account: str, region: str, namespace_name: str) -> list[WorkgroupRecord]:
        return self._select("account = ? AND region = ? AND namespace_name = ? ORDER BY id", (account, region, namespace_name))


class ServerlessTagRepository(ArnTagTable):
    """Tags of serverless resources: a table of their own, so DescribeTags never lists them."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "serverless_tags")

    def put(self, arn: str, tags: list[tuple[str, str]]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO serverless_tags (resource_arn, key, value) VALUES (?, ?, ?)"
                " ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
                [(arn, key, value) for key, value in tags],
            )
