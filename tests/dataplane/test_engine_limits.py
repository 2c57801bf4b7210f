"""What an engine's processes may take of the host (engine_limits.py): a SQL user who raises
work_mem cannot take more private memory than the bound (53200, and the session and engine serve
on), nor spill more temporary files than the bound (53400); the bounds are on every backend."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from localshift.dataplane import engine as engine_module
from localshift.dataplane.audit_logs import log_inode, read_lines
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
        wait_for(lambda: engine.rotated_log_path.exists() and size(engine.log_path) < MIB)
        assert engine.rotated_log_path.stat().st_size > MIB
        assert oct(engine.rotated_log_path.stat().st_mode & 0o777) == "0o600"  # the engine's alone
        conn.execute("DO $$ BEGIN RAISE LOG 'after the rotation'; END $$")
    # The engine writes on in a new log, from its start.
    wait_for(lambda: b"after the rotation" in engine.log_path.read_bytes())
    assert engine.log_path.read_bytes().count(b"flood") < 4


def size(path: Path) -> int:
    """The size of ``path``; past any bound while it is missing (renamed, the new one not made yet)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return LARGEST_FILE


@pytest.fixture(scope="module")
def unsupervised(tmp_path_factory):
    """A data plane whose engines' logs are rotated when a test says (bound_storage), not by a supervisor."""
    for plane, _ in listened_plane(tmp_path_factory.mktemp("rotations") / "dp", engine_limits=LIMITS,
                                   supervise_interval=0):
        yield plane


def test_no_line_is_lost_when_the_log_is_rotated_while_sessions_write(unsupervised):
    """Rotations (Engine.bound_log) while four sessions flood the log: reading it as an audit log
    delivery does (read_lines from the offset in the file it was in, across one rotation at a time,
    under the engine's lock), every line each session wrote is there, in order, once."""
    plane = unsupervised
    port = plane.create_engine("c2", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c2")
    plane.set_audit_logging("c2", ["useractivitylog"])  # marked lines: what read_lines reads
    sessions, count = 4, 12000  # ~27 MiB: a rotation every 1 MiB
    offset, inode = engine.log_path.stat().st_size, log_inode(engine.log_path)
    lines: list = []

    def flood(session: int) -> None:  # in statements of 100 lines, each of ~0.5 KiB
        with connect(port, autocommit=True) as conn:
            for first in range(1, count + 1, 100):
                conn.execute(f"DO $$ BEGIN FOR i IN {first}..{first + 99} LOOP "
                             f"RAISE LOG 'mark {session} % %', i, repeat('x', 500); END LOOP; END $$")

    writers = [threading.Thread(target=flood, args=(s,)) for s in range(sessions)]
    for writer in writers:
        writer.start()
    rotations = 0
    while any(writer.is_alive() for writer in writers) or not rotations:
        with plane._lock("c2"):
            found, offset = read_lines(engine.log_path, offset, engine.rotated_log_path, inode)
            inode = log_inode(engine.log_path)
            lines += found
            rotations += engine.bound_log()
    for writer in writers:
        writer.join()

    def read_rest() -> bool:  # the logging collector may still be writing the last lines
        nonlocal offset, inode
        found, offset = read_lines(engine.log_path, offset, engine.rotated_log_path, inode)
        inode = log_inode(engine.log_path)
        lines.extend(found)
        return sum(1 for line in lines if line.message.startswith("mark ")) >= sessions * count

    wait_for(read_rest)
    assert rotations >= 2
    marks = [line.message.split(" ")[1:3] for line in lines if line.message.startswith("mark ")]
    for session in range(sessions):
        assert [int(i) for s, i in marks if s == str(session)] == list(range(1, count + 1))


def test_an_engine_started_without_a_setting_it_needs_is_started_again_with_it(unsupervised, monkeypatch):
    """A postmaster an older version started (adopted by a later service process) without its logging collector,
    whose server log would then grow without bound on the service's postgres.stderr: started again, with it."""
    plane = unsupervised
    monkeypatch.setattr(engine_module, "collector_options", lambda log_path: [])
    port = plane.create_engine("c3", free_port(), USER, PASSWORD, DB)
    engine = plane._engine("c3")
    with connect(port, autocommit=True) as conn:
        assert conn.execute("show logging_collector").fetchone() == ("off",)
    monkeypatch.undo()
    proc, engine._proc = engine._proc, None  # as a later service process finds it
    threading.Thread(target=proc.wait, daemon=True).start()  # (the old postmaster is still this process's child)
    engine.start()
    with connect(port, autocommit=True) as conn:
        assert conn.execute("show logging_collector").fetchone() == ("on",)
        conn.execute("select 1")
    pid, (proc, engine._proc) = engine.running_pid(), (engine._proc, None)
    engine.start()  # adopted with every setting: left running
    assert engine.running_pid() == pid
    engine._proc = proc


def test_the_notify_queue_is_bounded(port):
    """A session that LISTENs and never reads lets the NOTIFY queue grow (8 GiB by default, and NOTIFY runs while
    the storage is full, in read-only transactions): 128 MiB."""
    with connect(port, autocommit=True) as conn:
        assert conn.execute("show max_notify_queue_pages").fetchone() == ("16384",)
