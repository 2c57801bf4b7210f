"""AWS's Redshift JDBC driver's older metadata path against a cluster's endpoint: below ``show_discovery`` 4, and
in drivers from before SHOW, getSchemas, getTables, getColumns, the keys, getProcedures / getProcedureColumns,
getFunctions / getFunctionColumns, getBestRowIdentifier and getTablePrivileges send catalog queries of their
own (RedshiftDatabaseMetaData.java's *Legacy* methods), kept here as the driver builds them
(jdbc_metadata/*.sql) or with their patterns as quoted literals. The newer path (SHOW commands) is in
test_jdbc_metadata.py."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from sql_cluster import MASTER_USER
from .jdbc_fixtures import database, jdbc  # noqa: F401 (fixtures)


QUERIES = Path(__file__).parent / "jdbc_metadata"


def legacy(conn: psycopg.Connection, name: str) -> list[dict]:
    """A catalog query of the driver's older path, kept as it builds it (jdbc_metadata/*.sql)."""
    return conn.execute((QUERIES / f"{name}.sql").read_text()).fetchall()


def test_legacy_get_schemas_and_tables(jdbc, database):
    # getSchemasLegacyHardcodedQuery(catalog, "sa%")
    schemas = jdbc.execute(
        "SELECT nspname AS TABLE_SCHEM, current_database() AS TABLE_CATALOG FROM pg_catalog.pg_namespace "
        " WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' "
        " OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_' "
        " OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_')) "
        f" AND current_database() = '{database}' AND nspname LIKE 'sa%' ORDER BY TABLE_SCHEM").fetchall()
    assert schemas == [{"table_schem": "sales", "table_catalog": database}]
    # getSchemasLegacyHardcodedQuery(catalog, null): localshift's own schema is not listed.
    every = jdbc.execute(
        "SELECT nspname AS TABLE_SCHEM, current_database() AS TABLE_CATALOG FROM pg_catalog.pg_namespace "
        " WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' "
        " OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_' "
        " OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_')) "
        f" AND current_database() = '{database}' ORDER BY TABLE_SCHEM").fetchall()
    assert [s["table_schem"] for s in every if s["table_schem"] != "lake"] == [
        "information_schema", "pg_catalog", "public", "sales"]
    # buildLocalSchemaTablesQuery(catalog, "sales", "%", {"TABLE", "VIEW"}): its WHERE names
    # the select list's TABLE_SCHEM and TABLE_NAME (Redshift's lateral aliases).
    tables = jdbc.execute(
        "SELECT CAST(current_database() AS VARCHAR(124)) AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS "
        "TABLE_NAME,  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN "
        "n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM "
        "TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'   WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  WHEN n.nspname = "
        "'pg_toast' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TOAST TABLE'   WHEN 'i' THEN 'SYSTEM TOAST INDEX'   "
        "ELSE NULL   END  ELSE CASE c.relkind   WHEN 'r' THEN 'TEMPORARY TABLE'   WHEN 'p' THEN 'TEMPORARY TABLE'   "
        "WHEN 'i' THEN 'TEMPORARY INDEX'   WHEN 'S' THEN 'TEMPORARY SEQUENCE'   WHEN 'v' THEN 'TEMPORARY VIEW'   "
        "ELSE NULL   END  END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED "
        "TABLE'  WHEN 'i' THEN 'INDEX'  WHEN 'S' THEN 'SEQUENCE'  WHEN 'v' THEN 'VIEW'  WHEN 'c' THEN 'TYPE'  "
        "WHEN 'f' THEN 'FOREIGN TABLE'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS "
        "TABLE_TYPE, d.description AS REMARKS,  '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS "
        "SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c  "
        "LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0)  LEFT JOIN "
        "pg_catalog.pg_class dc ON (d.classoid=dc.oid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace "
        "dn ON (dn.oid=dc.relnamespace AND dn.nspname='pg_catalog')  WHERE c.relnamespace = n.oid  AND "
        f"current_database() = '{database}' AND TABLE_SCHEM LIKE 'sales' AND TABLE_NAME LIKE '%' AND (false  OR "
        "( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR ( c.relkind = 'v' "
        "AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )  ORDER BY "
        "TABLE_TYPE,TABLE_SCHEM,TABLE_NAME ").fetchall()
    assert [(t["table_name"], t["table_type"], t["remarks"]) for t in tables] == [
        ("customers", "TABLE", "who buys"), ("orders", "TABLE", None), ("big_orders", "VIEW", None),
        ("lbv", "VIEW", None)]


