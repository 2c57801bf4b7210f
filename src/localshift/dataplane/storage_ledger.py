"""Who references which stored page: the figures DescribeStorage reports and
the garbage compaction reclaims, kept up to date instead of recomputed.

For every page of every pack the ledger keeps how many snapshots reference it
and the sum of their ids; when exactly one does, that sum *is* its id.  So
adding or removing a snapshot updates every figure (bytes on disk, live
bytes, each snapshot's unique bytes, each pack's garbage) by visiting only
that snapshot's pages, never the other snapshots'.  A snapshot's references
are handled as runs of consecutive pages of one pack (a few thousand per GB),
each updated with whole-slice array operations rather than page by page.  A
page is named by (pack, offset); one page stored twice (two snapshots written
at once, or a compaction cut short) counts as two.

The ledger lives in memory (24 bytes per stored page) and is built from the
manifests and pack indexes the first time it is needed; the store updates it
under its lock with every change it makes to them.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from itertools import compress, repeat
from pathlib import Path
from typing import Iterable

from .api import SnapshotUsage, StorageUsage
from .errors import SnapshotCorruptedError
from .manifest import Manifest
from .pack_index import RECORD, IndexColumns, index_path, pack_path

_IS_ONE, _IS_TWO = (1).__eq__, (2).__eq__


class _Pack:
    __slots__ = ("name", "offsets", "lengths", "counts", "owners", "file_bytes", "data_bytes",
                 "live_bytes")

    def __init__(self, name: str, columns: IndexColumns, file_bytes: int) -> None:
        self.name, self.file_bytes = name, file_bytes
        self.offsets, self.lengths = columns.offsets, columns.lengths
        self.counts = array("I", bytes(4 * len(self.offsets)))  # snapshots referencing the page
        self.owners = array("Q", bytes(8 * len(self.offsets)))  # sum of their ids
        self.data_bytes = sum(self.lengths)
        self.live_bytes = 0

    @property
    def garbage_bytes(self) -> int:
        return self.data_bytes - self.live_bytes

    def record(self, offset: int) -> int:
        rec = bisect_left(self.offsets, offset)
        if rec == len(self.offsets) or self.offsets[rec] != offset:
            raise SnapshotCorruptedError(f"pack {self.name} has no page at {offset}")
        return rec


# A snapshot's distinct pages: per pack, ranges [first, end) of record numbers.
Extents = list[tuple[_Pack, int, int]]


class _Snapshot:
    __slots__ = ("sid", "total_bytes", "unique_bytes", "manifest_bytes", "extents")

    def __init__(self, sid: int, total_bytes: int, manifest_bytes: int, extents: Extents) -> None:
        self.sid, self.total_bytes, self.manifest_bytes = sid, total_bytes, manifest_bytes
        self.extents = extents  # a few thousand per GB: kept, so removing needs no manifest
        self.unique_bytes = 0


class StorageLedger:
    def __init__(self) -> None:
        self.packs: dict[str, _Pack] = {}
        self.snapshots: dict[str, _Snapshot] = {}
        self._by_sid: dict[int, _Snapshot] = {}
        self._next_sid = 1
        # Manifests that could not be read: their pages are not counted, so
        # compaction refuses to run while there are any.
        self.unreadable: set[str] = set()

    # -- packs -------------------------------------------------------------------
    def add_pack(self, name: str, records: bytes, file_bytes: int) -> None:
        if name not in self.packs:
            self.packs[name] = _Pack(name, IndexColumns.parse(records), file_bytes)

    def drop_pack(self, name: str) -> None:
        pack = self.packs.pop(name, None)
        if pack is not None and pack.live_bytes:
            raise SnapshotCorruptedError(f"pack {name} removed while referenced")

    def live_records(self, name: str) -> list[int]:
        """Record numbers (in its index) of the pages of ``name`` some snapshot references."""
        counts = self.packs[name].counts
        return list(compress(range(len(counts)), counts))

    # -- snapshots ---------------------------------------------------------------
    def _extents(self, man: Manifest) -> Extents:
        """The distinct pages ``man`` references, as merged runs of records."""
        packs = [self.packs[name] for name in man.header["packs"]]
        numbers, offsets = man.packs, man.offsets
        starts = man.run_starts()
        runs: dict[int, list[tuple[int, int]]] = {}
        for a, b in zip(starts, starts[1:]):
            pack = packs[numbers[a]]
            first = pack.record(offsets[a])
            end = first + b - a
            if end > len(pack.offsets) or pack.offsets[end - 1] != offsets[b - 1]:
                raise SnapshotCorruptedError(f"pack {pack.name} does not hold a run at {offsets[a]}")
            runs.setdefault(numbers[a], []).append((first, end))
        extents: Extents = []
        for no, ranges in runs.items():  # a page counts once per snapshot
            extents += ((packs[no], first, end) for first, end in _merge(ranges))
        return extents

    def add_snapshot(self, key: str, man: Manifest, manifest_bytes: int) -> None:
        extents = self._extents(man)  # checks every reference before anything changes
        snap = _Snapshot(self._next_sid, man.header["total_bytes"], manifest_bytes, extents)
        self._next_sid += 1
        self._reference(snap, extents)
        self.snapshots[key] = self._by_sid[snap.sid] = snap
        self.unreadable.discard(key)

    def remove_snapshot(self, key: str) -> None:
        """Forget snapshot ``key`` (counted, or listed as unreadable)."""
        self.unreadable.discard(key)
        snap = self.snapshots.pop(key, None)
        if snap is not None:
            del self._by_sid[snap.sid]
            self._release(snap, snap.extents)

    def replace_snapshot(self, key: str, new: Manifest, manifest_bytes: int) -> None:
        """Snapshot ``key`` now references the pages of ``new`` (compaction moved some)."""
        extents = self._extents(new)
        snap = self.snapshots[key]
        self._release(snap, snap.extents)
        self._reference(snap, extents)
        snap.extents, snap.manifest_bytes = extents, manifest_bytes

    def stored_bytes_of(self, keys: Iterable[str]) -> int:
        """What the snapshots ``keys`` alone would take on disk, compacted: their
        distinct pages (each once, however many of them reference it), the
        index records of those pages, and their manifests."""
        ranges: dict[_Pack, list[tuple[int, int]]] = {}
        total = 0
        for key in set(keys):
            snap = self.snapshots[key]
            total += snap.manifest_bytes
            for pack, first, end in snap.extents:
                ranges.setdefault(pack, []).append((first, end))
        for pack, merged in ranges.items():
            for first, end in _merge(merged):
                total += sum(pack.lengths[first:end]) + (end - first) * RECORD.size
        return total

    def _reference(self, snap: _Snapshot, extents: Extents) -> None:
        by_sid, sid = self._by_sid, snap.sid
        for pack, first, end in extents:
            counts, owners = pack.counts[first:end], pack.owners[first:end]
            lengths = pack.lengths[first:end]
            new = sum(compress(lengths, map(operator.not_, counts)))  # nobody's until now
            pack.live_bytes += new
            snap.unique_bytes += new
            if 1 in counts:  # pages of one other snapshot: shared from now on
                sole = list(map(_IS_ONE, counts))
                for owner, length in zip(compress(owners, sole), compress(lengths, sole)):
                    by_sid[owner].unique_bytes -= length
            pack.counts[first:end] = array("I", map(operator.add, counts, repeat(1)))
            pack.owners[first:end] = array("Q", map(operator.add, owners, repeat(sid)))

    def _release(self, snap: _Snapshot, extents: Extents) -> None:
        by_sid, sid = self._by_sid, snap.sid
        for pack, first, end in extents:
            counts, owners = pack.counts[first:end], pack.owners[first:end]
            lengths = pack.lengths[first:end]
            gone = sum(compress(lengths, map(_IS_ONE, counts)))  # only this snapshot's
            pack.live_bytes -= gone
            snap.unique_bytes -= gone
            owners = array("Q", map(operator.sub, owners, repeat(sid)))
            if 2 in counts:  # pages of one other snapshot from now on
                pair = list(map(_IS_TWO, counts))
                for owner, length in zip(compress(owners, pair), compress(lengths, pair)):
                    by_sid[owner].unique_bytes += length
            pack.counts[first:end] = array("I", map(operator.sub, counts, repeat(1)))
            pack.owners[first:end] = owners

    # -- figures -----------------------------------------------------------------
    @property
    def live_bytes(self) -> int:
        return sum(p.live_bytes for p in self.packs.values())

    @property
    def garbage_bytes(self) -> int:
        return sum(p.garbage_bytes for p in self.packs.values())

    def usage(self) -> StorageUsage:
        stored = (sum(p.file_bytes for p in self.packs.values())
                  + sum(s.manifest_bytes for s in self.snapshots.values()))
        return StorageUsage(stored, self.live_bytes, self.garbage_bytes,
                            {key: SnapshotUsage(s.total_bytes, s.unique_bytes)
                             for key, s in self.snapshots.items()})


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges [first, end) merged where they overlap or touch."""
    ranges.sort()
    merged = [ranges[0]]
    for first, end in ranges[1:]:
        if first > merged[-1][1]:
            merged.append((first, end))
        elif end > merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
    return merged


