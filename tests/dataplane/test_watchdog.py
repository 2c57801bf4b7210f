"""No postmaster outlives its service: after kill -9 of `localshift serve`, the data plane's
watchdog stops the engines, and removes them when the server was --ephemeral (watchdog.py)."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from localshift.dataplane import PostgresDataPlane, DataPlaneError
from localshift.dataplane.watchdog import pid_alive

from support import create_available_cluster, make_server, wait_for

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, free_port


def _postmasters_of(pid: int) -> dict[int, Path]:
    """The postmasters a process started: pid -> data directory."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if args[0].endswith(b"/postgres") and b"-D" in args:
            found[int(entry.name)] = Path(args[args.index(b"-D") + 1].decode())
    return found


def _serves_sql(client) -> bool:  # type: ignore[no-untyped-def]
    cluster = client.describe_clusters()["Clusters"][0]
    try:
        with psycopg.connect(host="127.0.0.1", port=cluster["Endpoint"]["Port"], user="admin", password="Passw0rd1",
                             dbname="dev", connect_timeout=30) as conn:
            return conn.execute("select 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def test_engines_of_a_killed_ephemeral_server_stop_and_vanish(tmp_path):
    server = make_server(tmp_path, data_plane=True, args=["--ephemeral"]).start()
    try:
        create_available_cluster(server.client(), "c1")
        state = Path(json.loads(server.admin("/_localshift/health", "GET"))["data_dir"])
        postmasters = _postmasters_of(server.process.pid)
        assert len(postmasters) == 1
        (postmaster, data_dir), = postmasters.items()
        server.stop(kill=True)  # SIGKILL: no shutdown code runs
        wait_for(lambda: not pid_alive(postmaster))
        # the engine directory and the server's temporary data dir are gone too
        wait_for(lambda: not data_dir.parent.exists() and not state.exists())
    finally:
        server.stop(kill=True)


def test_engines_of_a_killed_server_stop_and_serve_again_after_restart(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        create_available_cluster(server.client(), "c1")
        assert _serves_sql(server.client())
        (postmaster, data_dir), = _postmasters_of(server.process.pid).items()
        server.stop(kill=True)
        wait_for(lambda: not pid_alive(postmaster))
        assert (data_dir / "PG_VERSION").exists()  # stopped, not removed: the data stays
        server.start()  # waits for the old watchdog, then starts the engine again
        assert server.client().describe_clusters()["Clusters"][0]["ClusterStatus"] == "available"
        wait_for(lambda: _serves_sql(server.client()))
    finally:
        server.close()


def test_a_second_data_plane_over_live_engines_is_refused(tmp_path):
    first = PostgresDataPlane(tmp_path / "dp")
    try:
        with pytest.raises(DataPlaneError, match=f"in use by process {os.getpid()}"):
            PostgresDataPlane(tmp_path / "dp")
    finally:
        cleanup(first)


def test_stop_all_says_which_engines_it_stopped(dp, caplog):
    dp.create_engine("one", free_port(), USER, PASSWORD, DB)
    dp.create_engine("two", free_port(), USER, PASSWORD, DB)
    dp.stop_engine("two")
    with caplog.at_level(logging.INFO, logger="localshift"):
        dp.stop_all()
    assert [r.getMessage() for r in caplog.records if r.name == "localshift"] == [
        f"stopped engine one ({dp.engine_root / 'one'})"]
    assert dp.directories[:2] == [dp.root, dp.engine_root]


def test_ephemeral_data_plane_removes_its_engines_but_nothing_else(tmp_path):
    named = Path(f"/var/tmp/localshift-test-engines-{os.getpid()}")
    named.mkdir()
    os.chmod(named, 0o755)  # whatever the umask (a server runtime earlier in this process narrows it)
    try:
        (named / "keep.txt").write_text("not localshift's")
        (tmp_path / "service").mkdir()
        plane = PostgresDataPlane(tmp_path / "dp", engine_root=named, ephemeral=True, also_remove=[tmp_path / "service"])
        try:
            plane.create_engine("gone", free_port(), USER, PASSWORD, DB)
            assert (named / "gone" / "data" / "PG_VERSION").exists()
            assert named.stat().st_mode & 0o777 == 0o755  # a directory the user named keeps its mode
        finally:
            plane.close()  # as when the service ends: its watchdog cleans up, then exits
        assert sorted(p.name for p in named.iterdir()) == ["keep.txt"]
        assert not plane.root.exists() and not (tmp_path / "service").exists()
    finally:
        shutil.rmtree(named, ignore_errors=True)
