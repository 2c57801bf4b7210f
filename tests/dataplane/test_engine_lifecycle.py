"""Engines created and served (engine_lifecycle.py): a creation that fails part way leaves
nothing behind, as a failed restore does (tests/dataplane/test_snapshots.py); a port served
before its engine starts, and the sessions waiting for that start (front_starts.py), which every
way the start can end lets go."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.engine import Engine
from localshift.dataplane.errors import ClusterNotFoundError
from support import wait_for

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, free_port, rows


class SetUpFailed(Exception):
    pass


def test_a_failed_creation_closes_its_port_and_removes_its_engine(tmp_path):
    failures = ["once"]

    def failing_initialiser(setup) -> None:
        if failures:
            failures.pop()
            raise SetUpFailed("set-up failed")

    plane = PostgresDataPlane(tmp_path / "dp", initialisers=[failing_initialiser])
    try:
        port = free_port()
        with pytest.raises(SetUpFailed):
            plane.create_engine("c1", port, USER, PASSWORD, DB)
        assert plane.sql_port("c1") is None and not plane.is_running("c1")
        assert not (plane.engine_root / "c1").exists()
        with socket.socket() as free:
            free.bind(("127.0.0.1", port))  # nobody listens on it any more
        # The same key and port can be created again, with its meta written this time.
        assert plane.create_engine("c1", port, USER, PASSWORD, DB) == port
        assert rows(port, "select current_user") == [(USER,)]
        meta = plane._engine("c1").read_meta()
        assert (meta["key"], meta["port"], meta["master_username"], meta["db_name"]) == ("c1", port, USER, DB)
    finally:
        cleanup(plane)


def test_a_port_served_before_its_engine_starts_is_kept_by_the_start(dp):
    port = dp.create_engine("c1", free_port(), USER, PASSWORD, DB)
    dp.stop_engine("c1")
    assert dp.serve_engine("c1", port) == port and dp.sql_port("c1") == port
    # A session opened meanwhile waits for the start rather than being refused (a restarting
    # service serves its clusters' ports first, and they are available all along).
    with ThreadPoolExecutor(1) as pool:
        waiting = _waiting_session(dp, pool, port)  # once it waits (not after a delay a busy machine outlasts)
        assert not waiting.done()
        assert dp.start_engine("c1", port) == port
        assert waiting.result(timeout=60) == [(USER,)]
    # A start that ends otherwise (the engine stopped) lets its waiting sessions go: refused.
    dp.stop_engine("c1")
    assert dp.serve_engine("c1", port) == port
    with ThreadPoolExecutor(1) as pool:
        waiting = _waiting_session(dp, pool, port)
        dp.stop_engine("c1")
        with pytest.raises(psycopg.OperationalError):
            waiting.result(timeout=60)


def test_sessions_that_begin_waiting_while_the_engine_starts_get_in_once_the_start_ends(dp, monkeypatch):
    """The start's end wakes every session waiting for it, those that began waiting while the start
    ran too.  A missed wake-up would keep a session waiting until the 120 s bound: past the wait below."""
    port = dp.create_engine("c1", free_port(), USER, PASSWORD, DB)
    dp.stop_engine("c1")
    assert dp.serve_engine("c1", port) == port
    starts, path = dp.front.starts, str(dp._engine("c1").socket_path)
    start = Engine.start
    with ThreadPoolExecutor(3) as pool:
        sessions = []

        def start_while_sessions_arrive(engine: Engine, *args, **kwargs) -> None:
            start(engine, *args, **kwargs)
            sessions.extend(pool.submit(rows, port, "select current_user") for _ in range(3))
            wait_for(lambda: len(starts._waiters.get(path, [])) == 3)  # all three wait for this start

        monkeypatch.setattr(Engine, "start", start_while_sessions_arrive)
        assert dp.start_engine("c1", port) == port
        assert [session.result(timeout=60) for session in sessions] == [[(USER,)]] * 3


def _waiting_session(dp: PostgresDataPlane, pool: ThreadPoolExecutor, port: int):  # type: ignore[no-untyped-def]
    """A session opened on ``port`` while c1's announced start is pending, once it waits for it."""
    starts, path = dp.front.starts, str(dp._engine("c1").socket_path)
    waiters = len(starts._waiters.get(path, []))
    session = pool.submit(rows, port, "select current_user")
    wait_for(lambda: len(starts._waiters.get(path, [])) > waiters)
    return session


def _refused_as_not_available(session) -> None:  # type: ignore[no-untyped-def]
    """Refused by the front (57P03), not given up by the client: its connect timeout (30 s) is far
    below the wait's 120 s bound, so a session still waiting for the start fails otherwise."""
    with pytest.raises(psycopg.OperationalError, match="the cluster is not available"):
        session.result(timeout=60)


def _served_not_started(dp: PostgresDataPlane) -> int:
    port = dp.create_engine("c1", free_port(), USER, PASSWORD, DB)
    dp.stop_engine("c1")
    assert dp.serve_engine("c1", port) == port
    return port


def test_a_start_whose_engine_data_is_gone_refuses_its_waiting_sessions_at_once(dp):
    """The engine's data removed between its port served and its start: the start fails before it
    begins, and is over all the same."""
    port = _served_not_started(dp)
    with ThreadPoolExecutor(1) as pool:
        session = _waiting_session(dp, pool, port)
        dp._engine("c1").remove()
        with pytest.raises(ClusterNotFoundError):
            dp.start_engine("c1", port)
        _refused_as_not_available(session)


def test_a_start_that_will_not_come_is_ended_and_a_later_one_still_served(dp):
    """The job that was to start the engine failed or skipped it (end_start): its waiting sessions
    are refused at once; the engine still starts later, on the port served."""
    port = _served_not_started(dp)
    with ThreadPoolExecutor(1) as pool:
        session = _waiting_session(dp, pool, port)
        dp.end_start("c1")
        _refused_as_not_available(session)
    assert dp.start_engine("c1", port) == port
    assert rows(port, "select current_user") == [(USER,)]


def test_an_engine_destroyed_while_its_start_is_announced_refuses_its_waiting_sessions(dp):
    port = _served_not_started(dp)
    with ThreadPoolExecutor(1) as pool:
        session = _waiting_session(dp, pool, port)
        dp.destroy_engine("c1")
        with pytest.raises(psycopg.OperationalError):  # refused, or its port closed under it
            session.result(timeout=60)
    assert not dp.front.starts._waiters


def test_stopping_the_data_plane_ends_every_start_announced(dp):
    port = _served_not_started(dp)
    with ThreadPoolExecutor(1) as pool:
        session = _waiting_session(dp, pool, port)
        dp.stop_all()
        with pytest.raises(psycopg.OperationalError):  # its connection closed with the front
            session.result(timeout=60)
    assert not dp.front.starts._waiters
