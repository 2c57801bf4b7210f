"""The data dir: created when missing, checked writable, and locked so that one server alone uses it.

The lock is an OS file lock (flock) on ``localshift.lock`` in the data dir, taken
when the service starts and held for the life of the process: the kernel releases
it on any exit, kill -9 included, so a stale lock never blocks the next start.
The file holds the owner's process id, for the message a second server prints.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from localshift.config import SettingsError

LOCK_FILE = "localshift.lock"


def claim(path: Path) -> int:
    """Create and check ``path``, lock it; the open lock file's descriptor, to keep open."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SettingsError(f"data dir {path} is not a directory") from None
    except OSError as error:
        raise SettingsError(f"data dir {path} cannot be created: {error.strerror}") from None
    if not path.is_dir():
        raise SettingsError(f"data dir {path} is not a directory")
    try:
        # Writable for new files, not only for the lock file (which may exist already).
        with tempfile.TemporaryFile(dir=path):
            pass
        descriptor = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise SettingsError(f"data dir {path} is not writable: {error.strerror}") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(descriptor)
        raise SettingsError(f"data dir {path} is in use by process {holder}") from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor
