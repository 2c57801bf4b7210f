"""Who references which stored page: the figures DescribeStorage reports and
the garbage compaction reclaims, kept up to date instead of recomputed.

For every page of every pack the ledger keeps how many snapshots reference it
and the sum of their ids; when exactly one does, that sum *is* its id.  So
adding or removing a snapshot updates every figure (bytes on disk, live
bytes, each snapshot's unique bytes, each pack's garbage) by visiting only
that snapshot's distinct pages, never the other snapshots.  A page is named by
(pack, offset); one page stored twice (two snapshots written at once, or a
compaction cut short) counts as two.

The ledger lives in memory (about 24 bytes per stored page) and is built from
the manifests and pack indexes the first time it is needed; the store updates
it under its lock with every change it makes to them.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .errors import SnapshotCorruptedError
from .manifest import Manifest
from .pack_index import IndexColumns, index_path, pack_path

_SHIFT = 40  # a page key: pack number << 40 | offset (packs stay far below 1 TiB)
_MASK = (1 << _SHIFT) - 1


@dataclass(frozen=True)
class SnapshotUsage:
    total_bytes: int   # the restorable size (sum of its files)
    unique_bytes: int  # stored page bytes no other snapshot references: what deleting it frees


@dataclass(frozen=True)
class StorageUsage:
    stored_bytes: int   # on disk: packs, their indexes and the manifests
    live_bytes: int     # page bytes at least one snapshot references
    garbage_bytes: int  # page bytes no snapshot references (compaction reclaims them)
    snapshots: Mapping[str, SnapshotUsage]


class _Pack:
    __slots__ = ("name", "number", "offsets", "lengths", "counts", "owners", "file_bytes",
                 "data_bytes", "live_bytes")

    def __init__(self, name: str, number: int, columns: IndexColumns, file_bytes: int) -> None:
        self.name, self.number, self.file_bytes = name, number, file_bytes
        self.offsets, self.lengths = columns.offsets, columns.lengths
        self.counts = array("I", bytes(4 * len(self.offsets)))
        self.owners = array("Q", bytes(8 * len(self.offsets)))
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


class _Snapshot:
    __slots__ = ("sid", "total_bytes", "unique_bytes", "manifest_bytes")

    def __init__(self, sid: int, total_bytes: int, manifest_bytes: int) -> None:
        self.sid, self.total_bytes, self.manifest_bytes = sid, total_bytes, manifest_bytes
        self.unique_bytes = 0


class StorageLedger:
    def __init__(self) -> None:
        self.packs: dict[str, _Pack] = {}
        self._by_number: dict[int, _Pack] = {}
        self._next_number = 0
        self.snapshots: dict[str, _Snapshot] = {}
        self._by_sid: dict[int, _Snapshot] = {}
        self._next_sid = 1
        # Manifests that could not be read: their pages are not counted, so
        # compaction refuses to run while there are any.
        self.unreadable: set[str] = set()

    # -- packs -------------------------------------------------------------------
    def add_pack(self, name: str, records: bytes, file_bytes: int) -> None:
        if name in self.packs:
            return
        pack = _Pack(name, self._next_number, IndexColumns.parse(records), file_bytes)
        self._next_number += 1
        self.packs[name] = self._by_number[pack.number] = pack

    def drop_pack(self, name: str) -> None:
        pack = self.packs.pop(name, None)
        if pack is not None:
            if pack.live_bytes:
                raise SnapshotCorruptedError(f"pack {name} removed while referenced")
            del self._by_number[pack.number]

    def live_records(self, name: str) -> list[int]:
        """Record numbers (in its index) of the pages of ``name`` some snapshot references."""
        return [rec for rec, n in enumerate(self.packs[name].counts) if n]

    # -- snapshots ---------------------------------------------------------------
    def _keys(self, man: Manifest) -> set[int]:
        bases = [self.packs[name].number << _SHIFT for name in man.header["packs"]]
        return set(map(operator.add, map(bases.__getitem__, man.packs), man.offsets))

    def add_snapshot(self, key: str, man: Manifest, manifest_bytes: int) -> None:
        snap = _Snapshot(self._next_sid, man.header["total_bytes"], manifest_bytes)
        self._next_sid += 1
        self._reference(snap, list(self._keys(man)))
        self.snapshots[key] = self._by_sid[snap.sid] = snap
        self.unreadable.discard(key)

    def remove_snapshot(self, key: str, man: Manifest) -> None:
        snap = self.snapshots.pop(key)
        self._release(snap, self._keys(man))
        del self._by_sid[snap.sid]

    def replace_snapshot(self, key: str, old: Manifest, new: Manifest, manifest_bytes: int) -> None:
        """Snapshot ``key`` now references the pages of ``new`` instead of ``old``."""
        snap = self.snapshots[key]
        before, after = self._keys(old), self._keys(new)
        self._release(snap, before - after)
        self._reference(snap, list(after - before))
        snap.manifest_bytes = manifest_bytes

    def _reference(self, snap: _Snapshot, keys: list[int]) -> None:
        """Count ``snap``'s references to ``keys``; all or none of them."""
        by_number, by_sid, sid = self._by_number, self._by_sid, snap.sid
        unique = 0
        for i, key in enumerate(keys):
            pack = by_number[key >> _SHIFT]
            try:
                rec = pack.record(key & _MASK)
            except SnapshotCorruptedError:
                snap.unique_bytes += unique
                self._release(snap, keys[:i])
                raise
            length, n = pack.lengths[rec], pack.counts[rec]
            if n == 0:
                unique += length
                pack.live_bytes += length
            elif n == 1:
                by_sid[pack.owners[rec]].unique_bytes -= length
            pack.counts[rec] = n + 1
            pack.owners[rec] += sid
        snap.unique_bytes += unique

    def _release(self, snap: _Snapshot, keys: Iterable[int]) -> None:
        by_number, by_sid, sid = self._by_number, self._by_sid, snap.sid
        for key in keys:
            pack = by_number[key >> _SHIFT]
            rec = pack.record(key & _MASK)
            length, n = pack.lengths[rec], pack.counts[rec] - 1
            pack.counts[rec] = n
            pack.owners[rec] -= sid
            if n == 0:
                snap.unique_bytes -= length
                pack.live_bytes -= length
            elif n == 1:
                by_sid[pack.owners[rec]].unique_bytes += length

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
