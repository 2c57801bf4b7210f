"""AWS's Redshift JDBC driver (github.com/aws/amazon-redshift-jdbc-driver), which SQL IDEs
(DBeaver, DataGrip, SQL Workbench/J) and BI tools use, against a cluster's endpoint: the
statements its connection and its DatabaseMetaData methods send, each as the driver builds it.

The driver picks its metadata path from the server's ``show_discovery`` parameter: from 4
(localshift announces 5) getCatalogs, getSchemas, getTables, getColumns, getPrimaryKeys,
getImportedKeys / getExportedKeys, getBestRowIdentifier, getTablePrivileges,
getColumnPrivileges, getProcedures / getProcedureColumns and getFunctions /
getFunctionColumns run SHOW commands as prepared statements (MetadataAPIHelper.java's
SQL_PREP_* texts, MetadataServerProxy.java); below 4, and in drivers from before SHOW, the
same methods send catalog queries of their own (RedshiftDatabaseMetaData.java's *Legacy*
methods).  getTypeInfo, getIndexInfo and getCrossReference have only the catalog queries.

Run here as the driver runs them: a ``?`` is a bind parameter holding a string, bound as
varchar (PreparedStatement.setString), and the statement ends at its ``;`` (the driver's
parser splits there); the catalog queries carry their patterns as quoted literals.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.string import StrDumperVarchar

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster

QUERIES = Path(__file__).parent / "jdbc_metadata"

# MetadataAPIHelper.java: the SHOW commands of the driver's newer path.
SHOW_DATABASES = "SHOW DATABASES;"
SHOW_SCHEMAS_LIKE = "SHOW SCHEMAS FROM DATABASE ? LIKE ?;"
SHOW_TABLES = "SHOW TABLES FROM SCHEMA ?.?;"
SHOW_TABLES_LIKE = "SHOW TABLES FROM SCHEMA ?.? LIKE ?;"
SHOW_COLUMNS = "SHOW COLUMNS FROM TABLE ?.?.?"
SHOW_COLUMNS_LIKE = "SHOW COLUMNS FROM TABLE ?.?.? LIKE ?;"
SHOW_PRIMARY_KEYS = "SHOW CONSTRAINTS PRIMARY KEYS FROM TABLE ?.?.?;"
SHOW_FOREIGN_KEYS = "SHOW CONSTRAINTS FOREIGN KEYS FROM TABLE ?.?.?;"
SHOW_FOREIGN_EXPORTED_KEYS = "SHOW CONSTRAINTS FOREIGN KEYS EXPORTED FROM TABLE ?.?.?;"
SHOW_GRANTS_COLUMN_LIKE = "SHOW COLUMN GRANTS ON TABLE ?.?.? LIKE ?;"
SHOW_GRANTS_TABLE = "SHOW GRANTS ON TABLE ?.?.?;"
SHOW_PROCEDURES_LIKE = "SHOW PROCEDURES FROM SCHEMA ?.? LIKE ?;"
SHOW_FUNCTIONS = "SHOW FUNCTIONS FROM SCHEMA ?.?;"
SHOW_PARAMETERS_PROCEDURE = "SHOW PARAMETERS OF PROCEDURE ?.?.?"
SHOW_PARAMETERS_FUNCTION = "SHOW PARAMETERS OF FUNCTION ?.?.?"
# MetadataAPIHelper.RedshiftDataTypes.VALID_TYPES (those these tests' routines take): the
# driver refuses an argument list naming anything else.
VALID_ARGUMENT_TYPES = {"integer", "int", "int4", "character varying", "varchar", "numeric", "bigint", "super",
                        "varbyte"}


@pytest.fixture(scope="module")
def database(sql_cluster: SqlCluster) -> str:
    name = sql_cluster.fresh_database(__file__)
    with sql_cluster.connect(name) as conn:
        for statement in (
                "CREATE SCHEMA sales",
                "CREATE TABLE sales.customers (id integer NOT NULL PRIMARY KEY, name varchar(40) NOT NULL DEFAULT"
                " 'anon', region char(2), created timestamp DEFAULT getdate(), serial bigint IDENTITY(1, 1))",
                "COMMENT ON TABLE sales.customers IS 'who buys'",
                "COMMENT ON COLUMN sales.customers.name IS 'full name'",
                "CREATE TABLE sales.orders (order_id integer, line smallint, customer_id integer REFERENCES"
                " sales.customers (id), amount decimal(12, 2), paid boolean, note varchar(max),"
                " PRIMARY KEY (order_id, line))",
                "CREATE VIEW sales.big_orders AS SELECT order_id, amount FROM sales.orders WHERE amount > 100",
                "CREATE VIEW sales.lbv AS SELECT id, name FROM sales.customers WITH NO SCHEMA BINDING",
                "CREATE PROCEDURE sales.restock(sku varchar(10), qty integer, OUT total integer) LANGUAGE plpgsql"
                " AS $$ BEGIN total := qty; END; $$",
                "CREATE FUNCTION sales.f_label(integer) RETURNS varchar IMMUTABLE AS $$ SELECT 'n' || $1 $$"
                " LANGUAGE sql",
                "CREATE FUNCTION sales.f_label(integer, varchar) RETURNS varchar IMMUTABLE AS"
                " $$ SELECT $2 || $1 $$ LANGUAGE sql",
                "DROP USER IF EXISTS jdbc_reader",
                "CREATE USER jdbc_reader PASSWORD 'Reader123'",
                "GRANT SELECT ON sales.orders TO jdbc_reader",
                "GRANT SELECT (name) ON sales.customers TO jdbc_reader"):
            conn.execute(statement)
    return name


@pytest.fixture
def jdbc(sql_cluster: SqlCluster, database: str) -> Iterator[psycopg.Connection]:
    """A connection whose strings bind as the driver's setString binds them: varchar."""
    conn = psycopg.connect(host=sql_cluster.host, port=sql_cluster.port, user=MASTER_USER, password=PASSWORD,
                           dbname=database, autocommit=True, row_factory=dict_row, connect_timeout=30)
    conn.adapters.register_dumper(str, StrDumperVarchar)
    try:
        yield conn
    finally:
        conn.close()


