"""Writing a snapshot's files back, verifying every page.

Packs are hashed through a read-only memory map (no copy) and verified ranges
are written with ``copy_file_range`` from an I/O thread.  Every page's CRC-32
is checked against the manifest before its bytes are written.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path
from typing import Callable

from .errors import SnapshotCorruptedError
from .manifest import Manifest
from .pack_io import CHUNK, IoWorker, PackReader, copy_range

Progress = Callable[[int, int], None]


def restore_files(key: str, man: Manifest, packs: list[PackReader], target: Path,
                  progress: Progress | None, owner: tuple[int, int] | None) -> None:
    """Write the files of ``man`` (whose packs are open as ``packs``) into ``target``."""
    total = man.header["total_bytes"]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    worker = IoWorker()
    try:
        target.mkdir(parents=True, exist_ok=True)
        if owner:
            os.chown(target, *owner)
        for name, typ, mode, size, first, count, _link in man.header["entries"]:
            path = _safe_join(target, name)
            if typ == "dir" or not path.parent.is_dir():
                d = path if typ == "dir" else path.parent
                d.mkdir(parents=True, exist_ok=True)
                os.chmod(d, mode if typ == "dir" else 0o700)
                if owner:
                    os.chown(d, *owner)
                if typ == "dir":
                    continue
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            try:
                if owner:
                    os.fchown(out, *owner)
                written = _restore_file(man, packs, first, count, out, worker, f"{key}:{name}",
                                        advance)
            finally:
                worker.close_later(out)
            if written != size:
                raise SnapshotCorruptedError(f"snapshot {key}: {name} has wrong size")
        if progress and not done:
            progress(0, total)  # nothing but empty files
    finally:
        worker.finish(raise_error=sys.exc_info()[0] is None)


def _restore_file(man: Manifest, packs: list[PackReader], first: int, count: int, out: int,
                  worker: IoWorker, what: str, advance: Callable[[int], None]) -> int:
    offs, lens, crcs, pack_of = man.offsets, man.lengths, man.crcs, man.packs
    crc32 = zlib.crc32
    written = 0
    i, end = first, first + count
    while i < end:
        # Coalesce a run of pages stored contiguously in one pack.
        j, p, start, nbytes = i + 1, pack_of[i], offs[i], lens[i]
        while (j < end and pack_of[j] == p and offs[j] == start + nbytes
               and nbytes + lens[j] <= CHUNK):
            nbytes += lens[j]
            j += 1
        pack = packs[p]
        if start + nbytes > pack.size:
            raise SnapshotCorruptedError(f"{what}: pack data is truncated")
        with pack.view[start:start + nbytes] as view:  # mapped page cache: no copy
            pos = 0
            for k in range(i, j):
                ln = lens[k]
                with view[pos:pos + ln] as page:
                    ok = crc32(page) == crcs[k]
                if not ok:
                    raise SnapshotCorruptedError(f"{what}: page {k - first} fails its checksum")
                pos += ln
        worker.submit(copy_range, pack, start, out, nbytes)
        written += nbytes
        advance(nbytes)
        i = j
    return written


def _safe_join(root: Path, name: str) -> Path:
    if ".." in Path(name).parts or Path(name).is_absolute():
        raise SnapshotCorruptedError(f"unsafe path {name!r} in snapshot")
    return root / name
