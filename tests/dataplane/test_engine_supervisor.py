"""An engine whose postmaster dies (kill -9, the OOM killer) is started again by the data plane's
supervisor, as Redshift replaces a failed node; one that cannot be started is given up after a few
tries; engines stopped on purpose, or that a job is working on, are left alone (engine_supervisor.py)."""

from __future__ import annotations

import os
import signal
import threading

import psycopg
import pytest

from localshift.dataplane.api import ENGINE_FAILED, ENGINE_REVIVED
from localshift.dataplane.watchdog import pid_alive

from support import wait_for

from .conftest import listened_plane
from .helpers import DB, PASSWORD, USER, connect, free_port, rows


@pytest.fixture
def supervised(tmp_path):
    """A data plane checking its engines every 0.1 s, and what its listener heard."""
    yield from listened_plane(tmp_path / "dp", supervise_interval=0.1)


@pytest.fixture
def by_hand(tmp_path):
    """A data plane whose supervisor never runs on its own: the test calls ``revive``."""
    yield from listened_plane(tmp_path / "dp", supervise_interval=0)


def _kill_postmaster(plane, key: str) -> int:  # type: ignore[no-untyped-def]
    pid = plane._engine(key).running_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    # Not "until it is not running": a supervisor checking every 0.1 s may have started it again
    # before the first look, and then "not running" is never seen.
    wait_for(lambda: plane._engine(key).running_pid() != pid)
    return pid


def test_an_engine_killed_serves_again_with_its_data(supervised):
    plane, heard = supervised
    port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT generate_series(1, 100) AS id")
    old = _kill_postmaster(plane, "c1")
    wait_for(lambda: heard, timeout=120)
    assert heard == [("c1", ENGINE_REVIVED)]
    assert rows(port, "SELECT count(*) FROM t") == [(100,)]
    assert plane.is_running("c1") and plane.sql_port("c1") == port
    assert plane._engine("c1").running_pid() != old and not pid_alive(old)


def test_an_engine_stopped_on_purpose_stays_stopped(by_hand):
    plane, heard = by_hand
    port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    plane.stop_engine("c1")
    plane.revive("c1")
    assert not plane._engine("c1").is_running() and heard == []
    assert plane.start_engine("c1", port) == port  # supervised again once started
    _kill_postmaster(plane, "c1")
    plane.revive("c1")
    assert heard == [("c1", ENGINE_REVIVED)] and rows(port, "SELECT 1") == [(1,)]


def test_an_engine_a_job_is_working_on_is_left_to_the_job(by_hand):
    plane, heard = by_hand
    port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    _kill_postmaster(plane, "c1")
    held, release = threading.Event(), threading.Event()

    def job() -> None:  # as pause, resize, restore and snapshot jobs hold it while they stop and start engines
        with plane._lock("c1"):
            held.set()
            release.wait(60)

    worker = threading.Thread(target=job)
    worker.start()
    try:
        assert held.wait(60)
        plane.revive("c1")
        assert not plane._engine("c1").is_running() and heard == []
    finally:
        release.set()
        worker.join()
    plane.revive("c1")
    assert heard == [("c1", ENGINE_REVIVED)] and rows(port, "SELECT 1") == [(1,)]


def test_an_engine_that_cannot_start_is_given_up_after_three_tries(by_hand):
    plane, heard = by_hand
    port = plane.create_engine("c1", free_port(), USER, PASSWORD, DB)
    eng = plane._engine("c1")
    conf = eng.data_dir / "postgresql.conf"
    good = conf.read_text()
    conf.write_text(good + "not_a_setting_at_all = on\n")  # postgres refuses to start
    _kill_postmaster(plane, "c1")
    for _ in range(2):
        plane.revive("c1")
        assert heard == [] and plane.sql_port("c1") == port
    plane.revive("c1")
    assert heard == [("c1", ENGINE_FAILED)]
    assert plane.sql_port("c1") is None and not plane.is_running("c1")
    with pytest.raises(psycopg.OperationalError):  # its port closed, as a stopped engine's
        connect(port)
    plane.revive("c1")  # given up: no longer tried
    assert heard == [("c1", ENGINE_FAILED)]
    conf.write_text(good)  # a reboot or resume once the engine can start again
    assert plane.start_engine("c1", port) == port and rows(port, "SELECT 1") == [(1,)]
