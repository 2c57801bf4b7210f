"""Files the service opens in an engine's directory, whose names the engine's uid may change
(engine_files.py): never through a symbolic link, a FIFO or a hard link, so a process of that uid
cannot make root write, empty or read a host's file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from localshift.dataplane.engine_files import (open_own_log, open_regular, read_own, write_engine_file,
                                               write_own)
from localshift.dataplane.errors import DataPlaneError

from .helpers import DB, PASSWORD, USER, connect, free_port

SECRET = b"root:$6$host-secret\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of the host's that an engine's uid could not write or read."""
    path = tmp_path / "host" / "shadow"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


@pytest.fixture
def engine_dir(tmp_path: Path) -> Path:
    path = tmp_path / "engine"
    path.mkdir()
    return path


def test_the_log_planted_as_a_link_is_made_anew_and_the_linked_file_left_alone(engine_dir, victim):
    log = engine_dir / "postgres.log"
    log.symlink_to(victim)
    fd = open_own_log(log)
    os.write(fd, b"FATAL: x\n")
    os.close(fd)
    assert victim.read_bytes() == SECRET
    assert not log.is_symlink() and log.read_bytes() == b"FATAL: x\n"


def test_metadata_is_never_written_through_a_planted_temporary_link(engine_dir, victim):
    (engine_dir / "cluster.tmp").symlink_to(victim)
    meta = engine_dir / "cluster.json"
    write_own(meta, b'{"port": 1}')
    assert victim.read_bytes() == SECRET
    assert read_own(meta) == b'{"port": 1}'
    meta.unlink()
    meta.symlink_to(victim)  # read back: not the host's file
    with pytest.raises(DataPlaneError, match="not a regular file"):
        read_own(meta)


def test_a_hard_link_or_a_file_of_another_uid_is_not_the_services(engine_dir, victim):
    linked = engine_dir / "cluster.json"
    os.link(victim, linked)  # where the kernel lets a uid link what it does not own
    with pytest.raises(DataPlaneError, match="not a regular file"):
        read_own(linked)
    with pytest.raises(DataPlaneError, match="not a regular file"):
        open_regular(linked, os.O_RDONLY)  # a data file's read for a snapshot too
    if os.geteuid() == 0:
        other = engine_dir / "postgres.log"
        other.write_bytes(b"the engine's")
        os.chown(other, 2_000_999_999, 2_000_999_999)
        with pytest.raises(DataPlaneError, match="not a regular file"):
            read_own(other)


def test_a_fifo_is_refused_at_once(engine_dir):
    fifo = engine_dir / "postgres.log"
    os.mkfifo(fifo)
    done = threading.Event()

    def read() -> None:
        with pytest.raises(DataPlaneError, match="not a regular file"):
            read_own(fifo)
        with pytest.raises(DataPlaneError, match="not a regular file"):
            write_engine_file(fifo, "x")
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(10), "opening the FIFO waited for a writer"


def test_engine_files_are_written_only_where_they_are_regular_files(engine_dir, victim):
    conf = engine_dir / "pg_hba.conf"
    conf.symlink_to(victim)
    with pytest.raises(DataPlaneError, match="not a regular file"):
        write_engine_file(conf, "local all all trust\n")
    assert victim.read_bytes() == SECRET
    conf.unlink()
    write_engine_file(conf, "old text, longer\n")
    write_engine_file(conf, "new\n")
    write_engine_file(conf, "more\n", append=True)
    assert conf.read_text() == "new\nmore\n"


def test_an_engine_started_over_a_planted_log_link_writes_its_own_log(dp, victim):
    """What the engine's uid may do in its directory (replace postgres.log by a link to a host's
    file) makes the service's next start of that engine neither append to that file nor fail."""
    dp.create_engine("c1", port := free_port(), USER, PASSWORD, DB)
    engine = dp._engine("c1")
    dp.stop_engine("c1")
    engine.log_path.unlink()
    engine.log_path.symlink_to(victim)
    dp.start_engine("c1", port)
    with connect(port) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    assert victim.read_bytes() == SECRET
    assert not engine.log_path.is_symlink() and b"database system is ready" in engine.log_path.read_bytes()
