"""The store's schema, as an ordered list of migrations.

A database records the number of migrations applied (``PRAGMA user_version``);
opening it applies the ones that are missing, in order, in one transaction
each.  Never edit a released migration: append a new one.
"""

MIGRATIONS: list[str] = [
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
]
