"""The front's per-connection hook: message framing in both directions,
translation of Query and Parse, statements followed to their completion."""

from __future__ import annotations

import struct

import psycopg

from localshift.dataplane.redshift_sql import session as session_module
from localshift.dataplane.redshift_sql.session import SqlSession

from .session_wire import (DESCRIBE, READY, ROW, SYNC, Recorder, bind, complete, error, execute, feed_bytewise, msg,
                           new_session, parse, query)


def test_untouched_traffic_is_the_same_object():
    session = new_session()
    data = parse("select 1") + bind() + DESCRIBE + execute() + SYNC
    assert session.from_client(data) is data
    reply = msg(b"1", b"") + msg(b"2", b"") + ROW + complete("SELECT 1") + READY
    assert session.from_engine(reply) is reply


def test_query_and_parse_are_translated_even_when_split_anywhere():
    data = query("select top 1 a from t") + parse("select nvl(a, 0) from t", b"s1") + bind(b"", b"s1") \
        + execute() + SYNC
    expected = query("select   a from t LIMIT 1") + parse("select coalesce(a, 0) from t", b"s1") \
        + bind(b"", b"s1") + execute() + SYNC
    assert new_session().from_client(data) == expected
    assert feed_bytewise(new_session().from_client, data) == expected


def test_large_passthrough_messages_are_forwarded_as_they_come():
    session = new_session()
    copy_data = msg(b"d", b"x" * 100_000)
    first, second = copy_data[:70_000], copy_data[70_000:]
    assert session.from_client(first) is first
    assert session.from_client(second) is second


def test_statements_are_recorded_with_their_outcome():
    recorder = Recorder()
    session = new_session(recorder)
    assert session.last_query_id == -1
    session.from_client(query("select 1"))
    feed_bytewise(session.from_engine, msg(b"T", b"\0\0") + ROW + complete("SELECT 1") + READY)
    assert session.last_query_id == 101  # the recorder's id, known before the completion is passed on
    session.from_client(parse("insert into t values ($1)", b"ins") + bind(b"", b"ins") + execute()
                        + bind(b"", b"ins") + execute() + SYNC)
    session.from_engine(msg(b"1", b"") + msg(b"2", b"") + complete("INSERT 0 1") + msg(b"2", b"")
                        + error("23505", "duplicate key") + READY)
    assert [(e[4], e[7], e[8]) for e in recorder.entries] == [
        (b"select 1", b"SELECT 1", None),
        (b"insert into t values ($1)", b"INSERT 0 1", None),
        (b"insert into t values ($1)", None, ("23505", "duplicate key")),
    ]
    key, database, pid, user = recorder.entries[0][:4]
    assert (key, database, pid, user) == ("/sock/.s.PGSQL.5432", "dev", 4242, "awsuser")
    assert all(e[5] <= e[6] for e in recorder.entries)
    assert session.last_query_id == 103


def test_an_execute_skipped_after_an_error_is_not_recorded():
    recorder = Recorder()
    session = new_session(recorder)
    session.from_client(parse("select 1/0") + bind() + execute() + parse("select 2") + bind() + execute() + SYNC)
    session.from_engine(msg(b"1", b"") + msg(b"2", b"") + error("22012", "division by zero") + READY)
    assert [(e[4], e[8]) for e in recorder.entries] == [(b"select 1/0", ("22012", "division by zero"))]


def test_a_refused_statements_error_loses_the_plpgsql_context():
    session = new_session()
    raised = error("0A000", "nope", "PL/pgSQL function localshift.raise_error(text,text,text,text[]) line 4")
    cleaned = session.from_engine(raised + READY)
    assert b"PL/pgSQL" not in cleaned and b"Mnope" in cleaned and cleaned.endswith(READY)
    user_error = error("P0001", "mine", "PL/pgSQL function my_function() line 1")
    assert session.from_engine(user_error) is user_error


def test_state_per_connection_is_bounded(monkeypatch):
    monkeypatch.setattr(session_module, "MAX_NAMED", 3)
    session = new_session()
    for n in range(10):
        session.from_client(parse("select 1", f"s{n}".encode()))
    assert list(session._named) == [b"s7", b"s8", b"s9"]
    session.from_client(msg(b"C", b"Ss9\0"))
    assert list(session._named) == [b"s7", b"s8"]


def test_case_sensitivity_follows_the_session():
    session = new_session()
    session.from_client(query("set enable_case_sensitive_identifier to true"))
    assert session.from_client(query('select "A"')) == query('select "A"')
    session.from_client(query("reset enable_case_sensitive_identifier"))
    assert session.from_client(query('select "A"')) == query('select "a"')


def test_startup_parameters():
    packet = struct.pack("!II", 0, 196608) + b"user\0bob\0database\0dev\0\0"
    session = SqlSession.from_startup(packet, None, "k")
    assert (session.user, session.database) == ("bob", "dev")
    assert SqlSession.from_startup(packet[:8] + b"user\0bob\0\0", None, "k").database == "bob"
    # A name given twice: its last value, the engine's (and the front's) reading.
    twice = SqlSession.from_startup(packet[:-1] + b"user\0alice\0database\0\0\0", None, "k")
    assert (twice.user, twice.database) == ("alice", "alice")


def test_each_statement_of_a_query_is_recorded_until_one_fails():
    recorder = Recorder()
    session = new_session(recorder)
    session.from_client(query("create table t (a int); insert into t values (1);select 'x;y' ; select 1/0; select 2;"))
    session.from_engine(complete("CREATE TABLE") + complete("INSERT 0 1") + msg(b"T", b"\0\0") + ROW
                        + complete("SELECT 1") + error("22012", "division by zero") + READY)
    assert [(e[4], e[7], e[8]) for e in recorder.entries] == [
        (b"create table t (a int)", b"CREATE TABLE", None),
        (b"insert into t values (1)", b"INSERT 0 1", None),
        (b"select 'x;y'", b"SELECT 1", None),
        (b"select 1/0", None, ("22012", "division by zero")),
    ]
    # each starts when the one before it ended
    assert all(later[5] == earlier[6] for earlier, later in zip(recorder.entries, recorder.entries[1:]))
    # the next query is followed from scratch
    session.from_client(query("select 3"))
    session.from_engine(complete("SELECT 1") + READY)
    assert recorder.entries[-1][4] == b"select 3"


def test_a_refused_query_is_one_entry():
    recorder = Recorder()
    session = new_session(recorder)
    text = "select 1; create table t (a int) diststyle bogus"
    session.from_client(query(text))
    session.from_engine(error("42601", "syntax error at or near \"bogus\"") + READY)
    assert [e[4] for e in recorder.entries] == [text.encode()]


def test_standard_conforming_strings_follows_the_engine():
    session = new_session()
    escaped = "select top 1 'a\\' b' AS x"  # Redshift's rule: \' is a quote inside the string
    assert session.from_client(query(escaped)) == query("select   'a\\' b' AS x LIMIT 1")
    on = msg(b"S", b"standard_conforming_strings\0on\0")
    assert session.from_engine(on) is on
    assert session.standard_strings
    # PostgreSQL's rule now: the backslash is a character, the string ends at the next quote
    assert session.from_client(query("select top 1 'a\\' AS x")) == query("select   E'a\\\\' AS x LIMIT 1")
    session.from_engine(msg(b"S", b"standard_conforming_strings\0off\0"))
    assert not session.standard_strings


FLUSH = msg(b"H", b"")


def test_a_flush_a_sync_follows_is_left_out():
    # redshift_connector's round trips: the engine flushes at the Sync, once
    session = new_session()
    assert session.from_client(parse("select 1", b"s1") + FLUSH + DESCRIBE + FLUSH + SYNC) == (
        parse("select 1", b"s1") + DESCRIBE + SYNC)
    assert session.from_client(bind() + FLUSH + execute() + FLUSH + SYNC + bind() + FLUSH) == (
        bind() + execute() + SYNC + bind() + FLUSH)  # the last one waits for its answer
    # a Sync not read yet, or none at all: the client waits for what it flushed
    assert session.from_client(parse("select 2") + FLUSH) == parse("select 2") + FLUSH
    assert session.from_client(SYNC) is SYNC
    assert feed_bytewise(session.from_client, FLUSH + SYNC) == FLUSH + SYNC
    pipelined = (bind() + execute() + FLUSH) * 500
    assert session.from_client(pipelined + SYNC) == (bind() + execute()) * 500 + SYNC
    assert session.from_client(pipelined) == pipelined


def test_a_truncate_in_a_transaction_block_gets_a_commit_first_whose_answers_the_client_does_not_see():
    recorder = Recorder()
    session = new_session(recorder)
    in_block = msg(b"Z", b"T")
    session.from_client(query("begin; insert into kept values (1)"))
    session.from_engine(complete("BEGIN") + complete("INSERT 0 1") + in_block)
    commit = query("COMMIT")
    assert session.from_client(query("truncate other")) == commit + query("truncate other")
    assert session.from_engine(complete("COMMIT") + READY + complete("TRUNCATE TABLE") + READY) == \
        complete("TRUNCATE TABLE") + READY
    # idle now: a TRUNCATE goes alone; a Parse of one in a block gets the COMMIT before it (its Bind would
    # lose an unnamed statement to a Query after the Parse), a Bind of a named one before the Bind
    assert session.from_client(query("truncate other")) == query("truncate other")
    session.from_engine(complete("TRUNCATE TABLE") + READY)
    session.from_client(query("begin"))
    session.from_engine(complete("BEGIN") + in_block)
    batch = parse("truncate other") + bind() + execute() + SYNC
    assert session.from_client(batch) == commit + batch
    assert session.from_engine(complete("COMMIT") + READY + msg(b"1", b"") + msg(b"2", b"")
                               + complete("TRUNCATE TABLE") + READY) == \
        msg(b"1", b"") + msg(b"2", b"") + complete("TRUNCATE TABLE") + READY
    session.from_client(parse("truncate other", b"t") + SYNC)
    session.from_engine(msg(b"1", b"") + READY)
    session.from_client(query("begin"))
    session.from_engine(complete("BEGIN") + in_block)
    assert session.from_client(bind(b"", b"t") + execute() + SYNC) == commit + bind(b"", b"t") + execute() + SYNC
    # the front's COMMIT is not in the history
    assert b"COMMIT" not in [e[4] for e in recorder.entries]


def test_a_truncate_waits_for_nothing_outstanding_and_a_failed_block_is_left_to_fail():
    session = new_session()
    session.from_client(query("begin"))
    session.from_engine(complete("BEGIN") + msg(b"Z", b"T"))
    # a statement still outstanding: the status the engine reported may be stale
    session.from_client(query("select 1/0"))
    assert session.from_client(query("truncate other")) == query("truncate other")
    session.from_engine(error("22012", "division by zero") + msg(b"Z", b"E"))
    session.from_engine(error("25P02", "current transaction is aborted") + msg(b"Z", b"E"))
    assert session.from_client(query("truncate other")) == query("truncate other")


def test_truncate_commits_the_transaction_it_runs_in(db, sql_cluster, database):
    """AWS: "The TRUNCATE command commits the transaction in which it is run": a ROLLBACK after it
    keeps what the block did before it, and the session is idle after it."""
    db.execute("create table kept (x int)")
    db.execute("create table other (y int)")
    with sql_cluster.connect(database, autocommit=False) as conn:
        conn.execute("set search_path to it, public")
        conn.commit()
        for n, cursor in enumerate((conn.cursor(), psycopg.ClientCursor(conn))):  # extended, simple protocol
            db.execute("insert into other values (1)")
            cursor.execute("insert into kept values (%s)", (n,))
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
            cursor.execute("truncate other")
            assert (cursor.statusmessage, conn.info.transaction_status) == (
                "TRUNCATE TABLE", psycopg.pq.TransactionStatus.IDLE)
            conn.rollback()
            assert db.execute("select count(*) from other").fetchone() == (0,)
        assert db.execute("select x from kept order by x").fetchall() == [(0,), (1,)]
        # a prepared TRUNCATE (Bind of a named statement) too
        for n in range(6):
            conn.execute("insert into kept values (2)")
            conn.execute("truncate other", prepare=True)
            conn.rollback()
        assert db.execute("select count(*) from kept where x = 2").fetchone() == (6,)
        # outside a block: nothing to commit before it, and the client sees no warning
        conn.autocommit = True
        # one simple Query that opens the block, truncates in it and rolls back: the client gets its
        # statements' answers only, and the ROLLBACK finds no block (PostgreSQL's warning)
        db.execute("insert into other values (1)")
        cursor = psycopg.ClientCursor(conn)
        cursor.execute("begin; insert into kept values (3); truncate other; rollback")
        tags = [cursor.statusmessage]
        while cursor.nextset():
            tags.append(cursor.statusmessage)
        assert tags == ["BEGIN", "INSERT 0 1", "TRUNCATE TABLE", "ROLLBACK"]
        assert db.execute("select count(*) from kept where x = 3").fetchone() == (1,)
        assert db.execute("select count(*) from other").fetchone() == (0,)
        notices = []
        conn.add_notice_handler(notices.append)
        assert conn.execute("truncate other").statusmessage == "TRUNCATE TABLE"
        assert notices == []
