"""CREATE USER and ALTER USER (users.py)."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import pg, refused


def executed(text: str) -> list[str]:
    """The statements a DO block of ``run_all`` executes, unquoted."""
    assert text.startswith("DO $localshift$"), text
    return [part.split("';", 1)[0].replace("''", "'") for part in text.split("EXECUTE E'")[1:]]


def test_create_user_options():
    """A user who is no superuser is granted to localshift_superuser (Redshift's superusers reach
    every user's objects)."""
    for statement, create in (
            ("create user dbuser with password 'abcD1234' createdb connection limit 30",
             "CREATE ROLE dbuser LOGIN PASSWORD E'abcD1234' CREATEDB CONNECTION LIMIT 30"),
            ("create user u1 password 'md5153c434b4b77c89e6b94f12c5393af5b' valid until '2030-01-01'",
             "CREATE ROLE u1 LOGIN PASSWORD E'md5153c434b4b77c89e6b94f12c5393af5b' VALID UNTIL '2030-01-01'"),
            ("create user u2 password disable in group g1, g2 connection limit unlimited",
             "CREATE ROLE u2 LOGIN PASSWORD NULL IN ROLE g1, g2 CONNECTION LIMIT -1"),
            ("create user u3 password 'sha256|Mypassword1'", "CREATE ROLE u3 LOGIN PASSWORD E'Mypassword1'"),
            ('create user "MixedCase" password disable', 'CREATE ROLE "MixedCase" LOGIN PASSWORD NULL')):
        name = create.split()[2]
        assert executed(pg(statement)) == [create, f"GRANT {name} TO localshift_superuser WITH ADMIN OPTION"]


def test_createuser_is_never_a_postgresql_superuser():
    text = pg("create user admin2 password 'Abcd1234' createuser syslog access unrestricted session timeout 120")
    assert text.startswith("DO $localshift$")
    assert "SUPERUSER" not in text.upper().replace("LOCALSHIFT_SUPERUSER", "").replace("LOCALSHIFT.SET_SUPERUSER", "")
    for part in ("CREATE ROLE admin2 LOGIN PASSWORD E''Abcd1234''",
                 "SELECT localshift.set_superuser(E''admin2'', true)",
                 "GRANT localshift_syslog_unrestricted TO admin2",
                 "ALTER ROLE admin2 SET idle_session_timeout = ''120s''"):
        assert part in text, part


def test_alter_user():
    # Demoted first (CREATEDB of the same statement stays), by the internal role's function.
    assert executed(pg("alter user u1 createdb nocreateuser")) == [
        "SELECT localshift.set_superuser(E'u1', false)", "ALTER ROLE u1 CREATEDB"]
    assert executed(pg("alter user u1 createuser connection limit 3")) == [
        "ALTER ROLE u1 CONNECTION LIMIT 3", "SELECT localshift.set_superuser(E'u1', true)"]
    assert pg("alter user u1 password 'Newpass123' valid until 'infinity'") == \
        "ALTER ROLE u1 PASSWORD E'Newpass123' VALID UNTIL 'infinity'"
    assert pg("alter user u1 rename to u2") == "ALTER ROLE u1 RENAME TO u2"
    assert pg("alter user u1 set query_group to 'etl'") == "ALTER ROLE u1 SET redshift.query_group TO 'etl'"
    assert pg("alter user u1 reset session timeout") == "ALTER ROLE u1 RESET idle_session_timeout"


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "NoDigitsHere", "Has@Sign1", "x" * 65])
def test_clear_text_passwords_follow_redshifts_rules(password):
    assert refused(f"create user u password '{password}'")[0] == "28P01"


SUPER, OTHER_SUPER, PLAIN, PASSWORD = "users_super", "users_super2", "users_plain", "Users1234"


def _flags(conn, user: str) -> tuple:
    return conn.execute("select usesuper, rolcreatedb, rolcreaterole from pg_user join pg_roles on rolname = usename"
                        " where usename = %s", (user,)).fetchone()


