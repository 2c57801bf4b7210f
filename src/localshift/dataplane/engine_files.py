"""Opening files in an engine's directory, which the engine's own uid may change.

When the service runs as root, an engine's directory and data directory belong to the
engine's uid (engine_users.py), and whoever runs as that uid (the postmaster, or code a
flaw in it let a user run) may replace any name in them: with a symbolic link to a file of
the host, or a FIFO.  The service, root, must never follow such a name: appending the
server log to ``/etc/passwd``, truncating a file while writing ``cluster.json``, or copying
``/etc/shadow`` (or another engine's log, another account's statements) into a snapshot or
an audit log would give that uid what only root has.  So every file the service opens there
is opened without following a last symbolic link (``O_NOFOLLOW``), without waiting on a
FIFO (``O_NONBLOCK``), and must be a regular file with no other name (a hard link); the
service's own files there (the log, the metadata) must also still be root's.  Only the last
name is the engine's to change: the directories above it are the service's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import DataPlaneError


def open_regular(path: Path, flags: int, mode: int = 0o600, owner: int | None = None) -> int:
    """A descriptor of the regular file ``path`` (``flags``: os.open's, O_TRUNC left to the caller:
    it would empty the file before it is checked), never through a symbolic link or a FIFO.
    It must have no other name: a hard link (of a host's file, made where the kernel lets anyone
    link what they do not own) is refused.  ``owner``: the uid it must belong to (the service's own
    files).  DataPlaneError when it is not such a file; FileNotFoundError as os.open."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO):  # a symbolic link; a FIFO nobody reads
            raise DataPlaneError(f"{path} is not a regular file: not opened") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or (owner is not None and st.st_uid != owner):
        os.close(fd)
        raise DataPlaneError(f"{path} is not a regular file of its owner's: not opened")
    return fd


def open_own(path: Path, flags: int) -> int:
    """``path``, a file of the service's own in an engine's directory, opened (os.open's ``flags``)."""
    return open_regular(path, flags, owner=os.geteuid())


def read_own(path: Path) -> bytes:
    """The content of the service's own file ``path`` (FileNotFoundError when there is none)."""
    with os.fdopen(open_own(path, os.O_RDONLY), "rb") as f:
        return f.read()


def open_own_log(path: Path) -> int:
    """``path`` opened to append to, the service's own file: one the engine's uid put in its
    place is removed and the file made anew."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    try:
        return open_own(path, flags)
    except DataPlaneError:
        path.unlink()
        return open_own(path, flags | os.O_EXCL)


def write_own(path: Path, data: bytes) -> None:
    """Replace the service's own file ``path`` by one holding ``data`` (written under a temporary
    name made anew, then renamed: a rename replaces a symbolic link, it never follows it)."""
    with _replacing_own(path) as f:
        f.write(data)


@contextlib.contextmanager
def _replacing_own(path: Path) -> Iterator[BinaryIO]:
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with os.fdopen(open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "wb") as f:
        yield f
    os.replace(tmp, path)


def write_engine_file(path: Path, text: str, append: bool = False) -> None:
    """Write ``text`` into (or at the end of) the engine's file ``path``, a regular file or none."""
    fd = open_regular(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else 0))
    if not append:
        os.ftruncate(fd, 0)
    with os.fdopen(fd, "w") as f:
        f.write(text)
