"""Low-level I/O helpers of the snapshot store: a background I/O thread with a
buffer pool, and pack files mapped for reading.

On this kind of machine (a VM, 2 cores) copying memory is the bottleneck:
buffers are recycled (a fresh multi-MiB buffer costs a page fault per 4 KiB),
restores hash the packs through a read-only memory map (no copy) and copy
verified ranges with ``copy_file_range`` (one in-kernel copy instead of a
read and a write through user space).  ``hashlib``, ``os.preadv``,
``os.writev`` and ``os.copy_file_range`` all release the GIL, so hashing in
the caller's thread overlaps with writing in the I/O thread.
"""

from __future__ import annotations

import mmap
import operator
import os
import queue
import threading
import zlib
from array import array
from pathlib import Path

from .errors import DataPlaneError, SnapshotCorruptedError

CHUNK = 4 << 20  # read/hash/write granularity; a multiple of the 8 KiB page


class IoWorker:
    """Runs submitted writes in order in one thread; owns a pool of buffers."""

    def __init__(self, depth: int = 6, buffers: int = 0) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._free: queue.Queue = queue.Queue()
        for _ in range(buffers):
            self._free.put(bytearray(CHUNK))
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="localshift-io", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            fn, args, buf = item
            try:
                if self._error is None or fn is os.close:
                    fn(*args)
            except BaseException as e:  # noqa: BLE001 - re-raised by check()/finish()
                self._error = self._error or e
            finally:
                if buf is not None:
                    self._free.put(buf)

    def check(self) -> None:
        if self._error is not None:
            raise DataPlaneError(f"write failed: {self._error}") from self._error

    def buffer(self) -> bytearray:
        return self._free.get()

    def release(self, buf: bytearray) -> None:
        self._free.put(buf)

    def submit(self, fn, *args, buffer: bytearray | None = None) -> None:
        """Run ``fn(*args)`` in the I/O thread; give ``buffer`` back to the pool after."""
        self.check()
        self._queue.put((fn, args, buffer))

    def close_later(self, fd: int) -> None:
        """Close ``fd`` after its queued writes (even after an error)."""
        self._queue.put((os.close, (fd,), None))

    def finish(self, raise_error: bool = True) -> None:
        """Wait for all queued work (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if raise_error:
            self.check()


class PackReader:
    """A pack opened for restore: an fd (for copy_file_range) and a read-only
    map (for hashing without copying)."""

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


def verify_pages(reader: PackReader, pack: str, offsets: array, lengths: array, crcs: array) -> None:
    """Check that the pages at ``offsets`` (ascending) are all there and match their CRC-32s, else
    raise SnapshotCorruptedError: compaction never copies, and a snapshot never references, a
    corrupted page."""
    if len(offsets) and offsets[-1] + lengths[-1] > reader.size:
        raise SnapshotCorruptedError(f"pack {pack} is truncated")
    pages = map(reader.view.__getitem__, map(slice, offsets, map(operator.add, offsets, lengths)))
    if not all(map(operator.eq, map(zlib.crc32, pages), crcs)):
        bad = next(off for off, length, crc in zip(offsets, lengths, crcs)
                   if zlib.crc32(reader.view[off:off + length]) != crc)
        raise SnapshotCorruptedError(f"pack {pack}: page at {bad} fails its checksum")


def copy_range(pack: PackReader, start: int, fd: int, n: int) -> None:
    """Append ``n`` bytes of ``pack`` from ``start`` to ``fd``."""
    done = 0
    while done < n:
        try:
            k = os.copy_file_range(pack.fd, fd, n - done, start + done)
        except OSError:  # e.g. EXDEV (different filesystems, older kernels)
            write_all(fd, [pack.view[start + done:start + n]])
            return
        if k == 0:
            raise DataPlaneError("short copy from pack")
        done += k


def write_all(fd: int, buffers: list) -> None:
    """writev everything (at most IOV_MAX=1024 buffers per call; partial writes)."""
    for s in range(0, len(buffers), 1024):
        bufs = [memoryview(b) for b in buffers[s:s + 1024]]
        while bufs:
            n = os.writev(fd, bufs)
            while bufs and n >= len(bufs[0]):
                n -= len(bufs[0])
                bufs.pop(0)
            if bufs and n:
                bufs[0] = bufs[0][n:]
