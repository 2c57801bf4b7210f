"""Cluster snapshots and their sharing grants in SQL."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, replace

from localshift.records import ClusterRecord, SnapshotRecord, record_from_json, record_to_json
from localshift.store import snapshot_listing
from localshift.store.database import Database, DuplicateError, inserted_row_id
from localshift.store.paging import SortKey, after_clause, decode_marker, encode_marker, order_clause
from localshift.store.snapshot_listing import time_text

# Snapshot attributes a caller can sort by, as SQL over the snapshots table.
SORT_KEYS = {
    "SOURCE_TYPE": SortKey("s.snapshot_type"),
    "TOTAL_SIZE": SortKey("s.total_size", kind=float),
    "CREATE_TIME": SortKey("s.create_time"),
}


@dataclass
class SnapshotFilter(snapshot_listing.SnapshotFilter):
    cluster_identifier: str | None = None
    snapshot_identifier: str | None = None
    snapshot_type: str | None = None
    tag_keys: list[str] = field(default_factory=list)
    tag_values: list[str] = field(default_factory=list)
    cluster_exists: bool | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (attribute, descending)


class SnapshotRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, record: SnapshotRecord, arn: str) -> SnapshotRecord:
        try:
            with self.db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO snapshots (account, region, identifier, cluster_identifier, arn, snapshot_type,"
                    " status, create_time, total_size, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.account, record.region, record.identifier, record.cluster_identifier, arn,
                        record.snapshot_type, record.status, time_text(record.create_time),
                        record.total_size_mb, json.dumps(record_to_json(record)),
                    ),
                )
        except sqlite3.IntegrityError:
            raise DuplicateError(record.identifier) from None
        record.row_id = inserted_row_id(cursor)
        return record

    def update(self, record: SnapshotRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE snapshots SET status = ?, create_time = ?, total_size = ?, attrs = ? WHERE id = ?",
                (record.status, time_text(record.create_time), record.total_size_mb,
                 json.dumps(record_to_json(record)), record.row_id),
            )

    def move_to_cluster(self, record: SnapshotRecord, cluster_identifier: str, arn: str) -> None:
        """Report the snapshot under another cluster identifier (its cluster was renamed)."""
        record.cluster_identifier = cluster_identifier
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE snapshots SET cluster_identifier = ?, arn = ?, attrs = ? WHERE id = ?",
                (cluster_identifier, arn, json.dumps(record_to_json(record)), record.row_id),
            )

    def manual_in_progress(self, cluster: ClusterRecord) -> bool:
        """Whether a manual snapshot of the cluster is being taken (found by row id, or by name if older)."""
        rows = self.db.query(
            "SELECT 1 FROM snapshots WHERE account = ? AND region = ? AND snapshot_type = 'manual'"
            " AND status = 'creating' AND (json_extract(attrs, '$.cluster_row_id') = ? OR cluster_identifier = ?)"
            " LIMIT 1",
            (cluster.account, cluster.region, cluster.row_id, cluster.identifier),
        )
        return bool(rows)

    def delete(self, record: SnapshotRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM snapshots WHERE id = ?", (record.row_id,))

    def get(self, account: str, region: str, identifier: str) -> SnapshotRecord | None:
        rows = self.db.query(
            "SELECT id, attrs FROM snapshots WHERE account = ? AND region = ? AND identifier = ?",
            (account, region, identifier),
        )
        return _to_record(rows[0]) if rows else None

    def get_by_id(self, row_id: int) -> SnapshotRecord | None:
        rows = self.db.query("SELECT id, attrs FROM snapshots WHERE id = ?", (row_id,))
        return _to_record(rows[0]) if rows else None

    def get_by_arn(self, arn: str) -> SnapshotRecord | None:
        rows = self.db.query("SELECT id, attrs FROM snapshots WHERE arn = ?", (arn,))
        return _to_record(rows[0]) if rows else None

    def of_cluster(self, account: str, region: str, cluster_identifier: str, snapshot_type: str) -> list[SnapshotRecord]:
        """Snapshots taken of the region's cluster of that name; copies from other regions are not
        (they only carry the name of their cluster there)."""
        rows = self.db.query(
            "SELECT id, attrs FROM snapshots WHERE account = ? AND region = ? AND cluster_identifier = ?"
            " AND snapshot_type = ? AND json_extract(attrs, '$.source_region') IS NULL ORDER BY create_time, id",
            (account, region, cluster_identifier, snapshot_type),
        )
        return [_to_record(row) for row in rows]

    def copies_of(self, cluster: ClusterRecord, region: str, snapshot_type: str) -> list[SnapshotRecord]:
        """Snapshots of the cluster copied into ``region`` (cross-region snapshot copy)."""
        rows = self.db.query(
            "SELECT id, attrs FROM snapshots WHERE account = ? AND region = ? AND snapshot_type = ?"
            " AND json_extract(attrs, '$.source_region') = ? AND json_extract(attrs, '$.cluster_row_id') = ?"
            " ORDER BY id",
            (cluster.account, region, snapshot_type, cluster.region, cluster.row_id),
        )
        return [_to_record(row) for row in rows]

    def automated_copies(self) -> list[SnapshotRecord]:
        """Every automated snapshot copied from another region (each has its own retention period)."""
        rows = self.db.query(
            "SELECT id, attrs FROM snapshots WHERE snapshot_type = 'automated'"
            " AND json_extract(attrs, '$.copy_retention_period') IS NOT NULL ORDER BY id"
        )
        return [_to_record(row) for row in rows]

    def everything(self) -> list[SnapshotRecord]:
        """Every record of every account and region (for reset)."""
        return [_to_record(row) for row in self.db.query("SELECT id, attrs FROM snapshots ORDER BY id")]

    def in_statuses(self, statuses: list[str]) -> list[SnapshotRecord]:
        rows = self.db.query(
            f"SELECT id, attrs FROM snapshots WHERE status IN ({','.join('?' * len(statuses))}) ORDER BY id",
            statuses,
        )
        return [_to_record(row) for row in rows]

    def manual_with_retention(self) -> list[SnapshotRecord]:
        rows = self.db.query(
            "SELECT id, attrs FROM snapshots WHERE snapshot_type = 'manual'"
            " AND json_extract(attrs, '$.manual_snapshot_retention_period') > 0"
        )
        return [_to_record(row) for row in rows]

    def data_keys(self, account: str, region: str) -> list[str]:
        """The data-plane keys of the snapshots one account holds in one region."""
        rows = self.db.query(
            "SELECT json_extract(attrs, '$.data_key') AS data_key FROM snapshots"
            " WHERE account = ? AND region = ? AND json_extract(attrs, '$.data_key') IS NOT NULL",
            (account, region),
        )
        return [row["data_key"] for row in rows]

    def count_manual(self, account: str, region: str) -> int:
        rows = self.db.query(
            "SELECT count(*) FROM snapshots WHERE account = ? AND region = ? AND snapshot_type = 'manual'",
            (account, region),
        )
        return rows[0][0]

    # --- sharing -------------------------------------------------------------
    def grantees(self, record: SnapshotRecord) -> list[str]:
        rows = self.db.query(
            "SELECT grantee FROM snapshot_grants WHERE snapshot_id = ? ORDER BY rowid", (record.row_id,)
        )
        return [row[0] for row in rows]

    def grantees_of_many(self, row_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {row_id: [] for row_id in row_ids}
        if row_ids:
            rows = self.db.query(
                f"SELECT snapshot_id, grantee FROM snapshot_grants WHERE snapshot_id IN ({','.join('?' * len(row_ids))})"
                " ORDER BY rowid",
                row_ids,
            )
            for row in rows:
                found[row[0]].append(row[1])
        return found

    def add_grant(self, record: SnapshotRecord, grantee: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO snapshot_grants (snapshot_id, grantee) VALUES (?, ?)", (record.row_id, grantee))

    def remove_grant(self, record: SnapshotRecord, grantee: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM snapshot_grants WHERE snapshot_id = ? AND grantee = ?", (record.row_id, grantee))

    def is_shared_with(self, record: SnapshotRecord, account: str) -> bool:
        rows = self.db.query(
            "SELECT 1 FROM snapshot_grants WHERE snapshot_id = ? AND grantee = ?", (record.row_id, account)
        )
        return bool(rows)

    # --- describe ------------------------------------------------------------
    def page(self, flt: SnapshotFilter, limit: int, marker: str | None) -> tuple[list[SnapshotRecord], str | None]:
        """One page of the snapshots the filter selects, and the next page's marker.

        The caller's own snapshots and those shared with it are read by two
        queries, each walking an index in page order and stopping after one
        page, then merged: no query sorts every snapshot the caller can see.
        """
        keys = [replace(SORT_KEYS[attribute], descending=descending) for attribute, descending in flt.sort]
        if not flt.sort:
            keys = [SortKey("s.create_time")]
        keys.append(SortKey("s.id", kind=int))
        where, args = _where(flt)
        if marker:
            clause, marker_args = after_clause(keys, decode_marker(marker, [key.kind for key in keys]))
            where.append(clause)
            args.extend(marker_args)
        rows: list[sqlite3.Row] = []
        if flt.owner in (None, flt.caller):
            rows = self._select(keys, [*where, "s.account = ?"], [*args, flt.caller], limit + 1)
        # Manual snapshots of other accounts shared with the caller; tag filters never match them.
        if not (flt.tag_keys or flt.tag_values) and flt.owner != flt.caller:
            shared = ["s.account != ?", "s.id IN (SELECT snapshot_id FROM snapshot_grants WHERE grantee = ?)"]
            shared_args = [flt.caller, flt.caller]
            if flt.owner is not None:
                shared.append("s.account = ?")
                shared_args.append(flt.owner)
            shared_rows = self._select(keys, [*where, *shared], [*args, *shared_args], limit + 1)
            rows = _merge(rows, shared_rows, keys)[: limit + 1]
        records = [_to_record(row) for row in rows[:limit]]
        next_marker = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_marker = encode_marker([last[2 + i] for i in range(len(keys))])
        return records, next_marker

    def _select(self, keys: list[SortKey], where: list[str], args: list[object], limit: int) -> list[sqlite3.Row]:
        columns = ", ".join(k.column for k in keys)
        sql = (
            f"SELECT s.id, s.attrs, {columns} FROM snapshots s WHERE {' AND '.join(where)}"
            f" ORDER BY {order_clause(keys)} LIMIT ?"
        )
        return self.db.query(sql, [*args, limit])


def _merge(first: list[sqlite3.Row], second: list[sqlite3.Row], keys: list[SortKey]) -> list[sqlite3.Row]:
    """Both lists in page order, merged (stable sorts, least significant key first)."""
    merged = [*first, *second]
    for index in reversed(range(len(keys))):
        merged.sort(key=lambda row: row[2 + index], reverse=keys[index].descending)
    return merged


def _where(flt: SnapshotFilter) -> tuple[list[str], list[object]]:
    where = ["s.region = ?"]
    args: list[object] = [flt.region]
    tags_used = bool(flt.tag_keys or flt.tag_values)
    if flt.cluster_identifier is not None:
        where.append("s.cluster_identifier = ?")
        args.append(flt.cluster_identifier)
    if flt.snapshot_identifier is not None:
        where.append("s.identifier = ?")
        args.append(flt.snapshot_identifier)
    if flt.snapshot_type is not None:
        where.append("s.snapshot_type = ?")
        args.append(flt.snapshot_type)
    created_terms, created_args = flt.created_within("s.create_time")
    where.extend(created_terms)
    args.extend(created_args)
    if tags_used:
        tag_terms = ["t.resource_arn = s.arn"]
        if flt.tag_keys:
            tag_terms.append(f"t.key IN ({','.join('?' * len(flt.tag_keys))})")
            args.extend(flt.tag_keys)
        if flt.tag_values:
            tag_terms.append(f"t.value IN ({','.join('?' * len(flt.tag_values))})")
            args.extend(flt.tag_values)
        where.append(f"EXISTS (SELECT 1 FROM tags t WHERE {' AND '.join(tag_terms)})")
    if flt.cluster_exists is not None:
        exists = (
            "EXISTS (SELECT 1 FROM clusters c WHERE c.account = s.account AND c.region = s.region"
            " AND c.identifier = s.cluster_identifier)"
        )
        where.append(exists if flt.cluster_exists else f"NOT {exists}")
    return where, args


def _to_record(row: sqlite3.Row) -> SnapshotRecord:
    return record_from_json(SnapshotRecord, json.loads(row["attrs"]), row["id"])
