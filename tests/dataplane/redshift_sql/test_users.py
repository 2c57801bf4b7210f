"""CREATE USER and ALTER USER (users.py)."""

from __future__ import annotations

import psycopg
import pytest

from localshift.dataplane.redshift_sql.tokens import quote_literal

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
             "CREATE ROLE u1 LOGIN PASSWORD E'md5153c434b4b77c89e6b94f12c5393af5b' VALID UNTIL E'2030-01-01'"),
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
                 "SELECT localshift.set_syslog_access(E''admin2'', true)",
                 "SELECT localshift.change_user(E''admin2'', E''SET \"idle_session_timeout\" TO E''''120s'''''')"):
        assert part in text, part


def performed(text: str) -> list[str]:
    """The calls a DO block of users.py performs."""
    assert text.startswith("DO $localshift$"), text
    return [part.split(";", 1)[0] for part in text.split("PERFORM ")[1:-1]]


def test_localshifts_role_names_are_reserved():
    for statement in ("create user localshift_x password 'Abcdefg1'", 'create user "localshift_owners" password disable',
                      "alter user u1 rename to localshift_superuser", "create user public password disable"):
        assert refused(statement)[0] == "42939", statement


def test_only_superusers_pass_the_guard_of_set_superuser_and_set_syslog_access():
    assert "has_function_privilege" in pg("alter user u1 createuser")
    assert "has_function_privilege" in pg("alter user u1 syslog access restricted")
    assert "has_function_privilege" not in pg("alter user u1 connection limit 1")


def test_alter_user():
    """Every form runs through localshift.change_user (any superuser on any user); demoted first (CREATEDB
    of the same statement stays), by the internal role's function."""
    assert performed(pg("alter user u1 createdb nocreateuser")) == [
        "localshift.set_superuser(E'u1', false)", "localshift.change_user(E'u1', E'CREATEDB')"]
    assert performed(pg("alter user u1 createuser connection limit 3")) == [
        "localshift.change_user(E'u1', E'CONNECTION LIMIT 3')", "localshift.set_superuser(E'u1', true)"]
    for statement, clause in (
            ("alter user u1 password 'Newpass123' valid until 'infinity'",
             "PASSWORD E''Newpass123'' VALID UNTIL E''infinity''"),
            ("alter user u1 connection limit unlimited", "CONNECTION LIMIT -1"),
            ('alter user u1 rename to "U 2"', 'RENAME TO "U 2"'),
            ("alter user u1 set query_group to 'etl'", "SET \"redshift.query_group\" TO E''etl''"),
            ("alter user u1 set search_path = public, '$user', \"My\"",
             "SET \"search_path\" TO E''public'', E''$user'', E''My''"),
            ("alter user u1 set statement_timeout to -1", "SET \"statement_timeout\" TO E''-1''"),
            ("alter user u1 set query_group to default", "RESET \"redshift.query_group\""),
            ("alter user u1 reset session timeout", "RESET \"idle_session_timeout\""),
            ("alter user u1 session timeout 300", "SET \"idle_session_timeout\" TO E''300s''")):
        assert performed(pg(statement)) == [f"localshift.change_user(E'u1', E'{clause}')"], statement
    assert performed(pg("alter user u1 syslog access restricted")) == ["localshift.set_syslog_access(E'u1', false)"]
    for statement in ("alter user u1 set x to a b", "alter user u1 connection limit many",
                      "alter user u1 set x to 1,", "alter user u1 valid until now"):
        assert refused(statement)[0] == "42601", statement


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


INTERNAL_ROLES = ["rdsdb", "localshift_owners", "localshift_superuser", "localshift_syslog_unrestricted",
                  "pg_read_all_data"]


@pytest.mark.parametrize("target", INTERNAL_ROLES)
def test_a_superuser_reaches_no_internal_role_through_change_superuser(sql_cluster, database, users, target):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        for clause in ("DROP", "PASSWORD NULL", "CONNECTION LIMIT 1", 'RESET "search_path"'):
            assert conn.execute("select localshift.change_superuser(%s, %s)", (target, clause)).fetchone() == (False,)
        with pytest.raises(psycopg.Error):
            conn.execute(f"DROP USER {target}")
        assert conn.execute("select count(*) from pg_roles where rolname = %s", (target,)).fetchone() == (1,)


