"""Redshift Serverless snapshots in SQL: their table (serverless.py's records), the listing
ListSnapshots filters and pages, and their sharing grants (restore into a namespace, or into a
provisioned cluster), one row per snapshot, kind and grantee account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.store import snapshot_listing
from localshift.store.database import Database
from localshift.store.paging import SortKey, after_clause, decode_marker, encode_marker, order_clause
from localshift.store.serverless import RecordTable, ServerlessSnapshotRecord
from localshift.store.snapshot_listing import time_text


@dataclass
class SnapshotFilter(snapshot_listing.SnapshotFilter):
    namespace_name: str | None = None
    namespace_arn: str | None = None


class ServerlessSnapshotRepository(RecordTable[ServerlessSnapshotRecord]):
    def __init__(self, db: Database) -> None:
        super().__init__(
            db,
            "serverless_snapshots",
            ServerlessSnapshotRecord,
            {
                "namespace_name": lambda s: s.namespace_name,
                "namespace_arn": lambda s: s.namespace_arn,
                "create_time": lambda s: time_text(s.create_time),
            },
        )

    def of_namespace_row(self, namespace_row_id: int) -> list[ServerlessSnapshotRecord]:
        return self._select("json_extract(attrs, '$.namespace_row_id') = ? ORDER BY id", (namespace_row_id,))

    def count(self, account: str, region: str) -> int:
        return self.db.query(
            f"SELECT count(*) FROM {self.table} WHERE account = ? AND region = ?", (account, region)
        )[0][0]

    def with_retention(self) -> list[ServerlessSnapshotRecord]:
        return self._select("json_extract(attrs, '$.retention_period') > 0 ORDER BY id", ())

    def list_page(
        self, flt: SnapshotFilter, limit: int, token: str | None
    ) -> tuple[list[ServerlessSnapshotRecord], str | None]:
        """Snapshots the caller owns or was granted, oldest first, after the token's position."""
        where = ["region = ?", "(account = ? OR id IN (SELECT snapshot_id FROM serverless_snapshot_grants WHERE grantee = ?))"]
        args: list[Any] = [flt.region, flt.caller, flt.caller]
        for column, value in (("account", flt.owner), ("namespace_name", flt.namespace_name),
                              ("namespace_arn", flt.namespace_arn)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        created_terms, created_args = flt.created_within("create_time")
        where.extend(created_terms)
        args.extend(created_args)
        keys = [SortKey("create_time"), SortKey("id", kind=int)]
        if token:
            clause, token_args = after_clause(keys, decode_marker(token, [key.kind for key in keys]))
            where.append(clause)
            args.extend(token_args)
        rows = self._select(f"{' AND '.join(where)} ORDER BY {order_clause(keys)} LIMIT ?", [*args, limit + 1])
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], encode_marker([time_text(last.create_time), last.row_id])

    # --- sharing grants ------------------------------------------------------
    def grantees(self, record: ServerlessSnapshotRecord, kind: str) -> list[str]:
        return self.grantees_of_many([record.row_id], kind)[record.row_id]

    def grantees_of_many(self, row_ids: list[int], kind: str) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {row_id: [] for row_id in row_ids}
        if row_ids:
            rows = self.db.query(
                f"SELECT snapshot_id, grantee FROM serverless_snapshot_grants WHERE kind = ?"
                f" AND snapshot_id IN ({','.join('?' * len(row_ids))}) ORDER BY rowid",
                [kind, *row_ids],
            )
            for row in rows:
                found[row[0]].append(row[1])
        return found

    def set_grantees(self, record: ServerlessSnapshotRecord, kind: str, grantees: list[str]) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM serverless_snapshot_grants WHERE snapshot_id = ? AND kind = ?", (record.row_id, kind))
            conn.executemany(
                "INSERT INTO serverless_snapshot_grants (snapshot_id, kind, grantee) VALUES (?, ?, ?)",
                [(record.row_id, kind, grantee) for grantee in grantees],
            )

    def grant_kinds(self, record: ServerlessSnapshotRecord, account: str) -> set[str]:
        rows = self.db.query(
            "SELECT kind FROM serverless_snapshot_grants WHERE snapshot_id = ? AND grantee = ?", (record.row_id, account)
        )
        return {row[0] for row in rows}

    def is_shared(self, record: ServerlessSnapshotRecord) -> bool:
        return bool(self.db.query("SELECT 1 FROM serverless_snapshot_grants WHERE snapshot_id = ?", (record.row_id,)))
