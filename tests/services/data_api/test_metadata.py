"""ListDatabases, ListSchemas, ListTables, DescribeTable: the catalog as the user sees it, paged."""

from __future__ import annotations

import pytest

from .conftest import DATABASE, DataApi, code_of, error_of


@pytest.fixture(scope="module")
def catalog(data_server) -> DataApi:
    data = DataApi(data_server)
    data.ok("CREATE DATABASE meta_other")
    data.ok("CREATE SCHEMA meta_sales")
    data.ok("CREATE SCHEMA meta_stock")
    for name in ("orders", "order_lines", "customers"):
        data.ok(f"CREATE TABLE meta_sales.{name} (id int NOT NULL, note varchar(30) DEFAULT 'none', total numeric(10, 2))")
    data.ok("CREATE VIEW meta_sales.big_orders AS SELECT * FROM meta_sales.orders WHERE total > 100")
    data.ok("CREATE TABLE meta_stock.items (sku char(8), price float8)")
    return data


def target(database: str = DATABASE, **extra):  # type: ignore[no-untyped-def]
    return {"ClusterIdentifier": "dapi", "Database": database, "DbUser": "admin", **extra}


def test_list_databases(catalog: DataApi):
    databases = catalog.list_databases(**target())["Databases"]
    assert "dev" in databases and "meta_other" in databases
    assert "template0" not in databases and "postgres" not in databases
    pages = list(catalog.get_paginator("list_databases").paginate(**target(), PaginationConfig={"PageSize": 1}))
    assert [name for page in pages for name in page["Databases"]] == sorted(databases)


def test_list_schemas_with_patterns(catalog: DataApi):
    assert catalog.list_schemas(**target(), SchemaPattern="meta\\_%")["Schemas"] == ["meta_sales", "meta_stock"]
    assert catalog.list_schemas(**target(), SchemaPattern="meta_s_les")["Schemas"] == ["meta_sales"]
    everything = catalog.list_schemas(**target())["Schemas"]
    assert {"public", "pg_catalog", "information_schema", "meta_sales"} <= set(everything)
    assert everything == sorted(everything)
    assert catalog.list_schemas(**target("meta_other"), SchemaPattern="meta%")["Schemas"] == []  # another database


def test_list_tables_with_patterns_and_types(catalog: DataApi):
    tables = catalog.list_tables(**target(), SchemaPattern="meta%")["Tables"]
    assert tables == [
        {"schema": "meta_sales", "name": "big_orders", "type": "VIEW"},
        {"schema": "meta_sales", "name": "customers", "type": "TABLE"},
        {"schema": "meta_sales", "name": "order_lines", "type": "TABLE"},
        {"schema": "meta_sales", "name": "orders", "type": "TABLE"},
        {"schema": "meta_stock", "name": "items", "type": "TABLE"},
    ]
    assert [t["name"] for t in catalog.list_tables(**target(), TablePattern="order%")["Tables"]] == ["order_lines", "orders"]
    assert [t["name"] for t in catalog.list_tables(**target(), TablePattern="order_")["Tables"]] == ["orders"]
    system = catalog.list_tables(**target(), SchemaPattern="pg_catalog", TablePattern="pg_class")["Tables"]
    assert system == [{"schema": "pg_catalog", "name": "pg_class", "type": "SYSTEM TABLE"}]
    pages = list(catalog.get_paginator("list_tables").paginate(**target(), SchemaPattern="meta%",
                                                                PaginationConfig={"PageSize": 2}))
    assert [len(p["Tables"]) for p in pages] == [2, 2, 1]
    assert [t for p in pages for t in p["Tables"]] == tables
    assert code_of(catalog.list_tables, **target(), NextToken="junk") == "ValidationException"