@pytest.mark.parametrize("target", INTERNAL_ROLES)
def test_the_master_user_alters_no_internal_role(sql_cluster, database, users, target):
    """No superuser holds ADMIN OPTION on localshift's roles (it held localshift_superuser's and
    localshift_syslog_unrestricted's, which with CREATEROLE let it give them a password and LOGIN, log
    in as them, rename and drop them): neither Redshift's statements nor PostgreSQL's in a DO block."""
    with sql_cluster.connect(database) as conn:
        engine_statements = [f"ALTER ROLE {target} LOGIN PASSWORD 'Changed123'", f"ALTER ROLE {target} RENAME TO x",
                             f"ALTER ROLE {target} SET search_path TO x", f"DROP ROLE {target}",
                             f"GRANT {target} TO admin", f"COMMENT ON ROLE {target} IS 'x'"]
        for text in [f"ALTER USER {target} PASSWORD 'Changed123'", f"ALTER USER {target} CONNECTION LIMIT 1",
                     f"ALTER USER {target} SET search_path TO x", f"ALTER USER {target} RENAME TO x",
                     f"ALTER USER {target} SYSLOG ACCESS UNRESTRICTED", f"ALTER USER {target} CREATEUSER",
                     f"DROP USER {target}"] + engine_statements + [
                f"DO $$ BEGIN EXECUTE {quote_literal(statement)}; END $$" for statement in engine_statements]:
            with pytest.raises(psycopg.Error) as error:
                conn.execute(text)
            assert error.value.sqlstate in ("42501", "42704", "42939"), (text, error.value)
        assert conn.execute("select rolcanlogin, rolconnlimit from pg_roles where rolname = %s",
                            (target,)).fetchone() == (target == "rdsdb", -1)
    assert not _logs_in(sql_cluster, database, target, "Changed123")


def test_no_superuser_holds_localshifts_roles_with_admin_option(sql_cluster, database, users):
    """A superuser demoted kept ADMIN OPTION on localshift_syslog_unrestricted, and so granted
    unrestricted system log access to anyone."""
    with sql_cluster.connect(database) as conn:
        conn.execute(f"ALTER USER {PLAIN} CREATEUSER")
        conn.execute(f"ALTER USER {PLAIN} NOCREATEUSER")
        assert conn.execute("select count(*) from pg_auth_members a where a.admin_option and a.roleid in"
                            " ('localshift_superuser'::regrole, 'localshift_syslog_unrestricted'::regrole)"
                            " and a.member <> 'rdsdb'::regrole").fetchone() == (0,)
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"ALTER USER {SUPER} SYSLOG ACCESS RESTRICTED")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"DO $$ BEGIN EXECUTE 'GRANT localshift_syslog_unrestricted TO {PLAIN}'; END $$")


def _syslog(conn, user: str) -> str:
    return conn.execute("select syslog_access from svv_user_info where user_name = %s", (user,)).fetchone()[0]


def test_any_superuser_sets_any_users_syslog_access(sql_cluster, database, users):
    with sql_cluster.connect(database, OTHER_SUPER, PASSWORD) as conn:
        assert conn.execute(f"ALTER USER {PLAIN} SYSLOG ACCESS UNRESTRICTED").statusmessage == "ALTER USER"
        assert _syslog(conn, PLAIN) == "UNRESTRICTED"
        conn.execute(f"ALTER USER {PLAIN} SYSLOG ACCESS RESTRICTED")
        assert _syslog(conn, PLAIN) == "RESTRICTED"


