"""Content-addressed, incremental snapshot storage.

Layout under ``<root>``::

    packs/<pack-id>.pack    pages stored by one snapshot, back to back
    packs/<pack-id>.idx     its index: (offset, length, digest) records
    manifests/<key>.snap    one snapshot: file list + per-page references

Every file of a backup is cut into 8 KiB pages (PostgreSQL's block size);
each page is identified by the first 16 bytes of its SHA-256 (SHA-NI makes
this ~1.4 GB/s per core).  A snapshot stores, in its own new pack, only the
pages no existing pack holds, so after appending 1% to a table it stores ~1%.
The manifest (see manifest.py) references (pack, offset, length, digest) for
every page, so a restore needs no index and verifies every page it writes
(CRC-32 per page, see manifest.py).

Deleting a snapshot removes its manifest, then garbage-collects: a pack is
deleted only when no manifest references it (and no snapshot in progress may
use it), so deleting any snapshot never breaks another.  Everything lives on
disk; the in-memory dedup index is only a cache rebuilt from ``.idx`` files.

A manifest is written to a temporary file and renamed into place: that is the
commit point.  A pack left without a manifest by a crash is collected by the
next garbage collection.
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from .errors import DataPlaneError, SnapshotCorruptedError, SnapshotNotFoundError
from .manifest import DIGEST, PAGE, Manifest, write_file_atomic
from .online_backup import SourceEntry
from .pack_io import CHUNK, IoWorker, PackReader, copy_range, write_all

_IDX_REC = struct.Struct(f"<QII{DIGEST}s")  # offset, length, crc32, digest

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SnapshotStats:
    total_bytes: int        # restorable size (sum of the files' sizes)
    incremental_bytes: int  # bytes this snapshot newly stored
    elapsed_seconds: float
    # The instant whose committed data the snapshot holds (None when not known).
    consistent_at: datetime | None = None


class _Ingest:
    """State of one snapshot being written: dedup lookups and the new pack."""

    def __init__(self, pack_id: str, pack_fd: int, index: dict, usable: frozenset,
                 worker: IoWorker) -> None:
        self.pack_fd, self.index, self.usable, self.worker = pack_fd, index, usable, worker
        self.new: dict[bytes, tuple[int, int]] = {}  # digest -> (offset in our pack, crc)
        self.idx_records = bytearray()
        self.packs = [pack_id]
        self.pack_no = {pack_id: 0}
        self.man = Manifest({})
        self.pack_off = 0

    def add(self, view: memoryview, buf: bytearray | None) -> None:
        """Reference every page of ``view``; queue the unknown ones for the pack."""
        sha, crc32 = hashlib.sha256, zlib.crc32
        man, new, index, usable = self.man, self.new, self.index, self.usable
        writes = []
        n = len(view)
        for pos in range(0, n, PAGE):
            page = view[pos:pos + PAGE]
            length = len(page)
            d = sha(page).digest()[:DIGEST]
            hit = new.get(d)
            if hit is not None:
                man.packs.append(0)
                off, crc = hit
            else:
                old = index.get(d)
                if old is not None and old[0] in usable and old[2] == length:
                    no = self.pack_no.get(old[0])
                    if no is None:
                        no = self.pack_no[old[0]] = len(self.packs)
                        self.packs.append(old[0])
                    man.packs.append(no)
                    off, crc = old[1], old[3]
                else:
                    off, crc = self.pack_off, crc32(page)
                    new[d] = (off, crc)
                    self.idx_records += _IDX_REC.pack(off, length, crc, d)
                    writes.append(page)
                    self.pack_off += length
                    man.packs.append(0)
            man.offsets.append(off)
            man.lengths.append(length)
            man.crcs.append(crc)
            man.digests += d
        if writes:
            self.worker.submit(write_all, self.pack_fd, writes, buffer=buf)
        elif buf is not None:
            self.worker.release(buf)


class SnapshotStore:
    def __init__(self, root: Path, fsync: bool = False) -> None:
        self.root = Path(root)
        self.packs_dir = self.root / "packs"
        self.manifests_dir = self.root / "manifests"
        for d in (self.packs_dir, self.manifests_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self._lock = threading.RLock()
        self._pins: dict[str, int] = {}  # pack id -> snapshots in progress that may use it
        # digest -> (pack, offset, length, crc32)
        self._index: dict[bytes, tuple[str, int, int, int]] = {}
        self._indexed: set[str] = set()
        for tmp in self.manifests_dir.glob(".*.tmp"):  # left by a crash mid-write
            tmp.unlink(missing_ok=True)

    # -- queries -----------------------------------------------------------------
    def _manifest_path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith("."):
            raise DataPlaneError(f"invalid snapshot key {key!r}")
        return self.manifests_dir / f"{key}.snap"

    def exists(self, key: str) -> bool:
        return self._manifest_path(key).exists()

    def header(self, key: str) -> dict:
        path = self._manifest_path(key)
        if not path.exists():
            raise SnapshotNotFoundError(f"snapshot {key} not found")
        return Manifest.read_header(path)

    def _load(self, key: str) -> Manifest:
        try:
            data = self._manifest_path(key).read_bytes()
        except FileNotFoundError:
            raise SnapshotNotFoundError(f"snapshot {key} not found") from None
        return Manifest.from_bytes(data, f"snapshot {key}")

    def stored_bytes(self) -> int:
        """Bytes of all packs (the storage every snapshot together uses)."""
        return sum(p.stat().st_size for p in self.packs_dir.iterdir())

    # -- dedup index ---------------------------------------------------------------
    def _refresh_index(self) -> None:
        """Load the .idx of every complete pack not yet indexed (caller holds lock)."""
        present = {p.stem for p in self.packs_dir.glob("*.idx")}
        if self._indexed - present:  # packs were collected: rebuild
            self._index, self._indexed = {}, set()
        for pack in present - self._indexed:
            index = self._index
            data = (self.packs_dir / f"{pack}.idx").read_bytes()
            for off, length, crc, digest in _IDX_REC.iter_unpack(data):
                index.setdefault(digest, (pack, off, length, crc))
            self._indexed.add(pack)

    def _pin(self, packs) -> None:
        for p in packs:
            self._pins[p] = self._pins.get(p, 0) + 1

    def _unpin(self, packs) -> None:
        for p in packs:
            self._pins[p] -= 1
            if not self._pins[p]:
                del self._pins[p]

    # -- snapshot creation -----------------------------------------------------------
    def ingest(self, key: str, entries: Iterable[SourceEntry], meta: dict,
               progress: Callable[[int], None] | None = None) -> SnapshotStats:
        """Store the files of ``entries`` as snapshot ``key``.  ``entries`` is
        consumed completely (an OnlineBackup ends its backup at its end) and
        closed on failure."""
        t0 = time.monotonic()
        if self._manifest_path(key).exists():
            raise DataPlaneError(f"snapshot {key} already exists")
        pack_id = uuid.uuid4().hex
        with self._lock:
            self._refresh_index()
            index, usable = self._index, frozenset(self._indexed)
            self._pin(usable | {pack_id})
        try:
            total, stored = self._ingest(key, entries, meta, pack_id, index, usable, progress)
        finally:
            if hasattr(entries, "close"):
                entries.close()
            with self._lock:
                self._unpin(usable | {pack_id})
        self.gc()  # anything left by crashes
        return SnapshotStats(total, stored, time.monotonic() - t0)

    def _ingest(self, key, entries, meta, pack_id, index, usable, progress) -> tuple[int, int]:
        pack_fd = os.open(self.packs_dir / f"{pack_id}.pack",
                          os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        worker = IoWorker(buffers=8)
        state = _Ingest(pack_id, pack_fd, index, usable, worker)
        files: list[list] = []
        total = 0
        try:
            for e in entries:
                if e.type == "dir":
                    files.append([e.name, "dir", e.mode, 0, 0, 0, ""])
                    continue
                first = len(state.man.offsets)
                if e.data is not None:
                    state.add(memoryview(e.data), None)
                    size = len(e.data)
                else:
                    size = self._add_file(state, e.path)
                    if size is None:
                        continue  # vanished during the backup (dropped relation)
                files.append([e.name, "file", e.mode, size, first,
                              len(state.man.offsets) - first, ""])
                total += size
                if progress:
                    progress(total)
            worker.finish()
            if self.fsync:
                os.fsync(pack_fd)
        finally:
            worker.finish(raise_error=False)
            os.close(pack_fd)
        write_file_atomic(self.packs_dir / f"{pack_id}.idx", bytes(state.idx_records), self.fsync)
        state.man.header = {"key": key, "created": time.time(), "meta": meta,
                            "packs": state.packs, "entries": files, "total_bytes": total,
                            "incremental_bytes": state.pack_off}
        write_file_atomic(self._manifest_path(key), state.man.to_bytes(), self.fsync)
        return total, state.pack_off

    @staticmethod
    def _add_file(state: _Ingest, path: Path) -> int | None:
        """Read a live file up to its size at open time (a base backup's rule:
        later growth is replayed from the WAL).  Returns bytes read, None if gone."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            limit = os.fstat(fd).st_size
            size = 0
            while size < limit:
                buf = state.worker.buffer()
                want = min(CHUNK, limit - size)
                n = os.preadv(fd, [memoryview(buf)[:want]], size)
                if n <= 0:
                    state.worker.release(buf)
                    break
                state.add(memoryview(buf)[:n], buf)
                size += n
                if n < want:  # truncated meanwhile
                    break
            return size
        finally:
            os.close(fd)

    def copy(self, source: str, target: str) -> SnapshotStats:
        """A new manifest referencing the same pages: no data is copied."""
        t0 = time.monotonic()
        with self._lock:  # keeps gc from collecting the source's packs meanwhile
            man = self._load(source)
            dest = self._manifest_path(target)
            if dest.exists():
                raise DataPlaneError(f"snapshot {target} already exists")
            man.header = dict(man.header, key=target, created=time.time(), incremental_bytes=0,
                              copied_from=source)
            write_file_atomic(dest, man.to_bytes(), self.fsync)
        return SnapshotStats(man.header["total_bytes"], 0, time.monotonic() - t0)

    # -- deletion -------------------------------------------------------------------
    def delete(self, key: str) -> None:
        with self._lock:
            self._manifest_path(key).unlink(missing_ok=True)
            self.gc()

    def gc(self) -> list[str]:
        """Delete packs that no manifest and no snapshot in progress references."""
        with self._lock:
            live = set(self._pins)
            for path in self.manifests_dir.glob("*.snap"):
                try:
                    live.update(Manifest.read_header(path)["packs"])
                except (SnapshotCorruptedError, ValueError, KeyError, OSError):
                    return []  # an unreadable manifest: keep everything
            removed = []
            for p in self.packs_dir.iterdir():
                pack = p.name.split(".", 1)[0]
                if pack not in live:
                    p.unlink(missing_ok=True)
                    removed.append(pack)
            return removed

    # -- restore --------------------------------------------------------------------
    def restore(self, key: str, target: Path, progress: Progress | None = None,
                owner: tuple[int, int] | None = None) -> dict:
        """Write snapshot ``key`` into the empty directory ``target``, verifying
        every page.  Returns the manifest header.  Raises SnapshotCorruptedError."""
        man = self._load(key)
        header = man.header
        total = header["total_bytes"]
        packs: list[PackReader] = []
        worker = IoWorker()
        try:
            for pack in header["packs"]:
                try:
                    packs.append(PackReader(self.packs_dir / f"{pack}.pack"))
                except FileNotFoundError:
                    raise SnapshotCorruptedError(f"snapshot {key}: pack {pack} is missing") from None
            done = 0
            target.mkdir(parents=True, exist_ok=True)
            if owner:
                os.chown(target, *owner)
            for name, typ, mode, size, first, count, _link in header["entries"]:
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
                    written = self._restore_file(man, packs, first, count, out, worker,
                                                 f"{key}:{name}")
                finally:
                    worker.close_later(out)
                if written != size:
                    raise SnapshotCorruptedError(f"snapshot {key}: {name} has wrong size")
                done += size
                if progress:
                    progress(done, total)
        finally:
            worker.finish(raise_error=sys.exc_info()[0] is None)
            for p in packs:
                p.close()
        return header

    @staticmethod
    def _restore_file(man: Manifest, packs: list[PackReader], first: int, count: int,
                      out: int, worker: IoWorker, what: str) -> int:
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
            i = j
        return written


def _safe_join(root: Path, name: str) -> Path:
    if ".." in Path(name).parts or Path(name).is_absolute():
        raise SnapshotCorruptedError(f"unsafe path {name!r} in snapshot")
    return root / name
