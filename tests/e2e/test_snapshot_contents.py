"""What a snapshot holds, end to end, each from a cluster of its own: every snapshot of an incremental chain
restores exactly its own moment (owners, users' options, a non-default database and master user too), and a
DC2 snapshot leaves out the rows of no-backup tables."""

from __future__ import annotations

from support import OWNER, create_available_cluster, create_available_snapshot
from e2e.restore_support import connect, restore_cluster


def test_a_dc2_snapshot_leaves_out_the_rows_of_no_backup_tables(real):
    client = real.client(OWNER)
    port = create_available_cluster(client, "small", NodeType="dc2.large", NumberOfNodes=1)["Endpoint"]["Port"]
    with connect(port) as conn:
        conn.execute("CREATE TABLE staging (a INT) BACKUP NO")
        conn.execute("CREATE TABLE kept (a INT)")
        conn.execute("INSERT INTO staging VALUES (1), (2)")
        conn.execute("INSERT INTO kept VALUES (1), (2)")
        definition = conn.execute("SHOW TABLE staging").fetchone()
    create_available_snapshot(client, "small-snap", "small")
    # Into an RA3 cluster (DC2's upgrade path): the rows were never in the snapshot.
    restored = restore_cluster(client, "small-back", SnapshotIdentifier="small-snap", NodeType="ra3.xlplus",
                               NumberOfNodes=2)
    with connect(restored) as conn:
        # The table is there, as it was defined, and empty.
        assert conn.execute("SHOW TABLE staging").fetchone() == definition
        assert conn.execute("SELECT (SELECT count(*) FROM staging), (SELECT count(*) FROM kept)").fetchone() == (0, 2)


CHAIN_BUILD = [
    "CREATE USER ana PASSWORD 'Ana1pass12' CONNECTION LIMIT 5 VALID UNTIL '2099-01-01'",
    "ALTER USER ana SET search_path TO mart, public",
    "CREATE USER su PASSWORD 'Super1pass' CREATEUSER",
    "CREATE USER sys PASSWORD 'Sys1pass12' SYSLOG ACCESS UNRESTRICTED",
    "CREATE SCHEMA mart AUTHORIZATION ana",
    "CREATE TABLE mart.big (id BIGINT IDENTITY(1, 1), k INT, v VARCHAR(20)) DISTKEY (k) SORTKEY (id)",
    "INSERT INTO mart.big (k, v) SELECT g % 100, 'v' || g FROM generate_series(1, 1000000) g",
    "ALTER TABLE mart.big OWNER TO ana",
    "CREATE TABLE mart.small (a INT, b VARCHAR(10))",
    "INSERT INTO mart.small VALUES (1, 'x'), (2, 'y')",
    "CREATE TABLE mart.gone (a INT)",
    "INSERT INTO mart.gone VALUES (7)",
    "CREATE TABLE mart.emptied (a INT)",
    "INSERT INTO mart.emptied VALUES (1), (2)",
    "CREATE MATERIALIZED VIEW mart.by_a AS SELECT a, count(*) AS n FROM mart.small GROUP BY a",
    "INSERT INTO mart.small VALUES (3, 'z')",  # the view is stale in the first snapshot
]
# What changes between the chain's two snapshots.
CHAIN_CHANGES = [
    "UPDATE mart.big SET v = 'updated' WHERE id % 10 = 0",
    "DELETE FROM mart.big WHERE id % 7 = 0",
    "TRUNCATE mart.emptied",
    "REFRESH MATERIALIZED VIEW mart.by_a",  # (after the rename below Redshift would refuse: Unrefreshable)
    "ALTER TABLE mart.small ADD COLUMN c INT DEFAULT 5",
    "ALTER TABLE mart.small RENAME COLUMN b TO label",
    "DROP TABLE mart.gone",
    "CREATE USER late PASSWORD 'Late1pass12'",
]
CHAIN_STATE = {
    "users": "SELECT usename, usesuper, usecreatedb, valuntil, useconfig FROM pg_user ORDER BY 1",
    "user options": "SELECT usename, useconnlimit, syslogaccess FROM svl_user_info ORDER BY 1",
    "owners": "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'mart' ORDER BY 1",
    "schema owner": "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'mart'",
    "big": "SELECT count(*), sum(id), max(id), sum(k), count(*) FILTER (WHERE v = 'updated') FROM mart.big",
    "small": "SELECT * FROM mart.small ORDER BY 1",
    "columns": "SELECT table_name, column_name, column_default FROM information_schema.columns"
               " WHERE table_schema = 'mart' ORDER BY 1, ordinal_position",
    "emptied": "SELECT count(*) FROM mart.emptied",
    "gone": "SELECT to_regclass('mart.gone') IS NOT NULL",
    "view": "SELECT name, is_stale, state FROM stv_mv_info",
    "table info": "SELECT \"table\", diststyle, sortkey1, tbl_rows FROM svv_table_info WHERE \"schema\" = 'mart'"
                  " ORDER BY 1",
}


def chain_state(port: int) -> dict[str, list[tuple]]:
    with connect(port, user="boss", db="shop") as conn:
        return {name: conn.execute(query).fetchall() for name, query in CHAIN_STATE.items()}


def test_each_snapshot_of_a_chain_restores_its_own_moment_with_owners_and_user_options(real):
    """Snapshots are incremental (docs/dataplane.md): a large table, then UPDATE, DELETE, TRUNCATE, ALTER
    TABLE, DROP TABLE and a new user between two snapshots; each restores exactly its moment, the first
    one before and the second one after the first is deleted.  Owners, users' options and a non-default
    database and master user come back too."""
    client = real.client(OWNER)
    port = create_available_cluster(client, "chain", MasterUsername="boss", DBName="shop")["Endpoint"]["Port"]
    with connect(port, user="boss", db="shop") as conn:
        for statement in CHAIN_BUILD:
            conn.execute(statement)
    first = chain_state(port)
    create_available_snapshot(client, "chain-1", "chain")
    with connect(port, user="boss", db="shop") as conn:
        for statement in CHAIN_CHANGES:
            conn.execute(statement)
    second = chain_state(port)
    assert first != second and all(first.values()) and all(second.values())
    create_available_snapshot(client, "chain-2", "chain")

    port = restore_cluster(client, "chain-at-1", SnapshotIdentifier="chain-1")
    restored = client.describe_clusters(ClusterIdentifier="chain-at-1")["Clusters"][0]
    assert (restored["DBName"], restored["MasterUsername"]) == ("shop", "boss")
    assert chain_state(port) == first
    with connect(port, user="ana", password="Ana1pass12", db="shop") as conn:
        assert conn.execute("SELECT current_setting('search_path'), count(*) FROM big").fetchone() == (
            "mart, public", 1000000)
    with connect(port, user="su", password="Super1pass", db="shop") as conn:
        assert conn.execute("SELECT usesuper FROM pg_user WHERE usename = current_user").fetchone() == (True,)
    client.delete_cluster_snapshot(SnapshotIdentifier="chain-1")
    assert chain_state(restore_cluster(client, "chain-at-2", SnapshotIdentifier="chain-2")) == second
