"""The master user is an ordinary role: nothing it runs through the front reaches the host,
the internal role cannot be had, and ordinary work still works (roles.py, wire_front.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.roles import ADMIN_USER, EngineSetup

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, as_user_in_the_engine, connect, free_port, log_in_raw, rows, startup_packet

# Each statement must fail with a privilege error; none may touch a file or run a program.
# Those that are no Redshift SQL (COPY of server files, PostgreSQL's role options) the
# translator refuses first; the engine must refuse them too (see ``refused_by_the_engine``).
REFUSED = [
    "COPY (SELECT 1) TO PROGRAM 'touch /tmp/localshift-pwned'",
    "COPY t FROM '/etc/passwd'",
    "COPY t TO '/tmp/localshift-pwned'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT pg_ls_dir('/')",
    "SELECT pg_stat_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "ALTER SYSTEM SET work_mem = '1GB'",
    "CREATE FUNCTION sys(text) RETURNS int AS '/lib/x86_64-linux-gnu/libc.so.6', 'system' LANGUAGE c",
    f"ALTER ROLE {USER} SUPERUSER",
    f"ALTER ROLE {USER} REPLICATION",
    "CREATE ROLE intruder SUPERUSER",
    f"SET ROLE {ADMIN_USER}",
    f"SET SESSION AUTHORIZATION {ADMIN_USER}",
    f"ALTER ROLE {ADMIN_USER} PASSWORD 'guessed'",
    f"GRANT pg_read_server_files TO {USER}",
    f"GRANT pg_execute_server_program TO {USER}",
    f"GRANT {ADMIN_USER} TO {USER}",
    "LOAD '/lib/x86_64-linux-gnu/libc.so.6'",
    "SET dynamic_library_path = '/tmp'",
]


def refused_by_the_engine(conn: psycopg.Connection, statement: str) -> None:
    """``statement`` fails with a privilege error, both as sent and, when the Redshift
    translator refuses it as sent, run by the engine from inside a DO block (where the
    translator does not look)."""
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return
    except psycopg.Error:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("DO $$ BEGIN EXECUTE {}; END $$").format(sql.Literal(statement)))
        return
    pytest.fail(f"{statement} ran")


@pytest.mark.parametrize("statement", REFUSED)
def test_master_user_cannot_reach_the_host(shared, statement):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        refused_by_the_engine(conn, statement)
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert not Path("/tmp/localshift-pwned").exists()


def test_extensions_are_refused_and_need_a_superuser_underneath(shared):
    """Redshift has no CREATE EXTENSION: the engine refuses it to users (catalog/45_postgresql_only_commands.sql),
    also from a DO block; under that refusal, an extension not marked trusted still needs a superuser."""
    dp, port = shared
    with connect(port, autocommit=True) as conn:
        for statement in ("CREATE EXTENSION vector", "DO $$ BEGIN EXECUTE 'CREATE EXTENSION vector'; END $$"):
            with pytest.raises(psycopg.errors.FeatureNotSupported, match=r"^SQL command .* not supported\.$"):
                conn.execute(statement)
    with as_user_in_the_engine(dp, "shared") as user, pytest.raises(psycopg.errors.InsufficientPrivilege):
        user.execute("CREATE EXTENSION vector")


def test_master_user_does_ordinary_work(shared):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        assert conn.execute(
            "SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (True, True, True, False)
        assert conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                            (DB,)).fetchone() == (USER,)
        # the engine's owner of public (a quoted name reads the engine's catalog; PG_NAMESPACE shows rdsdb's, as
        # Redshift's does)
        assert conn.execute("SELECT nspowner::regrole::text FROM \"pg_namespace\" WHERE nspname = 'public'"
                            ).fetchone() == (USER,)
        assert conn.execute("SELECT usename FROM pg_namespace JOIN pg_user ON usesysid = nspowner"
                            " WHERE nspname = 'public'").fetchone() == ("rdsdb",)
        conn.execute("CREATE TABLE sales (id int, amount numeric(10, 1))")
        conn.execute("INSERT INTO sales VALUES (1, 9.5)")
        conn.execute("CREATE SCHEMA staging")
        conn.execute("CREATE TABLE staging.raw AS SELECT * FROM sales")
        conn.execute("CREATE USER analyst PASSWORD 'Analyst-1'")
        conn.execute("GRANT USAGE ON SCHEMA staging TO analyst")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA staging TO analyst")
        conn.execute("CREATE DATABASE reports")
        conn.execute("CREATE FUNCTION twice(int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN $1 * 2; END $$")
        assert conn.execute("SELECT twice(21)").fetchone() == (42,)
    with connect(port, user="analyst", password="Analyst-1", autocommit=True) as conn:
        assert conn.execute("SELECT amount FROM staging.raw").fetchall() == [(9.5,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pg_read_file('/etc/passwd')")
    with connect(port, dbname="reports", autocommit=True) as conn:
        conn.execute("CREATE TABLE r (id int)")  # the master user owns the databases it creates


def test_every_user_may_create_in_public_as_on_redshift(shared):
    """Redshift gives every user CREATE and USAGE on schema public, in the master user's database and in
    those created later; its owner (the master user) may take CREATE back."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER writer PASSWORD 'Writer-1'")
        conn.execute("CREATE DATABASE later")
        conn.execute("CREATE DATABASE locked")
    with connect(port, dbname="locked", autocommit=True) as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for database in (DB, "later"):
        with connect(port, user="writer", password="Writer-1", dbname=database, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.notes (line text)")
            conn.execute("INSERT INTO notes VALUES ('mine')")
            assert conn.execute("SELECT line FROM notes").fetchall() == [("mine",)]
    with connect(port, user="writer", password="Writer-1", dbname="locked", autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for schema public"):
            conn.execute("CREATE TABLE notes (line text)")


def test_roles_created_by_sql_are_ordinary(shared):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER helper PASSWORD 'Helper-1' CREATEUSER")  # a Redshift superuser
        refused_by_the_engine(conn, "ALTER ROLE helper SUPERUSER")
    with connect(port, user="helper", password="Helper-1", autocommit=True) as conn:
        for statement in ("CREATE ROLE deeper SUPERUSER", "GRANT pg_write_server_files TO helper",
                          f"SET ROLE {USER}"):
            refused_by_the_engine(conn, statement)


@pytest.mark.parametrize("user", [ADMIN_USER, ADMIN_USER.upper()])
def test_internal_role_cannot_log_in_through_the_front(shared, user):
    plane, port = shared
    admin_password = (plane.root / "admin-secret").read_text().strip()
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{user}"'):
        connect(port, user=user, password=admin_password)


def test_internal_role_cannot_log_in_named_after_another_user(shared):
    """PostgreSQL reads the last of two ``user`` parameters: the front checks that one."""
    plane, port = shared
    admin_password = (plane.root / "admin-secret").read_text().strip()
    packet = startup_packet(("user", USER), ("user", ADMIN_USER), ("database", DB))
    reply = log_in_raw(port, packet, ADMIN_USER, admin_password)
    assert reply[:1] == b"E"
    assert f'password authentication failed for user "{ADMIN_USER}"'.encode() in reply
    # The master user named twice logs in as itself.
    reply = log_in_raw(port, startup_packet(("user", "nobody"), ("user", USER), ("database", DB)), USER, PASSWORD)
    assert reply[:9] == b"R" + (8).to_bytes(4, "big") + (0).to_bytes(4, "big")


@pytest.mark.parametrize("options", [f"-c role={ADMIN_USER}", f"-c session_authorization={ADMIN_USER}"])
def test_startup_options_cannot_switch_to_the_internal_role(shared, options):
    _, port = shared
    with pytest.raises(psycopg.Error, match="permission denied"):
        with connect(port, options=options) as conn:
            conn.execute("SELECT 1")


def _make_old_style(dp, key: str) -> None:
    """What an engine of an older localshift looks like: a superuser master user, a role holding
    the host roles, no setup_version."""
    eng = dp._existing(key)
    with eng.connect() as conn:
        conn.execute(sql.SQL("ALTER ROLE {} SUPERUSER").format(sql.Identifier(USER)))
        conn.execute("CREATE ROLE reader LOGIN PASSWORD 'Reader-1'")
        conn.execute("GRANT pg_read_server_files, pg_execute_server_program TO reader")
    meta = eng.read_meta()
    del meta["setup_version"]
    eng.write_meta(meta)


def _assert_confined(port: int, password: str = PASSWORD) -> None:
    assert rows(port, "SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY 1", password) == [(ADMIN_USER,)]
    assert rows(port, "SELECT count(*) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid"
                      " WHERE r.rolname LIKE 'pg_%server%'", password) == [(0,)]
    with connect(port, password, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pg_read_file('/etc/passwd')")
        conn.execute("CREATE TABLE still_works (id int)")


def test_superuser_master_of_an_old_snapshot_is_demoted_on_restore(dp, cluster):
    key, _ = cluster
    _make_old_style(dp, key)
    dp.create_snapshot(key, "old-style")
    port = dp.restore_snapshot("old-style", "restored", free_port(), master_password="New-pass1")
    assert rows(port, "SELECT current_user", password="New-pass1") == [(USER,)]
    _assert_confined(port, "New-pass1")


def test_engine_of_an_older_version_is_confined_when_started(dp, cluster):
    key, port = cluster
    _make_old_style(dp, key)
    dp.stop_engine(key)
    port = dp.start_engine(key, port)
    _assert_confined(port)
    assert dp._existing(key).read_meta()["setup_version"] >= 2


def test_initialisers_run_as_the_internal_role_on_create_and_restore(tmp_path):
    seen: list[tuple[str, str | None, str | None]] = []

    def install_catalog(setup: EngineSetup) -> None:
        with setup.connect(setup.db_name) as conn:
            seen.append((conn.execute("SELECT current_user").fetchone()[0], setup.master_username, setup.db_name))
            conn.execute("CREATE OR REPLACE FUNCTION public.getdate() RETURNS timestamp"
                         " LANGUAGE sql AS 'SELECT now()::timestamp'")

    plane = PostgresDataPlane(tmp_path / "dp", initialisers=[install_catalog])
    try:
        port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
        assert rows(port, "SELECT getdate() IS NOT NULL") == [(True,)]
        plane.create_snapshot("c1", "s")
        restored = plane.restore_snapshot("s", "r1", free_port())
        assert rows(restored, "SELECT getdate() IS NOT NULL") == [(True,)]
        assert seen == [(ADMIN_USER, USER, DB)] * 2
    finally:
        cleanup(plane)


def test_snapshot_of_another_data_plane_restores_with_our_internal_password(dp, cluster, tmp_path):
    """The internal role's password travels in snapshots; a restore gives it this data plane's."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept AS SELECT generate_series(1, 7) AS id")
    dp.create_snapshot(key, "elsewhere")
    shutil.copytree(dp.store.root, tmp_path / "other" / "snapshots")
    other = PostgresDataPlane(tmp_path / "other")
    try:
        assert (other.root / "admin-secret").read_text() != (dp.root / "admin-secret").read_text()
        restored = other.restore_snapshot("elsewhere", "here", free_port())
        assert rows(restored, "SELECT count(*) FROM kept") == [(7,)]
        with other._existing("here").connect() as admin:  # our secret opens it
            assert admin.execute("SELECT current_user").fetchone() == (ADMIN_USER,)
        _assert_confined(restored)
    finally:
        cleanup(other)
