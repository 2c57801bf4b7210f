"""Opening a store migrates it: a store written before passwords were hashed keeps none in plain text."""

from __future__ import annotations

import json
import sqlite3

from localshift.records import password_verifier
from localshift.store.database import Database
from localshift.store.schema import MIGRATIONS
from localshift.store.secrets import pending_key

SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift!managed-admin-abc123"


def old_store(path) -> None:  # type: ignore[no-untyped-def]
    """A store as the version before the password migration wrote it."""
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    rows = [
        ("clusters", "c1", {"master_username": "admin", "master_password": "Plain1Cluster"}),
        ("clusters", "managed", {"master_username": "boss", "master_password": "Made1UpByUs",
                                 "master_password_secret_arn": SECRET}),
    ]
    for table, identifier, attrs in rows:
        conn.execute(f"INSERT INTO {table} (account, region, identifier, status, attrs) VALUES (?, ?, ?, ?, ?)",
                     ("111111111111", "us-east-1", identifier, "available", json.dumps(attrs)))
    conn.execute(
        "INSERT INTO snapshots (account, region, identifier, cluster_identifier, arn, snapshot_type, status,"
        " create_time, attrs) VALUES ('111111111111', 'us-east-1', 's1', 'c1', 'arn', 'manual', 'available', 't', ?)",
        (json.dumps({"master_username": "admin", "cluster_config": {"master_password": "Plain1Cluster"}}),),
    )
    namespace = {"admin_username": None, "admin_password": "Plain1Namespace",
                 "pending": {"credentials": ["bob", "Pending1Pass"],
                             "restore": {"engine_username": "carol", "password": "Restore1Pass"}}}
    conn.execute("INSERT INTO serverless_namespaces (account, region, name, arn, status, attrs)"
                 " VALUES ('111111111111', 'us-east-1', 'ns1', 'arn-ns', 'MODIFYING', ?)", (json.dumps(namespace),))
    conn.execute(
        "INSERT INTO serverless_snapshots (account, region, name, arn, namespace_name, namespace_arn, status,"
        " create_time, attrs) VALUES ('111111111111', 'us-east-1', 'snap', 'arn-snap', 'ns1', 'arn-ns', 'AVAILABLE',"
        " 't', ?)", (json.dumps({"engine_username": "admin", "admin_password": "Plain1Snapshot"}),),
    )
    conn.commit()
    conn.close()


def store_at(path, version: int) -> sqlite3.Connection:  # type: ignore[no-untyped-def]
    """A store as the first ``version`` migrations left it (the SQL ones run; the others only counted)."""
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        if isinstance(script, str):
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        else:
            conn.execute(f"PRAGMA user_version = {number}")
    return conn


def attrs(db: Database, table: str) -> list[dict]:
    return [json.loads(row["attrs"]) for row in db.query(f"SELECT attrs FROM {table} ORDER BY id")]


def test_plain_passwords_become_verifiers_and_managed_ones_move_to_the_secret_store(tmp_path):
    path = tmp_path / "localshift.sqlite3"
    old_store(path)
    db = Database(path)
    try:
        assert db.schema_version == len(MIGRATIONS)
        cluster, managed = attrs(db, "clusters")
        assert cluster["master_password_md5"] == password_verifier("admin", "Plain1Cluster")
        assert managed["master_password_md5"] == password_verifier("boss", "Made1UpByUs")
        assert db.secrets.get(SECRET) == {"username": "boss", "password": "Made1UpByUs"}
        [snapshot] = attrs(db, "snapshots")
        assert snapshot["cluster_config"] == {"master_password_md5": password_verifier("admin", "Plain1Cluster")}
        [namespace] = attrs(db, "serverless_namespaces")
        # A namespace made without adminUsername logs in to its engine as "admin".
        assert namespace["admin_password_md5"] == password_verifier("admin", "Plain1Namespace")
        assert namespace["pending"]["credentials"] == {"username": "bob",
                                                       "password_md5": password_verifier("bob", "Pending1Pass")}
        assert namespace["pending"]["restore"]["password_md5"] == password_verifier("carol", "Restore1Pass")
        [serverless_snapshot] = attrs(db, "serverless_snapshots")
        assert serverless_snapshot["admin_password_md5"] == password_verifier("admin", "Plain1Snapshot")
        assert db.secrets.get(pending_key(SECRET)) is None
    finally:
        db.close()
    # Nothing of the old values is left in the file, free pages included.
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("localshift.sqlite3*"))
    for password in (b"Plain1Cluster", b"Made1UpByUs", b"Plain1Namespace", b"Pending1Pass", b"Restore1Pass",
                     b"Plain1Snapshot"):
        assert password not in stored