def prepared(conn: psycopg.Connection, text: str, *values: str) -> list[dict]:
    """A prepared statement of the driver's: ``?`` bound to ``values``, the text up to its ``;``."""
    return conn.execute(text.split(";")[0].replace("?", "%s"), values).fetchall()


def legacy(conn: psycopg.Connection, name: str) -> list[dict]:
    """A catalog query of the driver's older path, kept as it builds it (jdbc_metadata/*.sql)."""
    return conn.execute((QUERIES / f"{name}.sql").read_text()).fetchall()


def test_connection_statements(jdbc, database):
    # RedshiftConnectionImpl.java: setReadOnly (readOnlyMode "always", the default) sends
    # SET readonly=1 / SET readonly=0; setTransactionIsolation, getSchema and setSchema send
    # the others; ConnectionFactoryImpl.runInitialQueries sets application_name and query_group.
    jdbc.execute("SET application_name = 'DBeaver 24.1.0 - Main'")
    jdbc.execute("SET query_group TO 'ide'")
    assert jdbc.execute("show transaction_read_only").fetchone() == {"transaction_read_only": "off"}
    jdbc.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE")
    jdbc.execute("SET readonly=1")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        jdbc.execute("INSERT INTO sales.orders (order_id, line) VALUES (1, 1)")
    jdbc.execute("SET readonly=0")
    jdbc.execute("INSERT INTO sales.orders (order_id, line) VALUES (1, 1)")
    jdbc.execute("DELETE FROM sales.orders")
    assert jdbc.execute("select current_schema()").fetchone() == {"current_schema": "public"}
    jdbc.execute("SET SESSION search_path TO 'sales'")
    assert jdbc.execute("select current_schema()").fetchone() == {"current_schema": "sales"}
    jdbc.execute("SET SESSION search_path TO DEFAULT")
    assert jdbc.execute("select current_schema()").fetchone() == {"current_schema": "public"}
    assert jdbc.execute("SELECT current_setting('application_name') AS name").fetchone() == {
        "name": "DBeaver 24.1.0 - Main"}


