"""SqlSession: SQL on a cluster's endpoint as a user, typed rows streamed in chunks, cancel, reset."""

from __future__ import annotations

import threading

import pytest

from localshift.dataplane.sql_sessions import CHUNK_ROWS, SqlConnectionError, SqlError, SqlSession

from support import wait_for

from .helpers import DB, PASSWORD, USER, connect


@pytest.fixture
def session(cluster):
    _, port = cluster
    opened = SqlSession(port, USER, PASSWORD, DB)
    yield opened
    opened.close()


def collect(session: SqlSession, sql: str, values=()):  # type: ignore[no-untyped-def]
    chunks: list[list[tuple]] = []
    completion = session.run(sql, values, lambda columns, rows: chunks.append(rows))
    return completion, chunks


def test_values_arrive_typed_and_columns_described(session):
    session.run("CREATE TABLE typed (id int NOT NULL, name varchar(12), price numeric(8, 2))")
    session.run("INSERT INTO typed VALUES (1, 'one', 9.5)")
    completion, chunks = collect(session, "SELECT id, name, price, id * 2.5::float8 AS d, id = 1 AS b, "
                                          "'\\x01'::bytea AS raw, NULL::int AS n FROM typed WHERE id = $1", ["1"])
    assert chunks == [[(1, "one", "9.50", 2.5, True, b"\x01", None)]]
    assert (completion.command, completion.rows) == ("SELECT 1", 1)
    id_, name, price, *rest = completion.columns
    assert (id_.type_name, id_.schema, id_.table, id_.not_null) == ("int4", "public", "typed", True)
    assert (name.type_name, name.type_modifier, name.not_null) == ("varchar", 16, False)
    assert (price.type_name, rest[0].table, rest[0].type_name) == ("numeric", "", "float8")


def test_rows_stream_in_chunks_and_commands_report_counts(session):
    completion, chunks = collect(session, f"SELECT g FROM generate_series(1, {CHUNK_ROWS * 2 + 1}) g")
    assert [len(c) for c in chunks] == [CHUNK_ROWS, CHUNK_ROWS, 1] and completion.rows == CHUNK_ROWS * 2 + 1
    session.run("CREATE TABLE counted (v int)")
    assert session.run("INSERT INTO counted SELECT generate_series(1, 7)").rows == 7
    ddl = session.run("CREATE TABLE other (v int)")
    assert (ddl.columns, ddl.command, ddl.rows) == (None, "CREATE TABLE", -1)
    empty, chunks = collect(session, "SELECT v FROM counted WHERE v < 0")
    assert chunks == [] and empty.rows == 0 and [c.name for c in empty.columns] == ["v"]


def test_errors_cancel_and_reset(session, cluster):
    with pytest.raises(SqlError) as caught:
        session.run("SELECT * FROM missing")
    assert (caught.value.sqlstate, caught.value.message) == ("42P01", 'relation "missing" does not exist')

    def cancel_once_running() -> None:
        # Not after a fixed delay: on a busy machine the cancel could come before the statement (and be lost).
        with connect(cluster[1], autocommit=True) as watcher:
            wait_for(lambda: watcher.execute("SELECT count(*) FROM pg_stat_activity "
                                             "WHERE query LIKE 'SELECT pg_sleep(30)%'").fetchone()[0])
        session.cancel()

    canceller = threading.Thread(target=cancel_once_running)
    canceller.start()
    try:
        with pytest.raises(SqlError) as caught:
            session.run("SELECT pg_sleep(30)")
    finally:
        canceller.join()
    assert caught.value.cancelled  # the engine's words: it stopped the sleep, which was not waited out
    session.run("BEGIN")
    session.run("CREATE TEMP TABLE scratch (v int)")
    session.run("SET search_path TO pg_catalog")
    assert session.in_transaction and session.reset() and not session.in_transaction
    with pytest.raises(SqlError):
        session.run("SELECT * FROM scratch")
    assert collect(session, "SHOW search_path")[1] == [[('"$user", public',)]]


def test_a_sink_that_stops_the_rows_stops_the_engine(session):
    class Enough(Exception):
        pass

    def sink(columns, rows):  # type: ignore[no-untyped-def]
        raise Enough()

    with pytest.raises(Enough):
        session.run("SELECT g FROM generate_series(1, 50000000) g, pg_sleep(0)", (), sink)
    assert session.run("SELECT 1").rows == 1  # still usable


def test_logins_that_fail_say_why(cluster):
    _, port = cluster
    with pytest.raises(SqlConnectionError, match='password authentication failed for user "awsuser"'):
        SqlSession(port, USER, "wrong", DB)
    with pytest.raises(SqlConnectionError, match='database "nowhere" does not exist'):
        SqlSession(port, USER, PASSWORD, "nowhere")


