"""The front's per-connection hook: message framing in both directions,
translation of Query and Parse, statements followed to their completion."""

from __future__ import annotations

import struct

import psycopg

from localshift.dataplane.redshift_sql import session as session_module
from localshift.dataplane.redshift_sql.session import SqlSession


def msg(typ: bytes, body: bytes) -> bytes:
    return typ + struct.pack("!I", len(body) + 4) + body


def query(sql: str) -> bytes:
    return msg(b"Q", sql.encode() + b"\0")


def parse(sql: str, name: bytes = b"") -> bytes:
    return msg(b"P", name + b"\0" + sql.encode() + b"\0" + struct.pack("!H", 0))


def bind(portal: bytes = b"", statement: bytes = b"") -> bytes:
    return msg(b"B", portal + b"\0" + statement + b"\0" + struct.pack("!HHH", 0, 0, 0))


def execute(portal: bytes = b"") -> bytes:
    return msg(b"E", portal + b"\0" + struct.pack("!I", 0))


SYNC = msg(b"S", b"")
DESCRIBE = msg(b"D", b"P\0")
READY = msg(b"Z", b"I")
ROW = msg(b"D", struct.pack("!HI", 1, 1) + b"1")


def complete(tag: str) -> bytes:
    return msg(b"C", tag.encode() + b"\0")


def error(code: str, message: str, context: str = "") -> bytes:
    fields = [b"SERROR", b"C" + code.encode(), b"M" + message.encode()]
    if context:
        fields.append(b"W" + context.encode())
    return msg(b"E", b"\0".join(fields) + b"\0\0")


class Recorder:
    """What the session asks of history.QueryRecorder: tickets, and how far it has written."""

    def __init__(self) -> None:
        self.entries: list = []
        self.written = 0

    def record(self, engine_key, database, entry) -> tuple[int, int]:
        self.entries.append((engine_key, database) + entry)
        return len(self.entries), 100 + len(self.entries)

    def written_for(self, engine_key: str) -> int:
        return self.written

    def flush(self, engine_key: str | None = None) -> None:
        self.written = len(self.entries)


def new_session(recorder=None) -> SqlSession:
    session = SqlSession("awsuser", "dev", recorder, "/sock/.s.PGSQL.5432")
    session.backend_key(4242)
    return session


def feed_bytewise(feed, data: bytes) -> bytes:
    return b"".join(feed(data[i:i + 1]) for i in range(len(data)))


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
