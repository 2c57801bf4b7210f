"""SQLAlchemy 2 with the sqlalchemy-redshift dialect (over redshift_connector) against a cluster's
endpoint: inspection, reflection, DDL with Redshift's table options, and pandas."""

from __future__ import annotations

from typing import Iterator

import pandas
import pytest
import sqlalchemy as sa

from sql_cluster import SqlCluster
from .sqlalchemy_engines import redshift_engine


@pytest.fixture(scope="module")
def engine(sql_cluster: SqlCluster) -> Iterator[sa.Engine]:
    database = sql_cluster.fresh_database(__file__)
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE SCHEMA analytics")
        conn.execute("CREATE TABLE analytics.customers (id integer PRIMARY KEY, name varchar(50) NOT NULL)"
                     " DISTSTYLE ALL")
        conn.execute("CREATE TABLE analytics.orders (id integer PRIMARY KEY,"
                     " customer_id integer REFERENCES analytics.customers (id),"
                     " amount decimal(10,2) ENCODE az64, placed timestamp DEFAULT getdate())"
                     " DISTKEY(customer_id) COMPOUND SORTKEY(placed, id)")
        conn.execute("CREATE VIEW analytics.order_totals AS"
                     " SELECT customer_id, sum(amount) AS total FROM analytics.orders GROUP BY customer_id")
    engine = redshift_engine(sql_cluster, database)
    yield engine
    engine.dispose()


def test_the_dialect_connects_and_sees_redshift(engine):
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
        assert engine.dialect.server_version_info[:3] == (8, 0, 2)


def test_inspect_schemas_tables_views(engine):
    inspector = sa.inspect(engine)
    assert {"public", "analytics"} <= set(inspector.get_schema_names())
    assert sorted(inspector.get_table_names(schema="analytics")) == ["customers", "orders"]
    assert inspector.get_view_names(schema="analytics") == ["order_totals"]
    assert "sum(amount) AS total" in inspector.get_view_definition("order_totals", schema="analytics")


def test_inspect_columns_keys_and_options(engine):
    inspector = sa.inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns("orders", schema="analytics")}
    assert list(columns) == ["id", "customer_id", "amount", "placed"]
    assert isinstance(columns["amount"]["type"], sa.Numeric)
    assert (columns["amount"]["type"].precision, columns["amount"]["type"].scale) == (10, 2)
    assert isinstance(columns["placed"]["type"], sa.DateTime)
    assert columns["id"]["nullable"] is False and columns["amount"]["nullable"] is True
    assert "getdate()" in columns["placed"]["default"]
    assert inspector.get_pk_constraint("orders", schema="analytics")["constrained_columns"] == ["id"]
    [foreign_key] = inspector.get_foreign_keys("orders", schema="analytics")
    assert (foreign_key["constrained_columns"], foreign_key["referred_schema"], foreign_key["referred_table"],
            foreign_key["referred_columns"]) == (["customer_id"], "analytics", "customers", ["id"])
    assert inspector.get_table_options("orders", schema="analytics") == {
        "redshift_diststyle": "KEY", "redshift_distkey": "customer_id",
        "redshift_sortkey": ("placed", "id"), "redshift_interleaved_sortkey": None}
    assert inspector.get_table_options("customers", schema="analytics")["redshift_diststyle"] == "ALL"


def test_keys_are_informational_and_still_reflected(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE analytics.codes (id integer PRIMARY KEY, code varchar(5) UNIQUE)"))
        conn.execute(sa.text("INSERT INTO analytics.codes VALUES (:id, :code)"),
                     [{"id": 1, "code": "x"}, {"id": 1, "code": "x"}])
        assert conn.execute(sa.text("SELECT count(*) FROM analytics.codes")).scalar() == 2
    inspector = sa.inspect(engine)
    assert inspector.get_pk_constraint("codes", schema="analytics")["constrained_columns"] == ["id"]
    assert [(u["name"], u["column_names"]) for u in inspector.get_unique_constraints("codes", schema="analytics")] == [
        ("codes_code_key", ["code"])]


def test_reflect_a_table(engine):
    orders = sa.Table("orders", sa.MetaData(), schema="analytics", autoload_with=engine)
    assert [c.name for c in orders.columns] == ["id", "customer_id", "amount", "placed"]
    assert [c.name for c in orders.primary_key] == ["id"]
    assert {fk.target_fullname for fk in orders.foreign_keys} == {"analytics.customers.id"}
    assert orders.dialect_options["redshift"]["distkey"] == "customer_id"


def test_create_all_with_redshift_table_options(engine):
    metadata = sa.MetaData(schema="public")
    sa.Table("events", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("kind", sa.String(20)), sa.Column("at", sa.DateTime),
             redshift_diststyle="KEY", redshift_distkey="id", redshift_sortkey=("at", "id"))
    sa.Table("clicks", metadata, sa.Column("a", sa.Integer), sa.Column("b", sa.Integer),
             redshift_interleaved_sortkey=("a", "b"))
    sa.Table("lookups", metadata, sa.Column("code", sa.String(3)), redshift_diststyle="ALL")
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    assert inspector.get_table_options("events", schema="public") == {
        "redshift_diststyle": "KEY", "redshift_distkey": "id", "redshift_sortkey": ("at", "id"),
        "redshift_interleaved_sortkey": None}
    assert inspector.get_table_options("clicks", schema="public")["redshift_interleaved_sortkey"] == ("a", "b")
    assert inspector.get_table_options("lookups", schema="public")["redshift_diststyle"] == "ALL"
    with engine.connect() as conn:
        layout = conn.execute(sa.text(
            "SELECT \"column\", distkey, sortkey FROM pg_table_def WHERE tablename = 'events' ORDER BY 1")).all()
    assert [tuple(row) for row in layout] == [("at", False, 1), ("id", True, 2), ("kind", False, 0)]
    metadata.drop_all(engine)
    assert "events" not in sa.inspect(engine).get_table_names(schema="public")


def test_pandas_to_sql_and_read_sql(engine):
    frame = pandas.DataFrame({"sku": ["a1", "b2", "c3"], "qty": [3, 1, 2], "price": [1.5, 2.25, 10.0]})
    frame.to_sql("stock", engine, schema="public", index=False, if_exists="replace")
    back = pandas.read_sql("SELECT sku, qty, price FROM public.stock ORDER BY qty", engine)
    assert back["sku"].tolist() == ["b2", "c3", "a1"]
    assert back["qty"].tolist() == [1, 2, 3]
    assert back["price"].tolist() == [2.25, 10.0, 1.5]
    frame.to_sql("stock", engine, schema="public", index=False, if_exists="append")
    assert pandas.read_sql("SELECT count(*) AS n FROM public.stock", engine)["n"].tolist() == [6]