def test_an_upgrade_reports_its_progress_and_a_new_store_none(tmp_path):
    old = tmp_path / "old" / "localshift.sqlite3"
    old.parent.mkdir()
    old_store(old)
    heard: list[tuple[int, int]] = []
    Database(old, lambda done, total: heard.append((done, total))).close()
    steps = len(MIGRATIONS) - 2 + 1  # the migrations after the second, then the file's rebuild
    assert heard == [(done, steps) for done in range(steps + 1)]
    fresh: list[tuple[int, int]] = []
    Database(tmp_path / "new.sqlite3", lambda done, total: fresh.append((done, total))).close()
    assert fresh == []


def test_events_kept_before_event_ids_read_back_with_their_categories_as_a_list(tmp_path):
    from datetime import datetime, timezone

    from localshift.store.events import EventRepository

    path = tmp_path / "localshift.sqlite3"
    conn = store_at(path, 5)
    conn.execute("INSERT INTO events (account, region, source_type, source_identifier, date, severity, category,"
                 " message) VALUES ('111111111111', 'us-east-1', 'cluster', 'c1', '2024-05-06T10:07:30.123000+00:00',"
                 " 'ERROR', 'Monitoring', 'Amazon Redshift could not create cluster c1: no engine')")
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        [event] = EventRepository(db).of_source("111111111111", "us-east-1", "cluster", "c1")
        assert event.categories == ("monitoring",) and event.event_id is None and event.severity == "ERROR"
        assert event.date == datetime(2024, 5, 6, 10, 7, 30, 123000, tzinfo=timezone.utc)
        assert event.message == "Amazon Redshift could not create cluster c1: no engine"
    finally:
        db.close()


def test_statements_kept_before_principals_were_stored_belong_to_no_iam_identity(tmp_path):
    """ListStatements' RoleLevel lists by the submitter's IAM identity (migration 8): older statements have
    none, so only callers whose key stands for none list them at role level."""
    from localshift.store.data_api import StatementFilter, StatementRepository

    path = tmp_path / "localshift.sqlite3"
    conn = store_at(path, 7)
    when = "2024-05-06T10:07:30.123000+00:00"
    attrs = {"id": "s-old", "account": "111111111111", "region": "us-east-1", "identity": "AKIDA", "created_at": when,
             "updated_at": when, "parts": [], "database": "dev", "status": "FINISHED"}
    conn.execute("INSERT INTO data_api_statements (id, account, region, identity, status, database, created_at, attrs)"
                 " VALUES ('s-old', '111111111111', 'us-east-1', 'AKIDA', 'FINISHED', 'dev', ?, ?)",
                 (when, json.dumps(attrs)))
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        statements = StatementRepository(db)

        def listed(**wanted: str) -> list[str]:
            return [r.id for r in statements.page("111111111111", "us-east-1", StatementFilter(**wanted), 10, None)[0]]

        assert listed() == listed(principal="") == ["s-old"]
        assert statements.get("s-old").principal == ""  # type: ignore[union-attr]
        assert listed(principal="role/etl-runner") == []
    finally:
        db.close()
