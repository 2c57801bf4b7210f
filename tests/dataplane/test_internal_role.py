"""Nothing the internal role runs calls a user's code, and nothing a user writes is trusted by it:
the catalog's functions and event triggers (catalog/*.sql), its sessions (roles.py, history.py),
late-binding views' bookkeeping, monitoring views' filters. What a database's owner sets, and the internal
role's sessions, are in test_internal_role_sessions.py."""

from __future__ import annotations

import json

import psycopg
import pytest

from localshift.dataplane.roles import ADMIN_USER

from .helpers import DB, USER, as_user_in_the_engine, connect, create_runner_log


def test_counting_rows_for_the_catalog_never_reads_a_view_as_the_internal_role(shared):
    _, port = shared
    with connect(port, autocommit=True) as conn:
        create_runner_log(conn)
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


def test_the_reserved_query_ids_are_written_by_the_internal_role_only(shared):
    """The query history's writer reserves query ids in the engine's database postgres, which no
    user reaches (wire_messages.refused_startup): a reservation set near the end of bigint would
    stop the ids."""
    _, port = shared
    with pytest.raises(psycopg.OperationalError, match='database "postgres" does not exist'):
        connect(port, dbname="postgres", autocommit=True)


# The internal role's views PostgreSQL would write through to the table under them (views of one
# table, with no rules of their own), checking the view owner's rights on it: a superuser's.
_VIEWS_WRITING_AS_THE_INTERNAL_ROLE = """
SELECT c.oid::regclass::text FROM pg_class c
WHERE c.relkind = 'v' AND c.relowner = %s::regrole AND pg_relation_is_updatable(c.oid, true) <> 0
  AND NOT EXISTS (SELECT FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN')
ORDER BY 1"""


def test_the_engines_catalog_is_never_written_through_the_internal_roles_views(shared):
    """The master user holds pg_write_all_data, which covers views: a write through PG_PROC_INFO
    (a view of pg_proc) would be made with the view owner's rights, the internal role's, and
    hand the internal role's identity to the user's function.  Every such view refuses writes."""
    _, port = shared
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION whose() RETURNS text LANGUAGE sql AS $$ SELECT current_user::text $$")
        try:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation"):
                conn.execute("UPDATE pg_proc_info SET prosecdef = true, proowner = %s::regrole"
                             " WHERE proname = 'whose'", (ADMIN_USER,))
            assert conn.execute("SELECT whose()").fetchone() == (USER,)
            views = [name for (name,) in conn.execute(_VIEWS_WRITING_AS_THE_INTERNAL_ROLE, (ADMIN_USER,))]
            assert {"pg_proc_info", "information_schema.enabled_roles",
                    "localshift.redshift_pg_constraint", "localshift.redshift_pg_default_acl"} <= set(views)
            for view in views:
                with conn.transaction(force_rollback=True):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation"):
                        conn.execute(f"INSERT INTO {view} DEFAULT VALUES")
        finally:
            conn.execute("DROP FUNCTION whose()")


def _first_column(conn: psycopg.Connection, table: str) -> str:
    return conn.execute("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = %s::regclass"
                        " AND attnum > 0 AND attidentity = '' ORDER BY attnum LIMIT 1", (table,)).fetchone()[0]


def test_internal_sessions_resolve_names_in_pg_catalog_only(shared):
    """A user's function or operator in public that matches a call better than the built-in one
    (``lower(varchar)``) is never what the internal role's statements call."""
    plane, port = shared
    with connect(port, autocommit=True) as conn:
        create_runner_log(conn)
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
        create_runner_log(conn)
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
        create_runner_log(conn)
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
        # the engine's own catalog (a quoted name reads it, not the listing users see, without localshift)
        assert conn.execute("SELECT nspowner::regrole::text FROM \"pg_namespace\" WHERE nspname = 'localshift'"
                            ).fetchone() == (ADMIN_USER,)
        with pytest.raises(psycopg.errors.DuplicateSchema):
            conn.execute("CREATE SCHEMA localshift")


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
    CREATE VIEW fires would resolve operators on the view's path, where the owner's ``=`` wins).
    The engine refuses a user's CREATE OPERATOR now; one an older localshift let the user make
    (a snapshot may hold it) is made as the user with the refusal off."""
    dp, port = shared
    with connect(port, autocommit=True) as conn:
        create_runner_log(conn)
        conn.execute("CREATE TABLE probed (a int)")
        conn.execute("CREATE FUNCTION public.spying_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$"
                     " BEGIN PERFORM public.record_runner(); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$")
        try:
            conn.execute("SET search_path = public, pg_catalog")
            conn.execute("CREATE VIEW probing AS SELECT a FROM public.probed WITH NO SCHEMA BINDING")
            with as_user_in_the_engine(dp, "shared") as user:
                user.execute("CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer,"
                             " FUNCTION = public.spying_eq)")
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
