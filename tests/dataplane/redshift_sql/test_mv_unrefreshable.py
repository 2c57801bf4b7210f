"""Materialized views Redshift no longer refreshes (catalog/42_mv_unrefreshable.sql), on a real endpoint: a base
table's column dropped or retyped, a column, the table or its schema renamed make a view Unrefreshable, with
its state in STV_MV_INFO, its event in STL_MV_STATE and its refresh's status."""

from __future__ import annotations

import psycopg
import pytest

from support import wait_for


UNREFRESHABLE = (  # view, the change, STV_MV_INFO's state, STL_MV_STATE's event, the refresh's status and reason
    ("dropped", "ALTER TABLE mv_ddl.t_dropped DROP COLUMN note", 101, "Column was dropped",
     "Refresh failed. Base table column was dropped", "a column was dropped for a base table"),
    ("retyped", "ALTER TABLE mv_ddl.t_retyped ALTER COLUMN note TYPE varchar(20)", 102, "Column type was changed",
     "Refresh failed. Base table column type was changed", "a column type was changed for a base table"),
    ("table_renamed", "ALTER TABLE mv_ddl.t_table_renamed RENAME TO t_table_renamed2", 103, "Table was renamed",
     "Refresh failed. Base table was renamed", "a base table was renamed"),
    ("column_renamed", "ALTER TABLE mv_ddl.t_column_renamed RENAME COLUMN amount TO total", 104, "Column was renamed",
     "Refresh failed. Base table column was renamed", "a column was renamed for a base table"),
    ("schema_renamed", "ALTER SCHEMA mv_ddl_base RENAME TO mv_ddl_base2", 105, "Schema name was changed",
     "Refresh failed. Schema name of a base table was changed", "a schema name was changed for a base table"),
)


def test_base_table_changes_make_a_view_unrefreshable_as_redshift(sql_cluster, database):
    """Redshift stops refreshing a view once a column of a base table is dropped or retyped (one the view
    does not read too), a column, base table or its schema renamed: STV_MV_INFO's states 101 to 105,
    a transition to Unrefreshable in STL_MV_STATE, and REFRESH fails, recorded with its reason."""
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        for schema in ("mv_ddl", "mv_ddl_base", "mv_ddl_base2"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute("CREATE SCHEMA mv_ddl")
        conn.execute("CREATE SCHEMA mv_ddl_base")
        for view, *_ in UNREFRESHABLE:
            schema = "mv_ddl_base" if view == "schema_renamed" else "mv_ddl"
            conn.execute(f"CREATE TABLE {schema}.t_{view} (g varchar(10), amount int, note varchar(10))")
            conn.execute(f"INSERT INTO {schema}.t_{view} VALUES ('north', 1, 'x')")
            conn.execute(f"CREATE MATERIALIZED VIEW mv_ddl.{view} AUTO REFRESH YES AS"
                         f" SELECT g, sum(amount) AS s FROM {schema}.t_{view} GROUP BY g")
        conn.execute("CREATE TABLE mv_ddl.t_kept (g varchar(10), amount int)")
        conn.execute("CREATE MATERIALIZED VIEW mv_ddl.kept AS SELECT g, sum(amount) AS s FROM mv_ddl.t_kept GROUP BY g")
        # Refused as before by the engine (its views depend on the columns they read); adding a column
        # changes nothing.
        with pytest.raises(psycopg.errors.DependentObjectsStillExist):
            conn.execute("ALTER TABLE mv_ddl.t_kept DROP COLUMN amount")
        conn.execute("ALTER TABLE mv_ddl.t_kept ADD COLUMN note varchar(10)")
        for view, change, *_ in UNREFRESHABLE:
            conn.execute(change)
        assert dict(conn.execute("SELECT trim(name), state FROM stv_mv_info WHERE schema = 'mv_ddl'").fetchall()) == {
            "kept": 1, **{view: state for view, _, state, *_ in UNREFRESHABLE}}
        assert dict(conn.execute("SELECT trim(name), state FROM svv_mv_info WHERE schema_name = 'mv_ddl'").fetchall()) \
            == {"kept": 1, **{view: state for view, _, state, *_ in UNREFRESHABLE}}
        assert conn.execute("SELECT trim(mv_name), trim(event_desc), trim(state), trim(base_table_schema),"
                            " trim(base_table_name) FROM stl_mv_state WHERE mv_schema = 'mv_ddl'"
                            " ORDER BY starttime").fetchall() == [
            ("dropped", "Column was dropped", "Unrefreshable", "mv_ddl", "t_dropped"),
            ("retyped", "Column type was changed", "Unrefreshable", "mv_ddl", "t_retyped"),
            ("table_renamed", "Table was renamed", "Unrefreshable", "mv_ddl", "t_table_renamed2"),
            ("column_renamed", "Column was renamed", "Unrefreshable", "mv_ddl", "t_column_renamed"),
            ("schema_renamed", "Schema name was changed", "Unrefreshable", "mv_ddl_base2", "t_schema_renamed")]
        for view, _, _, _, status, reason in UNREFRESHABLE:
            with pytest.raises(psycopg.errors.InternalError_,
                               match=f"Materialized view {view} is unrefreshable as {reason}"):
                conn.execute(f"REFRESH MATERIALIZED VIEW mv_ddl.{view}")
            assert wait_for(lambda: conn.execute(
                "SELECT status FROM sys_mv_refresh_history WHERE schema_name = 'mv_ddl' AND mv_name = %s"
                " ORDER BY start_time DESC LIMIT 1", (view,)).fetchone() == (status,), timeout=60)
        # Still read; the other view refreshes; one made again over the same table refreshes.
        assert conn.execute("SELECT g, s FROM mv_ddl.column_renamed").fetchall() == [("north", 1)]
        conn.execute("REFRESH MATERIALIZED VIEW mv_ddl.kept")
        conn.execute("DROP MATERIALIZED VIEW mv_ddl.column_renamed")
        conn.execute("CREATE MATERIALIZED VIEW mv_ddl.column_renamed AS"
                     " SELECT g, sum(total) AS s FROM mv_ddl.t_column_renamed GROUP BY g")
        conn.execute("INSERT INTO mv_ddl.t_column_renamed VALUES ('north', 2, 'y')")
        conn.execute("REFRESH MATERIALIZED VIEW mv_ddl.column_renamed")
        assert conn.execute("SELECT g, s FROM mv_ddl.column_renamed").fetchall() == [("north", 3)]
        assert conn.execute("SELECT state FROM stv_mv_info WHERE schema = 'mv_ddl' AND name = 'column_renamed'"
                            ).fetchone() == (1,)
