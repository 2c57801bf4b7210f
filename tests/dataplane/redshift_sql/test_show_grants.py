"""SHOW GRANTS, SHOW COLUMN GRANTS and SHOW PROCEDURE on a real endpoint (catalog/15_show.sql
over the grants of catalog/35_grant_views.sql): rows after real GRANT and REVOKE statements,
what a superuser sees next to a regular user, and the errors for what does not exist."""

from __future__ import annotations

import psycopg
import pytest

from sql_cluster import SqlCluster

from .helpers import fresh_user

ANN, BEN, PASSWORD = "showg_ann", "showg_ben", "Showg1password"
COLUMNS = ["database_name", "schema_name", "object_name", "object_type", "privilege_type", "identity_id",
           "identity_name", "identity_type", "admin_option", "privilege_scope", "grantor_name"]


@pytest.fixture(scope="module")
def setup(sql_cluster: SqlCluster, database: str) -> dict[str, int]:
    for user in (ANN, BEN):
        fresh_user(sql_cluster, database, user, PASSWORD)
    with sql_cluster.connect(database) as conn:
        for statement in ("DROP SCHEMA IF EXISTS showg CASCADE", "DROP ROLE IF EXISTS showg_role",
                          "DROP GROUP IF EXISTS showg_group", "CREATE SCHEMA showg", "CREATE ROLE showg_role",
                          f"CREATE GROUP showg_group WITH USER {BEN}", f"GRANT ROLE showg_role TO {ANN}",
                          "CREATE TABLE showg.t1 (id int, secret varchar(10), note varchar(10))",
                          "CREATE TABLE showg.t2 (id int)",
                          f"GRANT SELECT, INSERT ON showg.t1 TO {ANN} WITH GRANT OPTION",
                          "GRANT DELETE ON showg.t1 TO ROLE showg_role",
                          "GRANT SELECT ON showg.t1 TO GROUP showg_group",
                          f"GRANT UPDATE ON showg.t1 TO {BEN}", f"REVOKE UPDATE ON showg.t1 FROM {BEN}",
                          f"GRANT SELECT ON showg.t2 TO {BEN}",
                          f"GRANT USAGE ON SCHEMA showg TO {ANN}, {BEN}",
                          "GRANT CREATE ON SCHEMA showg TO ROLE showg_role",
                          f"GRANT SELECT (id, note) ON showg.t1 TO {BEN}",
                          "GRANT UPDATE (note) ON showg.t1 TO ROLE showg_role",
                          "CREATE FUNCTION showg.f1(a int) RETURNS int IMMUTABLE AS $$ SELECT $1 + 1 $$ LANGUAGE sql",
                          "CREATE FUNCTION showg.f1(a varchar) RETURNS int IMMUTABLE AS $$ SELECT 1 $$ LANGUAGE sql",
                          "REVOKE EXECUTE ON FUNCTION showg.f1(int) FROM PUBLIC",
                          f"GRANT EXECUTE ON FUNCTION showg.f1(int) TO {ANN}",
                          "CREATE PROCEDURE showg.sp1(f1 int, INOUT f2 varchar, OUT varchar) AS $$"
                          " BEGIN f2 := NVL(f2, 'x') || f1; END; $$ LANGUAGE plpgsql",
                          "REVOKE EXECUTE ON PROCEDURE showg.sp1(int, varchar, varchar) FROM PUBLIC",
                          f"GRANT EXECUTE ON PROCEDURE showg.sp1(int, varchar, varchar) TO {BEN}",
                          f"GRANT TEMP ON DATABASE {database} TO {ANN}"):
            conn.execute(statement)
        ids = dict(conn.execute("SELECT usename, usesysid FROM pg_user WHERE usename IN (%s, %s, current_user)",
                                (ANN, BEN)).fetchall())
        ids["showg_role"] = conn.execute("SELECT role_id FROM svv_roles WHERE role_name = 'showg_role'").fetchone()[0]
        ids["showg_group"] = conn.execute("SELECT grosysid FROM pg_group WHERE groname = 'showg_group'").fetchone()[0]
    return ids


def connect_as(sql_cluster: SqlCluster, database: str, user: str) -> psycopg.Connection:
    return sql_cluster.connect(database, user=user, password=PASSWORD)


def grants(conn: psycopg.Connection, statement: str) -> list[tuple]:
    """(object_name, privilege_type, identity_name, identity_type, admin_option) of each row."""
    cur = conn.execute(statement)
    assert [c.name for c in cur.description] == COLUMNS
    return [(r[2], r[4], r[6], r[7], r[8]) for r in cur.fetchall()]


