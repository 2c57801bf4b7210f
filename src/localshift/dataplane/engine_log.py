"""An engine's server log: written by its logging collector, rotated past its bound without losing a line.

The engine's logging collector (one process of the engine, which every other process of it sends
its messages to) writes ``postgres.log`` in the engine's directory: settings given on the
postmaster's command line, which no SQL user can change (``log_directory`` and ``log_filename`` are
SIGHUP settings).  It has no rotation of its own (none by age or size, whose file names would
change); a log past its bound (engine_limits.py) is renamed ``postgres.log.1`` (replacing the one
before), then the collector told to open its log again (``pg_rotate_logfile()``), which makes a new
``postgres.log``.  What it writes until then goes on at the end of ``postgres.log.1``: no line is
lost, where copying the file then emptying it lost those written in between.  The service's readers
(audit_logs.read_lines) find what followed their offset at the end of ``postgres.log.1``.

What the postmaster writes before its collector runs (a start that fails) goes to its standard
error, the service's own ``postgres.stderr``.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Callable, Iterable

import psycopg

from .engine_files import open_regular
from .errors import DataPlaneError


def collector_options(log_path: Path) -> list[str]:
    """The postmaster's command-line settings that have its logging collector write ``log_path``."""
    return ["-c", "logging_collector=on", "-c", f"log_directory={log_path.parent}",
            "-c", f"log_filename={log_path.name}", "-c", "log_file_mode=0600",
            "-c", "log_rotation_age=0", "-c", "log_rotation_size=0", "-c", "log_truncate_on_rotation=off"]


def set_log_aside(log_path: Path, rotated_path: Path, uid: int) -> None:
    """Before a start: a log the engine (``uid``) cannot append to is moved to ``rotated_path`` (the
    service's, of an engine an older version started), or removed when it is no regular file with
    one name (a link the engine's uid put there); the collector makes ``log_path`` anew."""
    try:
        st = os.lstat(log_path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        log_path.unlink()
    elif st.st_uid != uid:
        os.replace(log_path, rotated_path)


def rotate_log(log_path: Path, rotated_path: Path, bound: int, connect: Callable[[], psycopg.Connection],
               timeout: float) -> bool:
    """Rotate the log past ``bound`` bytes (``connect``: the engine's internal role, ``timeout``: how long
    the collector may take to open its log again).  A log renamed whose new one never came (the engine
    did not answer) is asked for again.  True when it was rotated."""
    try:
        size = os.lstat(log_path).st_size
    except FileNotFoundError:
        if not rotated_path.exists():
            return False  # never started
        size = -1
    if 0 <= size <= bound:
        return False
    if size >= 0:
        os.replace(log_path, rotated_path)
    with connect() as conn:
        conn.execute("SELECT pg_catalog.pg_rotate_logfile()")
    deadline = time.monotonic() + timeout
    while not log_path.exists():
        if time.monotonic() > deadline:
            raise DataPlaneError(f"the logging collector did not open {log_path} again")
        time.sleep(0.01)
    return True


def log_tail(paths: Iterable[Path], n: int) -> str:
    """The last ``n`` bytes of the files ``paths`` read one after the other."""
    tail = b""
    for path in paths:
        try:
            fd = open_regular(path, os.O_RDONLY)
        except (FileNotFoundError, DataPlaneError):
            continue
        with os.fdopen(fd, "rb") as f:
            f.seek(max(os.fstat(fd).st_size - n, 0))
            tail += f.read()
    return tail[-n:].decode(errors="replace")
