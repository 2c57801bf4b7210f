"""The store's schema, as an ordered list of migrations.

A database records the number of migrations applied (``PRAGMA user_version``);
opening it applies the ones that are missing, in order, in one transaction
each.  A migration is SQL, or a function of the connection and the secret
store for changes SQL cannot make.  Never edit a released migration: append a
new one.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable

from localshift.records import password_verifier
from localshift.store.secrets import SecretStore, pending_key

# A namespace created without adminUsername logs in to its engine as this user.
_DEFAULT_ENGINE_USER = "admin"


def _rewrite(conn: sqlite3.Connection, table: str, change: Callable[[dict[str, Any]], bool]) -> None:
    """Apply ``change`` to every row's attrs, writing back the rows it changed."""
    for row_id, text in conn.execute(f"SELECT id, attrs FROM {table}").fetchall():
        attrs = json.loads(text)
        if change(attrs):
            conn.execute(f"UPDATE {table} SET attrs = ? WHERE id = ?", (json.dumps(attrs), row_id))


def _hash_passwords(conn: sqlite3.Connection, secrets: SecretStore) -> None:
    """Replace every stored master/admin password by its md5 verifier; managed ones move to the secret store."""

    def cluster(attrs: dict[str, Any]) -> bool:
        if "master_password" not in attrs:
            return False
        password, username = attrs.pop("master_password"), attrs["master_username"]
        attrs["master_password_md5"] = password_verifier(username, password)
        if attrs.get("master_password_secret_arn"):
            secrets.put(attrs["master_password_secret_arn"], {"username": username, "password": password})
        return True

    def snapshot(attrs: dict[str, Any]) -> bool:
        config = attrs.get("cluster_config", {})
        if "master_password" not in config:
            return False
        config["master_password_md5"] = password_verifier(attrs["master_username"], config.pop("master_password"))
        return True

    def namespace(attrs: dict[str, Any]) -> bool:
        if "admin_password" not in attrs:
            return False
        username = attrs.get("admin_username") or _DEFAULT_ENGINE_USER
        password = attrs.pop("admin_password")
        attrs["admin_password_md5"] = password_verifier(username, password)
        secret_arn = attrs.get("admin_password_secret_arn")
        if secret_arn:
            secrets.put(secret_arn, {"username": username, "password": password})
        pending = attrs.get("pending", {})
        if "credentials" in pending:
            new_username, new_password = pending["credentials"]
            pending["credentials"] = {"username": new_username,
                                      "password_md5": password_verifier(new_username, new_password)}
            if secret_arn:
                secrets.put(pending_key(secret_arn), {"username": new_username, "password": new_password})
        plan = pending.get("restore")
        if plan is not None and "password" in plan:
            plan["password_md5"] = password_verifier(plan["engine_username"], plan.pop("password"))
        return True

    def serverless_snapshot(attrs: dict[str, Any]) -> bool:
        if "admin_password" not in attrs:
            return False
        username = attrs.get("engine_username", _DEFAULT_ENGINE_USER)
        attrs["admin_password_md5"] = password_verifier(username, attrs.pop("admin_password"))
        return True

    _rewrite(conn, "clusters", cluster)
    _rewrite(conn, "snapshots", snapshot)
    _rewrite(conn, "serverless_namespaces", namespace)
    _rewrite(conn, "serverless_snapshots", serverless_snapshot)