def test_grants_on_a_table(sql_cluster, database, setup):
    with sql_cluster.connect(database) as conn:
        master = conn.execute("SELECT current_user").fetchone()[0]
        owner = [("t1", p, master, "user", False)
                 for p in ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRUNCATE", "UPDATE")]
        others = [("t1", "DELETE", "showg_role", "role", False),
                  ("t1", "SELECT", "/showg_group", "role", False),  # a group: a role named '/group'
                  ("t1", "INSERT", ANN, "user", True), ("t1", "SELECT", ANN, "user", True)]
        assert sorted(grants(conn, "SHOW GRANTS ON TABLE showg.t1")) == sorted(owner + others)
        row = conn.execute(f"SHOW GRANTS ON TABLE {database}.showg.t1 FOR {ANN} LIMIT 1").fetchall()
        assert row == [(database, "showg", "t1", "TABLE", "INSERT", setup[ANN], ANN, "user", True, "TABLE",
                        master)]
        assert grants(conn, "SHOW GRANTS ON TABLE showg.t1 FOR ROLE showg_role") == [
            ("t1", "DELETE", "showg_role", "role", False)]
        assert grants(conn, f"SHOW GRANTS ON TABLE showg.t1 FOR {BEN}") == []  # UPDATE was revoked
        assert grants(conn, "SHOW GRANTS ON TABLE showg.t1 FOR PUBLIC") == []
        conn.execute(f"REVOKE INSERT ON showg.t1 FROM {ANN}")
        assert grants(conn, f"SHOW GRANTS ON TABLE showg.t1 FOR {ANN}") == [("t1", "SELECT", ANN, "user", True)]
        conn.execute(f"GRANT INSERT ON showg.t1 TO {ANN} WITH GRANT OPTION")


def test_grants_on_schemas_databases_functions_and_procedures(sql_cluster, database, setup):
    with sql_cluster.connect(database) as conn:
        assert [r for r in grants(conn, "SHOW GRANTS ON SCHEMA showg") if r[2] != "admin"] == [
            ("showg", "USAGE", ANN, "user", False), ("showg", "USAGE", BEN, "user", False),
            ("showg", "CREATE", "showg_role", "role", False)]
        assert grants(conn, f"SHOW GRANTS ON SCHEMA {database}.showg FOR {BEN}") == [
            ("showg", "USAGE", BEN, "user", False)]
        assert grants(conn, f"SHOW GRANTS ON DATABASE {database} FOR {ANN}") == [
            (database, "TEMP", ANN, "user", False)]
        # PUBLIC's default TEMP on a database is Redshift's too; CONNECT is not a Redshift privilege.
        assert grants(conn, f"SHOW GRANTS ON DATABASE {database} FOR PUBLIC") == [
            (database, "TEMP", "public", "public", False)]
        assert grants(conn, "SHOW GRANTS ON FUNCTION showg.f1(int)") == [
            ("f1", "EXECUTE", "admin", "user", False), ("f1", "EXECUTE", ANN, "user", False)]
        # The other f1 has the default EXECUTE for PUBLIC.
        assert ("f1", "EXECUTE", "public", "public", False) in grants(conn, "SHOW GRANTS ON FUNCTION showg.f1(varchar)")
        assert conn.execute("SHOW GRANTS ON PROCEDURE showg.sp1 FOR %s" % BEN).fetchall()[0][2:5] == \
            ("sp1", "PROCEDURE", "EXECUTE")
        assert grants(conn, f"SHOW GRANTS ON PROCEDURE showg.sp1(int, varchar) FOR {BEN}") == [
            ("sp1", "EXECUTE", BEN, "user", False)]


def test_grants_for_a_user_or_role(sql_cluster, database, setup):
    with sql_cluster.connect(database) as conn:
        rows = conn.execute(f"SHOW GRANTS FOR {ANN}").fetchall()
        assert sorted((r[3], r[2], r[4]) for r in rows) == [
            ("DATABASE", database, "TEMP"), ("FUNCTION", "f1", "EXECUTE"), ("SCHEMA", "showg", "USAGE"),
            ("TABLE", "t1", "INSERT"), ("TABLE", "t1", "SELECT")]
        assert {r[6] for r in rows} == {ANN}
        assert sorted((r[2], r[4]) for r in conn.execute("SHOW GRANTS FOR ROLE showg_role")) == [
            ("showg", "CREATE"), ("t1", "DELETE")]
        assert conn.execute(f"SHOW GRANTS FOR {ANN} FROM DATABASE {database} LIMIT 2").rowcount == 2
        assert conn.execute(f"SHOW GRANTS FOR {ANN} FROM DATABASE other_db").fetchall() == []


def test_a_regular_user_sees_its_own_grants_and_its_roles(sql_cluster, database, setup):
    with connect_as(sql_cluster, database, ANN) as conn:  # a member of showg_role
        assert sorted(grants(conn, "SHOW GRANTS ON TABLE showg.t1")) == [
            ("t1", "DELETE", "showg_role", "role", False),
            ("t1", "INSERT", ANN, "user", True), ("t1", "SELECT", ANN, "user", True)]
        assert {r[3] for r in conn.execute("SHOW GRANTS FOR ROLE showg_role")} == {"SCHEMA", "TABLE"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=f'permission denied for user "{BEN}"'):
            conn.execute(f"SHOW GRANTS FOR {BEN}")
    with connect_as(sql_cluster, database, BEN) as conn:  # in showg_group
        assert sorted(grants(conn, "SHOW GRANTS ON TABLE showg.t1")) == [
            ("t1", "SELECT", "/showg_group", "role", False)]
        assert grants(conn, "SHOW GRANTS ON TABLE showg.t2") == [("t2", "SELECT", BEN, "user", False)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SHOW GRANTS FOR ROLE showg_role")


def test_column_grants(sql_cluster, database, setup):
    with sql_cluster.connect(database) as conn:
        cur = conn.execute("SHOW COLUMN GRANTS ON TABLE showg.t1")
        assert [c.name for c in cur.description] == [
            "database_name", "schema_name", "table_name", "column_name", "object_type", "privilege_type",
            "identity_id", "identity_name", "identity_type", "admin_option", "privilege_scope", "grantor_name"]
        assert [(r[3], r[4], r[5], r[7], r[8], r[10]) for r in cur.fetchall()] == [
            ("id", "COLUMN", "SELECT", BEN, "user", "COLUMN"), ("note", "COLUMN", "SELECT", BEN, "user", "COLUMN"),
            ("note", "COLUMN", "UPDATE", "showg_role", "role", "COLUMN")]
        assert [r[3] for r in conn.execute(f"SHOW COLUMN GRANTS ON TABLE {database}.showg.t1 FOR ROLE showg_role")] \
            == ["note"]
        conn.execute(f"REVOKE SELECT (id) ON showg.t1 FROM {BEN}")
        assert [r[3] for r in conn.execute(f"SHOW COLUMN GRANTS ON TABLE showg.t1 FOR {BEN}")] == ["note"]
        conn.execute(f"GRANT SELECT (id) ON showg.t1 TO {BEN}")
    with connect_as(sql_cluster, database, ANN) as conn:
        assert [(r[3], r[7]) for r in conn.execute("SHOW COLUMN GRANTS ON TABLE showg.t1")] == [
            ("note", "showg_role")]


def test_show_procedure_prints_its_definition(sql_cluster, database, setup):
    with sql_cluster.connect(database) as conn:
        cur = conn.execute("SHOW PROCEDURE showg.sp1")
        assert [c.name for c in cur.description] == ["Stored Procedure Definition"]
        expected = ("CREATE OR REPLACE PROCEDURE showg.sp1(f1 integer, INOUT f2 character varying,"
                    " OUT character varying) LANGUAGE plpgsql AS $_$ BEGIN f2 := coalesce(f2, 'x') || f1; END; $_$")
        assert cur.fetchall() == [(expected,)]
        assert conn.execute("SHOW PROCEDURE showg.sp1(int, varchar)").fetchone()[0] == expected
        assert conn.execute("SHOW PROCEDURE showg.sp1(f1 int, INOUT f2 varchar, OUT varchar)").fetchone()[0] \
            == expected
        with pytest.raises(psycopg.errors.UndefinedFunction, match=r"procedure showg.sp1\(integer\) does not exist"):
            conn.execute("SHOW PROCEDURE showg.sp1(int)")
        with pytest.raises(psycopg.errors.UndefinedFunction, match="procedure sp_missing does not exist"):
            conn.execute("SHOW PROCEDURE sp_missing")


@pytest.mark.parametrize(("statement", "error", "message"), [
    ("SHOW GRANTS ON TABLE showg.missing", psycopg.errors.UndefinedTable, 'relation "showg.missing" does not exist'),
    ("SHOW GRANTS ON SCHEMA nowhere", psycopg.errors.InvalidSchemaName, 'schema "nowhere" does not exist'),
    ("SHOW GRANTS ON DATABASE nodb", psycopg.errors.InvalidCatalogName, 'database "nodb" does not exist'),
    ("SHOW GRANTS ON FUNCTION showg.f1", psycopg.errors.AmbiguousFunction,
     'function name "showg.f1" is not unique'),
    ("SHOW GRANTS ON FUNCTION showg.f1(date)", psycopg.errors.UndefinedFunction,
     r"function showg.f1\(date\) does not exist"),
    ("SHOW GRANTS ON TABLE showg.t1 FOR nobody", psycopg.errors.UndefinedObject, 'user "nobody" does not exist'),
    ("SHOW GRANTS FOR ROLE showg_ann", psycopg.errors.UndefinedObject, 'role "showg_ann" does not exist'),
    ("SHOW GRANTS ON TABLE other_db.showg.t1", psycopg.errors.FeatureNotSupported,
     'cross-database reference to database "other_db" is not supported'),
])
def test_errors_for_what_does_not_exist(sql_cluster, database, setup, statement, error, message):
    with sql_cluster.connect(database) as conn, pytest.raises(error, match=message):
        conn.execute(statement)