@pytest.fixture
def users(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        for user in (SUPER, OTHER_SUPER, PLAIN):
            conn.execute(f"DROP USER IF EXISTS {user}")
        conn.execute(f"CREATE USER {SUPER} PASSWORD '{PASSWORD}' CREATEUSER NOCREATEDB")
        conn.execute(f"CREATE USER {PLAIN} PASSWORD '{PASSWORD}' CREATEDB")
        conn.execute(f"CREATE USER {OTHER_SUPER} PASSWORD '{PASSWORD}' CREATEUSER")
    yield
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP DATABASE IF EXISTS users_made_by_super")
        for user in (PLAIN, OTHER_SUPER, SUPER):  # (a user who granted others' memberships goes last)
            conn.execute(f"DROP USER IF EXISTS {user}")


def test_a_createuser_user_creates_databases(sql_cluster, database, users):
    """A Redshift superuser bypasses every permission check: CREATE DATABASE too, whatever CREATEDB says."""
    with sql_cluster.connect(database) as conn:
        assert _flags(conn, SUPER) == (True, True, True)
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        assert conn.execute("CREATE DATABASE users_made_by_super").statusmessage == "CREATE DATABASE"
        conn.execute("DROP DATABASE users_made_by_super")


def test_any_superuser_makes_any_user_a_superuser_and_back(sql_cluster, database, users):
    """users_super2 did not create users_plain nor users_super (the master user did)."""
    with sql_cluster.connect(database, OTHER_SUPER, PASSWORD) as conn:
        assert conn.execute(f"ALTER USER {PLAIN} CREATEUSER").statusmessage == "ALTER USER"
        assert _flags(conn, PLAIN) == (True, True, True)
        assert conn.execute(f"ALTER USER {PLAIN} NOCREATEUSER").statusmessage == "ALTER USER"
        assert _flags(conn, PLAIN) == (False, False, False)
        conn.execute(f"ALTER USER {SUPER} NOCREATEUSER")
        assert _flags(conn, SUPER) == (False, False, False)
        conn.execute(f"ALTER USER {SUPER} NOCREATEUSER CREATEDB")  # once more, keeping CREATEDB
        assert _flags(conn, SUPER) == (False, True, False)
        conn.execute(f"ALTER USER {SUPER} CREATEUSER")
        assert _flags(conn, SUPER) == (True, True, True)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:  # no longer a superuser
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE DATABASE users_made_by_super")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"ALTER USER {PLAIN} CREATEUSER")


def test_nocreateuser_keeps_the_createdb_of_a_user_who_was_no_superuser(sql_cluster, database, users):
    with sql_cluster.connect(database) as conn:
        conn.execute(f"ALTER USER {PLAIN} CREATEDB")
        conn.execute(f"ALTER USER {PLAIN} NOCREATEUSER")
        assert _flags(conn, PLAIN) == (False, True, False)


@pytest.mark.parametrize("target", ["rdsdb", "localshift_superuser", "pg_read_all_data"])
def test_set_superuser_reaches_no_internal_role(sql_cluster, database, users, target):
    with sql_cluster.connect(database) as conn, pytest.raises(psycopg.errors.UndefinedObject):
        conn.execute(f"select localshift.set_superuser('{target}', true)")
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"select localshift.set_superuser('{PLAIN}', true)")


def test_a_demoted_superuser_stays_none_through_the_superusers_it_made(sql_cluster, database, users):
    """Its creation of a superuser made it that user's member (ADMIN OPTION, createrole_self_grant), so a
    superuser through it: demoted, it is no member any more, and the user it made stays a superuser."""
    made = "users_made"
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute(f"CREATE USER {made} PASSWORD '{PASSWORD}' CREATEUSER")
    try:
        with sql_cluster.connect(database) as conn:
            conn.execute(f"ALTER USER {SUPER} NOCREATEUSER")
            assert _flags(conn, SUPER) == (False, False, False)
            assert _flags(conn, made) == (True, True, True)
        with sql_cluster.connect(database, SUPER, PASSWORD) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM pg_authid")  # a superuser reads every table
    finally:
        with sql_cluster.connect(database) as conn:
            # Demoted, it is granted to localshift_superuser WITH ADMIN OPTION: any superuser drops it.
            conn.execute(f"ALTER USER {made} NOCREATEUSER")
            conn.execute(f"DROP USER {made}")


def test_drop_user_and_alter_user_password_translations():
    for statement, calls in (
            ("drop user u1", ["(E'u1', E'DROP')"]),
            ('drop user if exists u1, "U2"', ["(E'u1', E'DROP IF EXISTS')", "(E'U2', E'DROP IF EXISTS')"]),
            ("alter user u1 password 'Newpass123'", ["(E'u1', E'PASSWORD E''Newpass123''')"]),
            ("alter user u1 password disable", ["(E'u1', E'PASSWORD NULL')"])):
        text = pg(statement)
        assert text.startswith("DO $localshift$")
        assert [part.split(";", 1)[0] for part in text.split("PERFORM localshift.change_user")[1:]] == calls, statement
    assert refused("drop user u1 u2")[0] == "42601"