def test_legacy_get_tables_of_every_type(jdbc):
    # No sequence for the IDENTITY column (Redshift has none); the primary keys' indexes are listed,
    # as the catalog the driver's own getPrimaryKeys reads (pg_index) has them.
    tables = legacy(jdbc, "get_tables_all_types")
    assert [(t["table_name"], t["table_type"]) for t in tables] == [
        ("customers_pkey", "INDEX"), ("orders_pkey", "INDEX"), ("customers", "TABLE"), ("orders", "TABLE"),
        ("big_orders", "VIEW"), ("lbv", "VIEW")]


def test_legacy_get_columns(jdbc):
    # A lateral alias naming a column of the source (DATA_TYPE) leaves later uses of
    # data_type to the column; IS_AUTOINCREMENT reads svv_columns' identity default.
    columns = legacy(jdbc, "get_columns_universal")
    assert [(c["column_name"], c["data_type"], c["type_name"], c["column_size"], c["nullable"],
             c["is_autoincrement"], c["remarks"]) for c in columns] == [
        ("id", 4, "int4", 10, 0, "NO", None),
        ("name", 12, "varchar", 40, 0, "NO", "full name"),
        ("region", 1, "character", 2, 1, "NO", None),
        ("created", 93, "timestamp", 29, 1, "NO", None),
        ("serial", -5, "int8", 19, 0, "YES", None)]
    # A late-binding view's columns come from pg_get_late_binding_view_cols() alone (ISNULL,
    # which Redshift takes for NVL, sizes their varchars).
    view = legacy(jdbc, "get_columns_local_schema")
    assert [(c["column_name"], c["data_type"], c["type_name"], c["column_size"]) for c in view] == [
        ("id", 4, "int4", 10), ("name", 12, "character varying(40)", 40)]


