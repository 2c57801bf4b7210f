"""A pack's index file and the store's dedup index built from them.

``packs/<pack-id>.idx`` lists every page of ``<pack-id>.pack`` in pack order,
one 32-byte record each: u64 offset, u32 length, u32 CRC-32, 16-byte digest.
It is written (and fsynced) only once its pack is complete and durable, so an
``.idx`` always describes a whole pack.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass
from pathlib import Path

from .manifest import DIGEST

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

    def refresh(self) -> tuple[dict, frozenset]:
        """Index every complete pack not yet indexed; returns (entries, packs)
        for one snapshot to use (caller holds the store lock)."""
        present = {p.stem for p in self.packs_dir.glob("*.idx")
                   if pack_path(self.packs_dir, p.stem).exists()} - self.retired
        if self.packs - present:  # packs were collected: rebuild
            self.entries, self.packs = {}, set()
        for pack in present - self.packs:
            self._add(pack, index_path(self.packs_dir, pack).read_bytes())
        return self.entries, frozenset(self.packs)

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
        """Packs were deleted: retired ones need no more exclusion."""
        self.retired -= removed

    def reset(self) -> None:
        """Rebuild from the files at the next refresh (after a failed compaction)."""
        self.entries, self.packs, self.retired = {}, set(), set()