def test_a_session_opened_by_the_data_plane_knows_each_statements_query_id(dp, cluster):
    key, _ = cluster
    session = dp.open_sql(key, USER, PASSWORD, DB)
    try:
        first = session.run("SELECT 1").query_id
        second = session.run("CREATE TABLE ids (a int)").query_id
        # What the statement's history row says, once written (the session asks the front, not the engine).
        [(last,)] = collect(session, "SELECT pg_last_query_id()")[1][0]
        assert 0 < first < second == last
        assert collect(session, f"SELECT trim(query_text) FROM sys_query_history WHERE query_id = {second}")[1] \
            == [[("CREATE TABLE ids (a int)",)]]
        # No statement at all is not in the history: it has no id (it had the last statement's).
        assert session.run("").query_id == -1
    finally:
        session.close()


def test_a_session_is_reusable_until_a_role_changes_or_its_engine_stops(dp, cluster):
    key, port = cluster
    session = dp.open_sql(key, USER, PASSWORD, DB)
    with connect(port, autocommit=True) as admin:
        admin.execute("CREATE USER bob PASSWORD 'Passw0rd-2'")
        session.run("SELECT 1")
        assert session.reusable()  # creating a role changes no login made before
        admin.execute("ALTER USER bob PASSWORD 'Passw0rd-3'")
        assert not session.reusable()
        session.close()
        # A role dropped in a transaction: changed as the drop completes, and again as it commits.
        before_commit = dp.open_sql(key, USER, PASSWORD, DB)
        admin.execute("BEGIN")
        admin.execute("DROP USER bob")
        assert not before_commit.reusable()
        during = dp.open_sql(key, USER, PASSWORD, DB)
        assert during.reusable()
        admin.execute("COMMIT")
        assert not during.reusable()
        admin.execute("ALTER DATABASE dev SET search_path TO public")  # a new session starts otherwise
        later = dp.open_sql(key, USER, PASSWORD, DB)
        assert later.reusable()
    dp.stop_engine(key)  # the front drops the session
    assert not later.reusable()
    for opened in (before_commit, during, later):
        opened.close()


def test_the_sessions_own_statements_stay_out_of_the_query_history(dp, cluster):
    key, port = cluster
    session = dp.open_sql(key, USER, PASSWORD, DB)
    try:
        session.run("CREATE TABLE described (id int NOT NULL)")
        completion = session.run("SELECT id, pg_current_snapshot() FROM described")  # described from the catalog
        assert [(c.type_name, c.table, c.not_null) for c in completion.columns] \
            == [("int4", "described", True), ("pg_snapshot", "", False)]
        session.run("BEGIN")
        session.run("SELECT id FROM described")  # described inside a savepoint of the block
        session.run("COMMIT")
        assert session.reset()
        session.run("SELECT 2")
    finally:
        session.close()
    dp.front.recorder.flush()
    with dp._engine(key).connect(DB) as conn:
        texts = [t for (t,) in conn.execute("SELECT query_text FROM localshift.query_history ORDER BY query_id")]
    assert texts[-6:] == ["CREATE TABLE described (id int NOT NULL)", "SELECT id, pg_current_snapshot() FROM described",
                          "BEGIN", "SELECT id FROM described", "COMMIT", "SELECT 2"]
    assert not [t for t in texts if "pg_attribute" in t or "pg_type" in t or "localshift_describe" in t
                or t.startswith("SET LOCAL") or t == "DISCARD ALL"]


def test_the_descriptions_are_not_cut_by_the_users_statement_timeout(dp, cluster):
    """A result's column descriptions are the session's own: the user's statement_timeout does not stop
    them (here they wait for a catalog the internal role locked), in a transaction block or not, and
    what the user set is the user's again after them.  The statement sets the timeout as it runs (its
    own run is not bound by it; the descriptions after it would be)."""
    key, port = cluster
    session = SqlSession(port, USER, PASSWORD, DB)
    query = "SELECT v, set_config('statement_timeout', $1, false) AS timeout FROM slow_described"
    try:
        session.run("CREATE TABLE slow_described (v int NOT NULL)")
        session.run("INSERT INTO slow_described VALUES (1)")
        session.run(query, ["0"])  # the statement's own catalog lookups cached: the lock below holds up the descriptions
        for in_block in (False, True):
            if in_block:
                session.run("BEGIN")
            outcome: list = []

            def described() -> None:
                try:
                    outcome.append(session.run(query, ["200"]))
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    outcome.append(error)

            running = threading.Thread(target=described)
            with dp._existing(key).connect(DB) as internal, internal.transaction():
                internal.execute("LOCK TABLE pg_catalog.pg_namespace IN ACCESS EXCLUSIVE MODE")
                running.start()
                wait_for(lambda: internal.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                                                  (session.pid,)).fetchone()[0])
                running.join(2)  # ten times the timeout: the old descriptions were stopped by then
            running.join()
            [completion] = outcome
            assert not isinstance(completion, Exception), completion
            assert [(c.schema, c.table, c.not_null) for c in completion.columns] \
                == [("public", "slow_described", True), ("", "", False)]
            assert collect(session, "SHOW statement_timeout")[1] == [[("200ms",)]]
            assert collect(session, "SHOW search_path")[1] == [[('"$user", public',)]]
            assert session.in_transaction == in_block
            session.run("SET statement_timeout TO 0")
    finally:
        session.close()
