"""Clusters in SQL."""

from __future__ import annotations

import json
import sqlite3

from localshift.records import ClusterRecord, record_from_json, record_to_json
from localshift.store.database import Database, DuplicateError, inserted_row_id


class ClusterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, record: ClusterRecord) -> ClusterRecord:
        try:
            with self.db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO clusters (account, region, identifier, status, attrs) VALUES (?, ?, ?, ?, ?)",
                    (record.account, record.region, record.identifier, record.status, json.dumps(record_to_json(record))),
                )
        except sqlite3.IntegrityError:
            raise DuplicateError(record.identifier) from None
        record.row_id = inserted_row_id(cursor)
        return record

    def update(self, record: ClusterRecord) -> None:
        """Write the record back; it may have been renamed."""
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "UPDATE clusters SET identifier = ?, status = ?, attrs = ? WHERE id = ?",
                    (record.identifier, record.status, json.dumps(record_to_json(record)), record.row_id),
                )
        except sqlite3.IntegrityError:
            raise DuplicateError(record.identifier) from None

    def delete(self, record: ClusterRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM clusters WHERE id = ?", (record.row_id,))

    def get(self, account: str, region: str, identifier: str) -> ClusterRecord | None:
        rows = self.db.query(
            "SELECT id, attrs FROM clusters WHERE account = ? AND region = ? AND identifier = ?",
            (account, region, identifier),
        )
        return _to_record(rows[0]) if rows else None

    def get_by_id(self, row_id: int) -> ClusterRecord | None:
        rows = self.db.query("SELECT id, attrs FROM clusters WHERE id = ?", (row_id,))
        return _to_record(rows[0]) if rows else None

    def page(
        self, account: str, region: str, after_id: int, limit: int, identifiers: list[str] | None = None
    ) -> list[ClusterRecord]:
        """Clusters of one account and region in creation order, after a row id."""
        sql = "SELECT id, attrs FROM clusters WHERE account = ? AND region = ? AND id > ?"
        args: list[object] = [account, region, after_id]
        if identifiers is not None:
            sql += f" AND identifier IN ({','.join('?' * len(identifiers))})"
            args.extend(identifiers)
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        return [_to_record(row) for row in self.db.query(sql, args)]

    def everything(self) -> list[ClusterRecord]:
        """Every record of every account and region (for reset)."""
        return [_to_record(row) for row in self.db.query("SELECT id, attrs FROM clusters ORDER BY id")]

    def in_statuses(self, statuses: list[str]) -> list[ClusterRecord]:
        rows = self.db.query(
            f"SELECT id, attrs FROM clusters WHERE status IN ({','.join('?' * len(statuses))}) ORDER BY id",
            statuses,
        )
        return [_to_record(row) for row in rows]

    def using_copy_grant(self, account: str, destination_region: str, grant_name: str) -> list[ClusterRecord]:
        """The account's clusters (of any region) that copy their snapshots with this grant."""
        rows = self.db.query(
            "SELECT id, attrs FROM clusters WHERE account = ?"
            " AND json_extract(attrs, '$.snapshot_copy.destination_region') = ?"
            " AND json_extract(attrs, '$.snapshot_copy.grant_name') = ? ORDER BY id",
            (account, destination_region, grant_name),
        )
        return [_to_record(row) for row in rows]

    def _with_attribute(self, account: str, region: str, attribute: str, value: str) -> list[ClusterRecord]:
        rows = self.db.query(
            "SELECT id, attrs FROM clusters WHERE account = ? AND region = ?"
            f" AND json_extract(attrs, '$.{attribute}') = ? ORDER BY id",
            (account, region, value),
        )
        return [_to_record(row) for row in rows]

    def using_parameter_group(self, account: str, region: str, group: str) -> list[ClusterRecord]:
        """The clusters of an account and region whose parameter group is ``group``."""
        return self._with_attribute(account, region, "cluster_parameter_group_name", group)

    def with_schedule(self, account: str, region: str, schedule: str) -> list[ClusterRecord]:
        """Clusters associated with a snapshot schedule (leaving it included), in creation order."""
        return self._with_attribute(account, region, "snapshot_schedule_identifier", schedule)

    def with_schedule_state(self, state: str) -> list[ClusterRecord]:
        """Clusters of every account whose snapshot schedule association is in ``state``."""
        rows = self.db.query(
            "SELECT id, attrs FROM clusters WHERE json_extract(attrs, '$.snapshot_schedule_state') = ? ORDER BY id",
            (state,),
        )
        return [_to_record(row) for row in rows]

    def count_nodes(self, account: str, region: str) -> int:
        rows = self.db.query("SELECT attrs FROM clusters WHERE account = ? AND region = ?", (account, region))
        return sum(json.loads(row["attrs"])["number_of_nodes"] for row in rows)


def _to_record(row: sqlite3.Row) -> ClusterRecord:
    return record_from_json(ClusterRecord, json.loads(row["attrs"]), row["id"])
