"""dbt-core with dbt-redshift against a cluster's endpoint: seeds, a table model with dist and sort
config, views, a late-binding view, incremental models (merge and delete+insert) run twice, a
snapshot taken twice, generic and singular tests, grants and `dbt docs generate`
(tests/clients/dbt_project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_build import Build, project_build
from sql_cluster import SqlCluster

PROJECT = Path(__file__).parent / "dbt_project"
READER, READER_PASSWORD = "dbt_reader", "Reader1pass"

# Changes made to the sources between the two runs.
CHANGES = (
    "UPDATE analytics.raw_orders SET amount = 11.50, updated_at = '2024-02-01 10:00' WHERE id = 1",
    "INSERT INTO analytics.raw_orders VALUES (4, 3, 7.75, '2024-02-02 10:00')",
    "UPDATE analytics.customers SET name = 'Bryan', updated_at = '2024-02-01 00:00' WHERE id = 2",
)


@pytest.fixture(scope="module")
def build(sql_cluster: SqlCluster, tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = project_build(sql_cluster, tmp_path_factory, PROJECT, __file__)
    build.run(f"DROP USER IF EXISTS {READER}", f"CREATE USER {READER} PASSWORD '{READER_PASSWORD}'")
    build.dbt("seed")
    build.dbt("run")
    build.dbt("snapshot")
    build.run(*CHANGES)
    build.dbt("run")
    build.dbt("snapshot")
    build.dbt("test")
    build.dbt("docs", "generate")
    return build


def test_every_command_succeeds(build):
    assert [(command, ok) for command, ok, _ in build.commands] == [
        ("seed", True), ("run", True), ("snapshot", True), ("run", True), ("snapshot", True), ("test", True),
        ("docs generate", True)], build.commands


def test_table_models_have_their_distribution_and_sort_keys(build):
    assert build.rows("""SELECT "table", diststyle, sortkey1, sortkey_num FROM svv_table_info
                         WHERE schema = 'analytics' AND "table" LIKE 'orders%' ORDER BY 1""") == [
        ("orders_by_country", "EVEN", "INTERLEAVED", 2),
        ("orders_delete_insert", "AUTO(EVEN)", "AUTO(SORTKEY)", 0),
        ("orders_merge", "ALL", "AUTO(SORTKEY)", 0),
        ("orders_table", "KEY(customer_id)", "updated_at", 2),
    ]
    # PG_TABLE_DEF lists the schemas on the search path only, as Redshift's.
    definition = """SELECT "column", distkey, sortkey FROM pg_table_def WHERE tablename = 'orders_table'
                    ORDER BY sortkey, 1"""
    assert build.rows(definition) == []
    assert build.rows(definition, search_path="analytics") == [("amount", False, 0), ("customer_id", True, 0), ("customer_name", False, 0),
            ("updated_at", False, 1), ("id", False, 2)]


def test_incremental_models_merge_the_second_run(build):
    expected = [(1, 1, "11.50"), (2, 2, "20.00"), (3, 1, "5.25"), (4, 3, "7.75")]
    for model in ("orders_merge", "orders_delete_insert"):
        rows = build.rows(f"SELECT id, customer_id, amount::text FROM analytics.{model} ORDER BY id")
        assert rows == expected, model
    assert build.rows("SELECT due_at::text FROM analytics.orders_delete_insert WHERE id = 4") == [
        ("2024-03-03 10:00:00",)]


def test_the_table_model_is_rebuilt_and_the_late_binding_view_reads_it(build):
    assert build.rows("SELECT id, customer_name FROM analytics.orders_table ORDER BY id") == [
        (1, "Ada"), (2, "Bryan"), (3, "Ada"), (4, "Chen")]
    assert build.rows("SELECT customer_id, total::text FROM analytics.customer_totals_late ORDER BY 1") == [
        (1, "16.75"), (2, "20.00"), (3, "7.75")]
    assert build.rows("""SELECT column_name, column_type FROM pg_get_late_binding_view_cols()
                         cols(table_schema name, table_name name, column_name name, column_type varchar,
                              column_index int)
                         WHERE table_name = 'customer_totals_late' ORDER BY column_index""") == [
        ("customer_id", "integer"), ("total", "numeric"), ("computed_at", "timestamp without time zone")]


def test_the_snapshot_keeps_both_versions_of_a_changed_row(build):
    assert build.rows("""SELECT id, name, dbt_valid_to IS NULL FROM snapshots.customers_snapshot
                         ORDER BY id, dbt_valid_from""") == [
        (1, "Ada", True), (2, "Brian", False), (2, "Bryan", True), (3, "Chen", True)]


def test_a_contract_keeps_its_primary_key_over_repeated_values(build):
    # dbt-redshift creates the table with the contract's constraints, then inserts the model's rows:
    # customer 1 has two orders, which Redshift's informational key accepts.
    assert build.rows("SELECT count(*), count(DISTINCT customer_id) FROM analytics.keyed_orders") == [(4, 3)]
    assert build.rows("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                      " WHERE conrelid = 'analytics.keyed_orders'::regclass AND contype = 'p'") == [
                          ("PRIMARY KEY (customer_id)",)]


def test_grants_are_applied(build):
    assert build.rows(f"SELECT has_table_privilege('{READER}', 'analytics.orders_table', 'SELECT')") == [(True,)]
    assert build.rows(f"""SELECT relation_name, privilege_type, identity_type FROM svv_relation_privileges
                          WHERE identity_name = '{READER}'""") == [("orders_table", "SELECT", "user")]


def test_docs_catalog_lists_every_node_with_columns_and_stats(build):
    catalog = json.loads((build.project_dir / "target" / "catalog.json").read_text())
    nodes = {key.split(".")[-1]: node for key, node in catalog["nodes"].items()}
    assert set(nodes) == {"customers", "raw_orders", "stg_customers", "orders_table", "orders_by_country",
                          "customer_totals_late", "orders_merge", "orders_delete_insert", "customers_snapshot",
                          "keyed_orders"}
    assert list(nodes["orders_table"]["columns"]) == ["id", "customer_id", "customer_name", "amount", "updated_at"]
    assert nodes["orders_table"]["columns"]["amount"]["type"] == "numeric(10,2)"
    assert list(nodes["customer_totals_late"]["columns"]) == ["customer_id", "total", "computed_at"]
    stats = nodes["orders_table"]["stats"]
    assert stats["diststyle"]["value"] == "KEY(customer_id)"
    assert stats["sortkey1"]["value"] == "updated_at"
    assert stats["rows"]["value"] == 4
    assert stats["has_stats"]["value"] is True
    for name in ("customers", "raw_orders", "orders_merge", "orders_delete_insert", "customers_snapshot"):
        assert nodes[name]["stats"]["rows"]["value"] > 0, name
