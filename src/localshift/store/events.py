"""Events in SQL: what happened to a resource, and why (a failed job's reason).

Kept apart from the resources so an event outlives what it is about, as
Redshift's events do (DescribeEvents lists events of deleted clusters too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    category: str  # Management | Monitoring | Configuration | Security | Pending
    message: str


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, event: EventRecord) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO events (account, region, source_type, source_identifier, date, severity, category,"
                " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (event.account, event.region, event.source_type, event.source_identifier, event.date.isoformat(),
                 event.severity, event.category, event.message),
            )

    def of_source(self, account: str, region: str, source_type: str, identifier: str) -> list[EventRecord]:
        rows = self.db.query(
            "SELECT account, region, source_type, source_identifier, date, severity, category, message FROM events"
            " WHERE account = ? AND region = ? AND source_type = ? AND source_identifier = ? ORDER BY id",
            (account, region, source_type, identifier),
        )
        return [EventRecord(*row[:4], datetime.fromisoformat(row[4]), *row[5:]) for row in rows]
