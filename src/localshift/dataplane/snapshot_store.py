"""Content-addressed, incremental snapshot storage.

Layout under ``<root>``::

    packs/<pack-id>.pack    pages stored by one snapshot, back to back
    packs/<pack-id>.idx     its index: (digest, offset, length) records
    manifests/<key>.snap    one snapshot: file list + per-page references

Every file of a base backup is cut into 8 KiB pages (PostgreSQL's block
size); each page is identified by the first 16 bytes of its SHA-256 (SHA-NI
makes this ~1.4 GB/s per core).  A snapshot stores, in its own new pack, only
the pages that no existing pack holds, so an append of 1% of a table stores
~1% of it.  The manifest references (pack, offset, length, digest) for every
page, so restore needs no index, and verifies each page's digest as it
writes it.  The manifest ends with a SHA-256 of its own bytes.

Deleting a snapshot removes its manifest, then garbage-collects: a pack is
deleted only when no manifest references any page of it (and no snapshot in
progress may use it).  A pack whose pages are referenced by later snapshots
therefore survives the deletion of the snapshot that wrote it: deleting any
snapshot never breaks another one.  Everything lives on disk; the in-memory
dedup index is only a cache rebuilt from the ``.idx`` files.

A manifest is written to a temporary file and renamed into place: it is the
commit point.  A pack left without a manifest by a crash is collected by the
next garbage collection.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import queue
import struct
import sys
import threading
import time
import uuid
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import DataPlaneError, SnapshotCorruptedError, SnapshotNotFoundError
from .tar_stream import TarStreamReader

PAGE = 8192
DIGEST = 16
CHUNK = 4 << 20  # read/hash/write granularity; a multiple of PAGE
MAGIC = b"LSSNAP01"
_IDX_REC = struct.Struct(f"<QI{DIGEST}s")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SnapshotStats:
    total_bytes: int        # restorable size (sum of the files' sizes)
    incremental_bytes: int  # bytes this snapshot newly stored
    elapsed_seconds: float


def page_digests(view: memoryview) -> list[bytes]:
    sha = hashlib.sha256
    return [sha(view[i:i + PAGE]).digest()[:DIGEST] for i in range(0, len(view), PAGE)]


class _Manifest:
    """Header (JSON) + page references (four parallel arrays)."""

    def __init__(self, header: dict, packs: array, offsets: array, lengths: array,
                 digests: bytearray) -> None:
        self.header, self.packs, self.offsets, self.lengths, self.digests = (
            header, packs, offsets, lengths, digests)

    def to_bytes(self) -> bytes:
        head = json.dumps(self.header, separators=(",", ":")).encode()
        body = b"".join([MAGIC, struct.pack("<Q", len(head)), head,
                         struct.pack("<Q", len(self.offsets)), self.packs.tobytes(),
                         self.offsets.tobytes(), self.lengths.tobytes(), bytes(self.digests)])
        return body + hashlib.sha256(body).digest()

    @classmethod
    def from_bytes(cls, data: bytes, what: str) -> "_Manifest":
        if len(data) < 48 or data[:8] != MAGIC:
            raise SnapshotCorruptedError(f"{what}: not a snapshot manifest")
        body, check = data[:-32], data[-32:]
        if hashlib.sha256(body).digest() != check:
            raise SnapshotCorruptedError(f"{what}: manifest checksum mismatch")
        (hlen,) = struct.unpack_from("<Q", body, 8)
        header = json.loads(body[16:16 + hlen])
        pos = 16 + hlen
        (n,) = struct.unpack_from("<Q", body, pos)
        pos += 8
        arrays = []
        for code, size in (("I", 4), ("Q", 8), ("I", 4)):
            a = array(code)
            a.frombytes(body[pos:pos + n * size])
            pos += n * size
            arrays.append(a)
        digests = bytearray(body[pos:pos + n * DIGEST])
        if len(digests) != n * DIGEST:
            raise SnapshotCorruptedError(f"{what}: truncated manifest")
        return cls(header, *arrays, digests)

    @staticmethod
    def read_header(path: Path) -> dict:
        with open(path, "rb") as f:
            start = f.read(16)
            if start[:8] != MAGIC:
                raise SnapshotCorruptedError(f"{path.name}: not a snapshot manifest")
            (hlen,) = struct.unpack_from("<Q", start, 8)
            return json.loads(f.read(hlen))


class SnapshotStore:
    def __init__(self, root: Path, fsync: bool = False) -> None:
        self.root = Path(root)
        self.packs_dir = self.root / "packs"
        self.manifests_dir = self.root / "manifests"
        for d in (self.packs_dir, self.manifests_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self._lock = threading.RLock()
        self._pins: dict[str, int] = {}          # pack id -> snapshots in progress using it
        self._index: dict[bytes, tuple[str, int, int]] = {}  # digest -> (pack, offset, length)
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
        return _Manifest.read_header(path)

    def _load(self, key: str) -> _Manifest:
        path = self._manifest_path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SnapshotNotFoundError(f"snapshot {key} not found") from None
        return _Manifest.from_bytes(data, f"snapshot {key}")

    def stored_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.packs_dir.iterdir())

    # -- dedup index ---------------------------------------------------------------
    def _refresh_index(self) -> None:
        """Load the .idx of every complete pack not yet indexed (caller holds lock)."""
        present = {p.stem for p in self.packs_dir.glob("*.idx")}
        if self._indexed - present:  # packs were collected: rebuild
            self._index, self._indexed = {}, set()
        for pack in present - self._indexed:
            data = (self.packs_dir / f"{pack}.idx").read_bytes()
            index = self._index
            for off, length, digest in _IDX_REC.iter_unpack(data):
                index.setdefault(digest, (pack, off, length))
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
    def ingest_tar(self, key: str, fd: int, meta: dict,
                   progress: Callable[[int], None] | None = None) -> SnapshotStats:
        """Store the tar archive readable from ``fd`` as snapshot ``key``."""
        t0 = time.monotonic()
        final = self._manifest_path(key)
        if final.exists():
            raise DataPlaneError(f"snapshot {key} already exists")
        pack_id = uuid.uuid4().hex
        with self._lock:
            self._refresh_index()
            index = self._index
            usable = frozenset(self._indexed)
            self._pin(usable | {pack_id})
        try:
            stats = self._ingest(key, fd, meta, pack_id, index, usable, progress, t0)
        finally:
            with self._lock:
                self._unpin(usable | {pack_id})
        self.gc()  # drops our pack if empty, and anything left by crashes
        return stats

    def _ingest(self, key, fd, meta, pack_id, index, usable, progress, t0) -> SnapshotStats:
        tar = TarStreamReader(fd)
        pack_path = self.packs_dir / f"{pack_id}.pack"
        pack_fd = os.open(pack_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        new_index: dict[bytes, tuple[int, int]] = {}  # digest -> (offset, length) in our pack
        idx_records = bytearray()
        packs_list: list[str] = [pack_id]
        pack_no = {pack_id: 0}
        r_packs, r_offs, r_lens, r_dig = array("I"), array("Q"), array("I"), bytearray()
        entries: list[list] = []
        pack_off = 0
        total = 0
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        try:
            while (m := tar.next_member()) is not None:
                if m.type != "file":
                    entries.append([m.name, m.type, m.mode, 0, 0, 0, m.linkname])
                    continue
                first = len(r_offs)
                left = m.size
                while left:
                    n = min(left, CHUNK)
                    chunk = view[:n]
                    tar.read_data(chunk)
                    left -= n
                    digests = page_digests(chunk)
                    writes = []
                    for i, d in enumerate(digests):
                        length = min(PAGE, n - i * PAGE)
                        hit = new_index.get(d)
                        if hit is not None:
                            r_packs.append(0)
                            r_offs.append(hit[0])
                        else:
                            old = index.get(d)
                            if old is not None and old[0] in usable and old[2] == length:
                                if old[0] not in pack_no:
                                    pack_no[old[0]] = len(packs_list)
                                    packs_list.append(old[0])
                                r_packs.append(pack_no[old[0]])
                                r_offs.append(old[1])
                            else:
                                new_index[d] = (pack_off, length)
                                idx_records += _IDX_REC.pack(pack_off, length, d)
                                writes.append(chunk[i * PAGE:i * PAGE + length])
                                r_packs.append(0)
                                r_offs.append(pack_off)
                                pack_off += length
                        r_lens.append(length)
                        r_dig += d
                    if writes:
                        _write_all(pack_fd, writes)
                    total += n
                    if progress:
                        progress(tar.bytes_read)
                entries.append([m.name, "file", m.mode, m.size, first, len(r_offs) - first, ""])
            tar.drain()
            if self.fsync:
                os.fsync(pack_fd)
        finally:
            os.close(pack_fd)
        _write_file(self.packs_dir / f"{pack_id}.idx", bytes(idx_records), self.fsync)
        header = {"key": key, "created": time.time(), "meta": meta, "packs": packs_list,
                  "entries": entries, "total_bytes": total, "incremental_bytes": pack_off}
        _write_file(self._manifest_path(key),
                    _Manifest(header, r_packs, r_offs, r_lens, r_dig).to_bytes(), self.fsync)
        return SnapshotStats(total, pack_off, time.monotonic() - t0)

    def copy(self, source: str, target: str) -> SnapshotStats:
        """A new manifest referencing the same pages: no data is copied."""
        t0 = time.monotonic()
        with self._lock:  # the lock keeps gc from collecting the source's packs meanwhile
            man = self._load(source)
            dest = self._manifest_path(target)
            if dest.exists():
                raise DataPlaneError(f"snapshot {target} already exists")
            man.header = dict(man.header, key=target, created=time.time(), incremental_bytes=0,
                              copied_from=source)
            _write_file(dest, man.to_bytes(), self.fsync)
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
                    live.update(_Manifest.read_header(path)["packs"])
                except (SnapshotCorruptedError, ValueError, KeyError, OSError):
                    # An unreadable manifest: keep everything rather than risk data.
                    return []
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
        packs: list[_PackReader] = []
        # Verifying (this thread) overlaps with writing (writer thread); hashlib
        # and copy_file_range both release the GIL.
        writer = _BackgroundWriter()
        try:
            for pack in header["packs"]:
                try:
                    packs.append(_PackReader(self.packs_dir / f"{pack}.pack"))
                except FileNotFoundError:
                    raise SnapshotCorruptedError(f"snapshot {key}: pack {pack} is missing") from None
            done = 0
            target.mkdir(parents=True, exist_ok=True)
            if owner:
                os.chown(target, *owner)
            for name, typ, mode, size, first, count, link in header["entries"]:
                path = _safe_join(target, name)
                if typ == "dir":
                    path.mkdir(parents=True, exist_ok=True)
                    os.chmod(path, mode)
                    if owner:
                        os.chown(path, *owner)
                    continue
                if not path.parent.is_dir():  # tar lists directories first; just in case
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if owner:
                        os.chown(path.parent, *owner)
                if typ == "symlink":
                    os.symlink(link, path)
                    if owner:
                        os.chown(path, *owner, follow_symlinks=False)
                    continue
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
                try:
                    if owner:
                        os.fchown(out, *owner)
                    written = self._restore_file(man, packs, first, count, out, writer,
                                                 f"{key}:{name}")
                finally:
                    writer.close(out)
                if written != size:
                    raise SnapshotCorruptedError(f"snapshot {key}: {name} has wrong size")
                done += size
                if progress:
                    progress(done, total)
        finally:
            writer.finish(raise_error=sys.exc_info()[0] is None)
            for p in packs:
                p.close()
        return header

    def _restore_file(self, man: _Manifest, packs: list["_PackReader"], first: int, count: int,
                      out: int, writer: "_BackgroundWriter", what: str) -> int:
        offs, lens, digs, pack_of = man.offsets, man.lengths, man.digests, man.packs
        sha = hashlib.sha256
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
            with pack.view[start:start + nbytes] as view:  # the page cache, mapped: no copy
                pos = 0
                for k in range(i, j):
                    ln = lens[k]
                    with view[pos:pos + ln] as page:
                        ok = sha(page).digest()[:DIGEST] == digs[k * DIGEST:(k + 1) * DIGEST]
                    if not ok:
                        raise SnapshotCorruptedError(f"{what}: page {k - first} fails its checksum")
                    pos += ln
            writer.copy(pack, start, out, nbytes)
            written += nbytes
            i = j
        return written


class _PackReader:
    """A pack opened for restore: an fd (for copy_file_range) and a read-only map
    (for hashing without copying)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.map = mmap.mmap(self.fd, self.size, prot=mmap.PROT_READ) if self.size else None
        if self.map is not None:
            self.map.madvise(mmap.MADV_SEQUENTIAL)
        self.view = memoryview(self.map) if self.map is not None else memoryview(b"")

    def close(self) -> None:
        self.view.release()
        if self.map is not None:
            self.map.close()
        os.close(self.fd)


