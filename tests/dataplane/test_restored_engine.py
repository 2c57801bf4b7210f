"""What a restored engine leaves behind of its source (restored_engine.py): the temporary objects of sessions
open at snapshot time, and the query and connection logs."""

from __future__ import annotations

from datetime import datetime, timezone

from .helpers import USER, as_user_in_the_engine, connect, create_runner_log, free_port, rows

LOGS = ("SELECT (SELECT count(*) FROM stl_query WHERE querytxt = 'SELECT 42'),"
        " (SELECT count(*) > 0 FROM stl_connection_log)")


def test_a_restored_engine_drops_the_sources_temporary_objects_and_starts_its_logs_empty(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")
        conn.execute("SELECT 42")
    dp.front.recorder.flush()
    assert rows(port, LOGS) == [(1, True)]
    with connect(port, autocommit=True) as session:
        session.execute("CREATE TEMP TABLE scratch (x int)")
        session.execute("CREATE TEMP VIEW scratch_view AS SELECT x FROM scratch")
        dp.create_snapshot(key, "s1")
    restoring_at = datetime.now(timezone.utc).replace(tzinfo=None)  # the logs' times are UTC
    restored = dp.restore_snapshot("s1", "r1", free_port())
    temporary = "SELECT count(*) FROM pg_class WHERE relpersistence = 't' OR relname = 'scratch_view'"
    assert rows(restored, temporary) == [(0,)]
    assert rows(restored, "SELECT to_regclass('kept') IS NOT NULL") == [(True,)]
    dp.front.recorder.flush()
    # The restored engine's own sessions are logged; nothing of the source's is.
    assert rows(restored, LOGS) == [(0, True)]
    with connect(restored) as conn:
        assert conn.execute("SELECT count(*) FROM stl_connection_log WHERE recordtime < %s",
                            (restoring_at,)).fetchone() == (0,)
    # A temporary table made after the restore works as usual.
    with connect(restored, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE scratch (x int)")
        conn.execute("INSERT INTO scratch VALUES (1)")
        assert conn.execute("SELECT count(*) FROM scratch").fetchone() == (1,)


def test_a_snapshot_without_no_backup_tables_restores_them_empty(dp, cluster):
    key, port = cluster
    statements = ("CREATE SCHEMA \"Staging Area\"", "CREATE TABLE \"Staging Area\".loads BACKUP NO AS SELECT 1 AS id",
                  "CREATE TABLE kept BACKUP YES AS SELECT 1 AS id")
    with connect(port, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
    dp.create_snapshot(key, "dc2", without_no_backup_tables=True)
    dp.create_snapshot(key, "ra3")
    counts = "SELECT (SELECT count(*) FROM \"Staging Area\".loads), (SELECT count(*) FROM kept)"
    assert rows(dp.restore_snapshot("dc2", "r-dc2", free_port()), counts) == [(0, 1)]
    assert rows(dp.restore_snapshot("ra3", "r-ra3", free_port()), counts) == [(1, 1)]


def test_no_backup_tables_are_emptied_as_their_owner_never_as_the_internal_role(dp, cluster):
    """A TRUNCATE fires the table's triggers: a user's function must not run as the internal role.
    The engine refuses a user's CREATE TRIGGER now; one an older localshift let the user make (the
    snapshot restored may be of such an engine) is made as the user with the refusal off."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        create_runner_log(conn, returns="trigger")
        conn.execute("CREATE TABLE loads BACKUP NO AS SELECT 1 AS id")
    with as_user_in_the_engine(dp, key) as user:
        user.execute("CREATE TRIGGER on_truncate BEFORE TRUNCATE ON loads FOR EACH STATEMENT"
                     " EXECUTE FUNCTION record_runner()")
        user.execute("ALTER TABLE loads ENABLE ALWAYS TRIGGER on_truncate")
    dp.create_snapshot(key, "dc2", without_no_backup_tables=True)
    restored = dp.restore_snapshot("dc2", "r-dc2", free_port())
    assert rows(restored, "SELECT (SELECT count(*) FROM loads), (SELECT array_agg(name) FROM runners)") == [
        (0, [USER])]
