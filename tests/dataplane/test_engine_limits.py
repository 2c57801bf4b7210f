"""What an engine's processes may take of the host (engine_limits.py): a SQL user who raises
work_mem cannot take more private memory than the bound (53200, and the session and engine serve
on), nor spill more temporary files than the bound (53400); the bounds are on every backend."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from localshift.dataplane.engine_limits import LARGEST_FILE, MIB, EngineLimits

from .conftest import listened_plane
from support import wait_for

from .helpers import DB, PASSWORD, USER, connect, free_port

LIMITS = EngineLimits(memory_mb=256, temp_files_mb=16, log_mb=1)


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    for plane, _ in listened_plane(tmp_path_factory.mktemp("limits") / "dp", engine_limits=LIMITS,
                                   supervise_interval=0.2):
        yield plane


@pytest.fixture(scope="module")
def port(plane):
    return plane.create_engine("c1", free_port(), USER, PASSWORD, DB)


def test_a_backend_cannot_take_more_memory_than_the_bound(port):
    with connect(port, autocommit=True) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        limits = Path(f"/proc/{pid}/limits").read_text()
        [line] = [line for line in limits.splitlines() if line.startswith("Max data size")]
        assert line.split()[3:5] == [str(256 * MIB), str(256 * MIB)]
        # No file it writes grows past a table segment and some (the log, between two rotations).
        [line] = [line for line in limits.splitlines() if line.startswith("Max file size")]
        assert line.split()[3:5] == [str(LARGEST_FILE), str(LARGEST_FILE)]
        conn.execute("SET work_mem = '2GB'")  # PostgreSQL lets any user; Redshift has no such setting
        with pytest.raises(psycopg.errors.OutOfMemory):
            conn.execute("SELECT count(*) FROM (SELECT g, md5(g::text) AS h FROM generate_series(1, 4000000) g "
                         "ORDER BY h) s")
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the session, and the engine, serve on


def test_a_session_cannot_spill_more_temporary_files_than_the_bound(port):
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SHOW temp_file_limit").fetchone() == ("16MB",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET temp_file_limit = -1")  # only an engine superuser may, and no user is one
        conn.execute("SET work_mem = '64kB'")
        with pytest.raises(psycopg.errors.ConfigurationLimitExceeded, match="temp_file_limit"):
            conn.execute("SELECT count(*) FROM (SELECT g FROM generate_series(1, 3000000) g ORDER BY g DESC) s")
        assert conn.execute("SELECT count(*) FROM generate_series(1, 1000)").fetchone() == (1000,)


def test_the_server_log_a_user_floods_is_rotated_past_its_bound(plane, port):
    engine = plane._engine("c1")
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
        # PostgreSQL lets any user dump every statement's parse tree into the server log (Redshift has
        # no such setting), and RAISE LOG writes what it is given there.
        conn.execute("SET debug_print_parse = on")
        conn.execute("DO $$ BEGIN FOR i IN 1..12 LOOP RAISE LOG 'flood %', repeat('x', 256 * 1024); END LOOP; END $$")
        conn.execute("SELECT 1")
        wait_for(lambda: engine.rotated_log_path.exists() and engine.log_path.stat().st_size < MIB)
        assert engine.rotated_log_path.stat().st_size > MIB
        assert oct(engine.rotated_log_path.stat().st_mode & 0o777) == "0o600"  # the service's alone
        conn.execute("DO $$ BEGIN RAISE LOG 'after the rotation'; END $$")
    # The engine writes on in the emptied log, from its start.
    wait_for(lambda: b"after the rotation" in engine.log_path.read_bytes())
    assert engine.log_path.read_bytes().count(b"flood") < 4