def test_a_user_made_a_superuser_is_no_member_of_an_ordinary_user(sql_cluster, database, users):
    """A superuser demoted stays a member of the users it created (createrole_self_grant): once one of
    them was made a superuser, the demoted user was one again through it."""
    made = "users_made_plain"
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        conn.execute(f"DROP USER IF EXISTS {made}")
        conn.execute(f"CREATE USER {made} PASSWORD '{PASSWORD}'")
    try:
        with sql_cluster.connect(database) as conn:
            conn.execute(f"ALTER USER {SUPER} NOCREATEUSER")
            conn.execute(f"ALTER USER {made} CREATEUSER")
            assert _flags(conn, SUPER) == (False, False, False)
        with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
            assert conn.execute("select localshift.session_is_superuser()").fetchone() == (False,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"GRANT {made} TO {SUPER}")
    finally:
        with sql_cluster.connect(database) as conn:
            conn.execute(f"DROP USER IF EXISTS {made}")


def test_any_superuser_alters_another_superusers_options(sql_cluster, database, users):
    """Redshift lets any superuser alter any user; the master user made both superusers, and users_super2
    holds no ADMIN OPTION on users_super.  Parameters the caller could not set itself stay refused."""
    with sql_cluster.connect(database, OTHER_SUPER, PASSWORD) as conn:
        for statement in (f"ALTER USER {SUPER} CONNECTION LIMIT 7", f"ALTER USER {SUPER} VALID UNTIL '2031-02-03'",
                          f"ALTER USER {SUPER} SET statement_timeout TO 60000",
                          f"ALTER USER {SUPER} SET query_group TO 'etl'", f"ALTER USER {SUPER} SESSION TIMEOUT 600",
                          f"ALTER USER admin CONNECTION LIMIT UNLIMITED", "ALTER USER admin RESET query_group"):
            assert conn.execute(statement).statusmessage == "ALTER USER", statement
        assert conn.execute("select rolconnlimit, rolvaliduntil::date::text, rolconfig from pg_roles"
                            " where rolname = %s", (SUPER,)).fetchone() == (
            7, "2031-02-03", ["statement_timeout=60000", "redshift.query_group=etl", "idle_session_timeout=600s"])
        conn.execute(f"ALTER USER {SUPER} RESET statement_timeout")
        conn.execute(f"ALTER USER {SUPER} RESET SESSION TIMEOUT")
        conn.execute(f"ALTER USER {SUPER} SET query_group TO DEFAULT")
        assert conn.execute("select rolconfig from pg_roles where rolname = %s", (SUPER,)).fetchone() == (None,)
        for statement in (f"ALTER USER {SUPER} SET session_preload_libraries TO 'x'",
                          f"ALTER USER {SUPER} SET lo_compat_privileges TO on",
                          f"ALTER USER {SUPER} RENAME TO users_renamed"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("select rolconfig from pg_roles where rolname = %s", (SUPER,)).fetchone() == (None,)
    assert _logs_in(sql_cluster, database, SUPER, PASSWORD)


def test_an_ordinary_user_alters_no_one_else(sql_cluster, database, users):
    """The engine's refusal, as Redshift's is a permission error: not change_superuser's."""
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        for statement in (f"ALTER USER {OTHER_SUPER} CONNECTION LIMIT 1", f"ALTER USER {SUPER} PASSWORD 'Changed123'",
                          f"DROP USER {SUPER}", f"ALTER USER {SUPER} RENAME TO x", f"ALTER USER {SUPER} SET search_path TO x",
                          f"ALTER USER {PLAIN} CREATEUSER", f"ALTER USER {SUPER} NOCREATEUSER",
                          f"ALTER USER {PLAIN} SYSLOG ACCESS UNRESTRICTED"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"^permission denied to (alter|drop|rename) role($|\n)"):
                conn.execute(statement)


@pytest.mark.parametrize("clause", ["PASSWORD NULL CREATEROLE", "PASSWORD E'x' SUPERUSER", "PASSWORD 'x\\' SUPERUSER --'",
                                    "PASSWORD E'x'; ALTER ROLE rdsdb NOLOGIN", "DROP; SELECT 1", "RENAME TO x"])
def test_change_superuser_runs_no_other_statement(sql_cluster, database, users, clause):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        assert conn.execute("select localshift.change_superuser(%s, %s)", (OTHER_SUPER, clause)).fetchone() == (False,)
        assert _flags(conn, OTHER_SUPER) == (True, True, True)
    assert _logs_in(sql_cluster, database, OTHER_SUPER, PASSWORD)