def test_type_info_cache_queries(jdbc):
    # TypeInfoCache.java: getSQLTypeQuery(true), getPGType(String) and getPGArrayType, which
    # the driver runs for a type name or oid it does not know.
    by_name = (
        "SELECT typinput='array_in'::regproc as is_array, typtype, typname "
        "  FROM pg_catalog.pg_type "
        "  LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r "
        "          from pg_namespace as ns "
        "          join ( select s.r, (current_schemas(false))[s.r] as nspname "
        "                   from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r "
        "         using ( nspname ) "
        "       ) as sp "
        "    ON sp.nspoid = typnamespace "
        " WHERE typname = ? "
        " ORDER BY sp.r, pg_type.oid DESC;")
    assert prepared(jdbc, by_name, "int4") == [{"is_array": False, "typtype": "b", "typname": "int4"}]
    assert prepared(jdbc, by_name, "_varchar") == [{"is_array": True, "typtype": "b", "typname": "_varchar"}]
    array_type = ("SELECT t.typarray, arr.typname "
                  "  FROM pg_catalog.pg_type t"
                  "  JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid"
                  "  JOIN pg_catalog.pg_type arr ON arr.oid = t.typarray"
                  " WHERE t.typname = ? AND (n.nspname = ? OR ? AND n.nspname = ANY (current_schemas(true)))"
                  " ORDER BY t.oid DESC LIMIT 1")
    assert jdbc.execute(array_type.replace("?", "%s"), ("int4", "", True)).fetchall() == [
        {"typarray": 1007, "typname": "_int4"}]
    by_oid = ("SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname "
              "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = ?")
    assert list(jdbc.execute(by_oid.replace("?", "%s"), (1043,)).fetchone().values()) == [
        True, "pg_catalog", "varchar"]


def test_get_catalogs_and_schemas(jdbc, database):
    assert database in [row["database_name"] for row in prepared(jdbc, SHOW_DATABASES)]
    schemas = {row["schema_name"]: row for row in prepared(jdbc, SHOW_SCHEMAS_LIKE, database, "%")}
    assert {"public", "sales", "pg_catalog", "information_schema"} <= set(schemas)
    assert "localshift" not in schemas
    assert [row["schema_name"] for row in prepared(jdbc, SHOW_SCHEMAS_LIKE, database, "sal%")] == ["sales"]
    # public belongs to rdsdb, as in Redshift; its ACL names the database's owner (PostgreSQL's
    # pg_database_owner is no role of Redshift's), and every user may create in it (PUBLIC's UC).
    rdsdb = jdbc.execute("SELECT usesysid FROM pg_user WHERE usename = 'rdsdb'").fetchone()["usesysid"]
    master = jdbc.execute("SELECT usesysid FROM pg_user WHERE usename = %s", (MASTER_USER,)).fetchone()["usesysid"]
    assert (schemas["public"]["schema_owner"], schemas["public"]["schema_acl"]) == (
        rdsdb, f"{MASTER_USER}=UC/{MASTER_USER}~=UC/{MASTER_USER}")
    assert schemas["sales"]["schema_owner"] == master
    information_schema = jdbc.execute("SELECT schema_name, schema_owner FROM information_schema.schemata "
                                      "WHERE schema_name !~ '^pg_(toast_)?temp_' ORDER BY 1").fetchall()
    assert [(s["schema_name"], s["schema_owner"]) for s in information_schema if s["schema_name"] != "lake"] == [
        ("information_schema", "rdsdb"), ("pg_catalog", "rdsdb"), ("pg_toast", "rdsdb"), ("public", "rdsdb"),
        ("sales", MASTER_USER)]


def test_get_tables(jdbc, database):
    tables = {row["table_name"]: (row["table_type"], row["remarks"])
              for row in prepared(jdbc, SHOW_TABLES, database, "sales")}
    assert tables == {"big_orders": ("VIEW", None), "customers": ("TABLE", "who buys"), "lbv": ("VIEW", None),
                      "orders": ("TABLE", None)}
    assert [row["table_name"] for row in prepared(jdbc, SHOW_TABLES_LIKE, database, "sales", "cust%")] == [
        "customers"]


def test_get_columns(jdbc, database):
    columns = prepared(jdbc, SHOW_COLUMNS, database, "sales", "customers")
    described = [(c["column_name"], c["ordinal_position"], c["data_type"], c["character_maximum_length"],
                  c["numeric_precision"], c["is_nullable"], c["remarks"]) for c in columns]
    assert described == [
        ("id", 1, "integer", None, 32, "NO", None),
        ("name", 2, "character varying", 40, None, "NO", "full name"),
        ("region", 3, "character", 2, None, "YES", None),
        ("created", 4, "timestamp without time zone", None, None, "YES", None),
        ("serial", 5, "bigint", None, 64, "NO", None)]
    defaults = {c["column_name"]: c["column_default"] for c in columns}
    assert defaults["name"] == "'anon'::character varying"
    assert defaults["created"] == "getdate()"
    # MetadataAPIHelper.getAutoIncrement: IS_AUTOINCREMENT is YES when the default names "identity".
    assert re.fullmatch(r"\"identity\"\(\d+, 4, '1,1'::text\)", defaults["serial"])
    assert [c["column_default"] for c in columns if '"identity"' in (c["column_default"] or "")] == [
        defaults["serial"]]
    amounts = prepared(jdbc, SHOW_COLUMNS_LIKE, database, "sales", "orders", "am%")
    assert [(c["column_name"], c["data_type"], c["numeric_precision"], c["numeric_scale"]) for c in amounts] == [
        ("amount", "numeric", 12, 2)]
    view_columns = prepared(jdbc, SHOW_COLUMNS_LIKE, database, "sales", "big_orders", "%")
    assert [(c["column_name"], c["data_type"]) for c in view_columns] == [
        ("order_id", "integer"), ("amount", "numeric")]


def test_get_primary_imported_and_exported_keys(jdbc, database):
    # getBestRowIdentifier is getPrimaryKeys' columns with SHOW COLUMNS' types.
    keys = prepared(jdbc, SHOW_PRIMARY_KEYS, database, "sales", "orders")
    assert [(k["column_name"], k["key_seq"], k["pk_name"]) for k in keys] == [
        ("order_id", 1, "orders_pkey"), ("line", 2, "orders_pkey")]
    expected = [("customers", "id", "orders", "customer_id", 1, "orders_customer_id_fkey", "customers_pkey")]
    for text, table in ((SHOW_FOREIGN_KEYS, "orders"), (SHOW_FOREIGN_EXPORTED_KEYS, "customers")):
        rows = prepared(jdbc, text, database, "sales", table)
        assert [(r["pk_table_name"], r["pk_column_name"], r["fk_table_name"], r["fk_column_name"], r["key_seq"],
                 r["fk_name"], r["pk_name"]) for r in rows] == expected
    assert prepared(jdbc, SHOW_FOREIGN_KEYS, database, "sales", "customers") == []


def test_get_table_and_column_privileges(jdbc, database):
    grants = prepared(jdbc, SHOW_GRANTS_TABLE, database, "sales", "orders")
    assert ("jdbc_reader", "SELECT") in {(g["identity_name"], g["privilege_type"]) for g in grants}
    assert {g["privilege_type"] for g in grants if g["identity_name"] == "jdbc_reader"} == {"SELECT"}
    columns = prepared(jdbc, SHOW_GRANTS_COLUMN_LIKE, database, "sales", "customers", "%")
    assert [(c["column_name"], c["identity_name"], c["privilege_type"]) for c in columns] == [
        ("name", "jdbc_reader", "SELECT")]


def _parameters(jdbc, base: str, database: str, name: str, argument_list: str | None) -> list[tuple]:
    """MetadataServerProxy.getProcedureColumns / getFunctionColumns: SHOW PARAMETERS with the
    argument types SHOW PROCEDURES / FUNCTIONS listed, each bound (createParameterizedQueryString)."""
    arguments = [a.strip() for a in argument_list.split(",")] if argument_list else []
    assert set(arguments) <= VALID_ARGUMENT_TYPES
    text = f"{base}({', '.join('?' for _ in arguments)});"
    rows = prepared(jdbc, text, database, "sales", name, *arguments)
    return [(r["parameter_name"], r["ordinal_position"], r["parameter_type"], r["data_type"]) for r in rows]


def test_get_procedures_and_procedure_columns(jdbc, database):
    procedures = prepared(jdbc, SHOW_PROCEDURES_LIKE, database, "sales", "%")
    assert [(p["procedure_name"], p["return_type"], p["argument_list"]) for p in procedures] == [
        ("restock", None, "character varying, integer")]
    assert _parameters(jdbc, SHOW_PARAMETERS_PROCEDURE, database, "restock", procedures[0]["argument_list"]) == [
        ("sku", 1, "IN", "character varying"), ("qty", 2, "IN", "integer"), ("total", 3, "OUT", "integer")]


