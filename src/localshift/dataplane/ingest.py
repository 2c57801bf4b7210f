"""Writing one snapshot's pages: every file is cut into 8 KiB pages, each page
is identified by the first 16 bytes of its SHA-256, pages the store already
holds are referenced, the others are appended to one new pack.

Hashing happens in the calling thread while an I/O thread appends the new
pages (hashlib and ``os.writev`` release the GIL) and flushes them every 64
MiB.  The pack is fsynced when complete (little is left to write by then),
then its index is written and fsynced: an ``.idx`` on disk always describes a
whole, durable pack.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .durable import write_file_atomic
from .engine_files import open_regular
from .manifest import DIGEST, PAGE, Manifest
from .online_backup import SourceEntry
from .pack_index import RECORD, index_path, pack_path
from .pack_io import CHUNK, IoWorker, write_all

FLUSH_EVERY = 64 << 20


class _PageWriter:
    """State of one snapshot being written: dedup lookups and the new pack."""

    def __init__(self, pack_id: str, pack_fd: int, index: dict, usable: frozenset,
                 worker: IoWorker, progress: Callable[[int], None] | None) -> None:
        self.pack_id, self.pack_fd, self.index, self.usable = pack_id, pack_fd, index, usable
        self.worker, self.progress = worker, progress
        self.new: dict[bytes, tuple[int, int]] = {}  # digest -> (offset in our pack, crc)
        self.records = bytearray()
        self.packs: list[str] = []
        self.pack_no: dict[str, int] = {}
        self.man = Manifest({})
        self.pack_off = 0
        self.flushed = 0
        self.done = 0

    def _number(self, pack: str) -> int:
        no = self.pack_no.get(pack)
        if no is None:
            no = self.pack_no[pack] = len(self.packs)
            self.packs.append(pack)
        return no

    def add(self, view: memoryview, buf: bytearray | None) -> None:
        """Reference every page of ``view``; queue the unknown ones for the pack."""
        sha, crc32 = hashlib.sha256, zlib.crc32
        man, new, index, usable = self.man, self.new, self.index, self.usable
        writes = []
        for pos in range(0, len(view), PAGE):
            page = view[pos:pos + PAGE]
            length = len(page)
            d = sha(page).digest()[:DIGEST]
            hit = new.get(d)
            if hit is not None:
                man.packs.append(self.pack_no[self.pack_id])
                off, crc = hit
            else:
                old = index.get(d)
                if old is not None and old[0] in usable and old[2] == length:
                    man.packs.append(self._number(old[0]))
                    off, crc = old[1], old[3]
                else:
                    off, crc = self.pack_off, crc32(page)
                    new[d] = (off, crc)
                    self.records += RECORD.pack(off, length, crc, d)
                    writes.append(page)
                    self.pack_off += length
                    man.packs.append(self._number(self.pack_id))
            man.offsets.append(off)
            man.lengths.append(length)
            man.crcs.append(crc)
            man.digests += d
        if writes:
            self.worker.submit(write_all, self.pack_fd, writes, buffer=buf)
            if self.pack_off - self.flushed >= FLUSH_EVERY:
                # Flush behind: the disk absorbs the pack while pages are still
                # being hashed, so the fsync at the end finds little left to write.
                self.flushed = self.pack_off
                self.worker.submit(os.fdatasync, self.pack_fd)
        elif buf is not None:
            self.worker.release(buf)
        self.done += len(view)
        if self.progress:
            self.progress(self.done)

    def add_file(self, path: Path) -> int | None:
        """Read a live file up to its size at open time (a base backup's rule:
        later growth is replayed from the WAL).  Returns bytes read, None if gone."""
        try:
            # Files of PGDATA, the engine uid's: never a symbolic link or a hard link it put there.
            fd = open_regular(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            limit = os.fstat(fd).st_size
            size = 0
            while size < limit:
                buf = self.worker.buffer()
                want = min(CHUNK, limit - size)
                n = os.preadv(fd, [memoryview(buf)[:want]], size)
                if n <= 0:
                    self.worker.release(buf)
                    break
                self.add(memoryview(buf)[:n], buf)
                size += n
                if n < want:  # truncated meanwhile
                    break
            return size
        finally:
            os.close(fd)


@dataclass(frozen=True)
class WrittenPages:
    """A snapshot's pages, stored: its manifest (header without key and meta)
    and the index of its new pack (empty, and no pack file, when every page
    was already stored)."""
    manifest: Manifest
    records: bytes


def write_pages(packs_dir: Path, pack_id: str, entries: Iterable[SourceEntry], index: dict,
                usable: frozenset, progress: Callable[[int], None] | None) -> WrittenPages:
    """Store the pages of ``entries`` (new ones in pack ``pack_id``, durable on return)."""
    path = pack_path(packs_dir, pack_id)
    pack_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    worker = IoWorker(buffers=8)
    pages = _PageWriter(pack_id, pack_fd, index, usable, worker, progress)
    files: list[list] = []
    try:
        for e in entries:
            if e.content is None:
                files.append([e.name, "dir", e.mode, 0, 0, 0, ""])
                continue
            first = len(pages.man.offsets)
            if isinstance(e.content, bytes):
                view = memoryview(e.content)
                for pos in range(0, len(view), CHUNK):  # progress as it goes, as for a live file
                    pages.add(view[pos:pos + CHUNK], None)
                size = len(e.content)
            else:
                read = pages.add_file(e.content)
                if read is None:
                    continue  # vanished during the backup (dropped relation)
                size = read
            files.append([e.name, "file", e.mode, size, first, len(pages.man.offsets) - first, ""])
        worker.finish()
        os.fsync(pack_fd)  # one flush for the whole pack
    finally:
        worker.finish(raise_error=False)
        os.close(pack_fd)
    if pages.pack_off:
        write_file_atomic(index_path(packs_dir, pack_id), bytes(pages.records))
    else:
        path.unlink()  # every page was already stored
    pages.man.header = {"packs": pages.packs, "entries": files,
                        "total_bytes": sum(f[3] for f in files),
                        "incremental_bytes": pages.pack_off}
    return WrittenPages(pages.man, bytes(pages.records))
