"""A Redshift superuser alters, drops, grants and revokes on, and truncates what another superuser
(the master user, another CREATEUSER user) or an ordinary user owns (owner_reach.py,
catalog/40_superuser_statements.sql); nobody else does, and nobody reaches localshift_owners."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import fresh_user, pg

SUPER, OTHER_SUPER, PLAIN, PASSWORD = "reach_super", "reach_super2", "reach_plain", "Reach1234"
OWNERS = {"admin": "Passw0rd1", OTHER_SUPER: PASSWORD, PLAIN: PASSWORD}


def test_translation():
    text = pg("drop table t")
    assert text == "drop table t"  # (helpers.pg shows the statement run_as_owner runs)
    from localshift.dataplane.redshift_sql import translate
    wrapped = translate("grant select on t to u").sql
    assert wrapped.startswith("DO $localshift_owner$") and \
        "localshift.run_as_owner($localshift_statement$grant select on t to u$localshift_statement$, true)" in wrapped
    assert "$localshift_statement$alter table t rename to u$localshift_statement$, false)" in \
        translate("alter table t rename to u").sql
    for untouched in ("grant g to u", "alter user u connection limit 3", "drop user u", "select 1"):
        result = translate(untouched)
        assert result is None or "run_as_owner" not in result.sql, untouched
    # The quoting cannot be ended from the statement.
    assert translate('drop table "$localshift_statement$"').sql.startswith("SELECT localshift.raise_error(E'42601'")


@pytest.fixture(scope="module")
def users(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        for user in (SUPER, OTHER_SUPER):
            conn.execute(f"DROP USER IF EXISTS {user}")
            conn.execute(f"CREATE USER {user} PASSWORD '{PASSWORD}' CREATEUSER")
    fresh_user(sql_cluster, database, PLAIN, PASSWORD)
    with sql_cluster.connect(database) as conn:
        conn.execute(f"GRANT CREATE ON DATABASE {database} TO {PLAIN}")
    yield
    with sql_cluster.connect(database) as conn:
        for user in (PLAIN, OTHER_SUPER, SUPER):
            conn.execute(f"DROP OWNED BY {user} CASCADE")
            conn.execute(f"DROP USER {user}")


def _make_objects_plain_sees(sql_cluster, database) -> None:
    """The master user's objects in schema reach_kept, whose names the ordinary user may look up."""
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA reach_kept TO {PLAIN}")


def _make_objects(sql_cluster, database, owner: str, schema: str) -> None:
    with sql_cluster.connect(database, owner, OWNERS[owner]) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.t (a int)")
        conn.execute(f"INSERT INTO {schema}.t VALUES (1)")
        conn.execute(f"CREATE VIEW {schema}.v AS SELECT a FROM {schema}.t")
        conn.execute(f"CREATE FUNCTION {schema}.f(int) RETURNS int IMMUTABLE AS $$ SELECT $1 $$ LANGUAGE sql")
        conn.execute(f"CREATE PROCEDURE {schema}.p() AS $$ BEGIN NULL; END $$ LANGUAGE plpgsql")


@pytest.mark.parametrize("owner", ["admin", OTHER_SUPER, PLAIN])
def test_a_superuser_reaches_every_owners_objects(sql_cluster, database, users, owner):
    schema = f"reach_{owner}"
    _make_objects(sql_cluster, database, owner, schema)
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        granted = f"select has_table_privilege('{PLAIN}', '{schema}.t2', 'SELECT')"
        for statement, tag in (
                (f"ALTER TABLE {schema}.t ADD COLUMN b int", "ALTER TABLE"),
                (f"ALTER TABLE {schema}.t RENAME TO t2", "ALTER TABLE"),
                (f"GRANT SELECT ON {schema}.t2 TO {PLAIN}", "GRANT")):
            assert conn.execute(statement).statusmessage == tag
        assert conn.execute(granted).fetchone() == (True,)
        # Recorded as the owner's grant, as PostgreSQL records its superusers'.
        assert conn.execute(f"select grantor from information_schema.role_table_grants where table_schema = "
                            f"'{schema}' and table_name = 't2' and grantee = '{PLAIN}'").fetchone() == (owner,)
        assert conn.execute(f"REVOKE SELECT ON {schema}.t2 FROM {PLAIN}").statusmessage == "REVOKE"
        assert conn.execute(granted).fetchone() == (False,)
        assert conn.execute(f"TRUNCATE {schema}.t2").statusmessage == "TRUNCATE TABLE"
        for statement, tag in (
                (f"ALTER VIEW {schema}.v RENAME TO v2", "ALTER VIEW"),
                (f"GRANT SELECT ON {schema}.v2 TO {PLAIN}", "GRANT"),
                (f"ALTER FUNCTION {schema}.f(int) RENAME TO f2", "ALTER FUNCTION"),
                (f"GRANT EXECUTE ON FUNCTION {schema}.f2(int) TO {PLAIN}", "GRANT"),
                (f"ALTER PROCEDURE {schema}.p() RENAME TO p2", "ALTER PROCEDURE"),
                (f"GRANT USAGE ON SCHEMA {schema} TO {PLAIN}", "GRANT"),
                (f"DROP VIEW {schema}.v2", "DROP VIEW"),
                (f"DROP FUNCTION {schema}.f2(int)", "DROP FUNCTION"),
                (f"DROP PROCEDURE {schema}.p2()", "DROP PROCEDURE"),
                (f"DROP TABLE {schema}.t2", "DROP TABLE"),
                (f"ALTER SCHEMA {schema} RENAME TO {schema}_2", "ALTER SCHEMA"),
                (f"DROP SCHEMA {schema}_2", "DROP SCHEMA")):
            assert conn.execute(statement).statusmessage == tag, statement


