"""Temporary credentials at the wire front: the front checks them, the session runs as the real role."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest
import redshift_connector

from localshift.dataplane.credentials import TemporaryLogin, password_md5

from support import wait_for

from .helpers import DB, connect, free_port, log_in_raw, startup_packet

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(dp) -> Clock:
    clock = Clock()
    dp.logins.clock = clock
    return clock


@pytest.fixture
def port(dp, clock) -> int:
    served = dp.create_engine("c1", free_port(), "awsuser", "Passw0rd-1", DB)
    with connect(served, autocommit=True) as conn:
        conn.execute("CREATE USER alice PASSWORD 'Alice-pw1'")
        conn.execute("CREATE TABLE secret_of_master (v int)")
        conn.execute("CREATE GROUP readers")
        conn.execute("CREATE TABLE shared (v int)")
        conn.execute("INSERT INTO shared VALUES (7)")
        conn.execute("GRANT SELECT ON shared TO GROUP readers")
    return served


def allow(dp, login_user: str, db_user: str, password: str, seconds: int = 900, **extra) -> None:
    dp.allow_login("c1", TemporaryLogin(login_user, db_user, password_md5(login_user, password),
                                        NOW + timedelta(seconds=seconds), **extra))


def whoami(conn) -> tuple:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT current_user, session_user").fetchone()


def test_a_temporary_credential_logs_in_as_the_role_it_names(dp, port):
    allow(dp, "IAM:alice", "alice", "temp-pw-1")
    with connect(port, user="IAM:alice", password="temp-pw-1", autocommit=True) as conn:
        assert whoami(conn) == ("alice", "alice")
        # An ordinary session of alice: nothing to reset back to, no one else to become.
        conn.execute("RESET ROLE")
        assert whoami(conn) == ("alice", "alice")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET ROLE awsuser")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET SESSION AUTHORIZATION awsuser")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with connect(port, user="IAM:alice", password="temp-pw-1", autocommit=True) as conn:
            conn.execute("SELECT * FROM secret_of_master")
    # Alice's own password still works, and is not what the credential used.
    with connect(port, user="alice", password="Alice-pw1") as conn:
        assert whoami(conn) == ("alice", "alice")


def test_a_user_named_like_a_credential_cannot_log_in_with_its_own_password_named_twice(dp, port):
    """``user`` given twice, an ``IAM:`` name last (PostgreSQL's choice): the front checks that one as a
    temporary credential, so the SQL user of that name cannot log in with the password SQL gave it."""
    with connect(port, autocommit=True) as conn:
        conn.execute('CREATE USER "IAM:carol" PASSWORD \'Carol-pw1\'')
    packet = startup_packet(("user", "awsuser"), ("user", "IAM:carol"), ("database", DB))
    reply = log_in_raw(port, packet, "IAM:carol", "Carol-pw1")
    assert reply[:1] == b"E"
    assert b'password authentication failed for user "IAM:carol"' in reply


def test_wrong_passwords_and_unknown_credentials_fail_as_postgresql_says(dp, port):
    allow(dp, "IAM:alice", "alice", "temp-pw-1")
    for user, password in (("IAM:alice", "wrong"), ("IAM:bob", "temp-pw-1"), ("IAMA:alice", "temp-pw-1")):
        with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{user}"'):
            connect(port, user=user, password=password)


def test_several_credentials_of_one_user_are_valid_at_once_until_each_expires(dp, port, clock):
    allow(dp, "IAM:alice", "alice", "first-pw", seconds=900)
    allow(dp, "IAM:alice", "alice", "second-pw", seconds=3600)
    for password in ("first-pw", "second-pw"):
        with connect(port, user="IAM:alice", password=password) as conn:
            assert whoami(conn)[0] == "alice"
    open_session = connect(port, user="IAM:alice", password="first-pw", autocommit=True)
    clock.now = NOW + timedelta(seconds=901)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, user="IAM:alice", password="first-pw")
    with connect(port, user="IAM:alice", password="second-pw") as conn:
        assert whoami(conn)[0] == "alice"
    # A session opened before the expiry goes on, as on Redshift.
    assert open_session.execute("SELECT 1").fetchone() == (1,)
    open_session.close()
    clock.now = NOW + timedelta(seconds=3600)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, user="IAM:alice", password="second-pw")


def test_a_credential_for_one_database_opens_no_other(dp, port):
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE DATABASE other")
    allow(dp, "IAM:alice", "alice", "pw", db_name=DB)
    with connect(port, user="IAM:alice", password="pw") as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (DB,)
    with pytest.raises(psycopg.OperationalError, match='not authorized to connect to database "other"'):
        connect(port, user="IAM:alice", password="pw", dbname="other")


def test_auto_create_makes_the_role_and_a_missing_role_fails_without_it(dp, port):
    allow(dp, "IAM:carol", "carol", "pw")
    with pytest.raises(psycopg.OperationalError, match='role "carol" does not exist'):
        connect(port, user="IAM:carol", password="pw")
    allow(dp, "IAMA:carol", "carol", "pw", auto_create=True)
    with connect(port, user="IAMA:carol", password="pw") as conn:
        assert whoami(conn) == ("carol", "carol")
    with connect(port, autocommit=True) as conn:
        super_, createdb, createrole = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'carol'").fetchone()
        assert (super_, createdb, createrole) == (False, False, False)
        # Redshift's superusers (the master user) reach its objects, as those of a user CREATE USER made.
        assert conn.execute("SELECT pg_has_role('localshift_superuser', 'carol', 'MEMBER'),"
                            " pg_has_role('carol', 'localshift_superuser', 'MEMBER')").fetchone() == (True, False)
    # The role made for it has a password nobody was told.
    with pytest.raises(psycopg.OperationalError):
        connect(port, user="carol", password="pw")


def test_the_master_user_makes_an_auto_created_user_a_superuser_and_back(dp, port):
    """The role is the internal role's (it made it): ALTER USER ... CREATEUSER by the master user failed
    (no ADMIN OPTION on it, and its grant to localshift_superuser was none of the master user's)."""
    allow(dp, "IAMA:erin", "erin", "pw", auto_create=True)
    with connect(port, user="IAMA:erin", password="pw"):
        pass
    flags = "SELECT usesuper, usecreatedb FROM pg_user WHERE usename = 'erin'"
    with connect(port, autocommit=True) as conn:
        conn.execute("ALTER USER erin CONNECTION LIMIT 5")
        assert conn.execute("ALTER USER erin CREATEUSER").statusmessage == "ALTER USER"
        assert conn.execute(flags).fetchone() == (True, True)
        assert conn.execute("ALTER USER erin NOCREATEUSER").statusmessage == "ALTER USER"
        assert conn.execute(flags).fetchone() == (False, False)
        conn.execute("DROP USER erin")


def test_an_iam_identity_logs_in_as_a_role_of_its_own_name(dp, port):
    allow(dp, "IAM:dave", "IAM:dave", "pw", auto_create=True)
    with connect(port, user="IAM:dave", password="pw", autocommit=True) as conn:
        assert whoami(conn) == ("IAM:dave", "IAM:dave")


def test_a_role_whose_password_is_disabled_logs_in_with_temporary_credentials_only(dp, port):
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER erin PASSWORD DISABLE")  # no password
    allow(dp, "IAM:erin", "erin", "pw")
    with connect(port, user="IAM:erin", password="pw") as conn:
        assert whoami(conn)[0] == "erin"


def test_db_groups_are_joined_for_the_sessions_of_the_credential(dp, port):
    allow(dp, "IAM:alice", "alice", "with-groups", groups=("readers",))
    allow(dp, "IAM:alice", "alice", "without")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with connect(port, user="IAM:alice", password="without", autocommit=True) as conn:
            conn.execute("SELECT v FROM shared")
    first = connect(port, user="IAM:alice", password="with-groups", autocommit=True)
    second = connect(port, user="IAM:alice", password="with-groups", autocommit=True)
    assert first.execute("SELECT v FROM shared").fetchone() == (7,)
    first.close()
    assert second.execute("SELECT v FROM shared").fetchone() == (7,)  # still a member for this one
    second.close()

    def member() -> bool:
        with connect(port, autocommit=True) as conn:
            return bool(conn.execute("SELECT pg_has_role('alice', 'readers', 'MEMBER')").fetchone()[0])

    wait_for(lambda: not member())  # left with the last session (the front learns of a close asynchronously)
    allow(dp, "IAM:alice", "alice", "missing-group", groups=("nobody",))
    with pytest.raises(psycopg.OperationalError, match='group "nobody" does not exist'):
        connect(port, user="IAM:alice", password="missing-group")


def _alice_reads_shared(port: int) -> bool:
    """Whether alice's own session (her password, no credential) reads the table only readers may."""
    with connect(port, user="alice", password="Alice-pw1", autocommit=True) as conn:
        try:
            conn.execute("SELECT v FROM shared")
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True


def test_groups_joined_for_sessions_are_left_when_the_engine_starts_again(dp, port, monkeypatch):
    """The service stopped without revoking a session's groups (killed, or its engine down at the time):
    the membership, which no session holds any more, is revoked at the engine's next start."""
    monkeypatch.setattr(dp.front.logins, "release", lambda admission: None)  # what a killed service does
    allow(dp, "IAM:alice", "alice", "with-groups", groups=("readers",))
    with connect(port, user="IAM:alice", password="with-groups", autocommit=True) as conn:
        assert conn.execute("SELECT v FROM shared").fetchone() == (7,)
    assert _alice_reads_shared(port)  # held past the session (Redshift: the session's alone)
    with connect(port, autocommit=True) as conn:  # the master's own grants stay
        conn.execute("CREATE GROUP writers")
        conn.execute("ALTER GROUP writers ADD USER alice")
    dp.stop_engine("c1")
    port = dp.start_engine("c1", port)
    assert not _alice_reads_shared(port)
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT pg_has_role('alice', 'writers', 'MEMBER'),"
                            " pg_has_role('awsuser', 'readers', 'MEMBER')").fetchone() == (True, True)


def test_a_snapshot_taken_during_a_session_restores_without_its_groups(dp, port):
    allow(dp, "IAM:alice", "alice", "with-groups", groups=("readers",))
    with connect(port, user="IAM:alice", password="with-groups", autocommit=True) as conn:
        conn.execute("SELECT 1")
        dp.create_snapshot("c1", "during-a-session")
    restored = dp.restore_snapshot("during-a-session", "restored", free_port())
    assert not _alice_reads_shared(restored)
    with connect(restored, autocommit=True) as conn:
        assert conn.execute("SELECT v FROM shared").fetchone() == (7,)


def test_redshift_connector_logs_in_with_a_temporary_credential(dp, port):
    allow(dp, "IAM:alice", "alice", "rc-pw")
    conn = redshift_connector.connect(host="127.0.0.1", port=port, database=DB, user="IAM:alice",
                                      password="rc-pw", ssl=False, timeout=30)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "alice"
    finally:
        conn.close()


def test_the_internal_role_is_still_refused(dp, port):
    allow(dp, "IAM:rdsdb", "rdsdb", "pw")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(port, user="rdsdb", password="pw")


@pytest.mark.parametrize("group", ["rdsdb", "pg_execute_server_program", "pg_read_server_files",
                                   "localshift_superuser", "awsuser", "alice"])
def test_db_groups_are_groups_never_the_internal_or_predefined_roles_nor_users(dp, port, group):
    """The internal role, PostgreSQL's predefined roles (files and programs of the host), localshift's
    own and users are no Redshift groups: a credential naming one is refused as naming a missing group."""
    allow(dp, "IAM:erin", "erin", "joins", groups=(group,), auto_create=True)
    with pytest.raises(psycopg.OperationalError, match=f'group "{group}" does not exist'):
        connect(port, user="IAM:erin", password="joins")
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                            " WHERE r.rolname = 'erin'").fetchone() == (0,)


def test_a_credential_never_logs_in_as_the_internal_role(dp, port):
    """Not even on an engine whose internal role's password is still an md5 verifier (an older
    localshift's): a Data API DbUser reaches the data plane unchecked for reserved names."""
    with dp._existing("c1").connect() as admin:
        admin.execute("SET password_encryption = 'md5'")
        admin.execute(f"ALTER ROLE rdsdb PASSWORD '{dp._existing('c1').admin_password}'")
    allow(dp, "IAM:rdsdb", "rdsdb", "as-internal")
    with pytest.raises(psycopg.OperationalError, match='role "rdsdb" is not permitted to log in'):
        connect(port, user="IAM:rdsdb", password="as-internal")
