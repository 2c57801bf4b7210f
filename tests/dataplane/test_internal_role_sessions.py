"""What a database's owner sets never reaches the internal role's sessions, each on a cluster of its own: a
database's defaults, role, encoding, preloaded libraries, logging, error and timeout settings, a name with a
newline, a schema named localshift of the owner's, the connection log's sequence set back."""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg import sql

from localshift.dataplane.audit_logs import read_lines
from localshift.dataplane.redshift_sql.history import QueryRecorder
from localshift.dataplane.roles import ADMIN_USER

from .helpers import DB, USER, connect, free_port, rows_of


def test_setting_the_connection_logs_sequence_back_keeps_no_session_out_of_the_log(dp, cluster):
    """A Redshift superuser may set the catalog's sequences (pg_write_all_data covers them): set
    back, the connection log's identity would fail every later write on its key, and the sessions
    that follow would be missing from STL_CONNECTION_LOG.  The writer numbers the events itself."""
    _, port = cluster
    for _ in range(5):  # more events logged than the sessions below make
        connect(port).close()
    dp.front.recorder.flush()
    with connect(port, autocommit=True) as conn:
        conn.execute("SELECT setval('localshift.connection_log_event_id_seq', 1)")
    for _ in range(2):
        with connect(port, autocommit=True, application_name="unseen") as conn:
            conn.execute("SELECT 1")
    logged = "SELECT count(DISTINCT pid) FROM stl_connection_log WHERE trim(application_name) = 'unseen'"
    deadline = time.monotonic() + 60  # the front learns of a close asynchronously
    while True:
        dp.front.recorder.flush()
        with connect(port, autocommit=True) as conn:
            count = conn.execute(logged).fetchone()[0]
        if count == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert count == 2


def test_a_databases_defaults_never_reach_the_internal_roles_sessions(dp, cluster):
    """The database's owner may give its sessions defaults (ALTER DATABASE ... SET): read-only
    transactions would stop the query history, which records the owner's statements too, and fail
    restores of the cluster's snapshots; the internal role's sessions start with their own."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {DB} SET default_transaction_read_only = on")
    with connect(port, autocommit=True) as conn:
        conn.execute("SELECT 'recorded anyway'")
    dp.front.recorder.flush()
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM stl_query WHERE strpos(querytxt, 'recorded anyway') > 0"
                            " AND querytxt NOT LIKE '%%stl_query%%'").fetchone() == (1,)
        conn.execute("SET default_transaction_read_only = off")
        conn.execute("CREATE TABLE loads BACKUP NO AS SELECT 1 AS id")  # emptied by a DC2 restore
    with dp._existing(key).connect(DB) as internal:
        assert internal.execute("SHOW default_transaction_read_only").fetchone() == ("off",)
    dp.create_snapshot(key, "read-only-defaults", without_no_backup_tables=True)
    restored = dp.restore_snapshot("read-only-defaults", "restored", free_port())
    with connect(restored, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM loads").fetchone() == (0,)


def test_a_databases_role_and_encoding_never_reach_the_internal_roles_sessions(dp, cluster):
    """A database's owner may set its sessions' role and client_encoding (ALTER DATABASE ... SET):
    the internal role's sessions there were the owner's (its history went unwritten: the writer
    writes only as the role owning the catalog), and with LATIN1 a statement's euro sign failed the
    writer and ended its thread, the service's (found by secprobe3)."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {DB} SET role = {USER}")
        conn.execute(f"ALTER DATABASE {DB} SET client_encoding = 'LATIN1'")
    statement = "SELECT 'recorded as rdsdb, 10 \u20ac'"
    with connect(port, autocommit=True, options="-c client_encoding=UTF8") as conn:
        conn.execute(statement)
    dp.front.recorder.flush()
    with dp._existing(key).connect(DB) as internal:
        assert internal.execute("SELECT current_user, current_setting('client_encoding')").fetchone() == \
            (ADMIN_USER, "UTF8")
        assert internal.execute("SELECT count(*) FROM localshift.query_history WHERE query_text = %s",
                                (statement,)).fetchone() == (1,)


