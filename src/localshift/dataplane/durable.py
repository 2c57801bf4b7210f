"""Files that survive power loss: what a snapshot store writes before it says "done".

A file's data reaches the disk with ``fsync`` on the file; its name (creation,
rename, removal) with ``fsync`` on the directory holding it.  The store keeps
one rule: nothing may refer to a file (a manifest to a pack, a pack's removal
to a manifest's rewrite) before that file and its directory entry are durable.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make the names in ``path`` (created, renamed, removed) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_name(path: Path) -> Path:
    """Where ``write_file_atomic`` stages ``path`` (a dot name no reader lists)."""
    return path.parent / f".{path.name}.tmp"


def write_file_atomic(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Write ``data`` under a temporary name, fsync it and rename it over ``path``:
    readers see all or nothing, and after a crash the old or the new content.
    ``sync_dir`` also makes the rename itself durable (one more fsync)."""
    tmp = temporary_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if sync_dir:
        fsync_dir(path.parent)
