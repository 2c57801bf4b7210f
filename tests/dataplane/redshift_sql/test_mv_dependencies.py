"""Materialized views built on materialized views (catalog/42_mv_dependencies.sql), on a real endpoint:
SVV_MV_DEPENDENCY and STV_MV_DEPS, each user seeing what they may, and staleness through the chain."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import MIA_PASSWORD, stale_in


def test_views_over_views_show_in_svv_mv_dependency_and_stv_mv_deps(sql_cluster, database, mia):
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        conn.execute("DROP SCHEMA IF EXISTS mv_deps CASCADE")
        conn.execute("CREATE SCHEMA mv_deps")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA mv_deps TO {mia}")
        conn.execute("CREATE TABLE mv_deps.foo (a int)")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_foo AS SELECT a FROM mv_deps.foo")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_over_foo AS SELECT a FROM mv_deps.mv_foo")
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mv_both AS"
                     " SELECT f.a FROM mv_deps.mv_foo f JOIN mv_deps.mv_over_foo o ON o.a = f.a JOIN mv_deps.foo t"
                     " ON t.a = f.a")
        conn.execute(f"GRANT SELECT ON mv_deps.mv_foo TO {mia}")
    with sql_cluster.connect(database, user=mia, password=MIA_PASSWORD) as conn:
        conn.execute("CREATE MATERIALIZED VIEW mv_deps.mias AS SELECT count(*) AS n FROM mv_deps.mv_foo")
        conn.commit()
        # Regular users see their own views' rows.
        assert conn.execute("SELECT trim(schema_name), trim(name), trim(dependent_schema_name), trim(dependent_name),"
                            " database_name = dependent_database_name FROM svv_mv_dependency").fetchall() == [
            ("mv_deps", "mias", "mv_deps", "mv_foo", True)]
    with sql_cluster.connect(database) as conn:
        conn.autocommit = True
        assert conn.execute("SELECT trim(name), trim(dependent_name) FROM svv_mv_dependency"
                            " WHERE schema_name = 'mv_deps' ORDER BY 1, 2").fetchall() == [
            ("mias", "mv_foo"), ("mv_both", "mv_foo"), ("mv_both", "mv_over_foo"), ("mv_over_foo", "mv_foo")]
        assert conn.execute("SELECT trim(name), trim(ref_schema), trim(ref_name), trim(db_name) = trim(ref_database_name)"
                            " FROM stv_mv_deps WHERE schema = 'mv_deps' AND name = 'mv_over_foo'").fetchall() == [
            ("mv_over_foo", "mv_deps", "mv_foo", True)]
        # REFRESH ... CASCADE refreshes the views a view is built on first, those deepest down first;
        # RESTRICT (the default) the view alone.
        conn.execute("INSERT INTO mv_deps.foo VALUES (1)")
        conn.execute("REFRESH MATERIALIZED VIEW mv_deps.mv_both RESTRICT")
        assert conn.execute("SELECT count(*) FROM mv_deps.mv_both").fetchone() == (0,)
        conn.execute("REFRESH MATERIALIZED VIEW mv_deps.mv_both CASCADE")
        assert conn.execute("SELECT a FROM mv_deps.mv_both").fetchall() == [(1,)]
        assert conn.execute("SELECT trim(mv_name) FROM svl_mv_refresh_status WHERE schema_name = 'mv_deps'"
                            " ORDER BY starttime").fetchall()[-3:] == [("mv_foo",), ("mv_over_foo",), ("mv_both",)]
        assert stale_in(conn, "mv_deps") == {"mv_foo": "f", "mv_over_foo": "f", "mv_both": "f", "mias": "t"}
        # A view others are built on is dropped with them only with CASCADE.
        with pytest.raises(psycopg.errors.DependentObjectsStillExist,
                           match='cannot drop materialized view (mv_deps.)?mv_foo because other objects depend on it'):
            conn.execute("DROP MATERIALIZED VIEW mv_deps.mv_foo")
        conn.execute("DROP MATERIALIZED VIEW mv_deps.mv_foo CASCADE")
        assert conn.execute("SELECT count(*) FROM svv_mv_dependency WHERE schema_name = 'mv_deps'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM svv_mv_info WHERE schema_name = 'mv_deps'").fetchone() == (0,)
