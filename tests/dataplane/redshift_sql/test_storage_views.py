"""Slices, storage, materialized views, vacuums and the views of features localshift does not
have, as catalog/36_storage_views.sql shows them on a real endpoint."""

from __future__ import annotations

import pytest

from sql_cluster import SqlCluster

from .helpers import fresh_user

FRANK, PASSWORD = "storage_frank", "Storage1password"


@pytest.fixture(scope="module")
def frank(sql_cluster: SqlCluster, database: str) -> str:
    return fresh_user(sql_cluster, database, FRANK, PASSWORD)


def test_one_slice_and_one_disk_measured_as_svv_table_info_measures(sql_cluster, database, frank):
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT node, slice, localslice, type FROM stv_slices").fetchall() == [(0, 0, 0, "D")]
        assert conn.execute("SELECT DISTINCT slice FROM stv_tbl_perm").fetchall() in ([], [(0,)])
        used_before, capacity = conn.execute("SELECT used, capacity FROM stv_node_storage_capacity").fetchone()
        conn.execute("CREATE TABLE storage_big AS SELECT g AS a, repeat('x', 200) AS b"
                     " FROM generate_series(1, 100000) AS g")
        used_after = conn.execute("SELECT used FROM stv_node_storage_capacity").fetchone()[0]
        table_blocks = conn.execute("SELECT size FROM svv_table_info WHERE \"table\" = 'storage_big'").fetchone()[0]
        assert used_after - used_before >= table_blocks - 1 > 0
        assert capacity == 2097152  # SVV_TABLE_INFO.pct_used's measure
        assert conn.execute("SELECT pct_used = round(size * 100.0 / %s, 4) FROM svv_table_info"
                            " WHERE \"table\" = 'storage_big'", (capacity,)).fetchone() == (True,)
        assert conn.execute("SELECT used, capacity, diskno FROM stv_partitions").fetchall() == [
            (used_after, capacity, 0)]
    with sql_cluster.connect(database, user=frank, password=PASSWORD) as conn:  # superusers only
        assert conn.execute("SELECT count(*) FROM stv_partitions").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM stv_node_storage_capacity").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM stv_slices").fetchone() == (1,)


def test_materialized_views_and_the_last_vacuum(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP MATERIALIZED VIEW IF EXISTS storage_mv")
        conn.execute("CREATE TABLE IF NOT EXISTS storage_base (a int)")
        # (its comment travels in the marker comment that records the definition: it must not nest there)
        conn.execute("CREATE MATERIALIZED VIEW storage_mv AS SELECT count(*) /* rows */ AS n FROM storage_base")
        assert conn.execute("SELECT trim(db_name), trim(schema), trim(name), is_stale, trim(owner_user_name),"
                            " autorefresh FROM stv_mv_info WHERE name = 'storage_mv'").fetchall() == [
            (database, "public", "storage_mv", "f", "admin", "f")]
        conn.execute("ALTER MATERIALIZED VIEW storage_mv AUTO REFRESH YES")
        assert conn.execute("SELECT autorefresh FROM svv_mv_info WHERE name = 'storage_mv'").fetchall() == [("t",)]
        # Listed among the views, with the CREATE statement as written (Redshift's; dbt-redshift reads it).
        definition = "CREATE MATERIALIZED VIEW storage_mv AS SELECT count(*) /* rows */ AS n FROM storage_base;"
        assert conn.execute("SELECT definition FROM pg_views WHERE viewname = 'storage_mv'").fetchall() == [
            (definition,)]
        assert conn.execute("SELECT view_definition, is_updatable FROM information_schema.views"
                            " WHERE table_name = 'storage_mv'").fetchall() == [(definition, "NO")]
        conn.execute("INSERT INTO storage_base VALUES (1), (2)")
        conn.execute("DELETE FROM storage_base WHERE a = 1")
        conn.execute("VACUUM storage_base")
        assert conn.execute("SELECT table_name, status, time_remaining_estimate FROM svv_vacuum_progress"
                            ).fetchall() == [("storage_base", "Complete", None)]


@pytest.mark.parametrize("view, columns", [
    ("stl_vacuum", ["userid", "xid", "table_id", "status", "rows", "sortedrows", "blocks", "max_merge_partitions",
                    "eventtime", "reclaimable_rows", "reclaimable_space_mb", "cutoff_xid", "is_recluster"]),
    ("svv_vacuum_summary", ["table_name", "xid", "sort_partitions", "merge_increments", "elapsed_time", "row_delta",
                            "sortedrow_delta", "block_delta", "max_merge_partitions"]),
    ("stl_alert_event_log", ["userid", "query", "slice", "segment", "step", "pid", "xid", "event", "solution",
                             "event_time"]),
    ("svl_query_report", ["userid", "query", "slice", "segment", "step", "start_time", "end_time", "elapsed_time",
                          "rows", "bytes", "label", "is_diskbased", "workmem", "is_rrscan", "is_delayed_scan",
                          "rows_pre_filter"]),
    ("sys_load_history", ["user_id", "query_id", "transaction_id", "session_id", "database_name", "status",
                          "table_name", "start_time", "end_time", "duration", "data_source", "file_format",
                          "loaded_rows", "loaded_bytes", "source_file_count", "source_file_bytes",
                          "file_count_scanned", "file_bytes_scanned", "error_count", "copy_job_id"]),
    ("svv_datashares", ["share_name", "share_id", "share_owner", "source_database", "consumer_database",
                        "share_type", "createdate", "is_publicaccessible", "share_acl", "producer_account",
                        "producer_namespace", "managed_by"]),
    ("svv_schema_quota_state", ["schema_id", "schema_name", "schema_owner", "quota", "disk_usage",
                                "disk_usage_pct"]),
])
def test_views_of_what_localshift_does_not_have_are_empty_with_redshift_columns(sql_cluster, database, view,
                                                                                 columns):
    with sql_cluster.connect(database) as conn:
        cursor = conn.execute(f"SELECT * FROM {view}")
        assert [c.name for c in cursor.description] == columns
        assert cursor.fetchall() == []
