"""The database: reads outside a transaction never wait for a writer; a transaction sees its own
writes; each committed write transaction counts once in ``generation``; wiping every account's
rows and secrets, or some accounts' alone."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from localshift.store.database import Database


def test_a_read_does_not_wait_for_a_write_in_progress(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.sqlite3")
    try:
        with db.transaction() as conn:
            conn.execute("CREATE TABLE probe (x INTEGER)")
        inside, finish = threading.Event(), threading.Event()

        def write() -> None:
            with db.transaction() as conn:
                conn.execute("INSERT INTO probe VALUES (1)")
                # This thread's reads see its write before it is committed.
                assert len(db.query("SELECT x FROM probe")) == 1
                inside.set()
                assert finish.wait(timeout=30)

        writer = threading.Thread(target=write)
        writer.start()
        assert inside.wait(timeout=30)
        before = db.generation
        # Another thread reads at once, and sees what was committed: nothing yet.
        assert db.query("SELECT x FROM probe") == []
        finish.set()
        writer.join(timeout=30)
        assert db.generation == before + 1
        assert len(db.query("SELECT x FROM probe")) == 1
    finally:
        db.close()


def test_a_rolled_back_transaction_changes_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.sqlite3")
    try:
        before = db.generation
        try:
            with db.transaction() as conn:
                conn.execute("CREATE TABLE probe (x INTEGER)")
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass
        assert db.generation == before
    finally:
        db.close()


MINE, THEIRS = "111111111111", "222222222222"


def secret_arn(account: str) -> str:
    return f"arn:aws:secretsmanager:us-east-1:{account}:secret:redshift!c1-admin-abc"


def fill(db: Database) -> None:
    with db.transaction() as conn:
        for account in (MINE, THEIRS):
            conn.execute("INSERT INTO clusters (account, region, identifier, status, attrs) VALUES (?, 'us-east-1', 'c1',"
                         " 'available', '{}')", (account,))
            snapshot = conn.execute(
                "INSERT INTO snapshots (account, region, identifier, cluster_identifier, arn, snapshot_type, status,"
                " create_time, attrs) VALUES (?, 'us-east-1', 's1', 'c1', ?, 'manual', 'available', 't', '{}')",
                (account, f"arn:aws:redshift:us-east-1:{account}:snapshot:c1/s1"),
            ).lastrowid
            conn.execute("INSERT INTO snapshot_grants (snapshot_id, grantee) VALUES (?, '333333333333')", (snapshot,))
            conn.execute("INSERT INTO serverless_tags (resource_arn, key, value) VALUES (?, 'team', 'a')",
                         (f"arn:aws:redshift-serverless:us-east-1:{account}:namespace/abc",))
            conn.execute("INSERT INTO resources (kind, account, region, name, attrs) VALUES ('schedule', ?,"
                         " 'us-east-1', 'daily', ?)", (account, json.dumps({})))
    for account in (MINE, THEIRS):
        db.secrets.put(secret_arn(account), {"username": "admin", "password": "x"})
        db.secrets.put("pending:" + secret_arn(account), {"username": "admin", "password": "y"})


def owners(db: Database, table: str, column: str = "account") -> list[str]:
    return sorted(row[0] for row in db.query(f"SELECT {column} FROM {table}"))


def test_wiping_some_accounts_leaves_the_others_rows_and_secrets(tmp_path):
    db = Database(tmp_path / "localshift.sqlite3")
    try:
        fill(db)
        db.wipe({MINE})
        for table in ("clusters", "snapshots", "resources"):
            assert owners(db, table) == [THEIRS], table
        assert [row[0].split(":")[4] for row in db.query("SELECT resource_arn FROM serverless_tags")] == [THEIRS]
        # Grants go with their snapshots.
        assert len(db.query("SELECT * FROM snapshot_grants")) == 1
        assert db.secrets.get(secret_arn(MINE)) is None and db.secrets.get("pending:" + secret_arn(MINE)) is None
        assert db.secrets.get(secret_arn(THEIRS)) is not None
        assert db.secrets.get("pending:" + secret_arn(THEIRS)) is not None
        db.wipe()
        for table in ("clusters", "snapshots", "snapshot_grants", "serverless_tags", "resources"):
            assert db.query(f"SELECT * FROM {table}") == [], table
        assert db.secrets.get(secret_arn(THEIRS)) is None
    finally:
        db.close()


def test_every_table_is_wiped_by_reset(tmp_path):
    """A table added later must say how its rows name their account (database._TABLES)."""
    from localshift.store.database import _TABLES

    db = Database(tmp_path / "localshift.sqlite3")
    try:
        tables = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                              " AND name NOT LIKE 'sqlite_%'")}
        assert tables == set(_TABLES)
    finally:
        db.close()
