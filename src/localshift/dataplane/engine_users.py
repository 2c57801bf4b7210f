"""One OS user id per engine, so that no engine can reach another engine's files.

When the service runs as root, every engine's directory, files and processes belong to a
uid of its own, taken from a range no real user should hold (setting ``engine_uids``,
default 2000000000-2000999999: above systemd's container ranges, below 2**31).  The group id
is the same number; engines get no supplementary groups.  Such ids need no /etc/passwd
entry: the PostgreSQL server never looks its user up (initdb does, so initdb runs as
``nobody`` and its output is handed over with chown, see engine.py).

Claims are host-wide, so engines of two services on one machine never share a uid: a claim is
a symlink ``<registry>/<uid> -> <engine directory>`` made under a lock.  A claim whose engine
directory is gone, or no longer owned by that uid (removed without release, e.g. a crash or
``rm -rf``), is stale and may be taken again.

A uid is given to an engine, and given back, with no process left running as it: a process
that a flaw in an engine let a user start outlives its postmaster (it need not be the
postmaster's child), and would otherwise reach the files of the next engine, another account's
maybe, given the same uid.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from localshift.config import Settings

from .errors import DataPlaneError

REGISTRY = Path("/var/lib/localshift-pg/engine-uids")


def parse_uid_range(text: str) -> tuple[int, int]:
    """``"FIRST-LAST"`` -> (first, last); refuses ids of root, of nobody, and beyond 2**31."""
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        raise DataPlaneError(f"engine uids {text!r}: expected FIRST-LAST, e.g. 2000000000-2000999999") from None
    if not 0 < first <= last < 2**31 or first <= 65534 <= last:
        raise DataPlaneError(f"engine uids {text!r}: need 0 < FIRST <= LAST < 2147483648, nobody (65534) outside")
    return first, last


DEFAULT_UIDS = parse_uid_range(Settings.engine_uids)


def chown_tree(top: Path, uid: int, gid: int) -> None:
    os.chown(top, uid, gid, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


# Run as the uid whose processes end: kill(-1) signals every process its sender may signal (those
# of its uid) but itself, in one pass of the kernel's that a process forking again and again
# cannot slip through.  The shell's own kill, since every uid may run /bin/sh.
_END_ALL = ["/bin/sh", "-c", "kill -KILL -1"]


def end_processes(uid: int) -> None:
    """Kill every process running as ``uid`` (an engine uid no engine holds)."""
    subprocess.run(_END_ALL, user=uid, group=uid, extra_groups=[], cwd="/", env={}, stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=60, check=False)


def _owner(path: Path) -> int | None:
    """The uid owning ``path``, or None when it does not exist."""
    try:
        return path.stat().st_uid
    except FileNotFoundError:
        return None


class EngineUsers:
    """The uid range engines are given, and the host-wide claims on it."""

    def __init__(self, uids: tuple[int, int] = DEFAULT_UIDS, registry: Path = REGISTRY) -> None:
        self.first, self.last = uids
        self.registry = registry
        if not registry.parent.is_dir():
            registry.parent.mkdir(parents=True)
            os.chmod(registry.parent, 0o755)  # the binaries' cache shares it: engines read it
        registry.mkdir(exist_ok=True)
        os.chmod(registry, 0o700)

    @contextmanager
    def _claims_locked(self) -> Iterator[None]:
        """Hold the host-wide lock on the claims (every data plane on the host takes it)."""
        with open(self.registry / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _holder(self, uid: int) -> Path | None:
        """The engine directory holding ``uid``, or None when the claim is absent or stale."""
        try:
            target = Path(os.readlink(self.registry / str(uid)))
            return target if target.stat().st_uid == uid else None
        except OSError:
            return None

    def claim(self, engine_dir: Path) -> tuple[int, int]:
        """The (uid, gid) of ``engine_dir``: created owner-only (0700) if missing, and handed
        over (chown -R) when it belonged to no claim of its own (an engine made by an older
        localshift as ``nobody``)."""
        engine_dir = Path(engine_dir)
        with self._claims_locked():
            owner = _owner(engine_dir)
            if owner is not None and self._holder(owner) == engine_dir:
                return owner, owner
            self._sweep()
            uid = self._free_uid(engine_dir)
            end_processes(uid)
            os.symlink(engine_dir, self.registry / str(uid))
            engine_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(engine_dir, 0o700)
            chown_tree(engine_dir, uid, uid)
            return uid, uid

    def _sweep(self) -> None:
        """Drop stale claims (engine directories removed without a release)."""
        for claim in self.registry.iterdir():
            if claim.name.isdigit() and self._holder(int(claim.name)) is None:
                claim.unlink()

    def _free_uid(self, engine_dir: Path) -> int:
        size = self.last - self.first + 1
        # Start where the directory's name hashes to, so ids spread over the range.
        start = int.from_bytes(hashlib.sha256(str(engine_dir).encode()).digest()[:8], "big") % size
        for step in range(size):
            uid = self.first + (start + step) % size
            if not os.path.lexists(self.registry / str(uid)):
                return uid
        raise DataPlaneError(f"every engine uid in {self.first}-{self.last} is taken")

    def release(self, engine_dir: Path) -> None:
        """Give back the uid ``engine_dir`` holds (before removing the directory)."""
        engine_dir = Path(engine_dir)
        with self._claims_locked():
            uid = _owner(engine_dir)
            if uid is not None and self._holder(uid) == engine_dir:
                end_processes(uid)
                (self.registry / str(uid)).unlink()
