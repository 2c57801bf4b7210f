"""Role grants, default privileges, column privileges, functions and interleaved sort keys as
the views of catalog/35_grant_views.sql show them, on a real endpoint: what a Redshift
superuser sees next to a regular user."""

from __future__ import annotations

import psycopg
import pytest

from sql_cluster import SqlCluster

from .helpers import fresh_user

DAVE, ERIN, PASSWORD = "grants_dave", "grants_erin", "Grants1password"


@pytest.fixture(scope="module")
def users(sql_cluster: SqlCluster, database: str) -> tuple[str, str]:
    for user in (DAVE, ERIN):
        fresh_user(sql_cluster, database, user, PASSWORD)
    with sql_cluster.connect(database) as conn:
        for role in ("grants_analyst", "grants_reader"):
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role}")
        conn.execute("GRANT ROLE grants_reader TO ROLE grants_analyst")
        conn.execute(f"GRANT ROLE grants_analyst TO {DAVE}")
        conn.execute(f"GRANT ROLE grants_reader TO {ERIN}")
    return DAVE, ERIN


def connect_as(sql_cluster: SqlCluster, database: str, user: str) -> psycopg.Connection:
    return sql_cluster.connect(database, user=user, password=PASSWORD)


def test_role_grants_to_users_and_roles(sql_cluster, database, users):
    dave, erin = users
    with sql_cluster.connect(database) as conn:
        assert conn.execute("SELECT user_name, role_name, admin_option FROM svv_user_grants"
                            " WHERE role_name LIKE 'grants_%' ORDER BY 1").fetchall() == [
            (dave, "grants_analyst", False), (erin, "grants_reader", False)]
        assert conn.execute("SELECT role_name, granted_role_name FROM svv_role_grants"
                            " WHERE role_name LIKE 'grants_%'").fetchall() == [("grants_analyst", "grants_reader")]
        # The Redshift superuser privilege the master user holds is not a role grant.
        assert conn.execute("SELECT count(*) FROM svv_user_grants WHERE role_name LIKE 'localshift%'").fetchone() \
            == (0,)
    with connect_as(sql_cluster, database, erin) as conn:
        assert conn.execute("SELECT user_name, role_name FROM svv_user_grants").fetchall() == [
            (erin, "grants_reader")]
        assert conn.execute("SELECT count(*) FROM svv_role_grants").fetchone() == (0,)
    with connect_as(sql_cluster, database, dave) as conn:
        assert conn.execute("SELECT role_name, granted_role_name FROM svv_role_grants").fetchall() == [
            ("grants_analyst", "grants_reader")]


def test_default_privileges_show_who_gets_what(sql_cluster, database, users):
    dave, erin = users
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS grants_s CASCADE")
        conn.execute("CREATE SCHEMA grants_s")
        conn.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA grants_s GRANT SELECT, UPDATE ON TABLES TO {dave}")
        conn.execute(f"ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO {erin}")
        rows = conn.execute("SELECT schema_name, object_type, trim(owner_name), owner_type, privilege_type,"
                            " grantee_name, grantee_type, admin_option FROM svv_default_privileges"
                            " WHERE grantee_name IN (%s, %s) ORDER BY 1, 5", (dave, erin)).fetchall()
        assert rows == [("grants_s", "RELATION", "admin", "user", "SELECT", dave, "user", False),
                        ("grants_s", "RELATION", "admin", "user", "UPDATE", dave, "user", False),
                        (None, "FUNCTION", "admin", "user", "EXECUTE", erin, "user", False)]
    with connect_as(sql_cluster, database, erin) as conn:
        assert conn.execute("SELECT object_type, privilege_type, grantee_name FROM svv_default_privileges"
                            ).fetchall() == [("FUNCTION", "EXECUTE", erin)]
    with sql_cluster.connect(database) as conn:
        conn.execute(f"ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM {erin}")
        assert conn.execute("SELECT count(*) FROM svv_default_privileges WHERE grantee_name = %s",
                            (erin,)).fetchone() == (0,)


