"""The master user is an ordinary role: nothing it runs through the front reaches the host,
the internal role cannot be had, and ordinary work still works (roles.py, wire_front.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.redshift_sql.history import QueryRecorder
from localshift.dataplane.roles import ADMIN_USER, EngineSetup

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, free_port, rows

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
    "CREATE EXTENSION vector",  # not marked trusted: needs a superuser
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


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One cluster for the tests that do not change who may do what: (data plane, port)."""
    plane = PostgresDataPlane(tmp_path_factory.mktemp("roles") / "dp")
    try:
        port = plane.create_engine("shared", free_port(), USER, PASSWORD, DB)
        with connect(port, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (line text)")
        yield plane, port
    finally:
        cleanup(plane)


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


def test_master_user_does_ordinary_work(shared):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        assert conn.execute(
            "SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (True, True, True, False)
        assert conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                            (DB,)).fetchone() == (USER,)
        assert conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'"
                            ).fetchone() == (USER,)
        conn.execute("CREATE TABLE sales (id int, amount numeric)")
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


# A function of the master user's that records who runs it: none of the internal role's work may
# run it as the internal role (with a superuser's rights it could reach the host).
RECORD_RUNNER = """CREATE FUNCTION record_runner() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN INSERT INTO public.runners VALUES (current_user::text); RETURN true; END $$"""


def test_counting_rows_for_the_catalog_never_reads_a_view_as_the_internal_role(shared):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute(RECORD_RUNNER)
        conn.execute("CREATE VIEW calls_runner AS SELECT record_runner() AS ran")
        conn.execute("CREATE TABLE counted (id int)")
        conn.execute("INSERT INTO counted VALUES (1), (2)")
        try:
            assert conn.execute("SELECT localshift.row_count('calls_runner'::regclass),"
                                " localshift.row_count('counted'::regclass)").fetchone() == (None, 2)
            # A temporary table named as a catalog does not fool it: pg_temp comes last in its path.
            conn.execute("CREATE TEMPORARY TABLE pg_class (oid oid, relkind \"char\")")
            conn.execute("INSERT INTO pg_temp.pg_class VALUES ('calls_runner'::regclass, 'r')")
            assert conn.execute("SELECT localshift.row_count('calls_runner'::regclass)").fetchone() == (None,)
            assert conn.execute("SELECT count(*) FROM runners").fetchone() == (0,)
        finally:
            conn.execute("DROP TABLE IF EXISTS pg_temp.pg_class")
            conn.execute("DROP VIEW calls_runner")
            conn.execute("DROP TABLE runners, counted")
            conn.execute("DROP FUNCTION record_runner()")


def test_the_catalogs_own_tables_are_written_by_the_internal_role_only(shared):
    """The master user may write every user's table (pg_write_all_data) but not the catalog's
    bookkeeping, which functions running as the internal role trust."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 'localshift'::regnamespace"
            " AND c.relkind IN ('r', 'p') ORDER BY 1")]
        assert "localshift.late_binding_views" in tables and "localshift.query_history" in tables
        for table in tables:
            for statement in (f"UPDATE {table} SET {_first_column(conn, table)} = NULL",
                              f"DELETE FROM {table}",
                              f"INSERT INTO {table} DEFAULT VALUES"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation"):
                    conn.execute(statement)
        conn.execute("CREATE TABLE kept (id int)")  # the catalog still records what users do
        try:
            assert conn.execute("SELECT count(*) FROM localshift.relation_created"
                                " WHERE table_oid = 'kept'::regclass").fetchone() == (1,)
        finally:
            conn.execute("DROP TABLE kept")


def _first_column(conn: psycopg.Connection, table: str) -> str:
    return conn.execute("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = %s::regclass"
                        " AND attnum > 0 AND attidentity = '' ORDER BY attnum LIMIT 1", (table,)).fetchone()[0]


def test_internal_sessions_resolve_names_in_pg_catalog_only(shared):
    """A user's function or operator in public that matches a call better than the built-in one
    (``lower(varchar)``) is never what the internal role's statements call."""
    plane, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute(RECORD_RUNNER)
        conn.execute("CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql"
                     " AS $$ SELECT CASE WHEN public.record_runner() THEN 'x' END $$")
    try:
        plane.apply_settings("shared", {"search_path": "$user, public"})  # the users' default path
        with plane._engine("shared").connect(DB) as internal:
            path = internal.execute("SHOW search_path").fetchone()[0]
            assert [schema.strip() for schema in path.split(",")] == ["pg_catalog", "pg_temp"]
            assert internal.execute("SELECT lower('ABC'::varchar)").fetchone() == ("abc",)
        with connect(port, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM runners").fetchone() == (0,)
    finally:
        with connect(port, autocommit=True) as conn:
            conn.execute("DROP FUNCTION public.lower(varchar)")
            conn.execute("DROP TABLE runners")
            conn.execute("DROP FUNCTION record_runner()")


def test_the_internal_roles_password_is_stored_as_a_scram_verifier(shared):
    """Redshift superusers read pg_authid (pg_read_all_data): what they find there for the
    internal role is no md5 hash, which would log one in as it on the engine's socket."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid WHERE rolname = %s",
                            (ADMIN_USER,)).fetchone() == (True,)
        assert conn.execute("SELECT rolpassword LIKE 'md5%%' FROM pg_authid WHERE rolname = %s",
                            (USER,)).fetchone() == (True,)  # the master user's stays md5 (redshift_connector)


# What a late-binding view keeps when OR REPLACE drops it travels in a setting of the
# transaction (localshift.replaced_view), which any user can set: the internal role restoring
# it must not give the view to a role its creator could not give it to, nor run a grant's text.
FORGED_PROPERTIES = [
    pytest.param({"schema": "public", "name": "forged", "owner": ADMIN_USER, "grants": []},
                 psycopg.errors.InsufficientPrivilege, id="owner"),
    pytest.param({"schema": "public", "name": "forged", "owner": USER, "grants": [
        {"privilege": "SELECT ON public.forged TO PUBLIC; SELECT public.record_runner(); --",
         "grantee": None, "grantable": False}]}, psycopg.errors.InvalidParameterValue, id="grant"),
    pytest.param({"schema": "public", "name": "forged", "owner": USER, "grants": [
        {"privilege": "SELECT", "grantee": "PUBLIC; SELECT public.record_runner(); --",
         "grantable": False}]}, psycopg.errors.UndefinedObject, id="grantee"),
]


@pytest.mark.parametrize(("properties", "error"), FORGED_PROPERTIES)
def test_forged_properties_of_a_replaced_view_never_run_as_the_internal_role(shared, properties, error):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute(RECORD_RUNNER)
        try:
            conn.execute("SELECT set_config('localshift.replaced_view', %s, false)", (json.dumps(properties),))
            with pytest.raises(error):
                conn.execute("CREATE VIEW forged AS SELECT public.record_runner() AS ran WITH NO SCHEMA BINDING")
            assert conn.execute("SELECT count(*) FROM pg_class WHERE relname = 'forged'").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM runners").fetchone() == (0,)
            conn.execute("SELECT set_config('localshift.replaced_view', '', false)")
            conn.execute("CREATE VIEW forged AS SELECT public.record_runner() AS ran WITH NO SCHEMA BINDING")
            assert conn.execute("SELECT ran FROM forged").fetchone() == (True,)
            assert conn.execute("SELECT name FROM runners").fetchall() == [(USER,)]
        finally:
            conn.execute("DROP VIEW IF EXISTS forged")
            conn.execute("DROP TABLE runners")
            conn.execute("DROP FUNCTION record_runner()")


# Functions of the master user's that match the calls of the catalog's code better than the
# built-ins (pg_catalog.format is variadic) or as well (set_config, when a path names public first).
DECOYS = [
    """CREATE FUNCTION public.format(a text, b text, c text, d text) RETURNS text LANGUAGE plpgsql AS $$
    BEGIN PERFORM public.record_runner(); RETURN pg_catalog.format(a, b, c, d); END $$""",
    """CREATE FUNCTION public.set_config(a text, b text, c boolean) RETURNS text LANGUAGE plpgsql AS $$
    BEGIN PERFORM public.record_runner(); RETURN pg_catalog.set_config(a, b, c); END $$""",
]


@pytest.mark.parametrize("search_path", ['"$user", public', "public, pg_catalog"])
def test_binding_a_late_binding_view_never_calls_the_users_functions_as_the_internal_role(shared, search_path):
    """A late-binding view's functions are created with the search path it was created with:
    nothing the internal role evaluates while that path is set may resolve to a user's function."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute(RECORD_RUNNER)
        for decoy in DECOYS:
            conn.execute(decoy)
        try:
            conn.execute(f"SET search_path TO {search_path}")
            conn.execute("CREATE VIEW late AS SELECT 1 AS one WITH NO SCHEMA BINDING")
            conn.execute("CREATE TABLE read_later (id int)")  # views bind again when tables are created
            assert conn.execute("SELECT one FROM late").fetchone() == (1,)
            assert (ADMIN_USER,) not in conn.execute("SELECT DISTINCT name FROM runners").fetchall()
        finally:
            conn.execute("RESET search_path")
            conn.execute("DROP VIEW IF EXISTS late")
            conn.execute("DROP TABLE IF EXISTS read_later")
            conn.execute("DROP FUNCTION public.format(text, text, text, text), public.set_config(text, text, boolean)")
            conn.execute("DROP TABLE runners")
            conn.execute("DROP FUNCTION record_runner()")


def test_databases_the_master_user_creates_carry_the_internal_roles_catalog(shared):
    """A database without localshift's schema would let its owner create one, whose tables and
    functions the internal role's writers and installer would then trust: every new database is a
    copy of template1 (TEMPLATE is no Redshift syntax)."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.SyntaxError):
            conn.execute("CREATE DATABASE bare TEMPLATE template0")
        conn.execute("CREATE DATABASE copied")
    with connect(port, dbname="copied", autocommit=True) as conn:
        assert conn.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'localshift'"
                            ).fetchone() == (ADMIN_USER,)
        with pytest.raises(psycopg.errors.DuplicateSchema):
            conn.execute("CREATE SCHEMA localshift")


def test_a_localshift_schema_of_a_users_is_never_trusted(dp, cluster):
    """A database an older localshift let the master user create from template0 had no catalog, so
    its owner could create the schema localshift: the history writer never writes (nor reads) its
    tables, and the installer moves it aside before installing the catalog."""
    key, port = cluster
    with dp._existing(key).connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE bare TEMPLATE template0 OWNER {}").format(sql.Identifier(USER)))
    columns = ", ".join(f"{name} text" for name in (
        "query_id", "pid", "user_name", "database_name", "query_text", "start_time", "end_time", "status",
        "command_tag", "row_count", "error_code", "error_message"))
    with connect(port, dbname="bare", autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute("CREATE SCHEMA localshift")
        conn.execute(f"CREATE TABLE localshift.query_history ({columns})")
        conn.execute("CREATE FUNCTION record_row() RETURNS trigger LANGUAGE plpgsql AS $$"
                     " BEGIN INSERT INTO public.runners VALUES (current_user::text); RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER record BEFORE INSERT ON localshift.query_history"
                     " FOR EACH ROW EXECUTE FUNCTION record_row()")
    recorder = QueryRecorder(dp.front.recorder._connect)
    socket = str(dp._engine(key).socket_path)
    recorder.ids_read(socket, recorder.read_ids(socket))
    recorder.record(socket, "bare", (1, USER, b"SELECT 1", 0.0, 1.0, b"SELECT 1", None))
    recorder.flush()
    assert rows_of(port, "bare", "SELECT count(*) FROM localshift.query_history") == [(0,)]
    assert rows_of(port, "bare", "SELECT count(*) FROM runners") == [(0,)]
    dp.stop_engine(key)
    port = dp.start_engine(key, port)
    assert rows_of(port, "bare", "SELECT nspname, nspowner::regrole::text FROM pg_namespace"
                                 " WHERE nspname LIKE 'localshift%' ORDER BY 1")[0] == ("localshift", ADMIN_USER)
    with connect(port, dbname="bare", autocommit=True) as conn:
        conn.execute("SELECT 2")
    dp.front.recorder.flush()
    assert rows_of(port, "bare", "SELECT count(*) FROM localshift.query_history WHERE query_text = 'SELECT 2'"
                   ) == [(1,)]
    assert rows_of(port, "bare", "SELECT count(*) FROM runners") == [(0,)]


def rows_of(port: int, dbname: str, query: str) -> list[tuple]:
    with connect(port, dbname=dbname) as conn:
        return conn.execute(query).fetchall()


def test_a_forged_binding_setting_leaves_no_record_that_breaks_others_ddl(shared):
    """``localshift.late_binding = on`` (the catalog's own flag while it binds: any user can set it)
    skips forgetting a dropped late-binding view; its record must not fail the DDL of those whose
    tables it named."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE named (a int)")
        try:
            conn.execute("CREATE VIEW gone AS SELECT a FROM public.named WITH NO SCHEMA BINDING")
            conn.execute("SELECT set_config('localshift.late_binding', 'on', false)")
            conn.execute("DROP VIEW gone")
            conn.execute("SELECT set_config('localshift.late_binding', 'off', false)")
            conn.execute("ALTER TABLE named ADD COLUMN b int")
            assert conn.execute("SELECT count(*) FROM localshift.late_binding_views l"
                                " WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = l.view_oid)").fetchone() == (0,)
        finally:
            conn.execute("DROP TABLE named")


@pytest.mark.parametrize(("view", "column"), [("stl_query", "querytxt"), ("sys_query_history", "query_text"),
                                              ("stl_querytext", "text")])
def test_a_users_condition_never_sees_the_rows_a_monitoring_view_hides(shared, view, column):
    """A regular user sees its own statements only; a condition of its query that fails on a row
    (a cast, whose error quotes the value) must not run before the view's filter, or the error
    would show another user's statement (the catalog's views are security barriers)."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER peeker PASSWORD 'Peeker-12'")
        conn.execute("SELECT 'the master user''s secret'")
    try:
        with connect(port, user="peeker", password="Peeker-12", autocommit=True) as conn:
            conn.execute("SELECT 'mine'")
            # (The word is spelt backwards in these statements, which the user's own history holds.)
            holds_the_word = f"strpos({column}, reverse('terces')) > 0"
            assert conn.execute(f"SELECT count(*) FROM {view} WHERE {holds_the_word}").fetchone() == (0,)
            try:
                conn.execute(f"SELECT count(*) FROM {view} WHERE {column}::int = 1 AND {holds_the_word}")
            except psycopg.errors.InvalidTextRepresentation as error:
                assert "secret" not in str(error)
    finally:
        with connect(port, autocommit=True) as conn:
            conn.execute("DROP USER peeker")


def test_a_late_binding_views_probe_made_security_invoker_never_runs_as_the_internal_role(shared):
    """A late-binding view's functions are its owner's, who may ALTER them: the internal role runs
    the probe only once it is SECURITY DEFINER again (as the invoker, the event triggers its
    CREATE VIEW fires would resolve operators on the view's path, where the owner's ``=`` wins)."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE runners (name text)")
        conn.execute(RECORD_RUNNER)
        conn.execute("CREATE TABLE probed (a int)")
        conn.execute("CREATE FUNCTION public.spying_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$"
                     " BEGIN PERFORM public.record_runner(); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$")
        try:
            conn.execute("SET search_path = public, pg_catalog")
            conn.execute("CREATE VIEW probing AS SELECT a FROM public.probed WITH NO SCHEMA BINDING")
            conn.execute("CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.spying_eq)")
            conn.execute("RESET search_path")
            oid = conn.execute("SELECT 'probing'::regclass::oid").fetchone()[0]
            conn.execute(f"ALTER FUNCTION localshift.late_binding_probe_{oid}() SECURITY INVOKER")
            conn.execute("ALTER TABLE probed ADD COLUMN b int")  # binds the view again
            assert conn.execute("SELECT * FROM probing").fetchall() == []
            assert (ADMIN_USER,) not in conn.execute("SELECT DISTINCT name FROM runners").fetchall()
        finally:
            conn.execute("RESET search_path")
            conn.execute("DROP OPERATOR IF EXISTS public.= (integer, integer)")
            conn.execute("DROP VIEW IF EXISTS probing")
            conn.execute("DROP TABLE probed, runners")
            conn.execute("DROP FUNCTION public.spying_eq(integer, integer), record_runner()")
