"""Compaction: give back the space of pages no snapshot references any more.

Deleting a snapshot deletes every pack no remaining snapshot references, but a
pack some snapshot still uses one page of stays whole.  Compaction copies the
*live* pages of such packs (the victims) into new packs and points the
manifests at the copies, then deletes the victims.  Step by step:

1. **plan** (store lock, short): pick victims from the ledger, most garbage
   first, until the garbage left is at most ``target_unused`` of the live bytes;
2. **copy** (no lock): live pages of the victims are verified (CRC-32) and
   copied into new packs of at most ``pack_bytes``; packs and indexes are
   fsynced, then their directory;
3. **journal**: ``compaction.journal`` (victims, new packs) is written and
   fsynced: from here on a crash is finished by the next compaction;
4. **retire**: new snapshots stop deduplicating against the victims;
5. **switch** each manifest that references a victim: rewritten outside the
   lock, then, under the lock, renamed over the old one (fsynced, directory
   fsynced) if the manifest did not change meanwhile -- one lock hold per
   manifest, so snapshots and restores of other data wait at most that long;
6. **collect**: victims no manifest references and no snapshot in progress
   may use are deleted (index first, then pack), and the journal removed.

Nothing a live snapshot needs is ever removed before its replacement is
durable, and every manifest is valid at every instant (it names either the
victim or the copy, both on disk), so a crash at any point loses nothing.  A
crash after step 3 leaves pages stored twice: the next compaction (started in
the background when the store opens) reads the journal and finishes the
switch, matching pages by digest.  Restores open their packs under the lock:
a victim deleted afterwards stays readable through the open files.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import threading
import time
import uuid
from array import array
from dataclasses import dataclass, field
from itertools import compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from .durable import fsync_dir, write_file_atomic
from .errors import DataPlaneError
from .manifest import PAGE, Manifest
from .pack_index import RECORD, IndexColumns, index_path, pack_path
from .pack_io import CHUNK, PackReader, copy_range, verify_pages
from .relocation import Relocation, remap
from .storage_ledger import StorageLedger

if TYPE_CHECKING:
    from .snapshot_store import SnapshotStore

JOURNAL = "compaction.journal"

Moves = dict[str, Relocation]  # victim -> where its live pages went


class CompactionCancelled(DataPlaneError):
    """The store is shutting down; the compaction stopped at a safe point."""


@dataclass(frozen=True)
class CompactionPolicy:
    """When the store compacts by itself (after deletes, in the background)."""
    max_unused: float = 0.10            # garbage above this share of the live bytes ...
    min_garbage_bytes: int = 64 << 20   # ... and above this size starts a compaction,
    # which then compacts until the garbage left is at most half of max_unused.
    pack_bytes: int = 256 << 20         # size of the packs compaction writes

    def due(self, ledger: StorageLedger) -> bool:
        garbage = ledger.garbage_bytes
        return garbage >= self.min_garbage_bytes and garbage > self.max_unused * ledger.live_bytes


@dataclass(frozen=True)
class CompactionResult:
    packs_compacted: int       # victims whose live pages were moved
    bytes_copied: int          # live page bytes copied into new packs
    manifests_rewritten: int
    stored_bytes_before: int   # StorageUsage.stored_bytes before and after
    stored_bytes_after: int
    elapsed_seconds: float


@dataclass
class _Output:
    name: str
    fd: int
    size: int = 0
    records: bytearray = field(default_factory=bytearray)


def choose_victims(ledger: StorageLedger, target_unused: float) -> list[str]:
    """Packs holding garbage and live pages, most garbage (by share) first,
    until the garbage left is at most ``target_unused`` x live bytes.  (Packs
    without live pages need no copy: garbage collection deletes them.)"""
    budget = target_unused * ledger.live_bytes
    garbage = ledger.garbage_bytes
    candidates = sorted((p for p in ledger.packs.values() if p.live_bytes and p.garbage_bytes),
                        key=lambda p: p.garbage_bytes / p.data_bytes, reverse=True)
    victims = []
    for pack in candidates:
        if garbage <= budget:
            break
        victims.append(pack.name)
        garbage -= pack.garbage_bytes
    return victims


class Compaction:
    """One compaction run over ``store`` (the caller holds the store's compaction lock)."""

    def __init__(self, store: SnapshotStore, pack_bytes: int, stop: threading.Event) -> None:
        self.store, self.pack_bytes, self.stop = store, pack_bytes, stop
        self.journal = store.root / JOURNAL
        self.copied = 0
        self.rewritten = 0

    def run(self, target_unused: float, when_due: CompactionPolicy | None) -> CompactionResult:
        """Compact until the garbage is at most ``target_unused`` x live bytes
        (only if ``when_due`` says it is due, when given)."""
        t0 = time.monotonic()
        store = self.store
        store.ensure_ledger()
        with store.lock:
            before = store.locked_ledger().usage().stored_bytes
        try:
            if self.journal.exists():
                self._finish_interrupted()
            with store.lock:
                ledger = store.locked_ledger()
                if ledger.unreadable:
                    raise DataPlaneError("not compacting: unreadable snapshot manifests "
                                         + ", ".join(sorted(ledger.unreadable)))
                due = when_due is None or when_due.due(ledger)
                victims = choose_victims(ledger, target_unused) if due else []
                plan = {v: ledger.live_records(v) for v in victims}
                store.pin(plan)  # released by _compact once their pages are copied
            if plan:
                self._compact(plan)
        except BaseException:
            store.invalidate_caches()  # the ledger and dedup index are rebuilt from disk
            with contextlib.suppress(Exception):
                store.gc()  # copies not in a journal: nothing references them
            raise
        with store.lock:
            after = store.locked_ledger().usage().stored_bytes
        return CompactionResult(len(plan), self.copied, self.rewritten, before, after,
                                time.monotonic() - t0)

    # -- the steps ---------------------------------------------------------------
    def _compact(self, plan: dict[str, list[int]]) -> None:
        outputs: list[_Output] = []
        try:
            moves = copy_live_pages(self, plan, outputs)
            new = {o.name: bytes(o.records) for o in outputs}
            write_journal(self.journal, list(plan), list(new))  # garbage collection keeps them now
        finally:
            self.store.unpin(list(plan) + [o.name for o in outputs])
        self._switch(set(plan), new, moves)

    def _finish_interrupted(self) -> None:
        """Finish the switch of a compaction cut short after its journal:
        victims' pages are matched with their copies by digest and length."""
        state = json.loads(self.journal.read_bytes())
        packs_dir = self.store.packs_dir
        with self.store.lock:
            new = {p: index_path(packs_dir, p).read_bytes() for p in state["packs"]
                   if pack_path(packs_dir, p).exists() and index_path(packs_dir, p).exists()}
            victims = {v for v in state["victims"] if index_path(packs_dir, v).exists()}
            self.store.pin(victims)
        try:
            copies: dict[bytes, tuple[str, int]] = {}
            for name, records in new.items():
                for off, length, _crc, digest in RECORD.iter_unpack(records):
                    copies[digest + length.to_bytes(4, "little")] = (name, off)
            moves: Moves = {}
            for victim in victims:
                moved = moves[victim] = Relocation()
                for off, length, _crc, digest in RECORD.iter_unpack(
                        index_path(packs_dir, victim).read_bytes()):
                    dest = copies.get(digest + length.to_bytes(4, "little"))
                    if dest is not None:
                        moved.add(off, off + length, *dest)
        finally:
            self.store.unpin(victims)
        self._switch(victims, new, moves)

    def _switch(self, victims: set[str], new: dict[str, bytes], moves: Moves) -> None:
        """Steps 4 to 6: retire the victims, switch the manifests, collect."""
        store = self.store
        store.pin(victims | new.keys())  # nothing deletes them before the switch is done
        try:
            store.retire(victims, new)
            for key in store.manifest_keys():
                if self.stop.is_set():
                    raise CompactionCancelled("compaction cancelled")
                self.rewritten += switch_manifest(store, key, moves)
        finally:
            store.unpin(victims | new.keys())
        with store.lock:
            # Manifests committed since the pass above (snapshots that started
            # before the retirement) are switched now: no snapshot can commit meanwhile.
            for key in store.manifest_keys():
                self.rewritten += switch_manifest(store, key, moves)
            store.gc()
            if not any(store.is_pinned(v) for v in victims):
                # No snapshot in progress may still reference a moved page of a victim.
                self.journal.unlink(missing_ok=True)
                fsync_dir(store.root)
                store.gc()  # copies no manifest references (their snapshots were deleted)


def copy_live_pages(run: Compaction, plan: dict[str, list[int]], outputs: list[_Output]) -> Moves:
    """Copy the live pages (record numbers) of each victim into new packs,
    verifying each page; returns where every copied page went.  The new packs
    and their indexes are durable on return; ``outputs`` lists them (pinned)."""
    store = run.store
    moves: Moves = {}
    try:
        for victim, recs in plan.items():
            cols = IndexColumns.parse(index_path(store.packs_dir, victim).read_bytes())
            reader = PackReader(pack_path(store.packs_dir, victim))
            try:
                moves[victim] = _copy_pack(run, victim, cols, reader, recs, outputs)
            finally:
                reader.close()
        for out in outputs:
            os.fsync(out.fd)
        for out in outputs:
            write_file_atomic(index_path(store.packs_dir, out.name), bytes(out.records),
                              sync_dir=False)
        fsync_dir(store.packs_dir)
    finally:
        for out in outputs:
            if out.fd >= 0:
                os.close(out.fd)
                out.fd = -1
    return moves


def _copy_pack(run: Compaction, victim: str, cols: IndexColumns, reader: PackReader,
               recs: list[int], outputs: list[_Output]) -> Relocation:
    offsets, lengths, crcs = cols.offsets, cols.lengths, cols.crcs
    relocation = Relocation()
    # Runs of consecutive records: contiguous bytes of the victim.
    breaks = [0, *compress(range(1, len(recs)),
                           map(operator.ne, recs[1:], map(operator.add, recs, repeat(1)))),
              len(recs)]
    for a, b in zip(breaks, breaks[1:]):
        first, end = recs[a], recs[b - 1] + 1
        while first < end:
            if run.stop.is_set():
                raise CompactionCancelled("compaction cancelled")
            out = outputs[-1] if outputs else None
            if out is None or out.size and out.size + lengths[first] > run.pack_bytes:
                out = _new_output(run.store)
                outputs.append(out)
            # At most CHUNK, and what fits in this pack (every page is at most PAGE).
            room = max(PAGE, min(CHUNK, run.pack_bytes - out.size))
            stop = min(end, first + room // PAGE)
            start, nbytes = offsets[first], offsets[stop - 1] + lengths[stop - 1] - offsets[first]
            verify_pages(reader, victim, offsets[first:stop], lengths[first:stop], crcs[first:stop])
            records = array("Q", cols.records[first * RECORD.size:stop * RECORD.size])
            shift = out.size - start  # the offset is the first of a record's four words
            records[::4] = array("Q", map(operator.add, records[::4], repeat(shift)))
            out.records += records.tobytes()
            relocation.add(start, start + nbytes, out.name, out.size)
            copy_range(reader, start, out.fd, nbytes)
            out.size += nbytes
            run.copied += nbytes
            first = stop
    return relocation


def _new_output(store: SnapshotStore) -> _Output:
    name = uuid.uuid4().hex
    store.pin([name])  # garbage collection must not take it before the switch
    fd = os.open(pack_path(store.packs_dir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return _Output(name, fd)


def write_journal(path: Path, victims: list[str], packs: list[str]) -> None:
    write_file_atomic(path, json.dumps({"victims": victims, "packs": packs}).encode())


def journal_packs(root: Path) -> set[str]:
    """New packs of a compaction cut short: kept until the journal is finished."""
    try:
        return set(json.loads((root / JOURNAL).read_bytes())["packs"])
    except FileNotFoundError:
        return set()


def switch_manifest(store: SnapshotStore, key: str, moves: Moves) -> bool:
    """Point manifest ``key`` at the copies; False if it references no moved page."""
    path = store.manifest_path(key)
    try:
        if not set(Manifest.read_header(path)["packs"]) & moves.keys():
            return False
        data = path.read_bytes()
    except FileNotFoundError:
        return False  # deleted meanwhile
    old = Manifest.from_bytes(data, f"snapshot {key}")
    new = remap(old, moves)
    if new is None:
        return False
    new_data = new.to_bytes()
    with store.lock:
        if store.manifest_checksum(key) != data[-32:]:
            return False  # deleted or retaken meanwhile: not the manifest remapped
        write_file_atomic(path, new_data)
        store.manifest_replaced(key, new, len(new_data))
    return True