def test_get_functions_and_function_columns_of_each_overload(jdbc, database):
    functions = prepared(jdbc, SHOW_FUNCTIONS, database, "sales")
    assert [(f["function_name"], f["return_type"], f["argument_list"]) for f in functions] == [
        ("f_label", "character varying", "integer"), ("f_label", "character varying", "integer, character varying")]
    assert [_parameters(jdbc, SHOW_PARAMETERS_FUNCTION, database, "f_label", f["argument_list"])
            for f in functions] == [
        [("", 1, "IN", "integer")],
        [("", 1, "IN", "integer"), ("", 2, "IN", "character varying")]]


def test_get_type_info_and_index_info(jdbc):
    # RedshiftDatabaseMetaData.getTypeInfo / getIndexInfo (no SHOW path).
    types = jdbc.execute(
        "SELECT t.typname,t.oid FROM pg_catalog.pg_type t WHERE  t.typname in ("
        "'bool','char','int8','int2','int4','float4','float8','bpchar','varchar','date','time','timestamp',"
        "'timestamptz','numeric','refcursor','geometry','super','varbyte','geography')").fetchall()
    # The driver's 19 names but GEOMETRY and GEOGRAPHY (not supported here); SUPER and VARBYTE
    # under the oids the driver knows them by (Oid.SUPER, Oid.VARBYTE).
    assert sorted((t["typname"], t["oid"]) for t in types) == [
        ("bool", 16), ("bpchar", 1042), ("char", 18), ("date", 1082), ("float4", 700), ("float8", 701),
        ("int2", 21), ("int4", 23), ("int8", 20), ("numeric", 1700), ("refcursor", 1790), ("super", 4000),
        ("time", 1083), ("timestamp", 1114), ("timestamptz", 1184), ("varbyte", 6551), ("varchar", 1043)]
    # TypeInfoCache's lookup of a type it does not know, by oid, finds SUPER's name.
    assert jdbc.execute("SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t"
                        " JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 4000").fetchall() == [
        {"?column?": True, "nspname": "pg_catalog", "typname": "super"}]
    indexes = jdbc.execute(
        "SELECT '' AS TABLE_CAT, '' AS TABLE_SCHEM, '' AS TABLE_NAME, cast('t' as boolean) AS NON_UNIQUE, "
        "'' AS INDEX_QUALIFIER, '' AS INDEX_NAME, cast(0 as smallint) AS TYPE, cast(1 as smallint) AS "
        "ORDINAL_POSITION, '' AS COLUMN_NAME, NULL AS ASC_OR_DESC, 0 AS CARDINALITY, 0 AS PAGES, '' AS "
        "FILTER_CONDITION WHERE (1 = 0)")
    assert indexes.fetchall() == []
    assert [c.name for c in indexes.description][:3] == ["table_cat", "table_schem", "table_name"]


# -- the older path: catalog queries --------------------------------------------------------

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


def test_super_and_varbyte_keep_redshifts_names(jdbc, database):
    # The driver maps type names to JDBC types (super: LONGVARCHAR) and refuses an argument
    # list naming a type it does not know: the names are Redshift's, and bind back.
    jdbc.execute("CREATE SCHEMA IF NOT EXISTS lake")
    jdbc.execute("CREATE TABLE IF NOT EXISTS lake.events (payload super, raw varbyte)")
    jdbc.execute("CREATE OR REPLACE PROCEDURE lake.log_event(payload super, raw varbyte) LANGUAGE plpgsql"
                 " AS $$ BEGIN PERFORM 1; END; $$")
    columns = prepared(jdbc, SHOW_COLUMNS, database, "lake", "events")
    assert [(c["column_name"], c["data_type"]) for c in columns] == [("payload", "super"), ("raw", "varbyte")]
    procedures = prepared(jdbc, SHOW_PROCEDURES_LIKE, database, "lake", "log%")
    assert [p["argument_list"] for p in procedures] == ["super, varbyte"]
    assert set(procedures[0]["argument_list"].split(", ")) <= VALID_ARGUMENT_TYPES
    rows = prepared(jdbc, SHOW_PARAMETERS_PROCEDURE + "(?, ?);", database, "lake", "log_event", "super", "varbyte")
    assert [(r["parameter_name"], r["data_type"]) for r in rows] == [("payload", "super"), ("raw", "varbyte")]