MIGRATIONS: list[str | Callable[[sqlite3.Connection, SecretStore], None]] = [
    # 1: clusters, snapshots, sharing grants and tags.
    """
    CREATE TABLE clusters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        identifier TEXT NOT NULL,
        status TEXT NOT NULL,
        attrs TEXT NOT NULL,
        UNIQUE (account, region, identifier)
    );
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        identifier TEXT NOT NULL,
        cluster_identifier TEXT NOT NULL,
        arn TEXT NOT NULL,
        snapshot_type TEXT NOT NULL,
        status TEXT NOT NULL,
        create_time TEXT NOT NULL,
        total_size REAL NOT NULL DEFAULT 0,
        attrs TEXT NOT NULL,
        UNIQUE (account, region, identifier)
    );
    CREATE INDEX snapshots_by_time ON snapshots (account, region, create_time, id);
    CREATE INDEX snapshots_by_cluster ON snapshots (account, region, cluster_identifier, create_time, id);
    CREATE INDEX snapshots_by_arn ON snapshots (arn);
    CREATE TABLE snapshot_grants (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
        grantee TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, grantee)
    );
    CREATE INDEX snapshot_grants_by_grantee ON snapshot_grants (grantee, snapshot_id);
    CREATE TABLE tags (
        resource_arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        PRIMARY KEY (resource_arn, key)
    );
    CREATE INDEX tags_by_owner ON tags (account, region, resource_type, key);
    """,
    # 2: Redshift Serverless namespaces, workgroups, snapshots, their sharing grants and tags.
    """
    CREATE TABLE serverless_namespaces (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        attrs TEXT NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE TABLE serverless_workgroups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        namespace_name TEXT NOT NULL,
        status TEXT NOT NULL,
        attrs TEXT NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE INDEX serverless_workgroups_by_namespace ON serverless_workgroups (account, region, namespace_name);
    CREATE TABLE serverless_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE,
        namespace_name TEXT NOT NULL,
        namespace_arn TEXT NOT NULL,
        status TEXT NOT NULL,
        create_time TEXT NOT NULL,
        attrs TEXT NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE INDEX serverless_snapshots_by_time ON serverless_snapshots (region, create_time, id);
    CREATE TABLE serverless_snapshot_grants (
        snapshot_id INTEGER NOT NULL REFERENCES serverless_snapshots (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        grantee TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, kind, grantee)
    );
    CREATE INDEX serverless_snapshot_grants_by_grantee ON serverless_snapshot_grants (grantee, snapshot_id);
    CREATE TABLE serverless_tags (
        resource_arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (resource_arn, key)
    );
    """,
    # 3: events (a failed job's reason, kept after its resource is gone).
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source_identifier TEXT NOT NULL,
        date TEXT NOT NULL,
        severity TEXT NOT NULL,
        category TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX events_by_source ON events (account, region, source_type, source_identifier, id);
    """,
    # 4: no master or admin password in plain text: md5 verifiers, managed ones in the secret store.
    _hash_passwords,
    # 5: named resources of many kinds (store/resources.py).
    """
    CREATE TABLE resources (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        attrs TEXT NOT NULL,
        UNIQUE (kind, account, region, name)
    );
    """,
    # 6: events as DescribeEvents lists them: Redshift's event id, categories (a JSON list), the source's ARN;
    # dates as fixed-width UTC text, so they compare as the times do.
    """
    ALTER TABLE events RENAME COLUMN category TO categories;
    UPDATE events SET categories = json_array(lower(categories)),
                      date = strftime('%Y-%m-%dT%H:%M:%fZ', date);
    ALTER TABLE events ADD COLUMN event_id TEXT;
    ALTER TABLE events ADD COLUMN source_arn TEXT;
    CREATE INDEX events_by_date ON events (account, region, date, id);
    CREATE INDEX events_by_age ON events (date);
    """,
    # 7: the Data API's statements (store/data_api.py), temporary database credentials.
    """
    CREATE TABLE data_api_statements (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        identity TEXT NOT NULL,
        status TEXT NOT NULL,
        statement_name TEXT,
        cluster_identifier TEXT,
        workgroup_name TEXT,
        database TEXT,
        client_token TEXT,
        created_at TEXT NOT NULL,
        attrs TEXT NOT NULL
    );
    CREATE INDEX data_api_statements_by_time ON data_api_statements (account, region, created_at, id);
    CREATE INDEX data_api_statements_by_token ON data_api_statements (account, region, client_token);
    CREATE INDEX data_api_statements_by_status ON data_api_statements (status, account, region);
    CREATE TABLE db_credentials (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        engine_key TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attrs TEXT NOT NULL
    );
    """,
    # 8: the IAM identity (role or user) that submitted a Data API statement, which ListStatements'
    # RoleLevel lists by; '' for statements of callers with none (and those submitted before).
    """
    ALTER TABLE data_api_statements ADD COLUMN principal TEXT NOT NULL DEFAULT '';
    """,
]
