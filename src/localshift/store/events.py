"""Events in SQL: what happened to a resource, and why (a failed job's reason).

Kept apart from the resources so an event outlives what it is about, as
Redshift's events do (DescribeEvents lists events of deleted clusters too).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from localshift.store.database import Database

# Source types: Redshift's (DescribeEvents' SourceType) and, for Redshift Serverless, its resource names.
CLUSTER, CLUSTER_SNAPSHOT = "cluster", "cluster-snapshot"
NAMESPACE, WORKGROUP, SERVERLESS_SNAPSHOT = "namespace", "workgroup", "serverless-snapshot"


@dataclass(frozen=True)
class EventRecord:
    account: str
    region: str
    source_type: str
    source_identifier: str
    date: datetime
    severity: str  # ERROR | INFO
    categories: tuple[str, ...]  # configuration | management | monitoring | security | pending
    message: str
    # Redshift's id (REDSHIFT-EVENT-NNNN); None for a failure Redshift has no event for.
    event_id: str | None = None
    source_arn: str | None = None
    row_id: int = 0


@dataclass(frozen=True)
class EventFilter:
    account: str
    region: str
    start: datetime
    end: datetime
    source_type: str | None = None
    source_identifier: str | None = None


def _time_text(value: datetime) -> str:
    # Fixed-width UTC text (milliseconds, as the service clock keeps them) sorts and compares as the times do.
    utc = value.astimezone(timezone.utc) if value.tzinfo else value
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_COLUMNS = "id, account, region, source_type, source_identifier, date, severity, categories, message, event_id, source_arn"


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, event: EventRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO events (account, region, source_type, source_identifier, date, severity, categories,"
                " message, event_id, source_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.account, event.region, event.source_type, event.source_identifier, _time_text(event.date),
                 event.severity, json.dumps(list(event.categories)), event.message, event.event_id, event.source_arn),
            )

    def of_source(self, account: str, region: str, source_type: str, identifier: str) -> list[EventRecord]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM events"
            " WHERE account = ? AND region = ? AND source_type = ? AND source_identifier = ? ORDER BY id",
            (account, region, source_type, identifier),
        )
        return [_to_record(row) for row in rows]

    def page(self, flt: EventFilter, after_id: int, limit: int) -> list[EventRecord]:
        """Events of one account and region between two times (both included), oldest first, after a row id."""
        sql = f"SELECT {_COLUMNS} FROM events WHERE account = ? AND region = ? AND date >= ? AND date <= ? AND id > ?"
        args: list[object] = [flt.account, flt.region, _time_text(flt.start), _time_text(flt.end), after_id]
        if flt.source_type is not None:
            sql += " AND source_type = ?"
            args.append(flt.source_type)
        if flt.source_identifier is not None:
            sql += " AND source_identifier = ?"
            args.append(flt.source_identifier)
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        return [_to_record(row) for row in self.db.query(sql, args)]

    def prune(self, before: datetime) -> None:
        """Forget every event older than ``before``."""
        cutoff = _time_text(before)
        if not self.db.query("SELECT 1 FROM events WHERE date < ? LIMIT 1", (cutoff,)):
            return  # no write when nothing is old: a tick must not make every answer kept stale
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM events WHERE date < ?", (cutoff,))


def _to_record(row: sqlite3.Row) -> EventRecord:
    return EventRecord(
        account=row["account"], region=row["region"], source_type=row["source_type"],
        source_identifier=row["source_identifier"], date=datetime.fromisoformat(row["date"]),
        severity=row["severity"], categories=tuple(json.loads(row["categories"])), message=row["message"],
        event_id=row["event_id"], source_arn=row["source_arn"], row_id=row["id"],
    )
