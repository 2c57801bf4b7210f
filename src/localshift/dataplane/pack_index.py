"""A pack's index file and the store's dedup index built from them.

``packs/<pack-id>.idx`` lists every page of ``<pack-id>.pack`` in pack order,
one 32-byte record each: u64 offset, u32 length, u32 CRC-32, 16-byte digest.
It is written (and fsynced) only once its pack is complete and durable, so an
``.idx`` always describes a whole pack.

A new snapshot references only pages of packs found sound (``DedupIndex.sound``): every page of a
pack is checked against its CRC-32 the first time a snapshot could reference it, and again whenever
the pack's file has changed since (inode, size or modification time).  A pack found damaged
(truncated, a flipped bit, an unreadable index) is never referenced again: the new snapshot stores
its own copy of those pages, so it restores even though the older snapshots that share the damaged
pack do not (their restore fails on the page's checksum, restore.py).
"""

from __future__ import annotations

import logging
import os
import struct
from array import array
from dataclasses import dataclass
from pathlib import Path

from .errors import SnapshotCorruptedError
from .manifest import DIGEST
from .pack_io import PackReader, verify_pages

log = logging.getLogger(__name__)

RECORD = struct.Struct(f"<QII{DIGEST}s")  # offset, length, crc32, digest
# Where a record's numbers sit when the file is read as 8- and 4-byte words
# (little-endian, like the arrays of a manifest).
_QWORDS, _WORDS, _LENGTH, _CRC = RECORD.size // 8, RECORD.size // 4, 2, 3


def index_path(packs_dir: Path, pack: str) -> Path:
    return packs_dir / f"{pack}.idx"


def pack_path(packs_dir: Path, pack: str) -> Path:
    return packs_dir / f"{pack}.pack"


def pack_of(file_name: str) -> str:
    """The pack a file of packs/ belongs to (``.<pack>.idx.tmp`` included)."""
    return file_name.lstrip(".").split(".", 1)[0]


@dataclass(frozen=True)
class IndexColumns:
    """A pack's records as columns (ascending offsets)."""
    offsets: array   # "Q"
    lengths: array   # "I"
    crcs: array      # "I"
    records: bytes   # the file, for digests

    @classmethod
    def parse(cls, data: bytes) -> "IndexColumns":
        if len(data) % RECORD.size:
            raise ValueError("truncated pack index")
        words = array("I", data)
        return cls(array("Q", data)[::_QWORDS], words[_LENGTH::_WORDS], words[_CRC::_WORDS], data)

    def digest(self, rec: int) -> bytes:
        end = (rec + 1) * RECORD.size
        return self.records[end - DIGEST:end]


class DedupIndex:
    """digest -> (pack, offset, length, crc32): which stored page a new page
    can reference instead of being stored again.  A cache of the ``.idx``
    files: nothing is lost with it.  Packs being compacted away are *retired*:
    new snapshots stop referencing them, so they can be deleted."""

    def __init__(self, packs_dir: Path) -> None:
        self.packs_dir = packs_dir
        self.entries: dict[bytes, tuple[str, int, int, int]] = {}
        self.packs: set[str] = set()
        self.retired: set[str] = set()
        self.damaged: set[str] = set()  # never referenced again
        self._sound: dict[str, tuple[int, int, int]] = {}  # pack -> its file's stamp when found sound

    def refresh(self) -> tuple[dict, frozenset]:
        """Index every complete pack not yet indexed; returns (entries, packs)
        for one snapshot to use (caller holds the store lock)."""
        present = {p.stem for p in self.packs_dir.glob("*.idx")
                   if pack_path(self.packs_dir, p.stem).exists()} - self.retired - self.damaged
        if self.packs - present:  # packs were collected: rebuild
            self.entries, self.packs = {}, set()
        for pack in present - self.packs:
            records = index_path(self.packs_dir, pack).read_bytes()
            if len(records) % RECORD.size:
                self._damaged(pack, "its index is truncated")
                continue
            self._add(pack, records)
        return self.entries, frozenset(self.packs)

    def sound(self, packs: frozenset[str]) -> frozenset[str]:
        """The packs among ``packs`` (pinned by the caller, who does not hold the store lock: this
        reads the packs not checked yet) whose every page matches its CRC-32."""
        found = set()
        for pack in packs:
            stamp = _stamp(pack_path(self.packs_dir, pack))
            if stamp is not None and self._sound.get(pack) == stamp:
                found.add(pack)
                continue
            try:
                cols = IndexColumns.parse(index_path(self.packs_dir, pack).read_bytes())
                reader = PackReader(pack_path(self.packs_dir, pack))
                try:
                    verify_pages(reader, pack, cols.offsets, cols.lengths, cols.crcs)
                finally:
                    reader.close()
            except (SnapshotCorruptedError, ValueError, OSError) as error:
                log.error("snapshot pack %s: %s", pack, error)
                continue
            if stamp is not None:
                self._sound[pack] = stamp
                found.add(pack)
        return frozenset(found)

    def vouch(self, pack: str) -> None:
        """``pack`` was just written and made durable by this process: sound as it is now."""
        stamp = _stamp(pack_path(self.packs_dir, pack))
        if stamp is not None:
            self._sound[pack] = stamp

    def exclude(self, damaged: set[str]) -> None:
        """Never reference ``damaged`` packs again (caller holds the store lock)."""
        for pack in damaged:
            self._damaged(pack, "a page fails its checksum")

    def _damaged(self, pack: str, why: str) -> None:
        log.error("snapshot pack %s is damaged (%s): new snapshots store their own copy of its pages", pack, why)
        self.damaged.add(pack)
        if pack in self.packs:  # its digests may be in other packs too: index them again
            self.entries, self.packs = {}, set()

    def _add(self, pack: str, records: bytes) -> None:
        entries = self.entries
        for off, length, crc, digest in RECORD.iter_unpack(records):
            entries.setdefault(digest, (pack, off, length, crc))
        self.packs.add(pack)

    def retire(self, victims: set[str], replacements: dict[str, bytes]) -> None:
        """Point digests of ``victims`` at their copies in ``replacements``
        (pack -> its records).  Snapshots in progress keep the old mapping (a
        new dict): they pinned the victims, which therefore outlive them."""
        self.entries = {d: e for d, e in self.entries.items() if e[0] not in victims}
        self.packs -= victims
        self.retired |= victims
        for pack, records in replacements.items():
            self._add(pack, records)

    def forget(self, removed: set[str]) -> None:
        """Packs were deleted: retired and damaged ones need no more exclusion."""
        self.retired -= removed
        self.damaged -= removed
        for pack in removed:
            self._sound.pop(pack, None)

    def reset(self) -> None:
        """Rebuild from the files at the next refresh (after a failed compaction)."""
        self.entries, self.packs, self.retired = {}, set(), set()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is rewritten, truncated or written to: inode, size, modification time."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns
