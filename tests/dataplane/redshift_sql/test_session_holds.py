"""The session's holds: a statement reading the query history waits for the session's earlier
statements to be written, and a DROP DATABASE waits while the front keeps its own connections out
of the engine (drop_guard.py)."""

from __future__ import annotations

from .session_wire import READY, SYNC, Recorder, bind, complete, error, execute, new_session, parse, query


def test_a_statement_reading_the_history_waits_for_the_sessions_statements():
    recorder = Recorder()
    session = new_session(recorder)
    holds = []
    session.on_hold = lambda: holds.append(True)
    session.from_client(query("insert into t values (1)"))
    session.from_engine(complete("INSERT 0 1") + READY)
    # nothing of the history is read: no wait
    assert session.from_client(query("select 2")) == query("select 2")
    session.from_engine(complete("SELECT 1") + READY)
    held = query("select pg_last_query_id()")
    after = parse("select 3") + bind() + execute() + SYNC
    assert session.from_client(held + after[:7]) == b""
    assert session.from_client(after[7:]) == b""
    assert holds == [True]
    recorder.flush()
    assert session.release() == held + after
    session.from_engine(complete("SELECT 1") + READY + complete("SELECT 1") + READY)
    recorder.flush()
    # written already: no wait, extended protocol included
    prepare = parse("select * from stl_query") + bind()
    history = prepare + execute() + SYNC
    assert session.from_client(history) is history
    session.from_engine(complete("SELECT 1") + READY)
    # held at its Bind: the engine takes the statement's snapshot there
    assert session.from_client(history) == parse("select * from stl_query")
    assert holds == [True, True]
    recorder.flush()
    assert session.release() == bind() + execute() + SYNC


def test_drop_database_waits_for_the_front_and_is_followed_until_its_result():
    """The front keeps its own connections out of the engine meanwhile (drop_guard.py)."""
    session = new_session(Recorder())
    drops, done = [], []
    session.on_drop = lambda: drops.append(True)
    session.on_drop_done = lambda: done.append(True)
    mention = query("select 'drop database scratch'")
    assert session.from_client(mention) is mention
    session.from_engine(complete("SELECT 1") + READY)
    drop = query("DROP DATABASE scratch WITH (FORCE)")
    assert session.from_client(drop) == b""
    assert (drops, done) == ([True], [])
    assert session.release() == drop  # not held again
    session.from_engine(complete("DROP DATABASE"))
    assert done == []
    session.from_engine(READY)
    assert (drops, done) == ([True], [True])
    # Extended protocol, behind a batch whose result has not come yet: held at its Bind, and
    # followed until the ReadyForQuery of its own batch.
    first = parse("select 1") + bind() + execute() + SYNC
    assert session.from_client(first) is first
    dropping = parse("drop database scratch") + bind() + execute() + SYNC
    assert session.from_client(dropping) == parse("drop database scratch")
    assert session.release() == bind() + execute() + SYNC
    assert len(drops) == 2
    session.from_engine(complete("SELECT 1") + READY)
    assert done == [True]
    session.from_engine(error("42501", "permission denied to terminate process") + READY)
    assert done == [True, True]
    # A session gone while its drop was held ends nothing (the front does); one gone after it
    # was sent ends it.
    session.ended()
    assert done == [True, True]
    assert session.from_client(drop) == b""
    session.ended()
    assert done == [True, True]
    session.release()
    session.ended()
    assert done == [True, True, True]
    assert session.from_client(query("/* tidy up */ drop database scratch")) == b""
    assert len(drops) == 4


def test_only_a_statement_that_starts_by_dropping_a_database_is_held():
    session = new_session(Recorder())
    drops = []
    session.on_drop = lambda: drops.append(True)
    # Indented statements and comment lines are scanned once (this one hung the front when the
    # scan backtracked); a comment that mentions a drop holds nothing.
    for text in (" " * 200 + "select 1", "--a -- drop database scratch", "\n" * 100 + "-- x\n" * 100 + "select 2"):
        sent = query(text)
        assert session.from_client(sent) is sent
        session.from_engine(complete("SELECT 1") + READY)
    assert drops == []
    assert session.from_client(query(" \n\t-- tidy up\n  /* now */ Drop  Database scratch")) == b""
    assert drops == [True]


def test_a_statement_reading_the_history_waits_only_for_the_sessions_own():
    recorder = Recorder()
    other, session = new_session(recorder), new_session(recorder)
    other.from_client(query("select 1"))
    other.from_engine(complete("SELECT 1") + READY)
    history = query("select * from stl_query")
    assert session.from_client(history) is history
