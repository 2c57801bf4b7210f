"""AWS's redshift_connector against a cluster's endpoint: queries, parameters, DataFrames and every
metadata helper, on both of its metadata paths (SHOW commands when the server announces
`show_discovery`, its own catalog queries otherwise)."""

from __future__ import annotations

import collections
from typing import Iterator

import pandas
import pytest
import redshift_connector

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster


@pytest.fixture(scope="module")
def database(sql_cluster: SqlCluster) -> str:
    name = sql_cluster.fresh_database(__file__)
    with sql_cluster.connect(name) as conn:
        conn.execute("CREATE TABLE orders (id integer PRIMARY KEY, amount decimal(10,2), note varchar(20))"
                     " DISTKEY(id) SORTKEY(id)")
        conn.execute("CREATE VIEW order_notes AS SELECT id, note FROM orders")
        conn.execute("CREATE SCHEMA sales")
        conn.execute("CREATE TABLE sales.items (sku varchar(10), qty smallint)")
        conn.execute("DROP USER IF EXISTS connector_reader")
        conn.execute("CREATE USER connector_reader PASSWORD 'Reader123'")
        conn.execute("GRANT SELECT ON sales.items TO connector_reader")
        conn.execute("GRANT UPDATE ON sales.items TO connector_reader WITH GRANT OPTION")
        conn.execute("GRANT SELECT (qty) ON sales.items TO connector_reader")
        conn.execute("CREATE PROCEDURE sales.restock(amount integer) LANGUAGE plpgsql AS $$ BEGIN PERFORM amount; END; $$")
    return name


def _connect(sql_cluster: SqlCluster, database: str, show_path: bool) -> redshift_connector.Connection:
    conn = redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                      user=MASTER_USER, password=PASSWORD, ssl=False)
    if not show_path:
        # The driver picks its metadata path from the server's show_discovery parameter:
        # without it, it runs its own catalog queries (what clusters before SHOW support get).
        conn.parameter_statuses = collections.deque(
            (name, value) for name, value in conn.parameter_statuses if name != b"show_discovery")
    return conn


@pytest.fixture(scope="module", params=["show", "legacy"])
def cursor(request, sql_cluster: SqlCluster, database: str) -> Iterator[redshift_connector.Cursor]:
    conn = _connect(sql_cluster, database, show_path=request.param == "show")
    conn.autocommit = True
    try:
        yield conn.cursor()
    finally:
        conn.close()


def test_the_server_announces_show_discovery(sql_cluster, database):
    conn = _connect(sql_cluster, database, show_path=True)
    try:
        assert conn.cursor().get_show_discovery_version() >= 4
    finally:
        conn.close()


def test_execute_executemany_and_dataframes_round_trip(sql_cluster, database):
    conn = _connect(sql_cluster, database, show_path=True)
    try:
        cursor = conn.cursor()
        cursor.execute("CREATE TEMP TABLE staged (id integer, amount decimal(10,2), note varchar(20))")
        cursor.executemany("INSERT INTO staged VALUES (%s, %s, %s)", [(i, i * 1.25, f"n{i}") for i in range(1, 6)])
        cursor.write_dataframe(pandas.DataFrame({"id": [6, 7], "amount": [7.5, 8.75], "note": ["six", "seven"]}),
                               "staged")
        cursor.execute("SELECT id, amount, note FROM staged WHERE id > %s ORDER BY id", (3,))
        frame = cursor.fetch_dataframe()
        conn.commit()
    finally:
        conn.close()
    assert list(frame.columns) == ["id", "amount", "note"]
    assert frame["id"].tolist() == [4, 5, 6, 7]
    assert [float(a) for a in frame["amount"]] == [5.0, 6.25, 7.5, 8.75]
    assert frame["note"].tolist() == ["n4", "n5", "six", "seven"]


def test_get_catalogs_and_table_types(cursor):
    catalogs = [row[0] for row in cursor.get_catalogs()]
    assert "test_redshift_connector" in catalogs
    types = [row[0] for row in cursor.get_table_types()]
    assert "TABLE" in types and "VIEW" in types


def test_get_schemas(cursor):
    schemas = {(row[0], row[1]) for row in cursor.get_schemas()}
    assert ("public", "test_redshift_connector") in schemas
    assert ("sales", "test_redshift_connector") in schemas
    assert [row[0] for row in cursor.get_schemas(schema_pattern="sal%")] == ["sales"]


