"""AWS's amazon-redshift-utils admin views (github.com/awslabs/amazon-redshift-utils,
src/AdminViews), created as the toolkit writes them in a cluster's database and read back
through the endpoint as the master user: the DDL they generate, the privileges, users,
groups, dependencies and storage they list, for objects the tests create."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from .admin_utils_ddl_views import V_GENERATE_GROUP_DDL, V_GENERATE_SCHEMA_DDL, V_GENERATE_TBL_DDL, V_GENERATE_VIEW_DDL
from .admin_utils_object_views import (TABLE_INFO, V_CONSTRAINT_DEPENDENCY, V_FIND_DROPUSER_OBJS,
                                       V_SPACE_USED_PER_TBL, V_VIEW_DEPENDENCY)
from .admin_utils_privilege_views import (V_GENERATE_USER_GRANT_REVOKE_DDL, V_GET_OBJ_PRIV_BY_USER,
                                         V_GET_SCHEMA_PRIV_BY_USER, V_GET_TBL_PRIV_BY_GROUP, V_GET_TBL_PRIV_BY_USER,
                                         V_GET_USERS_IN_GROUP)
from sql_cluster import SqlCluster

VIEWS = [V_GENERATE_TBL_DDL, V_GENERATE_VIEW_DDL, V_GENERATE_SCHEMA_DDL, V_GENERATE_GROUP_DDL,
         V_GET_OBJ_PRIV_BY_USER, V_GET_TBL_PRIV_BY_USER, V_GET_SCHEMA_PRIV_BY_USER, V_GET_TBL_PRIV_BY_GROUP,
         V_GET_USERS_IN_GROUP, V_GENERATE_USER_GRANT_REVOKE_DDL, V_FIND_DROPUSER_OBJS, V_VIEW_DEPENDENCY,
         V_CONSTRAINT_DEPENDENCY, V_SPACE_USED_PER_TBL]

# Users and groups are the cluster's (the session's): names of this module's own.
SETUP = [
    "CREATE USER au_alice PASSWORD 'Abcdefg1'",
    "CREATE USER au_bob PASSWORD 'Abcdefg1'",
    "CREATE GROUP au_analysts WITH USER au_alice",
    "CREATE SCHEMA sales AUTHORIZATION au_alice",
    "CREATE TABLE sales.orders (order_id bigint IDENTITY(1, 1), customer_id int NOT NULL ENCODE az64,"
    " placed date DEFAULT '2024-01-01', status varchar(20) DEFAULT 'new' NOT NULL ENCODE lzo,"
    " amount decimal(12, 2), PRIMARY KEY (order_id))"
    " DISTSTYLE KEY DISTKEY (customer_id) COMPOUND SORTKEY (placed, order_id)",
    "CREATE TABLE sales.customers (customer_id int NOT NULL, name varchar(100), PRIMARY KEY (customer_id))"
    " DISTSTYLE ALL",
    "CREATE TABLE sales.lines (order_id bigint REFERENCES sales.orders (order_id), qty int, note char(10))"
    " INTERLEAVED SORTKEY (order_id, qty)",
    "CREATE TABLE sales.scratch (a int) BACKUP NO",
    "COMMENT ON TABLE sales.orders IS 'all orders'",
    "COMMENT ON COLUMN sales.orders.amount IS 'gross amount'",
    "CREATE VIEW sales.v_orders AS SELECT order_id, amount FROM sales.orders",
    "GRANT SELECT ON sales.orders TO au_alice",
    "GRANT INSERT, UPDATE ON sales.orders TO GROUP au_analysts",
    "GRANT USAGE ON SCHEMA sales TO au_bob",
    "GRANT SELECT ON sales.v_orders TO au_bob",
    "GRANT CREATE ON SCHEMA sales TO au_bob",
    "ALTER TABLE sales.customers OWNER TO au_bob",
    "ALTER DEFAULT PRIVILEGES FOR USER au_alice IN SCHEMA sales GRANT SELECT ON TABLES TO au_bob",
    "INSERT INTO sales.orders (customer_id, amount) VALUES (1, 10.5), (2, 20)",
    "INSERT INTO sales.customers VALUES (1, 'ann'), (2, 'ben')",
    "CREATE SCHEMA admin",
]
TABLES = ["orders", "customers", "lines", "scratch"]


@pytest.fixture(scope="module")
def cluster_conn(sql_cluster: SqlCluster) -> Iterator[psycopg.Connection]:
    """The master user's connection to a database holding the objects and the toolkit's views."""
    conn = sql_cluster.connect(sql_cluster.fresh_database("admin_utils"))
    try:
        for statement in SETUP + VIEWS:
            conn.execute(statement)
        yield conn
    finally:
        conn.close()


def rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


def test_v_generate_tbl_ddl_writes_a_tables_ddl_as_redshift_does(cluster_conn):
    ddl = [line for (line,) in rows(cluster_conn, "SELECT ddl FROM admin.v_generate_tbl_ddl "
                                    "WHERE schemaname = 'sales' AND tablename = 'orders' ORDER BY seq")]
    table_oid = rows(cluster_conn, "SELECT 'sales.orders'::regclass::oid")[0][0]
    assert ddl == [
        "--DROP TABLE sales.orders;",
        "CREATE TABLE IF NOT EXISTS sales.orders",
        "(",
        # Redshift's catalog writes an IDENTITY column as this default (pg_attrdef.adsrc).
        f"\torder_id BIGINT NOT NULL DEFAULT \"identity\"({table_oid}, 0, '1,1'::text) ENCODE RAW",
        "\t,customer_id INTEGER NOT NULL  ENCODE az64",
        "\t,placed DATE  DEFAULT '2024-01-01'::date ENCODE RAW",
        "\t,status VARCHAR(20) NOT NULL DEFAULT 'new'::character varying ENCODE lzo",
        "\t,amount NUMERIC(12,2)   ENCODE az64",
        "\t,PRIMARY KEY (order_id)",  # PostgreSQL 18's NOT NULL constraints are not listed
        ")",
        "DISTSTYLE KEY",
        " DISTKEY (customer_id)",
        " SORTKEY (",
        "\tplaced",
        "\t, order_id",
        "\t)",
        ";",
        "COMMENT ON column sales.orders.amount IS 'gross amount'; ",
        "COMMENT ON table sales.orders IS 'all orders'; ",
        "ALTER TABLE sales.orders owner to admin;",
    ]


def test_v_generate_tbl_ddl_marks_backup_no_and_writes_foreign_keys_last(cluster_conn):
    scratch = [line for (line,) in rows(cluster_conn, "SELECT ddl FROM admin.v_generate_tbl_ddl "
                                        "WHERE tablename = 'scratch' ORDER BY seq")]
    assert scratch[1] == "--WARNING: This DDL inherited the BACKUP NO property from the source table"
    assert scratch[scratch.index(")") + 1:scratch.index(";")] == ["BACKUP NO", "DISTSTYLE AUTO"]
    lines = [line for (line,) in rows(cluster_conn, "SELECT ddl FROM admin.v_generate_tbl_ddl "
                                      "WHERE tablename = 'lines' ORDER BY seq")]
    assert lines[lines.index(")") + 1:] == [
        "DISTSTYLE AUTO", "INTERLEAVED SORTKEY (", "\torder_id", "\t, qty", "\t)", ";",
        "ALTER TABLE sales.lines owner to admin;",
        # Informational, as Redshift's: no NOT ENFORCED in the text.
        "ALTER TABLE sales.lines ADD FOREIGN KEY (order_id) REFERENCES sales.orders(order_id);"]


def test_v_generate_tbl_ddl_run_again_recreates_the_same_tables(cluster_conn, sql_cluster):
    ddl = "\n".join(line for (line,) in rows(
        cluster_conn, "SELECT ddl FROM admin.v_generate_tbl_ddl WHERE schemaname = 'sales' "
                      "AND ddl NOT LIKE '% owner to %' ORDER BY table_id, seq"))
    shown = {table: rows(cluster_conn, f"SHOW TABLE sales.{table}")[0][0] for table in TABLES}
    with sql_cluster.connect(sql_cluster.fresh_database("admin_utils_replay")) as replay:
        replay.execute("CREATE SCHEMA sales")
        replay.execute(ddl)
        assert {table: rows(replay, f"SHOW TABLE sales.{table}")[0][0] for table in TABLES} == shown
        assert "identity(1,1)" in shown["orders"]
        replay.execute("INSERT INTO sales.orders (customer_id) VALUES (7), (8)")
        assert rows(replay, "SELECT order_id, status FROM sales.orders ORDER BY 1") == [(1, "new"), (2, "new")]
        assert rows(replay, "SELECT count(*) FROM pg_conf WHERE key LIKE 'pg_class_backup_%'") == [(1,)]


def test_v_generate_view_schema_and_group_ddl(cluster_conn):
    assert rows(cluster_conn, "SELECT ddl FROM admin.v_generate_view_ddl WHERE schemaname = 'sales'") == [
        ("--DROP VIEW sales.v_orders;\nCREATE OR REPLACE VIEW sales.v_orders AS\n SELECT order_id,\n"
         "    amount\n   FROM sales.orders;",)]
    assert rows(cluster_conn, "SELECT schemaname, ddl FROM admin.v_generate_schema_ddl "
                              "WHERE schemaname IN ('sales', 'admin')") == [
        ("admin", "CREATE SCHEMA admin AUTHORIZATION admin;"), ("sales", "CREATE SCHEMA sales AUTHORIZATION au_alice;")]
    assert rows(cluster_conn, "SELECT ddl FROM admin.v_generate_group_ddl WHERE groupname = 'au_analysts'") == [
        ("CREATE GROUP au_analysts;",)]
    assert rows(cluster_conn, "SELECT groname, usename FROM admin.v_get_users_in_group "
                              "WHERE groname = 'au_analysts'") == [("au_analysts", "au_alice")]


def test_privilege_views_list_the_grants_of_users_and_groups(cluster_conn):
    assert rows(cluster_conn, "SELECT objectname, usename, sel, ins, upd, del, ref FROM admin.v_get_obj_priv_by_user "
                              "WHERE schemaname = 'sales' AND usename LIKE 'au_%' ORDER BY 1, 2") == [
        ("customers", "au_bob", True, True, True, True, True),  # the owner
        ("orders", "au_alice", True, True, True, False, False),  # INSERT and UPDATE through her group
        ("v_orders", "au_bob", True, False, False, False, False)]
    assert rows(cluster_conn, "SELECT tablename, usename, sel, ins FROM admin.v_get_tbl_priv_by_user "
                              "WHERE schemaname = 'sales' AND usename LIKE 'au_%' ORDER BY 1, 2") == [
        ("customers", "au_bob", True, True), ("orders", "au_alice", True, True)]
    assert rows(cluster_conn, "SELECT usename, cre, usg FROM admin.v_get_schema_priv_by_user "
                              "WHERE schemaname = 'sales' AND usename LIKE 'au_%' ORDER BY 1") == [
        ("au_alice", True, True), ("au_bob", True, True)]
    # Read from the ACL's text, where Redshift writes a group's entry "group <name>=...".
    assert rows(cluster_conn, "SELECT schemaname, object, groupname, sel, upd, ins, del, drp, ref "
                              "FROM admin.v_get_tbl_priv_by_group WHERE groupname = 'au_analysts'") == [
        ("sales", "orders", "au_analysts", False, True, True, False, False, False)]


def test_v_generate_user_grant_revoke_ddl_gives_the_grants_and_revokes(cluster_conn):
    found = rows(cluster_conn, "SELECT objtype, grantor, grantee, ddltype, ddl "
                               "FROM admin.v_generate_user_grant_revoke_ddl "
                               "WHERE schemaname = 'sales' OR objname = 'sales' ORDER BY ddltype, objseq, ddl")
    assert found == [
        ("schema", "au_alice", "au_bob", "grant",
         "SET SESSION AUTHORIZATION au_alice;GRANT ALL on schema sales to au_bob;RESET SESSION AUTHORIZATION;"),
        ("table", "admin", "group au_analysts", "grant",
         "GRANT INSERT on sales.orders to group au_analysts;GRANT UPDATE  on sales.orders to group au_analysts;"),
        ("table", "admin", "au_alice", "grant", "GRANT SELECT  on sales.orders to au_alice;"),
        ("view", "admin", "au_bob", "grant", "GRANT SELECT  on sales.v_orders to au_bob;"),
        ("default acl", "au_alice", "au_bob", "grant",
         "ALTER DEFAULT PRIVILEGES for user au_alice in schema sales GRANT SELECT  on tables to au_bob;"),
        ("default acl", "au_alice", "au_bob", "revoke",
         "ALTER DEFAULT PRIVILEGES for user au_alice in schema sales REVOKE ALL on tables FROM au_bob;"),
        ("table", "admin", "au_alice", "revoke", "REVOKE ALL on sales.orders FROM au_alice;"),
        ("table", "admin", "group au_analysts", "revoke", "REVOKE ALL on sales.orders FROM group au_analysts;"),
        ("view", "admin", "au_bob", "revoke", "REVOKE ALL on sales.v_orders FROM au_bob;"),
        ("schema", "au_alice", "au_bob", "revoke", "REVOKE ALL on schema sales FROM au_bob;"),
    ]


def test_v_find_dropuser_objs_lists_what_a_user_owns(cluster_conn):
    assert rows(cluster_conn, "SELECT objowner, objtype, schemaname, objname, ddl FROM admin.v_find_dropuser_objs "
                              "WHERE objowner LIKE 'au_%' ORDER BY 1, 2") == [
        ("au_alice", "Schema", None, "sales", "alter schema sales owner to "),
        ("au_bob", "Table", "sales", "customers", "alter table sales.customers owner to ")]
    assert rows(cluster_conn, "SELECT count(*) FROM pg_library") == [(0,)]


def test_dependency_views_list_views_and_foreign_keys_on_a_table(cluster_conn):
    assert rows(cluster_conn, "SELECT src_schemaname, src_objectname, dependent_schemaname, dependent_objectname "
                              "FROM admin.v_view_dependency WHERE src_schemaname = 'sales'") == [
        ("sales", "orders", "sales", "v_orders")]
    assert rows(cluster_conn, "SELECT src_objectname, dependent_objectname, constraint_name "
                              "FROM admin.v_constraint_dependency WHERE src_schemaname = 'sales'") == [
        ("orders", "lines", "lines_order_id_fkey")]


def test_v_space_used_per_tbl_counts_blocks_and_rows(cluster_conn):
    assert rows(cluster_conn, "SELECT tablename, megabytes, rowcount, unsorted_rowcount, pct_unsorted, recommendation "
                              "FROM admin.v_space_used_per_tbl WHERE schemaname = 'sales' ORDER BY 1") == [
        ("customers", 1, 2, 2, None, "n/a"),  # no sort key: nothing to be unsorted
        ("lines", None, 0, 0, 0, "n/a"),  # empty: no blocks
        ("orders", 1, 2, 0, 0, "n/a"),
        ("scratch", None, 0, 0, None, "n/a")]
    # STV_BLOCKLIST holds the blocks STV_TBL_PERM counts.
    assert rows(cluster_conn, "SELECT count(*) FROM stv_blocklist b JOIN stv_tbl_perm p ON p.id = b.tbl "
                              "WHERE trim(p.name) = 'orders'") == \
        rows(cluster_conn, "SELECT block_count FROM stv_tbl_perm WHERE trim(name) = 'orders'")


def test_table_info_script_reports_layout_size_and_stale_statistics(cluster_conn):
    # src/AdminScripts/table_info.sql: tables with blocks, and their statistics' staleness
    # (rows against pg_class.reltuples, 0 until the first ANALYZE as in Redshift).
    found = {row[1]: row for row in rows(cluster_conn, TABLE_INFO) if row[0] == "sales"}
    assert sorted(found) == ["customers", "orders"]
    _, _, _, distkey, skew, sortkey, sortkeys, count, mbytes, enc, pct_enc, _, stats_off, unsorted = \
        found["orders"]
    assert (distkey, skew, sortkey, sortkeys, count, mbytes, enc, pct_enc, stats_off, unsorted) == (
        "customer_id", 1, "placed", 2, 2, 1, "Y", 60, 100, 0)  # amount, status and customer_id encoded
    assert found["customers"][3:5] == ("ALL", None)
    cluster_conn.execute("ANALYZE sales.orders")
    found = {row[1]: row for row in rows(cluster_conn, TABLE_INFO) if row[0] == "sales"}
    assert found["orders"][12] == 0


def test_the_catalog_as_the_views_read_it(cluster_conn):
    # Redshift's pg_constraint has no NOT NULL rows (PostgreSQL 18's contype 'n').
    assert rows(cluster_conn, "SELECT conname, contype FROM pg_constraint "
                              "WHERE conrelid = 'sales.orders'::regclass") == [("orders_pkey", "p")]
    assert rows(cluster_conn, "SELECT count(*) FROM pg_class WHERE relname = 'pg_constraint'") == [(1,)]
    # ACL text in Redshift's letters (TRUNCATE is P) with its group entries.
    cluster_conn.execute("GRANT TRUNCATE ON sales.lines TO GROUP au_analysts")
    assert rows(cluster_conn, "SELECT array_to_string(relacl, '|') FROM pg_class "
                              "WHERE oid = 'sales.lines'::regclass") == [
        ("admin=arwdPxt/admin|group au_analysts=P/admin",)]
    assert rows(cluster_conn, "SELECT array_to_string(ARRAY[1, 2], '-')") == [("1-2",)]
    assert rows(cluster_conn, "SELECT pg_get_userbyid(defacluser), defaclobjtype, array_to_string(defaclacl, ',') "
                              "FROM pg_default_acl") == [("au_alice", "r", "au_bob=r/au_alice")]
    # MAKEACLITEM(user id, group id, grantor id, privileges, grant option), Redshift's signature.
    assert rows(cluster_conn, "SELECT u.usename FROM pg_user u, pg_class c WHERE c.oid = 'sales.orders'::regclass "
                              "AND aclcontains(c.relacl, makeaclitem(u.usesysid, 0, c.relowner, 'SELECT', false)) "
                              "AND u.usename LIKE 'au_%'") == [("au_alice",)]
    assert rows(cluster_conn, "SELECT g.groname FROM pg_group g, pg_class c WHERE c.oid = 'sales.orders'::regclass "
                              "AND aclcontains(c.relacl, makeaclitem(0, g.grosysid, c.relowner, 'INSERT', false))") == \
        [("au_analysts",)]
    # A string compared with an OID compares with its text.
    assert rows(cluster_conn, "SELECT count(*) FROM pg_class WHERE oid = '1259' AND '1259' = oid") == [(1,)]