def test_describe_table(catalog: DataApi):
    described = catalog.describe_table(**target(), Schema="meta_sales", Table="orders")
    assert described["TableName"] == "orders"
    assert described["ColumnList"] == [
        {"name": "id", "typeName": "int4", "precision": 10, "scale": 0, "length": 0, "nullable": 0,
         "isCaseSensitive": False, "isSigned": True, "isCurrency": False, "schemaName": "meta_sales",
         "tableName": "orders"},
        {"name": "note", "typeName": "varchar", "precision": 30, "scale": 0, "length": 30, "nullable": 1,
         "isCaseSensitive": True, "isSigned": False, "isCurrency": False, "schemaName": "meta_sales",
         "tableName": "orders", "columnDefault": "'none'::character varying"},
        {"name": "total", "typeName": "numeric", "precision": 10, "scale": 2, "length": 0, "nullable": 1,
         "isCaseSensitive": False, "isSigned": True, "isCurrency": False, "schemaName": "meta_sales",
         "tableName": "orders"},
    ]
    pages = list(catalog.get_paginator("describe_table").paginate(**target(), Schema="meta_sales",
                                                                  PaginationConfig={"PageSize": 4}))
    columns = [(c["tableName"], c["name"]) for p in pages for c in p["ColumnList"]]
    assert [len(p["ColumnList"]) for p in pages] == [4, 4, 4]  # four relations of three columns
    assert columns[:3] == [("big_orders", "id"), ("big_orders", "note"), ("big_orders", "total")]
    assert catalog.describe_table(**target(), Schema="meta_sales", Table="no_such")["ColumnList"] == []
    # AWS's own example: a column of an unbounded type (information_schema's domain) is as long as its
    # precision, and not case-sensitive; nor is SUPER's, as in a result's ColumnMetadata.
    [feature_id, *_] = catalog.describe_table(**target(), Schema="information_schema", Table="sql_features")["ColumnList"]
    assert feature_id == {"name": "feature_id", "typeName": "character_data", "precision": 2147483647, "scale": 0,
                          "length": 2147483647, "nullable": 1, "isCaseSensitive": False, "isSigned": False,
                          "isCurrency": False, "schemaName": "information_schema", "tableName": "sql_features"}
    catalog.ok("CREATE TABLE meta_documents (doc super)")
    [doc] = catalog.describe_table(**target(), Table="meta_documents")["ColumnList"]
    assert (doc["typeName"], doc["length"], doc["isCaseSensitive"]) == ("super", 2147483647, False)
    [result_doc] = catalog.get_statement_result(Id=catalog.ok("SELECT doc FROM meta_documents")["Id"])["ColumnMetadata"]
    assert (result_doc["typeName"], result_doc["isCaseSensitive"]) == ("super", False)


def test_catalog_calls_need_a_reachable_target(catalog: DataApi):
    assert code_of(catalog.list_schemas, ClusterIdentifier="nope", Database=DATABASE) == "ValidationException"
    assert code_of(catalog.list_tables, **target("no_such_database")) == "DatabaseConnectionException"
    assert code_of(catalog.list_tables, ClusterIdentifier="dapi", Database=DATABASE,
                   DbUser="nobody_at_all") == "DatabaseConnectionException"


def test_a_catalog_query_over_the_users_statement_timeout_is_a_query_timeout(catalog: DataApi):
    catalog.ok("CREATE USER meta_slow PASSWORD 'Slow-pw-123'")
    # Two seconds: long enough for the catalog queries of the call without the lock on a busy machine.
    catalog.ok("ALTER USER meta_slow SET statement_timeout TO 2000")
    catalog.ok("GRANT USAGE ON SCHEMA meta_sales TO meta_slow")
    # A session holding meta_sales.orders locked: reading its column defaults waits for the lock.
    locking = catalog.client.execute_statement(Sql="BEGIN", SessionKeepAliveSeconds=60, **catalog.target)
    catalog.wait(locking["Id"])
    in_session = DataApi(catalog.server, SessionId=locking["SessionId"])
    in_session.ok("LOCK TABLE meta_sales.orders")
    try:
        error = error_of(catalog.describe_table, **target(DbUser="meta_slow", Schema="meta_sales", Table="orders"))
        assert error.response["Error"]["Code"] == "QueryTimeoutException"
        assert "statement_timeout" in error.response["Error"]["Message"]
    finally:
        in_session.ok("ROLLBACK")
    # Without the lock the same call answers.
    columns = catalog.describe_table(**target(DbUser="meta_slow", Schema="meta_sales", Table="orders"))["ColumnList"]
    assert [c["name"] for c in columns] == ["id", "note", "total"]


def test_grafanas_redshift_data_source_calls(catalog: DataApi):
    """Grafana's Redshift data source (grafana/redshift-datasource, pkg/redshift/api/api.go): its
    query editor lists schemas, then a schema's tables with SchemaPattern alone ("public" when none
    is picked), then a table's columns; queries run with WithEvent, are polled with
    DescribeStatement, and a stop of one that has finished is an error it recognises."""
    catalog.ok("CREATE TABLE meta_sales.grafana_events (ts timestamp, value float8)")
    catalog.ok("CREATE VIEW meta_sales.grafana_recent AS SELECT ts, value FROM meta_sales.grafana_events "
               "WITH NO SCHEMA BINDING")
    assert "meta_sales" in catalog.list_schemas(**target())["Schemas"]
    tables = catalog.list_tables(**target(), SchemaPattern="meta_sales")["Tables"]
    assert {"schema": "meta_sales", "name": "grafana_recent", "type": "VIEW"} in tables
    columns = catalog.describe_table(**target(), Schema="meta_sales", Table="grafana_recent")["ColumnList"]
    assert [(c["name"], c["typeName"]) for c in columns] == [("ts", "timestamp"), ("value", "float8")]
    statement_id = catalog.execute_statement(Sql="SELECT count(*) FROM meta_sales.grafana_recent", WithEvent=True,
                                             **target())["Id"]
    assert catalog.wait(statement_id)["Status"] == "FINISHED"
    assert catalog.get_statement_result(Id=statement_id)["Records"] == [[{"longValue": 0}]]
    error = error_of(catalog.cancel_statement, Id=statement_id)
    assert "Could not cancel a query that is already in FINISHED state" in error.response["Error"]["Message"]
