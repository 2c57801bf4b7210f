"""Restore fidelity, end to end: a source cluster rich in Redshift objects is snapshotted once, and every
kind of restore (same account, a grantee's, into a serverless namespace, a serverless snapshot back into
a cluster, one table at a time) brings back each object as it was: table layouts, identities, users,
groups, roles and their grants, default privileges, views (late-binding ones too), materialized views,
procedures, functions, comments, SUPER and VARBYTE data and a second database; and nothing that
Redshift leaves out (temporary tables, a transaction still open at snapshot time, the query history)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

import psycopg
import pytest

from support import GRANTEE, OWNER, Server, create_available_cluster, create_available_snapshot, wait_for
from e2e.restore_support import PASSWORD, connect, restore_cluster


CHANGED_PASSWORD = "Changed1Pass"
ANALYST_PASSWORD = "Analyst1pass"
HISTORY_MARKER = "SELECT 'restore-fidelity-marker' AS marker"

BUILD = [
    "CREATE USER analyst PASSWORD 'Analyst1pass'",
    "CREATE USER loader PASSWORD 'Loader1pass' CREATEDB",
    "CREATE GROUP readers WITH USER analyst",
    "CREATE ROLE auditor",
    "GRANT ROLE auditor TO analyst",
    "CREATE SCHEMA sales QUOTA 50 GB",
    "CREATE TABLE sales.orders (id BIGINT IDENTITY(1, 1), customer INT NOT NULL ENCODE az64,"
    " placed DATE DEFAULT '2024-01-01', amount DECIMAL(12, 2) ENCODE az64,"
    " note VARCHAR(64) NOT NULL DEFAULT 'none' ENCODE zstd)"
    " DISTSTYLE KEY DISTKEY (customer) COMPOUND SORTKEY (placed, id)",
    "INSERT INTO sales.orders (customer, placed, amount, note)"
    " SELECT g % 7, '2024-01-01'::date + g, g * 1.25, 'n' || g FROM generate_series(1, 50) g",
    "CREATE TABLE sales.events (id INT IDENTITY(100, 5), payload SUPER, raw VARBYTE(16)) DISTSTYLE EVEN",
    "INSERT INTO sales.events (payload, raw) VALUES (JSON_PARSE('{\"a\": [1, 2], \"b\": \"x\"}'), FROM_HEX('cafe')),"
    " (JSON_PARSE('[true, null, 3.5]'), FROM_HEX('00ff'))",
    "CREATE TABLE sales.regions (code CHAR(2) ENCODE bytedict, name VARCHAR(30)) DISTSTYLE ALL SORTKEY (code)",
    "INSERT INTO sales.regions VALUES ('eu', 'Europe'), ('us', 'Americas')",
    "CREATE TABLE sales.ranked (a INT, b INT) INTERLEAVED SORTKEY (a, b)",
    # RA3 snapshots hold no-backup tables whole.
    "CREATE TABLE sales.staging (a INT) BACKUP NO",
    "INSERT INTO sales.staging VALUES (1), (2), (3)",
    "INSERT INTO sales.ranked VALUES (1, 2)",
    "COMMENT ON TABLE sales.orders IS 'Customer orders'",
    "COMMENT ON COLUMN sales.orders.amount IS 'In dollars'",
    "CREATE VIEW sales.big_orders AS SELECT id, amount FROM sales.orders WHERE amount > 30",
    "CREATE VIEW sales.late_orders AS SELECT id, customer FROM sales.orders WITH NO SCHEMA BINDING",
    "CREATE MATERIALIZED VIEW sales.by_customer AS"
    " SELECT customer, count(*) AS n, sum(amount) AS total FROM sales.orders GROUP BY customer",
    "CREATE PROCEDURE sales.add_order(c INT, a DECIMAL(12, 2)) AS $$ BEGIN"
    " INSERT INTO sales.orders (customer, amount) VALUES (c, a); END; $$ LANGUAGE plpgsql",
    "CREATE FUNCTION sales.with_tax(DECIMAL(12, 2)) RETURNS DECIMAL(12, 2) IMMUTABLE AS $$ SELECT $1 * 1.1 $$"
    " LANGUAGE sql",
    "GRANT USAGE ON SCHEMA sales TO GROUP readers",
    "GRANT SELECT ON sales.orders, sales.big_orders TO GROUP readers",
    "GRANT INSERT ON sales.events TO analyst",
    "GRANT SELECT ON sales.by_customer TO ROLE auditor",
    "GRANT EXECUTE ON PROCEDURE sales.add_order(INT, DECIMAL) TO loader",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT ON TABLES TO GROUP readers",
    "CREATE DATABASE archive",
]

# What must be the same after a restore, each a query whose rows are compared (database dev).
FINGERPRINT = {
    "table info": "SELECT \"schema\", \"table\", diststyle, sortkey1, sortkey_num, encoded, tbl_rows"
                  " FROM svv_table_info WHERE \"schema\" = 'sales' ORDER BY 2",
    "table def": "SELECT tablename, \"column\", type, encoding, distkey, sortkey, \"notnull\" FROM pg_table_def"
                 " WHERE schemaname = 'sales' ORDER BY 1, 2",
    "reldiststyle": "SELECT relname, reldiststyle FROM pg_class WHERE relkind = 'r'"
                    " AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'sales') ORDER BY 1",
    "defaults": "SELECT c.relname, d.adnum, d.adsrc FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
                " WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'sales') ORDER BY 1, 2",
    "users": "SELECT usename, usesuper, usecreatedb FROM pg_user ORDER BY 1",
    "groups": "SELECT groname FROM pg_group ORDER BY 1",
    "roles": "SELECT role_name FROM svv_roles ORDER BY 1",
    "role grants": "SELECT user_name, role_name FROM svv_user_grants ORDER BY 1, 2",
    "relation privileges": "SELECT relation_name, privilege_type, identity_name, identity_type"
                           " FROM svv_relation_privileges WHERE namespace_name = 'sales' ORDER BY 1, 2, 3",
    "default privileges": "SELECT schema_name, object_type, privilege_type, grantee_name, grantee_type"
                          " FROM svv_default_privileges ORDER BY 1, 2, 3, 4",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'sales' ORDER BY 1",
    "late-binding columns": "SELECT * FROM pg_get_late_binding_view_cols() cols(view_schema name, view_name name,"
                            " col_name name, col_type varchar, col_num int) ORDER BY 2, 5",
    "materialized view": "SELECT * FROM sales.by_customer ORDER BY 1",
    "materialized view info": "SELECT schema, name, state, autorewrite, autorefresh FROM stv_mv_info",
    "orders ddl": "SHOW TABLE sales.orders",
    "events ddl": "SHOW TABLE sales.events",
    "routines": "SELECT proname, prosrc FROM pg_proc"
                " WHERE pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'sales') ORDER BY 1",
    "function call": "SELECT sales.with_tax(10)",
    "comments": "SELECT obj_description('sales.orders'::regclass), col_description('sales.orders'::regclass, 4)",
    "orders": "SELECT * FROM sales.orders ORDER BY id",
    "super and varbyte": "SELECT id, JSON_SERIALIZE(payload), to_hex(raw) FROM sales.events ORDER BY id",
}


def fingerprint(port: int, password: str = PASSWORD) -> dict[str, list[tuple]]:
    with connect(port, password=password) as conn:
        conn.execute("SET search_path TO sales, public")  # PG_TABLE_DEF shows the search path's tables
        seen = {name: conn.execute(query).fetchall() for name, query in FINGERPRINT.items()}
    with connect(port, password=password, db="archive") as conn:
        seen["archive"] = conn.execute("SELECT * FROM old_orders ORDER BY 1").fetchall()
    return seen


@dataclass
class Source:
    server: Server
    port: int
    snapshot: dict
    expected: dict[str, list[tuple]]


@contextlib.contextmanager
def unfinished_work(port: int) -> Iterator[None]:
    """A session holding a temporary table, and one in a transaction it has not committed, both open while
    the body runs."""
    with connect(port) as temporary, connect(port) as uncommitted:
        temporary.execute("CREATE TEMP TABLE scratch (x INT) DISTSTYLE EVEN")
        temporary.execute("INSERT INTO scratch VALUES (1)")
        uncommitted.autocommit = False
        uncommitted.execute("INSERT INTO sales.orders (customer, note) VALUES (1, 'uncommitted')")
        uncommitted.execute("CREATE TABLE sales.pending (x INT)")
        yield
        uncommitted.rollback()


@pytest.fixture(scope="module")
def source(data_server: Server) -> Source:
    data_server.reset()
    client = data_server.client(OWNER)
    port = create_available_cluster(client, "rich")["Endpoint"]["Port"]
    with connect(port) as conn:
        for statement in BUILD:
            conn.execute(statement)
    with connect(port, db="archive") as conn:
        conn.execute("CREATE TABLE old_orders AS SELECT 1 AS id, 'old' AS what")
    expected = fingerprint(port)
    assert all(expected.values())
    connect(port, user="analyst", password=ANALYST_PASSWORD).close()  # in the connection log
    with connect(port) as conn:
        conn.execute(HISTORY_MARKER)
        # The logs are written off the statement's path, in batches: wait until the marker and the login are in.
        wait_for(lambda: conn.execute(
            "SELECT (SELECT count(*) FROM stl_query WHERE querytxt = %s),"
            " (SELECT count(*) > 0 FROM stl_connection_log WHERE username = 'analyst')",
            (HISTORY_MARKER,)).fetchone() == (1, True))
    with unfinished_work(port):
        snapshot = create_available_snapshot(client, "rich-snap", "rich")
    # The source's master password changes after the snapshot: restores keep the snapshot's.
    client.modify_cluster(ClusterIdentifier="rich", MasterUserPassword=CHANGED_PASSWORD)
    client.get_waiter("cluster_available").wait(ClusterIdentifier="rich", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    return Source(data_server, port, snapshot, expected)


def assert_same_as_source(port: int, source: Source) -> None:
    """Every object of the fingerprint, what a restore leaves out, and the objects still working."""
    assert fingerprint(port) == source.expected
    with connect(port) as conn:
        # Temporary tables and what was uncommitted at snapshot time are not there.
        assert conn.execute("SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relpersistence = 't'").fetchall() == []
        assert conn.execute("SELECT count(*) FROM svv_table_info WHERE \"table\" = 'scratch'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sales.orders WHERE note = 'uncommitted'").fetchone() == (0,)
        assert conn.execute("SELECT to_regclass('sales.pending')").fetchone() == (None,)
        # A restored cluster is a new one: its query history and connection log start empty.
        assert conn.execute("SELECT count(*) FROM stl_query WHERE querytxt = %s", (HISTORY_MARKER,)).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM stl_connection_log WHERE username = 'analyst'").fetchone() == (0,)
        # Identities continue after the snapshot's values; the procedure and the view's refresh work.
        conn.execute("CALL sales.add_order(99, 12.5)")
        new_ids = conn.execute("SELECT id FROM sales.orders WHERE customer = 99").fetchall()
        assert len(new_ids) == 1 and new_ids[0][0] > 50
        assert conn.execute("SELECT count(*) = count(DISTINCT id) FROM sales.orders").fetchone() == (True,)
        conn.execute("INSERT INTO sales.events (payload) VALUES (JSON_PARSE('1'))")
        assert conn.execute("SELECT max(id) FROM sales.events").fetchone()[0] > 105
        conn.execute("REFRESH MATERIALIZED VIEW sales.by_customer")
        assert conn.execute("SELECT n, total FROM sales.by_customer WHERE customer = 99").fetchone() == (1, 12.5)
        assert conn.execute("SELECT count(*) FROM sales.late_orders").fetchone() == (51,)
    # The snapshot's users log in with their passwords and keep exactly their privileges.
    with connect(port, user="analyst", password=ANALYST_PASSWORD) as conn:
        assert conn.execute("SELECT count(*) FROM sales.big_orders").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM sales.orders")
    with pytest.raises(psycopg.OperationalError):
        connect(port, password=CHANGED_PASSWORD)


def test_a_restored_cluster_is_the_snapshot_for_its_owner_and_a_grantee(source):
    owner = source.server.client(OWNER)
    assert_same_as_source(restore_cluster(owner, "same", SnapshotIdentifier="rich-snap"), source)
    owner.authorize_snapshot_access(SnapshotIdentifier="rich-snap", AccountWithRestoreAccess=GRANTEE)
    grantee = source.server.client(GRANTEE)
    assert_same_as_source(restore_cluster(grantee, "theirs", SnapshotIdentifier="rich-snap", OwnerAccount=OWNER),
                          source)


def wait_workgroup(client, name: str) -> int:  # type: ignore[no-untyped-def]
    wait_for(lambda: client.get_workgroup(workgroupName=name)["workgroup"]["status"] == "AVAILABLE", timeout=120)
    return client.get_workgroup(workgroupName=name)["workgroup"]["endpoint"]["port"]


def test_a_namespace_restored_from_the_cluster_snapshot_and_a_cluster_from_its_snapshot_are_the_snapshot(source):
    serverless = source.server.client(OWNER, service="redshift-serverless")
    serverless.create_namespace(namespaceName="rich-ns", adminUsername="other", adminUserPassword="Other1Pass")
    serverless.create_workgroup(workgroupName="rich-wg", namespaceName="rich-ns")
    wait_workgroup(serverless, "rich-wg")
    serverless.restore_from_snapshot(namespaceName="rich-ns", workgroupName="rich-wg",
                                     snapshotArn=source.snapshot["SnapshotArn"])
    wait_for(lambda: serverless.get_namespace(namespaceName="rich-ns")["namespace"]["status"] == "AVAILABLE",
             timeout=120)
    port = wait_workgroup(serverless, "rich-wg")
    # The snapshot replaces the namespace's database, its admin user included.
    assert serverless.get_namespace(namespaceName="rich-ns")["namespace"]["adminUsername"] == "admin"
    with pytest.raises(psycopg.OperationalError):
        connect(port, user="other", password="Other1Pass")
    # The namespace's own snapshot, taken before anything runs there, restores into a provisioned cluster.
    serverless.create_snapshot(namespaceName="rich-ns", snapshotName="rich-ns-snap")
    wait_for(lambda: serverless.get_snapshot(snapshotName="rich-ns-snap")["snapshot"]["status"] == "AVAILABLE",
             timeout=120)
    arn = serverless.get_snapshot(snapshotName="rich-ns-snap")["snapshot"]["snapshotArn"]
    assert_same_as_source(port, source)
    back = restore_cluster(source.server.client(OWNER), "from-ns", SnapshotArn=arn, NodeType="ra3.xlplus",
                           NumberOfNodes=2)
    assert_same_as_source(back, source)


def restore_table(client, table: str, new_table: str) -> dict:  # type: ignore[no-untyped-def]
    """Restore sales.<table> of the snapshot into the source cluster as sales.<new_table>; its final status."""
    request_id = client.restore_table_from_cluster_snapshot(
        ClusterIdentifier="rich", SnapshotIdentifier="rich-snap", SourceDatabaseName="dev", SourceSchemaName="sales",
        SourceTableName=table, TargetSchemaName="sales", NewTableName=new_table,
    )["TableRestoreStatus"]["TableRestoreRequestId"]

    def finished() -> dict | None:
        status = client.describe_table_restore_status(TableRestoreRequestId=request_id)["TableRestoreStatusDetails"][0]
        return status if status["Status"] in ("SUCCEEDED", "FAILED", "CANCELED") else None

    return wait_for(finished, timeout=120)


def test_a_restored_table_keeps_its_definition_and_redshift_attributes_but_not_its_grants(source):
    client = source.server.client(OWNER)
    for table in ("orders", "events"):
        status = restore_table(client, table, f"{table}_back")
        assert status["Status"] == "SUCCEEDED", status
    with connect(source.port, password=CHANGED_PASSWORD) as conn:
        conn.execute("SET search_path TO sales, public")

        def alike(query: str, table: str) -> None:
            """The query's rows are the same for the table and its restored copy."""
            restored = conn.execute(query, (f"{table}_back",)).fetchall()
            assert restored and restored == conn.execute(query, (table,)).fetchall()

        for table in ("orders", "events"):
            alike("SELECT diststyle, sortkey1, sortkey_num, encoded, tbl_rows FROM svv_table_info"
                  " WHERE \"schema\" = 'sales' AND \"table\" = %s", table)
            alike("SELECT \"column\", type, encoding, distkey, sortkey, \"notnull\" FROM pg_table_def"
                  " WHERE tablename = %s ORDER BY \"column\"", table)
            alike("SELECT reldiststyle, relowner FROM pg_class WHERE oid = ('sales.' || %s)::regclass", table)
        # An IDENTITY column's default names its own table's oid: "identity"(<oid>, 0, '1,1'::text).
        alike("SELECT d.adnum, replace(d.adsrc, d.adrelid::text, '<table>') FROM pg_attrdef d"
              " WHERE d.adrelid = ('sales.' || %s)::regclass ORDER BY 1",
              "orders")
        for table in ("orders", "events"):
            ddl = conn.execute(f"SHOW TABLE sales.{table}_back").fetchone()[0]
            assert ddl.replace(f"{table}_back", table) == source.expected[f"{table} ddl"][0][0]
        assert conn.execute("SELECT * FROM sales.orders_back ORDER BY id").fetchall() == source.expected["orders"]
        # Identities keep their step and continue after the rows restored.
        assert conn.execute("INSERT INTO sales.orders_back (customer) VALUES (5) RETURNING id, note").fetchone() == (
            51, "none")
        assert conn.execute("INSERT INTO sales.events_back (payload) VALUES (JSON_PARSE('1')) RETURNING id"
                            ).fetchone() == (110,)
        # Grants and comments stay with the source table (AWS: no dependencies, such as grants, are applied).
        assert conn.execute("SELECT count(*) FROM svv_relation_privileges WHERE namespace_name = 'sales'"
                            " AND relation_name = 'orders_back' AND identity_name <> 'admin'").fetchone() == (0,)
        assert conn.execute("SELECT obj_description('sales.orders_back'::regclass)").fetchone() == (None,)
    # AWS documents that tables with interleaved sort keys can't be restored,
    refused = restore_table(client, "ranked", "ranked_back")
    assert (refused["Status"], refused["Message"]) == (
        "FAILED", "sales.ranked has an interleaved sort key: such tables can't be restored.")
    # And that no-backup tables can't be restored one at a time.
    refused = restore_table(client, "staging", "staging_back")
    assert (refused["Status"], refused["Message"]) == (
        "FAILED", "sales.staging is a no-backup table (BACKUP NO): such tables can't be restored.")
