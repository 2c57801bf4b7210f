"""Stops a data plane's engines when the service that ran them is gone, however it ended.

Postmasters run in sessions of their own (a Ctrl-C to the service must not reach them), so
nothing stops them when the service is killed with SIGKILL.  Each PostgresDataPlane therefore starts
this script (``python -I watchdog.py ENGINE_ROOT [--ephemeral DIR ...]``, standard library
only) with a pipe as its stdin.  The service holds the pipe's write end and never writes; the
kernel closes it when the service ends, kill -9 included.  On EOF the watchdog stops every
postmaster under the engine root (fast shutdown, then harder) and exits.  For an ephemeral
service it first removes the engines' directories (not the engine root itself unless it is then
empty: a directory the user named may hold other things) and the other directories named.

The watchdog holds an exclusive lock on ``<engine root>/.watchdog.lock`` from before it
reports ``ready`` until it exits, so a new service over the same engines waits until the old
ones are stopped instead of adopting engines about to die.  engine.py uses the postmaster
helpers below too.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

LOCK_NAME = ".watchdog.lock"
# Engines are <engine root>/<key>; initdb's staging directories .initdb-<key>; the template new
# engines are copied from (engine_template.py) .template-<fingerprint>, and its builds .template-build-*.
ENGINE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
STAGING_PREFIX = ".initdb-"
TEMPLATE_PREFIX = ".template-"
READY = b"ready\n"
# Fast shutdown aborts sessions and checkpoints; SIGQUIT and SIGKILL follow if it takes longer.
STOP_STEPS = ((signal.SIGINT, 60.0), (signal.SIGQUIT, 10.0), (signal.SIGKILL, 10.0))
# How long a new service waits for the watchdog of a service that died to stop its engines.
PREVIOUS_WATCHDOG_WAIT = 120.0


class EnginesInUse(RuntimeError):
    """Another live service (or this one) already watches these engines."""


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def postmaster_pid(data_dir: Path) -> int | None:
    """PID of a live postmaster serving ``data_dir``, from its postmaster.pid, else None."""
    try:
        pid = int((Path(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"postgres" in cmdline and pid_alive(pid) else None


def stop_postmaster(pid: int, exited=None, steps=STOP_STEPS) -> None:  # type: ignore[no-untyped-def]
    """Signal ``pid`` to stop, harder at each step, until ``exited()`` (default: the pid is gone)."""
    exited = exited or (lambda: not pid_alive(pid))
    for sig, wait in steps:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if exited():
                return
            time.sleep(0.01)


def engine_processes(data_dir: Path) -> list[int]:
    """The processes of the engine of ``data_dir``: PostgreSQL's processes run in their data directory,
    which tells them apart."""
    where = os.path.realpath(data_dir)
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd") == where:
                found.append(int(entry))
        except OSError:  # gone meanwhile, or not one we may look at
            continue
    return found


def end_leftovers(data_dir: Path, wait: float = 10.0) -> None:
    """Kill what is left of a postmaster that died (kill -9, the OOM killer): its children run on
    until they next wait (a backend in a long query, a checkpointer writing) and hold its shared
    memory meanwhile, so PostgreSQL refuses to start over them ("pre-existing shared memory block is
    still in use")."""
    leftovers = []
    for pid in engine_processes(data_dir):
        try:
            os.kill(pid, signal.SIGKILL)
            leftovers.append(pid)
        except OSError:  # gone meanwhile
            continue
    deadline = time.monotonic() + wait
    while any(pid_alive(pid) for pid in leftovers) and time.monotonic() < deadline:
        time.sleep(0.01)


def engine_dirs(engine_root: Path) -> list[Path]:
    if not engine_root.is_dir():
        return []
    return sorted(p for p in engine_root.iterdir() if ENGINE_KEY.match(p.name) and p.is_dir())


def template_dirs(engine_root: Path) -> list[Path]:
    """The engine template and its builds (a build runs a postmaster while it installs the catalog)."""
    return sorted(p for p in engine_root.glob(TEMPLATE_PREFIX + "*") if p.is_dir())


def stop_engines(engine_root: Path) -> None:
    """Stop every postmaster under ``engine_root`` (a template being built included)."""
    for engine_dir in engine_dirs(engine_root) + template_dirs(engine_root):
        pid = postmaster_pid(engine_dir / "data")
        if pid is not None:
            stop_postmaster(pid)


def remove_engines(engine_root: Path) -> None:
    """Remove every engine directory under ``engine_root``, and the root once nothing else is in it."""
    for path in engine_dirs(engine_root) + template_dirs(engine_root) + sorted(engine_root.glob(STAGING_PREFIX + "*")):
        shutil.rmtree(path, ignore_errors=True)
    (engine_root / LOCK_NAME).unlink(missing_ok=True)
    try:
        engine_root.rmdir()
    except OSError:
        pass


def take_lock(engine_root: Path) -> int:
    """Hold the engine root's watchdog lock (waiting for a previous watchdog); its fd."""
    fd = os.open(engine_root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getppid()}\n".encode())  # the service, for "in use by process N"
    return fd


def _lock_holder(engine_root: Path) -> int | None:
    try:
        return int((engine_root / LOCK_NAME).read_text())
    except (OSError, ValueError):
        return None


def start(engine_root: Path, ephemeral_dirs: list[Path] | None) -> subprocess.Popen:
    """Start the watchdog of ``engine_root`` for this process and wait until it holds the lock.
    ``ephemeral_dirs``: for an ephemeral service, the directories to remove with the engines.
    The caller keeps the returned process's stdin open for as long as it lives."""
    args = [sys.executable, "-I", __file__, str(engine_root)]
    if ephemeral_dirs is not None:
        args += ["--ephemeral", *map(str, ephemeral_dirs)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    answer = proc.stdout
    assert answer is not None  # stdout=PIPE
    started = time.monotonic()
    while not select.select([answer], [], [], 0.1)[0]:
        holder, waited = _lock_holder(engine_root), time.monotonic() - started
        # A live holder is another service; a dead one's watchdog is still stopping its engines.
        if (holder is not None and pid_alive(holder) and waited > 1) or waited > PREVIOUS_WATCHDOG_WAIT:
            proc.kill()
            proc.wait()
            raise EnginesInUse(f"the engines in {engine_root} are in use by process {holder}")
    if answer.readline() != READY:
        raise EnginesInUse(f"the watchdog of {engine_root} did not start (exit code {proc.wait()})")
    answer.close()
    return proc


def main(argv: list[str]) -> None:
    # Ctrl-C and the service's own signals are not for us: only EOF on stdin ends the watch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine_root = Path(argv[0])
    ephemeral = argv[1:2] == ["--ephemeral"]
    take_lock(engine_root)
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    while sys.stdin.buffer.read(4096):
        pass
    stop_engines(engine_root)
    if ephemeral:
        remove_engines(engine_root)
        for path in argv[2:]:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