def test_get_tables(cursor):
    tables = {(row[1], row[2], row[3]) for row in cursor.get_tables(schema_pattern="public")}
    assert ("public", "orders", "TABLE") in tables
    assert ("public", "order_notes", "VIEW") in tables
    assert [row[2] for row in cursor.get_tables(schema_pattern="sales", table_name_pattern="it%")] == ["items"]


def test_get_tables_of_some_types(sql_cluster, database):
    # Only the SHOW path filters by type (the driver's own query takes no types).
    conn = _connect(sql_cluster, database, show_path=True)
    try:
        views = conn.cursor().get_tables(schema_pattern="public", types=["VIEW"])
    finally:
        conn.close()
    assert [(row[2], row[3]) for row in views] == [("order_notes", "VIEW")]


def test_get_columns(cursor):
    columns = cursor.get_columns(schema_pattern="public", tablename_pattern="orders")
    # (TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, DATA_TYPE, TYPE_NAME, COLUMN_SIZE, ...)
    described = [(row[3], row[5], row[6]) for row in columns]
    assert described == [("id", "int4", 10), ("amount", "numeric", 10), ("note", "varchar", 20)]
    assert [row[3] for row in cursor.get_columns(schema_pattern="sales", tablename_pattern="items")] == ["sku", "qty"]


def test_get_primary_keys(cursor):
    keys = cursor.get_primary_keys(schema="public", table="orders")
    assert [(row[2], row[3], row[4]) for row in keys] == [("orders", "id", 1)]


def test_informational_keys_take_duplicates_and_stay_in_the_catalog(cursor):
    # Redshift does not enforce PRIMARY KEY and UNIQUE: a load with duplicate keys succeeds, and
    # the keys are still reported (every statement goes through the extended protocol here).
    cursor.execute("DROP TABLE IF EXISTS staged_refs, staged")
    cursor.execute("CREATE TABLE staged (id integer, code varchar(5) UNIQUE, PRIMARY KEY (id))")
    cursor.executemany("INSERT INTO staged VALUES (%s, %s)", [(1, "a"), (1, "a"), (2, None), (2, None)])
    cursor.execute("CREATE TABLE staged_refs (id integer REFERENCES staged (id), code varchar(5))")
    cursor.execute("ALTER TABLE staged_refs ADD PRIMARY KEY (id)")
    cursor.execute("INSERT INTO staged_refs VALUES (%s, %s), (%s, %s)", (1, "a", 1, "a"))
    cursor.execute("SELECT count(*) FROM staged s JOIN staged_refs r ON r.id = s.id")
    assert cursor.fetchone() == [4]
    assert [(row[2], row[3], row[4]) for row in cursor.get_primary_keys(schema="public", table="staged")] == [
        ("staged", "id", 1)]
    assert [(row[2], row[3]) for row in cursor.get_primary_keys(schema="public", table="staged_refs")] == [
        ("staged_refs", "id")]


def test_get_table_and_column_privileges(sql_cluster, database):
    # SHOW GRANTS and SHOW COLUMN GRANTS (the driver has no other path for these). JDBC's rows:
    # catalog, schema, table[, column], grantor, grantee, privilege, is_grantable.
    with _connect(sql_cluster, database, show_path=True) as conn:
        cursor = conn.cursor()
        privileges = cursor.get_table_privileges(schema_pattern="sales", table_name_pattern="items")
        assert sorted((row[2], row[4], row[5], row[6]) for row in privileges) == sorted(
            [("items", "connector_reader", "SELECT", "NO"), ("items", "connector_reader", "UPDATE", "YES")]
            + [("items", MASTER_USER, privilege, "NO")
               for privilege in ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRUNCATE", "UPDATE")])
        columns = cursor.get_column_privileges(schema="sales", table="items", column_name_pattern="q%")
        assert [(row[2], row[3], row[5], row[6]) for row in columns] == [
            ("items", "qty", "connector_reader", "SELECT")]


def test_get_procedures(cursor):
    procedures = cursor.get_procedures(schema_pattern="sales")
    assert [(row[1], row[2]) for row in procedures] == [("sales", "restock")]