def test_legacy_keys_and_procedures(jdbc, database):
    # getPrimaryKeysLegacyHardcodedQuery(catalog, "sales", "orders")
    keys = jdbc.execute(
        "SELECT current_database() AS TABLE_CAT, n.nspname AS TABLE_SCHEM,  ct.relname AS TABLE_NAME,   "
        "a.attname AS COLUMN_NAME,   a.attnum AS KEY_SEQ,   ci.relname AS PK_NAME   FROM  pg_catalog.pg_namespace n,"
        "  pg_catalog.pg_class ct,  pg_catalog.pg_class ci, pg_catalog.pg_attribute a, pg_catalog.pg_index i WHERE "
        "ct.oid=i.indrelid AND ci.oid=i.indexrelid  AND a.attrelid=ci.oid AND i.indisprimary  AND ct.relnamespace = "
        f"n.oid  AND current_database() = '{database}' AND n.nspname = 'sales' AND ct.relname = 'orders' ORDER BY "
        "table_name, pk_name, key_seq").fetchall()
    assert [(k["column_name"], k["key_seq"], k["pk_name"]) for k in keys] == [
        ("order_id", 1, "orders_pkey"), ("line", 2, "orders_pkey")]
    # getImportedExportedKeys, as getCrossReference(catalog, "sales", "customers", catalog, "sales", "orders")
    references = jdbc.execute(
        "SELECT current_database() AS PKTABLE_CAT, pkn.nspname AS PKTABLE_SCHEM, pkc.relname AS PKTABLE_NAME, "
        "pka.attname AS PKCOLUMN_NAME, current_database() AS FKTABLE_CAT, fkn.nspname AS FKTABLE_SCHEM, fkc.relname "
        "AS FKTABLE_NAME, fka.attname AS FKCOLUMN_NAME, pos.n AS KEY_SEQ, CASE con.confupdtype  WHEN 'c' THEN 0 WHEN "
        "'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 WHEN 'p' THEN 1 WHEN 'a' THEN 3 ELSE NULL END AS UPDATE_RULE, "
        "CASE con.confdeltype  WHEN 'c' THEN 0 WHEN 'n' THEN 2 WHEN 'd' THEN 4 WHEN 'r' THEN 1 WHEN 'p' THEN 1 WHEN "
        "'a' THEN 3 ELSE NULL END AS DELETE_RULE, con.conname AS FK_NAME, pkic.relname AS PK_NAME, CASE  WHEN "
        "con.condeferrable AND con.condeferred THEN 6 WHEN con.condeferrable THEN 5 ELSE 7 END AS DEFERRABILITY  "
        "FROM  pg_catalog.pg_namespace pkn, pg_catalog.pg_class pkc, pg_catalog.pg_attribute pka,  "
        "pg_catalog.pg_namespace fkn, pg_catalog.pg_class fkc, pg_catalog.pg_attribute fka,  pg_catalog.pg_constraint "
        "con,  pg_catalog.generate_series(1, 32) pos(n),  pg_catalog.pg_class pkic, pg_catalog.pg_depend dep  WHERE "
        "pkn.oid = pkc.relnamespace AND pkc.oid = pka.attrelid AND pka.attnum = con.confkey[pos.n] AND con.confrelid "
        "= pkc.oid  AND fkn.oid = fkc.relnamespace AND fkc.oid = fka.attrelid AND fka.attnum = con.conkey[pos.n] AND "
        "con.conrelid = fkc.oid  AND con.contype = 'f' AND pkic.relkind = 'i'  AND con.oid = dep.objid AND pkic.oid "
        "= dep.refobjid AND dep.classid = 'pg_constraint'::regclass::oid AND dep.refclassid = "
        f"'pg_class'::regclass::oid  AND current_database() = '{database}' AND pkn.nspname = 'sales' AND "
        "fkn.nspname = 'sales' AND pkc.relname = 'customers' AND fkc.relname = 'orders' ORDER BY "
        "fkn.nspname,fkc.relname,con.conname,pos.n").fetchall()
    assert [(r["pkcolumn_name"], r["fkcolumn_name"], r["key_seq"], r["fk_name"], r["pk_name"], r["update_rule"],
             r["deferrability"]) for r in references] == [
        ("id", "customer_id", 1, "orders_customer_id_fkey", "customers_pkey", 3, 7)]
    # getProceduresLegacyHardcodedQuery(catalog, "sales", "%")
    procedures = jdbc.execute(
        "SELECT current_database() AS PROCEDURE_CAT, n.nspname AS PROCEDURE_SCHEM, p.proname AS PROCEDURE_NAME, "
        "NULL, NULL, NULL, d.description AS REMARKS,  CASE   WHEN p.prokind='f' or p.proargmodes is not null THEN 2 "
        " WHEN p.prokind='p' THEN 1  ELSE 0  END AS PROCEDURE_TYPE,  p.proname || '_' || p.prooid AS SPECIFIC_NAME  "
        "FROM pg_catalog.pg_namespace n, pg_catalog.pg_proc_info p  LEFT JOIN pg_catalog.pg_description d ON "
        "(p.prooid=d.objoid)  LEFT JOIN pg_catalog.pg_class c ON (d.classoid=c.oid AND c.relname='pg_proc')  LEFT "
        "JOIN pg_catalog.pg_namespace pn ON (c.relnamespace=pn.oid AND pn.nspname='pg_catalog')  WHERE "
        f"p.pronamespace=n.oid  AND current_database() = '{database}' AND n.nspname LIKE 'sales' AND p.proname "
        "LIKE '%' ORDER BY PROCEDURE_SCHEM, PROCEDURE_NAME, p.prooid::text ").fetchall()
    assert [(p["procedure_name"], p["procedure_type"]) for p in procedures] == [
        ("f_label", 2), ("f_label", 2), ("restock", 2)]
    assert all(re.fullmatch(rf"{p['procedure_name']}_\d+", p["specific_name"]) for p in procedures)


