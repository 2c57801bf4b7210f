"""DROP DATABASE while the query history is being written (drop_guard.py): the recorder's
connections are kept out of the engine during a drop, so the master user's
``DROP DATABASE d WITH (FORCE)`` never meets a backend of the internal role it may not
terminate, however busy the sessions in ``d`` are."""

from __future__ import annotations

import threading

import psycopg
import pytest

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.drop_guard import DropGuard

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, free_port

ROUNDS = 4
BUSY_SESSIONS = 3


class FakeConnection:
    closed = False


def test_the_guard_waits_for_open_connections_and_holds_new_ones_until_the_drop_ends():
    guard = DropGuard()
    opened: list[tuple[str, str]] = []

    def connect(engine_key: str, dbname: str) -> FakeConnection:
        opened.append((engine_key, dbname))
        return FakeConnection()

    guarded = guard.connector(connect)
    writing = guarded("engine", "d")
    began = threading.Event()
    beginning = threading.Thread(target=lambda: (guard.begin("engine"), began.set()))
    beginning.start()
    assert not began.wait(0.3)  # the recorder's connection to the engine is still open
    writing.closed = True
    assert began.wait(30)
    beginning.join()
    # Other engines are not held up; this one is until the drop ends.
    guarded("other", "dev")
    late = threading.Thread(target=guarded, args=("engine", "dev"))
    late.start()
    late.join(0.3)
    assert late.is_alive() and opened == [("engine", "d"), ("other", "dev")]
    guard.end("engine")
    late.join(30)
    assert opened[-1] == ("engine", "dev")
    guard.end("engine")  # an end too many changes nothing
    guarded("engine", "d")
    # Connections closed are forgotten as new ones come (the recorder opens one per batch).
    for _ in range(100):
        guarded("other", "dev").closed = True
    assert len(guard._open["other"]) == 2  # the one still open, and the last one


def test_a_guard_left_open_lets_connections_through_after_its_limit():
    guard = DropGuard(wait_limit=0.2)
    guard.begin("engine")
    assert guard.connector(lambda engine_key, dbname: FakeConnection())("engine", "d").closed is False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    plane = PostgresDataPlane(tmp_path_factory.mktemp("drops") / "dp")
    try:
        yield plane, plane.create_engine("drops", free_port(), USER, PASSWORD, DB)
    finally:
        cleanup(plane)


def _busy(port: int, database: str, stop: threading.Event, ran: list[int]) -> None:
    """Statements in ``database`` as fast as they go, until the drop ends the session."""
    try:
        with connect(port, dbname=database, autocommit=True) as conn:
            while not stop.is_set():
                conn.execute("select 1")
                ran.append(1)
    except psycopg.OperationalError:
        pass  # terminated by the drop


@pytest.mark.parametrize("cursor_factory", [psycopg.Cursor, psycopg.ClientCursor], ids=["extended", "simple"])
def test_drop_database_with_force_while_sessions_run_statements_in_it(served, cursor_factory):
    _, port = served
    with connect(port, autocommit=True, cursor_factory=cursor_factory) as admin:
        for _ in range(ROUNDS):
            admin.execute("CREATE DATABASE doomed")
            stop, ran = threading.Event(), []
            workers = [threading.Thread(target=_busy, args=(port, "doomed", stop, ran)) for _ in range(BUSY_SESSIONS)]
            for worker in workers:
                worker.start()
            try:
                while len(ran) < 200:  # their history is being written
                    threading.Event().wait(0.01)
                admin.execute("DROP DATABASE doomed WITH (FORCE)")
            finally:
                stop.set()
                for worker in workers:
                    worker.join()
            assert admin.execute("select count(*) from pg_database where datname = 'doomed'").fetchone() == (0,)
        # The history of the database the drops ran in is written all the same.
        drops = admin.execute("select count(*) from sys_query_history where query_text like 'DROP DATABASE doomed%' "
                              "and trim(status) = 'success'").fetchone()[0]
        assert drops >= ROUNDS
