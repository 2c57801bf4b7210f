"""The fixtures of the JDBC driver's metadata tests: a database of the test module's own holding the objects the
driver's metadata methods describe (a schema, tables with keys and comments, views, a late-binding view, a
procedure, an overloaded function, a user with table and column grants), and a connection that binds strings
as the driver's setString binds them (varchar)."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.string import StrDumperVarchar

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster


@pytest.fixture(scope="module")
def database(request: pytest.FixtureRequest, sql_cluster: SqlCluster) -> str:
    name = sql_cluster.fresh_database(request.module.__file__)
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