def test_legacy_procedure_and_function_columns(jdbc):
    # Their queries pick generate_series's range in a CASE, per procedure: each argument a row,
    # a procedure's OUT argument as OUT (2), its record result first.  A function's arguments
    # have no names (proargnames NULL): the driver lists its result only, one row per overload.
    columns = legacy(jdbc, "get_procedure_columns")
    assert [(c["column_name"], c["column_type"], c["data_type"], c["type_name"], c["ordinal_position"])
            for c in columns] == [
        ("", 0, 1111, "record", 0), ("sku", 1, 12, "character varying", 1), ("qty", 1, 4, "integer", 2),
        ("total", 2, 4, "integer", 3)]
    assert {c["specific_name"] for c in columns} == {columns[0]["specific_name"]}
    results = legacy(jdbc, "get_function_columns")
    assert [(c["function_name"], c["column_type"], c["data_type"], c["type_name"], c["ordinal_position"])
            for c in results] == [("f_label", 5, 12, "character varying", 0)] * 2
    assert len({c["specific_name"] for c in results}) == 2


def test_legacy_functions_best_row_identifier_and_table_privileges(jdbc, database):
    # getFunctionsLegacyHardcodedQuery(catalog, "sales", "f_label")
    functions = jdbc.execute(
        "SELECT routine_catalog AS FUNCTION_CAT,  routine_schema AS FUNCTION_SCHEM,  routine_name AS FUNCTION_NAME, "
        "CAST('' AS VARCHAR(256)) AS REMARKS,  CASE data_type WHEN 'USER-DEFINED' THEN 0 WHEN 'record' THEN 2 ELSE 1 "
        "END AS FUNCTION_TYPE,  specific_name AS SPECIFIC_NAME FROM INFORMATION_SCHEMA.ROUTINES WHERE routine_type "
        f"LIKE 'FUNCTION'  AND current_database() = '{database}' AND  routine_schema LIKE 'sales' AND  routine_name "
        "LIKE 'f_label' ORDER BY routine_catalog, routine_schema, routine_name ").fetchall()
    assert [(f["function_schem"], f["function_name"], f["function_type"]) for f in functions] == [
        ("sales", "f_label", 1), ("sales", "f_label", 1)]
    # getBestRowIdentifierLegacyHardcodedQuery(catalog, "sales", "orders", ...)
    best = jdbc.execute(
        "SELECT a.attname, a.atttypid, a.atttypmod FROM  pg_catalog.pg_namespace n,  pg_catalog.pg_class ct,  "
        "pg_catalog.pg_class ci, pg_catalog.pg_attribute a, pg_catalog.pg_index i WHERE ct.oid=i.indrelid AND "
        "ci.oid=i.indexrelid  AND a.attrelid=ci.oid AND i.indisprimary  AND ct.relnamespace = n.oid  AND "
        f"current_database() = '{database}' AND n.nspname = 'sales' AND ct.relname = 'orders' ORDER BY a.attnum "
    ).fetchall()
    assert [(b["attname"], b["atttypid"]) for b in best] == [("order_id", 23), ("line", 21)]
    # getTablePrivilegesLegacyHardcodedQuery(catalog, "sales", "%"): the driver parses relacl.
    privileges = jdbc.execute(
        "SELECT n.nspname,c.relname,u.usename,c.relacl  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c, "
        "pg_catalog.pg_user u  WHERE c.relnamespace = n.oid  AND c.relowner = u.usesysid  AND c.relkind IN "
        f"('r','p','v','m','f')  AND current_database() = '{database}' AND n.nspname LIKE 'sales' AND c.relname "
        "LIKE '%' ORDER BY nspname, relname ").fetchall()
    acls = {p["relname"]: (p["usename"], p["relacl"]) for p in privileges}
    assert acls["customers"] == (MASTER_USER, None)
    assert "jdbc_reader=r/admin" in acls["orders"][1]