@pytest.mark.parametrize("owner", ["admin", OTHER_SUPER, PLAIN])
def test_a_superuser_comments_on_and_sets_default_privileges_for_every_owner(sql_cluster, database, users, owner):
    schema = f"reach_comment_{owner}"
    _make_objects(sql_cluster, database, owner, schema)
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        for statement in (f"COMMENT ON TABLE {schema}.t IS 'the table'", f"COMMENT ON VIEW {schema}.v IS 'the view'",
                          f"COMMENT ON COLUMN {schema}.t.a IS 'the column'",
                          f"COMMENT ON SCHEMA {schema} IS 'the schema'",
                          f"COMMENT ON FUNCTION {schema}.f(int) IS 'the function'"):
            assert conn.execute(statement).statusmessage == "COMMENT", statement
        assert conn.execute(
            f"select obj_description('{schema}.t'::regclass), obj_description('{schema}.v'::regclass),"
            f" col_description('{schema}.t'::regclass, 1), obj_description('{schema}'::regnamespace),"
            f" obj_description('{schema}.f(int)'::regprocedure)").fetchone() == (
            "the table", "the view", "the column", "the schema", "the function")
        assert conn.execute(f"ALTER DEFAULT PRIVILEGES FOR USER {owner} IN SCHEMA {schema} GRANT SELECT ON TABLES"
                            f" TO {PLAIN}").statusmessage == "ALTER DEFAULT PRIVILEGES"
    with sql_cluster.connect(database, owner, OWNERS[owner]) as conn:
        conn.execute(f"CREATE TABLE {schema}.later (a int)")
        assert conn.execute(f"select has_table_privilege('{PLAIN}', '{schema}.later', 'SELECT')").fetchone() == (True,)
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_an_ordinary_user_comments_on_and_sets_default_privileges_for_no_one_else(sql_cluster, database, users):
    _make_objects_plain_sees(sql_cluster, database)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        for statement in ("COMMENT ON TABLE reach_kept.t IS 'x'", "COMMENT ON COLUMN reach_kept.t.a IS 'x'",
                          "COMMENT ON SCHEMA reach_kept IS 'x'", "COMMENT ON FUNCTION reach_kept.f(int) IS 'x'",
                          f"ALTER DEFAULT PRIVILEGES FOR USER admin GRANT SELECT ON TABLES TO {PLAIN}",
                          f"ALTER DEFAULT PRIVILEGES FOR USER {OTHER_SUPER} IN SCHEMA reach_kept"
                          f" GRANT SELECT ON TABLES TO {PLAIN}"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("select obj_description('reach_kept.t'::regclass)").fetchone() == (None,)


def test_an_ordinary_user_reaches_no_one_elses_objects(sql_cluster, database, users):
    _make_objects_plain_sees(sql_cluster, database)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        for statement in ("ALTER TABLE reach_kept.t RENAME TO t2", "DROP TABLE reach_kept.t",
                          "DROP SCHEMA reach_kept CASCADE", "DROP FUNCTION reach_kept.f(int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner of|permission denied for schema"):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation t"):
            conn.execute(f"GRANT SELECT ON reach_kept.t TO {PLAIN}")
        assert conn.execute("select has_table_privilege('reach_kept.t', 'SELECT')").fetchone() == (False,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select localshift.as_owner('DROP TABLE reach_kept.t')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select localshift.run_as_owner('DROP TABLE reach_kept.t', false)")


def test_a_superuser_running_as_an_ordinary_user_has_its_rights_only(sql_cluster, database, users):
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute(f"SET SESSION AUTHORIZATION {PLAIN}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner of|permission denied for schema"):
            conn.execute("DROP TABLE reach_kept.t")


def test_as_owner_stays_its_owners_and_localshift_superusers_alone(sql_cluster, database, users):
    """localshift_owners owns as_owner, so a superuser could grant it to anyone, or alter it, through it:
    such a statement is undone."""
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database) as conn:
        for statement in ("GRANT EXECUTE ON FUNCTION localshift.as_owner(text) TO PUBLIC",
                          f"GRANT EXECUTE ON FUNCTION localshift.as_owner(text) TO {PLAIN}",
                          "ALTER FUNCTION localshift.as_owner(text) SECURITY INVOKER",
                          "DROP FUNCTION localshift.as_owner(text)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function as_owner"):
                conn.execute(statement)
        assert conn.execute("select localshift.as_owner_is_confined()").fetchone() == (True,)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function as_owner"):
            conn.execute("select localshift.as_owner('DROP TABLE reach_kept.t')")


def test_nobody_reaches_the_owners_role_or_the_internal_roles_objects(sql_cluster, database, users):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        for statement in ("SET ROLE localshift_owners", f"GRANT localshift_owners TO {SUPER}",
                          "DROP FUNCTION localshift.is_superuser(oid)", "ALTER SCHEMA localshift RENAME TO x",
                          "DROP VIEW pg_catalog.svv_user_info"):
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(statement)
            assert refused.value.sqlstate in ("42501", "0LP01"), statement
        conn.execute(f"GRANT CREATE ON SCHEMA localshift TO {PLAIN}")  # a warning: nothing granted
        assert conn.execute(f"select has_schema_privilege('{PLAIN}', 'localshift', 'CREATE')").fetchone() == (False,)
    with pytest.raises(psycopg.OperationalError):
        sql_cluster.connect(database, "localshift_owners", PASSWORD)


def test_a_superuser_made_later_and_one_demoted(sql_cluster, database, users):
    with sql_cluster.connect(database) as conn:
        conn.execute(f"ALTER USER {PLAIN} CREATEUSER")
    try:
        _make_objects(sql_cluster, database, PLAIN, "reach_promoted")
        with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
            conn.execute("DROP TABLE reach_promoted.t CASCADE")
        with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
            conn.execute("DROP TABLE reach_kept.t CASCADE")  # the master user's
    finally:
        with sql_cluster.connect(database) as conn:
            conn.execute(f"ALTER USER {PLAIN} NOCREATEUSER")
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner of|permission denied for schema"):
            conn.execute("DROP TABLE reach_kept.t")
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:  # still reached, as an ordinary user
        conn.execute("DROP SCHEMA reach_promoted CASCADE")


def _procedure(conn, name: str, body: str, definer: bool = False) -> None:
    conn.execute(f"CREATE OR REPLACE PROCEDURE {name}() AS $$ BEGIN {body} END $$ LANGUAGE plpgsql"
                 + (" SECURITY DEFINER" if definer else ""))
    conn.execute(f"GRANT EXECUTE ON PROCEDURE {name}() TO PUBLIC")


def test_a_superusers_routine_reaches_another_superusers_objects(sql_cluster, database, users):
    """A routine's statements run with its rights: a superuser's, whose ALTER, DROP, COMMENT and GRANT
    reach what the master user owns, as its own statements do."""
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute("DROP SCHEMA IF EXISTS reach_routines CASCADE")
        conn.execute("CREATE SCHEMA reach_routines")
        _procedure(conn, "reach_routines.p", f"COMMENT ON VIEW reach_kept.v IS 'by p'; "
                   f"GRANT SELECT ON reach_kept.v TO {PLAIN}; ALTER TABLE reach_kept.t ADD COLUMN b int; "
                   "IF true THEN DROP VIEW reach_kept.v; END IF; DROP TABLE reach_kept.t;")
        conn.execute("CALL reach_routines.p()")
        assert conn.execute("select count(*) from pg_class where relnamespace = 'reach_kept'::regnamespace"
                            " and relname in ('t', 'v')").fetchone() == (0,)


def test_a_superusers_dynamic_sql_reaches_another_superusers_objects(sql_cluster, database, users):
    """EXECUTE 'text' in a routine: the text goes through localshift.owner_reach_text, which runs what
    owner_reach.py would through run_as_owner; other statements (INTO, USING, FOR ... IN EXECUTE) as they are."""
    from localshift.dataplane.redshift_sql import translate
    body = translate("create procedure p(t varchar) as $$ declare n int; begin execute 'drop table ' || t;"
                     " execute 'select 1' into n; for r in execute 'select 1' loop null; end loop; end $$"
                     " language plpgsql").sql
    assert "execute localshift.owner_reach_text('drop table ' || t);" in body
    assert "execute localshift.owner_reach_text('select 1') into n;" in body and "in execute 'select 1'" in body
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute("DROP SCHEMA IF EXISTS reach_routines CASCADE")
        conn.execute("CREATE SCHEMA reach_routines")
        conn.execute("CREATE PROCEDURE reach_routines.runs(statement varchar) AS $$ DECLARE n int; BEGIN"
                     " EXECUTE statement; EXECUTE 'SELECT count(*) FROM reach_kept.t' INTO n;"
                     " RAISE INFO 'rows: %', n; END $$ LANGUAGE plpgsql")
        for statement in ("COMMENT ON TABLE reach_kept.t IS 'dynamic'", f"GRANT SELECT ON reach_kept.t TO {PLAIN}",
                          "ALTER TABLE reach_kept.t ADD COLUMN b int", "DROP VIEW reach_kept.v"):
            conn.execute("CALL reach_routines.runs(%s)", (statement,))
        assert conn.execute(f"select has_table_privilege('{PLAIN}', 'reach_kept.t', 'SELECT'),"
                            " obj_description('reach_kept.t'::regclass), to_regclass('reach_kept.v')").fetchone() == (
            True, "dynamic", None)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DO $$ BEGIN EXECUTE localshift.owner_reach_text('DROP TABLE reach_kept.t'); END $$")
    with sql_cluster.connect(database) as conn:
        assert conn.execute("select to_regclass('reach_kept.t') is not null").fetchone() == (True,)
        conn.execute("DROP SCHEMA reach_routines CASCADE")


def test_routines_reach_no_more_than_their_rights(sql_cluster, database, users):
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        conn.execute("DROP SCHEMA IF EXISTS reach_plain_routines CASCADE")
        conn.execute("CREATE SCHEMA reach_plain_routines")
        conn.execute("CREATE TABLE reach_plain_routines.mine (a int)")
        conn.execute("GRANT USAGE ON SCHEMA reach_plain_routines TO PUBLIC")
        _procedure(conn, "reach_plain_routines.grants", f"GRANT SELECT ON reach_plain_routines.mine TO {OTHER_SUPER};",
                   definer=True)
        _procedure(conn, "reach_plain_routines.drops", "DROP TABLE reach_kept.t;", definer=True)
        _procedure(conn, "reach_plain_routines.comments", "COMMENT ON TABLE reach_kept.t IS 'x';")
        for call in ("CALL reach_plain_routines.drops()", "CALL reach_plain_routines.comments()"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(call)
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        # An ordinary user's SECURITY DEFINER routine has that user's rights, in a superuser's session too.
        conn.execute("CALL reach_plain_routines.grants()")  # its own table's grant
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CALL reach_plain_routines.drops()")
        conn.execute("DROP SCHEMA IF EXISTS reach_routines CASCADE")
        conn.execute("CREATE SCHEMA reach_routines")
        conn.execute(f"GRANT USAGE ON SCHEMA reach_routines TO {PLAIN}")
        _procedure(conn, "reach_routines.drops", "DROP TABLE reach_kept.t;", definer=True)
    with sql_cluster.connect(database, OTHER_SUPER, PASSWORD) as conn:
        assert conn.execute("select has_table_privilege('reach_plain_routines.mine', 'SELECT')").fetchone() == (True,)
    with sql_cluster.connect(database) as conn:
        assert conn.execute("select to_regclass('reach_kept.t') is not null").fetchone() == (True,)
        conn.execute("DROP SCHEMA reach_plain_routines CASCADE")


def test_a_superusers_security_definer_routine_reaches_for_any_caller(sql_cluster, database, users):
    """Redshift runs a SECURITY DEFINER procedure with its owner's privileges: a superuser's, for an
    ordinary user's session too; nothing in it reaches the internal role or the host."""
    _make_objects(sql_cluster, database, "admin", "reach_kept")
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute("DROP SCHEMA IF EXISTS reach_routines CASCADE")
        conn.execute("CREATE SCHEMA reach_routines")
        conn.execute(f"GRANT USAGE ON SCHEMA reach_routines TO {PLAIN}")
        _procedure(conn, "reach_routines.drops", "COMMENT ON TABLE reach_kept.t IS 'by drops'; "
                   f"GRANT SELECT ON reach_kept.v TO {PLAIN}; DROP TABLE reach_kept.t CASCADE;", definer=True)
        conn.execute("CREATE PROCEDURE reach_routines.runs(statement varchar) AS $$ BEGIN EXECUTE statement; END $$"
                     " LANGUAGE plpgsql SECURITY DEFINER")
        conn.execute(f"GRANT EXECUTE ON PROCEDURE reach_routines.runs(varchar) TO {PLAIN}")
        conn.execute(f"GRANT EXECUTE ON PROCEDURE reach_routines.drops() TO {PLAIN}")
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        conn.execute("CALL reach_routines.drops()")
        for statement, refusal in (
                ("SET ROLE rdsdb", psycopg.errors.InsufficientPrivilege),
                ("SELECT localshift.as_owner('ALTER ROLE admin SUPERUSER')", psycopg.errors.InsufficientPrivilege),
                ("SELECT localshift.as_owner('GRANT EXECUTE ON FUNCTION localshift.as_owner(text) TO PUBLIC')",
                 psycopg.errors.InsufficientPrivilege),
                ("SELECT pg_read_file('/etc/passwd')", psycopg.errors.InsufficientPrivilege),
                ("COPY (SELECT 1) TO PROGRAM 'id'", psycopg.errors.InsufficientPrivilege),
                ("CREATE EXTENSION dblink", psycopg.errors.FeatureNotSupported)):
            with pytest.raises(refusal):
                conn.execute("CALL reach_routines.runs(%s)", (statement,))
    with sql_cluster.connect(database) as conn:
        assert conn.execute("select to_regclass('reach_kept.t') is null").fetchone() == (True,)
        assert conn.execute("select rolsuper from pg_roles where rolname = 'admin'").fetchone() == (False,)
        conn.execute("DROP SCHEMA reach_routines CASCADE")


def test_any_superuser_alters_any_database(sql_cluster, database, users):
    """Redshift: a superuser renames any database (not the current one), gives it to anyone and limits its
    connections; the master user owns this one."""
    with sql_cluster.connect(database) as conn:
        for name in ("reach_db", "reach_db2"):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute("CREATE DATABASE reach_db")
    try:
        with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
            for statement in ("ALTER DATABASE reach_db RENAME TO reach_db2", f"ALTER DATABASE reach_db2 OWNER TO {PLAIN}",
                              "ALTER DATABASE reach_db2 CONNECTION LIMIT 7"):
                assert conn.execute(statement).statusmessage == "ALTER DATABASE", statement
            assert conn.execute("select pg_get_userbyid(datdba), datconnlimit from pg_database"
                                " where datname = 'reach_db2'").fetchone() == (PLAIN, 7)
            conn.execute("ALTER DATABASE reach_db2 CONNECTION LIMIT UNLIMITED")
            conn.execute(f"ALTER DATABASE reach_db2 OWNER TO {OTHER_SUPER}")
            assert conn.execute("select pg_get_userbyid(datdba), datconnlimit from pg_database"
                                " where datname = 'reach_db2'").fetchone() == (OTHER_SUPER, -1)
            with pytest.raises(psycopg.errors.FeatureNotSupported, match="^current database may not be renamed$"):
                conn.execute(f"ALTER DATABASE {database} RENAME TO reach_db3")
            for engines in ("template1", "template0", "postgres"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"ALTER DATABASE {engines} CONNECTION LIMIT 1")
        with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
            for statement in ("ALTER DATABASE reach_db2 RENAME TO reach_db", f"ALTER DATABASE reach_db2 OWNER TO {PLAIN}",
                              "ALTER DATABASE reach_db2 CONNECTION LIMIT 1", f"ALTER DATABASE {database} CONNECTION LIMIT 1"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner of database"):
                    conn.execute(statement)
    finally:
        with sql_cluster.connect(database) as conn:
            conn.execute("DROP DATABASE IF EXISTS reach_db2")