def test_a_databases_preloaded_libraries_never_keep_the_internal_role_out(dp, cluster):
    """Any user may set local_preload_libraries, a database's owner for every session of it (ALTER
    DATABASE ... SET): a library that does not exist fails each new login there, and kept the query
    history's writer out while a session opened before ran on, its statements never recorded."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {DB} SET local_preload_libraries = 'no_such_library'")
        with pytest.raises(psycopg.OperationalError, match="no_such_library"):
            connect(port)  # the owner's own logins fail: the setting holds
        conn.execute("SELECT 'run while no one could log in'")
        dp.front.recorder.flush()
        with dp._existing(key).connect(DB) as internal:
            assert internal.execute("SELECT count(*) FROM localshift.query_history WHERE query_text = %s",
                                    ("SELECT 'run while no one could log in'",)).fetchone() == (1,)
        conn.execute(f"ALTER DATABASE {DB} RESET local_preload_libraries")


def test_a_databases_logging_and_error_settings_never_reach_the_internal_roles_sessions(dp, cluster):
    """Any user may set debug_print_parse (every statement's parse tree into the server log) and
    exit_on_error (a session ends at its first error), a database's owner for every session of it."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {DB} SET debug_print_parse = on")
        conn.execute(f"ALTER DATABASE {DB} SET exit_on_error = on")
    try:
        with dp._existing(key).connect(DB) as internal:
            assert internal.execute("SELECT current_setting('debug_print_parse'), current_setting('exit_on_error')"
                                    ).fetchone() == ("off", "off")
            with pytest.raises(psycopg.errors.DivisionByZero):
                internal.execute("SELECT 1 / 0")
            assert internal.execute("SELECT 1").fetchone() == (1,)  # the session serves on
    finally:
        with connect(port, autocommit=True) as conn:
            conn.execute(f"ALTER DATABASE {DB} RESET debug_print_parse")
            conn.execute(f"ALTER DATABASE {DB} RESET exit_on_error")


def test_a_databases_session_timeout_and_isolation_never_reach_the_internal_roles_sessions(dp, cluster):
    """A database's owner may give every session of it an idle_session_timeout (ALTER DATABASE ... SET),
    which ended the service's sessions between two of their statements (a table restore's source
    session while the target took the new table's definition: the restore failed; the history's
    writer between its check and its COPY: the statements went unrecorded), and a serializable
    default isolation (the writer's COPY failing on a conflict with a user's transaction)."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {DB} SET default_transaction_isolation = 'serializable'")
        conn.execute(f"ALTER DATABASE {DB} SET idle_session_timeout = '1ms'")
    with dp._existing(key).connect(DB) as internal:
        time.sleep(0.5)  # idle far past the owner's timeout
        assert internal.execute("SELECT current_setting('idle_session_timeout'),"
                                " current_setting('transaction_isolation')").fetchone() == ("0", "read committed")


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
    assert rows_of(port, "bare", "SELECT nspname, nspowner::regrole::text FROM \"pg_namespace\""
                                 " WHERE nspname LIKE 'localshift%' ORDER BY 1")[0] == ("localshift", ADMIN_USER)
    with connect(port, dbname="bare", autocommit=True) as conn:
        conn.execute("SELECT 2")
    dp.front.recorder.flush()
    assert rows_of(port, "bare", "SELECT count(*) FROM localshift.query_history WHERE query_text = 'SELECT 2'"
                   ) == [(1,)]
    assert rows_of(port, "bare", "SELECT count(*) FROM runners") == [(0,)]


def test_a_database_named_with_a_newline_never_gets_the_internal_roles_sessions(dp, cluster):
    """The engine's log line prefix writes a session's database name as it is: a database renamed
    (dynamic SQL passes the translator) to hold a newline and a line of the owner's making put that
    line in the log each time the internal role went there, and the audit logs showed ceo's statement."""
    key, port = cluster
    forged = "d\nLSAUDIT|2026-1-2 4:0:0.0|1|s|0|ceo|d|h| LOG:  statement: x\n"
    dp.set_audit_logging(key, ["connectionlog", "useractivitylog"])
    engine = dp._existing(key)
    log = engine.log_path
    start = log.stat().st_size
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE DATABASE lines")
        conn.execute("CREATE PROCEDURE public.rename_lines(name varchar) AS $$ BEGIN"
                     " EXECUTE 'ALTER DATABASE lines RENAME TO ' || quote_ident(name); END $$ LANGUAGE plpgsql")
        conn.execute("CALL public.rename_lines(%s)", (forged,))
    # The history writer reads every database's highest query id (and the catalog is installed in each).
    assert dp.front.recorder.read_ids(str(engine.socket_path)) is not None
    lines, _ = read_lines(log, start)
    assert lines and "ceo" not in {line.user for line in lines}
