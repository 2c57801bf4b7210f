"""The service's own connections to an engine are bounded (engine_timeouts.py): an engine frozen
(SIGSTOP on its processes, as a hung host would leave it) fails the work on it in seconds, is killed
and started again by the supervisor, and serves its data afterwards; a user's session holding what
the work needs fails the work with a lock timeout and leaves the engine alone."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import Iterator

import psycopg
import pytest

from localshift.dataplane.api import ENGINE_REVIVED, TableToRestore
from localshift.dataplane.engine_timeouts import EngineNotAnswering
from localshift.dataplane.errors import DataPlaneError
from localshift.dataplane.watchdog import engine_processes, pid_alive

from support import wait_for

from .conftest import listened_plane
from .helpers import DB, PASSWORD, USER, connect, free_port, rows

# Long enough for the set-up steps of a new engine (CREATE DATABASE…) on a loaded machine.
TIMEOUT = 5.0


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    """A data plane bounding its work on engines to TIMEOUT s, supervising them every 0.1 s; and what its
    listener heard.  Each test has an engine of its own."""
    yield from listened_plane(tmp_path_factory.mktemp("timeouts") / "dp", supervise_interval=0.1,
                              engine_timeout=TIMEOUT)


def freeze(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


def thaw(pids: list[int]) -> None:
    for pid in pids:
        if pid_alive(pid):
            os.kill(pid, signal.SIGCONT)


@contextlib.contextmanager
def frozen_postmaster(plane, key: str) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The engine's postmaster stopped (SIGSTOP) while the body runs; its pid."""
    postmaster = plane._engine(key).running_pid()
    freeze([postmaster])
    try:
        yield postmaster
    finally:
        thaw([postmaster])


def _with_table(plane, key: str) -> int:  # type: ignore[no-untyped-def]
    port = plane.create_engine(key, free_port(), USER, PASSWORD, DB)
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) AS id")
    return port


def _serves_again(heard, key: str, port: int) -> None:  # type: ignore[no-untyped-def]
    wait_for(lambda: (key, ENGINE_REVIVED) in heard)
    assert rows(port, "SELECT count(*) FROM t") == [(1000,)]


def test_an_engine_frozen_mid_snapshot_fails_the_snapshot_and_serves_again(plane):
    plane, heard = plane
    port = _with_table(plane, "c1")
    frozen: list[int] = []

    def freeze_once(done: int, total: int) -> None:  # while the files are read, the backup session open
        if not frozen:
            frozen.extend(engine_processes(plane._engine("c1").data_dir))
            freeze(frozen)

    started = time.monotonic()
    try:
        with pytest.raises(EngineNotAnswering):
            plane.create_snapshot("c1", "c1-s1", freeze_once)
    finally:
        thaw(frozen)
    assert time.monotonic() - started < 60
    assert not plane.snapshot_exists("c1-s1") and not any(pid_alive(pid) for pid in frozen)
    _serves_again(heard, "c1", port)
    assert plane.create_snapshot("c1", "c1-s2").total_bytes > 0


def test_a_frozen_postmaster_fails_a_password_change_and_is_replaced(plane):
    plane, heard = plane
    port = _with_table(plane, "c2")
    started = time.monotonic()
    with frozen_postmaster(plane, "c2") as postmaster, pytest.raises(DataPlaneError, match="timeout expired"):
        plane.set_password("c2", USER, "N3w-password")
    assert time.monotonic() - started < 60 and not pid_alive(postmaster)
    _serves_again(heard, "c2", port)


def test_a_users_lock_fails_a_table_restore_and_leaves_the_engine_serving(plane):
    plane, heard = plane
    port = _with_table(plane, "c4")
    plane.create_snapshot("c4", "s1")
    postmaster = plane._engine("c4").running_pid()
    with connect(port) as holder:  # an open transaction creating the table the restore makes
        holder.execute("CREATE TABLE public.t_back (id int)")
        with pytest.raises(psycopg.OperationalError) as caught:
            plane.restore_table("s1", "c4", TableToRestore(DB, "public", "t", DB, "public", "t_back"))
        assert caught.value.sqlstate in ("55P03", "57014")  # the lock's timeout, or the statement's
        holder.rollback()
    assert plane._engine("c4").running_pid() == postmaster and ("c4", ENGINE_REVIVED) not in heard
    assert rows(port, "SELECT count(*) FROM t") == [(1000,)]


def test_a_start_that_finds_its_engine_frozen_starts_it_afresh(plane):
    # As a restarted service finds an engine it adopts: running, but hung.
    plane, heard = plane
    port = _with_table(plane, "c5")
    with frozen_postmaster(plane, "c5") as postmaster:
        assert plane.start_engine("c5", port) == port
    assert not pid_alive(postmaster) and plane._engine("c5").running_pid() != postmaster
    assert rows(port, "SELECT count(*) FROM t") == [(1000,)]