class _BackgroundWriter:
    """Copies verified pack ranges into output files in a thread, and closes each
    output fd after its data.  copy_file_range copies inside the kernel (one
    copy instead of read + write through user space)."""

    def __init__(self, depth: int = 8) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="localshift-restore-writer",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            pack, start, fd, n = item
            try:
                if pack is None:
                    os.close(fd)
                elif self._error is None:
                    _copy_range(pack, start, fd, n)
            except BaseException as e:  # noqa: BLE001 - re-raised by _check()/finish()
                self._error = self._error or e

    def _check(self) -> None:
        if self._error is not None:
            raise DataPlaneError(f"restore write failed: {self._error}") from self._error

    def copy(self, pack: _PackReader, start: int, fd: int, n: int) -> None:
        self._check()
        self._queue.put((pack, start, fd, n))

    def close(self, fd: int) -> None:
        self._queue.put((None, 0, fd, 0))

    def finish(self, raise_error: bool = True) -> None:
        self._queue.put(None)
        self._thread.join()
        if raise_error:
            self._check()


def _copy_range(pack: _PackReader, start: int, fd: int, n: int) -> None:
    done = 0
    while done < n:
        try:
            k = os.copy_file_range(pack.fd, fd, n - done, start + done)
        except OSError:  # e.g. EXDEV on older kernels: copy through user space
            _write_all(fd, [pack.view[start + done:start + n]])
            return
        if k == 0:
            raise DataPlaneError("short copy from pack")
        done += k


def _safe_join(root: Path, name: str) -> Path:
    path = (root / name)
    if ".." in Path(name).parts or Path(name).is_absolute():
        raise SnapshotCorruptedError(f"unsafe path {name!r} in snapshot")
    return path


def _write_all(fd: int, buffers: list) -> None:
    # writev takes at most IOV_MAX (1024) buffers and may write partially.
    for s in range(0, len(buffers), 1024):
        bufs = [memoryview(b) for b in buffers[s:s + 1024]]
        while bufs:
            n = os.writev(fd, bufs)
            while bufs and n >= len(bufs[0]):
                n -= len(bufs[0])
                bufs.pop(0)
            if bufs and n:
                bufs[0] = bufs[0][n:]


def _write_file(path: Path, data: bytes, fsync: bool) -> None:
    tmp = path.parent / f".{path.name}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        if fsync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


