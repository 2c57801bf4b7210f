"""Privileges granted on databases, schemas and functions as the views of
catalog/35_grant_views.sql show them, to a superuser and to the grantees."""

from __future__ import annotations

from sql_cluster import SqlCluster

from .helpers import fresh_user

ERIN, FRANK, PASSWORD = "privileges_erin", "privileges_frank", "Privileges1"


def test_each_user_sees_the_grants_to_themselves_and_to_public(sql_cluster: SqlCluster, database: str):
    erin = fresh_user(sql_cluster, database, ERIN, PASSWORD)
    frank = fresh_user(sql_cluster, database, FRANK, PASSWORD)
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS granted_s CASCADE")
        conn.execute("CREATE SCHEMA granted_s")
        conn.execute(f"GRANT USAGE ON SCHEMA granted_s TO {erin}")
        conn.execute(f"GRANT CREATE ON SCHEMA granted_s TO {frank}")
        conn.execute("CREATE FUNCTION granted_s.f_twice(int) RETURNS int STABLE AS $$ SELECT $1 * 2 $$ LANGUAGE sql")
        conn.execute(f"GRANT EXECUTE ON FUNCTION granted_s.f_twice(int) TO {erin}")
        conn.execute(f"GRANT TEMP ON DATABASE {database} TO {frank}")
        schema = "SELECT privilege_type, identity_name FROM svv_schema_privileges WHERE namespace_name = 'granted_s'"
        assert sorted(conn.execute(schema).fetchall()) == [("CREATE", frank), ("USAGE", erin)]
        functions = ("SELECT function_name, argument_types, identity_name FROM svv_function_privileges"
                     " WHERE namespace_name = 'granted_s' ORDER BY identity_name")
        assert conn.execute(functions).fetchall() == [("f_twice", "integer", erin), ("f_twice", "integer", "public")]
        databases = ("SELECT privilege_type, identity_name, identity_type FROM svv_database_privileges"
                     " WHERE database_name = %s ORDER BY identity_name")
        assert conn.execute(databases, (database,)).fetchall() == [("TEMP", frank, "user"),
                                                                   ("TEMP", "public", "public")]
    with sql_cluster.connect(database, user=erin, password=PASSWORD) as conn:
        assert conn.execute(schema).fetchall() == [("USAGE", erin)]
        assert conn.execute(functions).fetchall() == [("f_twice", "integer", erin), ("f_twice", "integer", "public")]
        assert conn.execute(databases, (database,)).fetchall() == [("TEMP", "public", "public")]
