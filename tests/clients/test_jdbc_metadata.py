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
methods; test_jdbc_metadata_legacy.py).  getTypeInfo, getIndexInfo and getCrossReference have only the catalog queries.

Run here as the driver runs them: a ``?`` is a bind parameter holding a string, bound as
varchar (PreparedStatement.setString), and the statement ends at its ``;`` (the driver's
parser splits there); the catalog queries carry their patterns as quoted literals.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from sql_cluster import MASTER_USER
from .jdbc_fixtures import database, jdbc  # noqa: F401 (fixtures)


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


def prepared(conn: psycopg.Connection, text: str, *values: str) -> list[dict]:
    """A prepared statement of the driver's: ``?`` bound to ``values``, the text up to its ``;``."""
    return conn.execute(text.split(";")[0].replace("?", "%s"), values).fetchall()


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
