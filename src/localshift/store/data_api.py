"""The Data API's statements, and temporary database credentials, in SQL.

A statement (``StatementRecord``) is what ExecuteStatement or BatchExecuteStatement
submitted: one part per SQL text, each with its own status, times and result (a small
result's rows are kept here, a larger one's in a file beside the store; a part keeps where its
pages start).  Statements are written
without waiting for the disk (``transaction(durable=False)``): their status changes often
and fast, and a crash of the machine losing the last ones is an acceptable price for an
emulator.  They are kept 24 hours (services/data_api).

A temporary credential (GetClusterCredentials and its kin) is kept until it expires, so a
restarted service honours the ones it handed out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Callable, Collection

from localshift.store.database import Database
from localshift.store.paging import SortKey, after_clause, decode_marker, encode_marker, order_clause

SUBMITTED, PICKED, STARTED, FINISHED, FAILED, ABORTED = "SUBMITTED", "PICKED", "STARTED", "FINISHED", "FAILED", "ABORTED"
ACTIVE = (SUBMITTED, PICKED, STARTED)
DONE = (FINISHED, FAILED, ABORTED)


@dataclass
class StatementPart:
    query: str
    status: str = SUBMITTED
    updated_at: datetime | None = None
    duration_ns: int = -1
    error: str | None = None
    result_rows: int = -1
    result_size: int = -1
    has_result_set: bool = False
    redshift_query_id: int = -1
    # The result: its columns as ColumnMetadata, its rows (their text when small, else the file
    # of them), and where each page of them starts ([byte offset, first row]); the end of the
    # rows ends the last one.
    columns: list[dict[str, Any]] = field(default_factory=list)
    result_text: str | None = None
    result_file: str | None = None
    pages: list[list[int]] = field(default_factory=list)


@dataclass
class StatementRecord:
    id: str
    account: str
    region: str
    identity: str  # the access key that submitted it
    created_at: datetime
    updated_at: datetime
    parts: list[StatementPart]
    database: str
    is_batch: bool = False
    status: str = SUBMITTED
    cluster_identifier: str | None = None
    workgroup_name: str | None = None
    db_user: str | None = None
    secret_arn: str | None = None
    statement_name: str | None = None
    parameters: list[dict[str, str]] | None = None
    result_format: str = "JSON"
    client_token: str | None = None
    fingerprint: str = ""  # of the request, to tell a retry (same ClientToken) from a reuse
    principal: str = ""  # the IAM role or user the access key stands for ("role/<name>"); '': none known
    session_id: str | None = None
    with_event: bool = False
    redshift_pid: int = 0
    error: str | None = None
    duration_ns: int = -1
    refused: bool = False  # FAILED as it was submitted (ExecuteStatementException): no worker ran it


_PART_TIMES = ("updated_at",)
_RECORD_TIMES = ("created_at", "updated_at")
_NEWEST_FIRST = (SortKey("created_at", descending=True), SortKey("id", descending=True))


def _to_json(record: StatementRecord, mask: Callable[[str], str]) -> str:
    # Shallow copies (dataclasses.asdict copies deeply, a tenth of a millisecond per statement).
    data = dict(vars(record))
    for name in _RECORD_TIMES:
        data[name] = data[name].isoformat()
    data["parts"] = [dict(vars(part), query=mask(part.query),
                          updated_at=part.updated_at.isoformat() if part.updated_at else None)
                     for part in record.parts]
    return json.dumps(data)


def _from_json(text: str) -> StatementRecord:
    data = json.loads(text)
    known = {f.name for f in fields(StatementPart)}
    parts = []
    for part in data.pop("parts"):
        part = {k: v for k, v in part.items() if k in known}
        if part.get("updated_at"):
            part["updated_at"] = datetime.fromisoformat(part["updated_at"])
        parts.append(StatementPart(**part))
    for name in _RECORD_TIMES:
        data[name] = datetime.fromisoformat(data[name])
    known = {f.name for f in fields(StatementRecord)}
    return StatementRecord(parts=parts, **{k: v for k, v in data.items() if k in known})


def _key_time(when: datetime) -> str:
    """Times as the index sorts them: fixed-width UTC text."""
    return when.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class StatementFilter:
    status: str | None = None  # None: every status
    name_prefix: str | None = None
    identity: str | None = None  # None: every identity of the account
    principal: str | None = None  # None: every IAM identity of the account
    cluster_identifier: str | None = None
    workgroup_name: str | None = None
    database: str | None = None


class StatementRepository:
    """``mask``: what of a statement's SQL is stored (the services give their password masking: the SQL
    in clear lives only in the memory of the worker that runs it; a statement read back never runs)."""

    def __init__(self, db: Database, mask: Callable[[str], str] = str) -> None:
        self.db = db
        self.mask = mask

    def insert(self, record: StatementRecord) -> None:
        with self.db.transaction(durable=False) as conn:
            conn.execute(
                "INSERT INTO data_api_statements (id, account, region, identity, principal, status, statement_name,"
                " cluster_identifier, workgroup_name, database, client_token, created_at, attrs)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.account, record.region, record.identity, record.principal, record.status,
                 record.statement_name, record.cluster_identifier, record.workgroup_name, record.database,
                 record.client_token, _key_time(record.created_at), _to_json(record, self.mask)))

    def update(self, record: StatementRecord) -> None:
        with self.db.transaction(durable=False) as conn:
            conn.execute("UPDATE data_api_statements SET status = ?, attrs = ? WHERE id = ?",
                         (record.status, _to_json(record, self.mask), record.id))

    def get(self, statement_id: str) -> StatementRecord | None:
        rows = self.db.query("SELECT attrs FROM data_api_statements WHERE id = ?", (statement_id,))
        return _from_json(rows[0]["attrs"]) if rows else None

    def by_client_token(self, account: str, region: str, token: str, since: datetime) -> StatementRecord | None:
        rows = self.db.query(
            "SELECT attrs FROM data_api_statements WHERE account = ? AND region = ? AND client_token = ?"
            " AND created_at >= ? ORDER BY created_at DESC LIMIT 1", (account, region, token, _key_time(since)))
        return _from_json(rows[0]["attrs"]) if rows else None

    def active_count(self, account: str, region: str, cluster_identifier: str | None, workgroup_name: str | None) -> int:
        rows = self.db.query(
            "SELECT count(*) AS n FROM data_api_statements WHERE status IN (?, ?, ?) AND account = ? AND region = ?"
            " AND cluster_identifier IS ? AND workgroup_name IS ?",
            (*ACTIVE, account, region, cluster_identifier, workgroup_name))
        return int(rows[0]["n"])

    def active(self) -> list[StatementRecord]:
        rows = self.db.query("SELECT attrs FROM data_api_statements WHERE status IN (?, ?, ?)", ACTIVE)
        return [_from_json(row["attrs"]) for row in rows]

    def of_accounts(self, accounts: Collection[str]) -> list[StatementRecord]:
        marks = ",".join("?" * len(accounts))
        rows = self.db.query(f"SELECT attrs FROM data_api_statements WHERE account IN ({marks})", tuple(accounts))
        return [_from_json(row["attrs"]) for row in rows]

    def newest(self, limit: int, account: str | None = None) -> list[StatementRecord]:
        """The newest statements of every account (or of ``account`` alone), newest first."""
        where, args = ("WHERE account = ?", [account]) if account is not None else ("", [])
        rows = self.db.query(f"SELECT attrs FROM data_api_statements {where}"
                             f" ORDER BY {order_clause(_NEWEST_FIRST)} LIMIT ?", (*args, limit))
        return [_from_json(row["attrs"]) for row in rows]

    def older_than(self, when: datetime) -> list[StatementRecord]:
        rows = self.db.query("SELECT attrs FROM data_api_statements WHERE created_at < ?", (_key_time(when),))
        return [_from_json(row["attrs"]) for row in rows]

    def delete(self, statement_ids: list[str]) -> None:
        with self.db.transaction(durable=False) as conn:
            conn.executemany("DELETE FROM data_api_statements WHERE id = ?", [(i,) for i in statement_ids])

    def page(self, account: str, region: str, wanted: StatementFilter, limit: int,
             marker: str | None) -> tuple[list[StatementRecord], str | None]:
        """One page of an account's statements, newest first; the marker of the next page."""
        sql = "SELECT created_at, id, attrs FROM data_api_statements WHERE account = ? AND region = ?"
        args: list[Any] = [account, region]
        for column, value in (("status", wanted.status), ("identity", wanted.identity), ("principal", wanted.principal),
                              ("cluster_identifier", wanted.cluster_identifier),
                              ("workgroup_name", wanted.workgroup_name), ("database", wanted.database)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        if wanted.name_prefix:
            sql += " AND substr(statement_name, 1, ?) = ?"  # case-sensitive, as AWS matches it
            args += [len(wanted.name_prefix), wanted.name_prefix]
        if marker is not None:
            clause, values = after_clause(_NEWEST_FIRST, decode_marker(marker, (str, str)))
            sql += " AND " + clause
            args += values
        rows = self.db.query(f"{sql} ORDER BY {order_clause(_NEWEST_FIRST)} LIMIT ?", (*args, limit + 1))
        records = [_from_json(row["attrs"]) for row in rows[:limit]]
        more = len(rows) > limit
        return records, encode_marker([rows[limit - 1]["created_at"], rows[limit - 1]["id"]]) if more else None


class CredentialRepository:
    """Temporary database credentials handed out, until they expire."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, engine_key: str, now: datetime, expires_at: datetime, attrs: dict[str, Any]) -> None:
        """Keep a credential (and forget those expired by ``now``)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM db_credentials WHERE expires_at <= ?", (_key_time(now),))
            conn.execute("INSERT INTO db_credentials (engine_key, expires_at, attrs) VALUES (?, ?, ?)",
                         (engine_key, _key_time(expires_at), json.dumps(attrs)))

    def unexpired(self, now: datetime) -> list[tuple[str, datetime, dict[str, Any]]]:
        """(engine key, expiry, attributes) of every credential still valid at ``now``."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM db_credentials WHERE expires_at <= ?", (_key_time(now),))
        rows = self.db.query("SELECT engine_key, expires_at, attrs FROM db_credentials ORDER BY id")
        return [(row["engine_key"], datetime.fromisoformat(row["expires_at"]), json.loads(row["attrs"])) for row in rows]