def test_column_privileges(sql_cluster, database, users):
    dave, erin = users
    with sql_cluster.connect(database) as conn:
        for statement in ("DROP TABLE IF EXISTS grants_cols",
                          "CREATE TABLE grants_cols (id int, secret varchar(10), note varchar(10))",
                          f"GRANT SELECT (id, note) ON grants_cols TO {dave}",
                          "GRANT UPDATE (note) ON grants_cols TO ROLE grants_reader"):
            conn.execute(statement)
        expected = [("id", "SELECT", dave, "user"), ("note", "SELECT", dave, "user"),
                    ("note", "UPDATE", "grants_reader", "role")]
        assert conn.execute("SELECT column_name, privilege_type, identity_name, identity_type"
                            " FROM svv_column_privileges WHERE relation_name = 'grants_cols' ORDER BY 1, 2"
                            ).fetchall() == expected
    with connect_as(sql_cluster, database, erin) as conn:  # a member of grants_reader
        assert conn.execute("SELECT column_name, identity_name FROM svv_column_privileges"
                            " WHERE relation_name = 'grants_cols'").fetchall() == [("note", "grants_reader")]


def test_functions_and_procedures_are_listed(sql_cluster, database, users):
    dave, _ = users
    with sql_cluster.connect(database) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION grants_add(a int, b int) RETURNS int IMMUTABLE"
                     " AS $$ SELECT $1 + $2 $$ LANGUAGE sql")
        conn.execute("CREATE OR REPLACE PROCEDURE grants_proc(note varchar) LANGUAGE plpgsql"
                     " AS $$ BEGIN PERFORM 1; END; $$")
        conn.execute("DROP SCHEMA IF EXISTS grants_private CASCADE")
        conn.execute("CREATE SCHEMA grants_private")
        conn.execute("CREATE FUNCTION grants_private.hidden_fn() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql")
        conn.execute("REVOKE EXECUTE ON FUNCTION grants_private.hidden_fn() FROM PUBLIC")
        rows = conn.execute("SELECT database_name, schema_name, function_name, function_type, argument_type,"
                            " result_type FROM svv_functions WHERE function_name LIKE 'grants_%' ORDER BY 3"
                            ).fetchall()
        assert rows == [(database, "public", "grants_add", "REGULAR FUNCTION", "integer, integer", "integer"),
                        (database, "public", "grants_proc", "STORED PROCEDURE", "character varying", "void")]
        assert conn.execute("SELECT count(*) FROM svv_redshift_functions WHERE function_name = 'hidden_fn'"
                            ).fetchone() == (1,)
        # Neither localshift's own functions nor the engine's are listed.
        assert conn.execute("SELECT count(*) FROM svv_functions WHERE schema_name IN ('localshift', 'pg_catalog')"
                            ).fetchone() == (0,)
    with connect_as(sql_cluster, database, dave) as conn:
        assert conn.execute("SELECT count(*) FROM svv_functions WHERE function_name = 'hidden_fn'").fetchone() \
            == (0,)
        assert conn.execute("SELECT count(*) FROM svv_functions WHERE function_name = 'grants_add'").fetchone() \
            == (1,)


def test_interleaved_sort_key_columns(sql_cluster, database, users):
    dave, _ = users
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP TABLE IF EXISTS grants_il")
        conn.execute("CREATE TABLE grants_il (a int, b int, c int, d int) INTERLEAVED SORTKEY (d, b)")
        conn.execute("DROP TABLE IF EXISTS grants_compound")
        conn.execute("CREATE TABLE grants_compound (a int) COMPOUND SORTKEY (a)")
        table_id = conn.execute("SELECT 'grants_il'::regclass::oid::integer").fetchone()[0]
        assert conn.execute("SELECT tbl, col, interleaved_skew::text, last_reindex FROM svv_interleaved_columns"
                            " WHERE tbl = %s ORDER BY col", (table_id,)).fetchall() == [
            (table_id, 1, "1.00", None), (table_id, 3, "1.00", None)]
        assert conn.execute("SELECT count(*) FROM svv_interleaved_columns"
                            " WHERE tbl = 'grants_compound'::regclass::oid::integer").fetchone() == (0,)
    with connect_as(sql_cluster, database, dave) as conn:  # superusers only
        assert conn.execute("SELECT count(*) FROM svv_interleaved_columns").fetchone() == (0,)