def build_ledger(packs_dir: Path, manifests_dir: Path, unreferenced: Iterable[str]) -> StorageLedger:
    """The ledger of the manifests on disk and the packs they reference, plus
    ``unreferenced`` packs kept on disk anyway (reads every manifest once)."""
    ledger = StorageLedger()
    for name in unreferenced:
        try:
            ledger.add_pack(name, index_path(packs_dir, name).read_bytes(),
                            pack_file_bytes(packs_dir, name))
        except (OSError, ValueError):
            continue  # not (or no longer) on disk
    for path in sorted(manifests_dir.glob("*.snap")):
        key = path.stem
        try:
            data = path.read_bytes()
            man = Manifest.from_bytes(data, f"snapshot {key}")
            for name in man.header["packs"]:
                if name not in ledger.packs:
                    ledger.add_pack(name, index_path(packs_dir, name).read_bytes(),
                                    pack_file_bytes(packs_dir, name))
            ledger.add_snapshot(key, man, len(data))
        except (OSError, ValueError, KeyError, SnapshotCorruptedError):
            ledger.unreadable.add(key)
    return ledger


def pack_file_bytes(packs_dir: Path, name: str) -> int:
    """Bytes a pack takes on disk: its data and its index."""
    return pack_path(packs_dir, name).stat().st_size + index_path(packs_dir, name).stat().st_size