def _logs_in(sql_cluster, database, user: str, password: str) -> bool:
    try:
        with sql_cluster.connect(database, user, password) as conn:
            return conn.execute("select current_user").fetchone() == (user,)
    except psycopg.OperationalError:
        return False


def test_any_superuser_gives_another_superuser_a_password_and_drops_it(sql_cluster, database, users):
    """Redshift: any superuser alters and drops any user; the master user made both superusers."""
    with sql_cluster.connect(database, OTHER_SUPER, PASSWORD) as conn:
        assert conn.execute(f"ALTER USER {SUPER} PASSWORD 'Changed123'").statusmessage == "ALTER USER"
        assert _logs_in(sql_cluster, database, SUPER, "Changed123")
        conn.execute(f"ALTER USER {SUPER} PASSWORD DISABLE")
        assert not _logs_in(sql_cluster, database, SUPER, "Changed123")
        conn.execute(f"ALTER USER {PLAIN} PASSWORD 'Changed123'")  # an ordinary user: as before
        assert _logs_in(sql_cluster, database, PLAIN, "Changed123")
        assert conn.execute(f"DROP USER {SUPER}").statusmessage == "DROP USER"
        assert conn.execute(f"DROP USER IF EXISTS {SUPER}, {PLAIN}").statusmessage == "DROP USER"
        assert conn.execute("select count(*) from pg_user where usename in (%s, %s)", (SUPER, PLAIN)).fetchone() == (0,)
        with pytest.raises(psycopg.errors.UndefinedObject):
            conn.execute(f"DROP USER {SUPER}")


def test_no_ordinary_user_drops_or_alters_a_superuser(sql_cluster, database, users):
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        for statement in (f"ALTER USER {SUPER} PASSWORD 'Changed123'", f"DROP USER {SUPER}",
                          f"DROP USER IF EXISTS {OTHER_SUPER}", "ALTER USER admin PASSWORD 'Changed123'",
                          f"select localshift.change_superuser('{SUPER}', 'DROP')",
                          f"select localshift.change_user('{SUPER}', 'DROP')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with sql_cluster.connect(database) as conn:
        conn.execute("GRANT EXECUTE ON FUNCTION localshift.change_superuser(text, text) TO PUBLIC")
    try:
        with sql_cluster.connect(database, PLAIN, PASSWORD) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
            conn.execute(f"select localshift.change_superuser('{SUPER}', 'DROP')")
    finally:
        with sql_cluster.connect(database) as conn:
            conn.execute("REVOKE EXECUTE ON FUNCTION localshift.change_superuser(text, text) FROM PUBLIC")
    assert _logs_in(sql_cluster, database, SUPER, PASSWORD)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:  # its own password, as before
        assert conn.execute(f"ALTER USER {PLAIN} PASSWORD 'Mine12345'").statusmessage == "ALTER USER"
    assert _logs_in(sql_cluster, database, PLAIN, "Mine12345")


@pytest.mark.parametrize("target", ["rdsdb", "localshift_owners", "localshift_superuser", "pg_read_all_data"])
def test_a_superuser_reaches_no_internal_role_through_change_superuser(sql_cluster, database, users, target):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        assert conn.execute("select localshift.change_superuser(%s, 'DROP')", (target,)).fetchone() == (False,)
        assert conn.execute("select localshift.change_superuser(%s, 'PASSWORD NULL')", (target,)).fetchone() == (False,)
        if target in ("rdsdb", "localshift_owners"):  # (superusers hold localshift_superuser's ADMIN OPTION)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"ALTER USER {target} PASSWORD 'Changed123'")
        with pytest.raises(psycopg.Error):
            conn.execute(f"DROP USER {target}")
        assert conn.execute("select count(*) from pg_roles where rolname = %s", (target,)).fetchone() == (1,)


@pytest.mark.parametrize("clause", ["PASSWORD NULL CREATEROLE", "PASSWORD E'x' SUPERUSER", "PASSWORD 'x\\' SUPERUSER --'",
                                    "PASSWORD E'x'; ALTER ROLE rdsdb NOLOGIN", "DROP; SELECT 1", "RENAME TO x"])
def test_change_superuser_runs_no_other_statement(sql_cluster, database, users, clause):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        assert conn.execute("select localshift.change_superuser(%s, %s)", (OTHER_SUPER, clause)).fetchone() == (False,)
        assert _flags(conn, OTHER_SUPER) == (True, True, True)
    assert _logs_in(sql_cluster, database, OTHER_SUPER, PASSWORD)
