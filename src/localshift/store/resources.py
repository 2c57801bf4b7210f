"""Named resources of many kinds in one table: the store for Redshift's smaller resources.

Parameter groups, subnet groups, snapshot schedules, copy grants, usage limits,
scheduled actions and their like are each a typed record (a dataclass with
``account``, ``region`` and ``name`` fields) kept as JSON in the ``resources``
table, keyed by (kind, account, region, name).  A service declares one
repository per kind::

    schedules = ResourceRepository(db, "snapshot-schedule", SnapshotScheduleRecord)

and gets insert/get/page/mutate/delete with the same rules as the cluster
and snapshot repositories: names unique per account and region, creation
order for paging, read-modify-write in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable, Generic, Iterable, Protocol, TypeVar

from localshift.records import record_from_json, record_to_json
from localshift.store.database import Database, DuplicateError, inserted_row_id


class NamedRecord(Protocol):
    account: str
    region: str
    name: str
    row_id: int


R = TypeVar("R", bound=NamedRecord)


class ResourceRepository(Generic[R]):
    def __init__(self, db: Database, kind: str, record_class: type[R]) -> None:
        self.db = db
        self.kind = kind
        self.record_class = record_class

    def insert(self, record: R) -> R:
        try:
            with self.db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO resources (kind, account, region, name, attrs) VALUES (?, ?, ?, ?, ?)",
                    (self.kind, record.account, record.region, record.name, _attrs(record)),
                )
        except sqlite3.IntegrityError:
            raise DuplicateError(record.name) from None
        record.row_id = inserted_row_id(cursor)
        return record

    def update(self, record: R) -> None:
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "UPDATE resources SET name = ?, attrs = ? WHERE id = ? AND kind = ?",
                    (record.name, _attrs(record), record.row_id, self.kind),
                )
        except sqlite3.IntegrityError:
            raise DuplicateError(record.name) from None

    def delete(self, record: R) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM resources WHERE id = ? AND kind = ?", (record.row_id, self.kind))

    def mutate(self, row_id: int, change: Callable[[R], None]) -> R | None:
        """Re-read a record, change it and write it back in one transaction (None when it is gone)."""
        return self.db.mutate(self, row_id, change)

    def get(self, account: str, region: str, name: str) -> R | None:
        rows = self.db.query(
            "SELECT id, attrs FROM resources WHERE kind = ? AND account = ? AND region = ? AND name = ?",
            (self.kind, account, region, name),
        )
        return self._record(rows[0]) if rows else None

    def get_by_id(self, row_id: int) -> R | None:
        rows = self.db.query("SELECT id, attrs FROM resources WHERE id = ? AND kind = ?", (row_id, self.kind))
        return self._record(rows[0]) if rows else None

    def page(self, account: str, region: str, after_id: int, limit: int,
             names: Iterable[str] | None = None) -> list[R]:
        """Records of one account and region in creation order, after a row id (optionally only ``names``)."""
        sql = "SELECT id, attrs FROM resources WHERE kind = ? AND account = ? AND region = ? AND id > ?"
        args: list[Any] = [self.kind, account, region, after_id]
        if names is not None:
            wanted = list(names)
            sql += f" AND name IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        return [self._record(row) for row in self.db.query(sql, args)]

    def all_of(self, account: str, region: str) -> list[R]:
        rows = self.db.query(
            "SELECT id, attrs FROM resources WHERE kind = ? AND account = ? AND region = ? ORDER BY id",
            (self.kind, account, region),
        )
        return [self._record(row) for row in rows]

    def count(self, account: str, region: str) -> int:
        rows = self.db.query(
            "SELECT count(*) AS n FROM resources WHERE kind = ? AND account = ? AND region = ?",
            (self.kind, account, region),
        )
        return int(rows[0]["n"])

    def everything(self) -> list[R]:
        """Every record of this kind, in every account and region (for schedulers and reset)."""
        rows = self.db.query("SELECT id, attrs FROM resources WHERE kind = ? ORDER BY id", (self.kind,))
        return [self._record(row) for row in rows]

    def _record(self, row: sqlite3.Row) -> R:
        return record_from_json(self.record_class, json.loads(row["attrs"]), row["id"])


def _attrs(record: Any) -> str:
    return json.dumps(record_to_json(record))


def named_resources(db: Database) -> list[tuple[str, str, str, str, str | None]]:
    """(kind, account, region, name, status) of every resource of every kind, in creation order.

    The status is the record's ``status`` field; None for kinds without one.
    """
    return [tuple(row) for row in db.query(
        "SELECT kind, account, region, name, json_extract(attrs, '$.status') FROM resources ORDER BY id")]
