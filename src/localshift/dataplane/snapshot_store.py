"""Content-addressed, incremental, durable snapshot storage.

Layout under ``<root>``::

    packs/<pack-id>.pack    pages stored by one snapshot (or one compaction), back to back
    packs/<pack-id>.idx     its index (pack_index.py)
    manifests/<key>.snap    one snapshot: file list + per-page references (manifest.py)
    compaction.journal      only while a compaction switches manifests (compaction.py)

A snapshot stores, in its own new pack, only the pages no existing pack holds
(ingest.py), so after appending 1% to a table it stores ~1%.  The manifest
references (pack, offset, length, CRC-32, digest) for every page, so a
restore needs no index and verifies every page it writes (restore.py).

Durability: a snapshot's pack, its index, their directory, then its manifest
and the manifests' directory are fsynced before ``ingest`` or ``copy``
returns; the manifest's rename is the commit point.  Deleting a snapshot makes
the manifest's removal durable before any pack it referenced is deleted.

Space: deleting a snapshot deletes every pack no manifest references and no
snapshot in progress may use (in-progress snapshots *pin* the packs they
deduplicate against); compaction (compaction.py) reclaims the garbage inside
packs still partly used, in the background once it exceeds the policy's
threshold.  The ledger (storage_ledger.py) keeps the figures both need.

Locking: one store lock guards the manifests directory, pins, the dedup index
and the ledger.  It is held briefly: to start a snapshot (pin, refresh the
index), to commit it (rename its manifest, count its pages), to open a
restore's packs, to delete, and per manifest a compaction switches.  Reading,
hashing, copying and writing pages happens outside it.  One compaction runs
at a time (its own lock).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from .api import SnapshotStats, StorageUsage
from .compaction import (JOURNAL, Compaction, CompactionCancelled, CompactionPolicy,
                         CompactionResult, journal_packs)
from .durable import fsync_dir, write_file_atomic
from .errors import DataPlaneError, SnapshotCorruptedError, SnapshotNotFoundError
from .ingest import write_pages
from .manifest import Manifest
from .online_backup import SourceEntry
from .pack_index import DedupIndex, pack_of, pack_path
from .pack_io import PackReader
from .restore import Progress, restore_files
from .storage_ledger import StorageLedger, build_ledger, pack_file_bytes

log = logging.getLogger(__name__)


class SnapshotStore:
    def __init__(self, root: Path, policy: CompactionPolicy = CompactionPolicy()) -> None:
        self.root = Path(root)
        self.packs_dir = self.root / "packs"
        self.manifests_dir = self.root / "manifests"
        for d in (self.root, self.packs_dir, self.manifests_dir):
            if not d.is_dir():
                d.mkdir(mode=0o700, parents=True, exist_ok=True)
                fsync_dir(d.parent)
        self.policy = policy
        self.lock = threading.RLock()
        self._pins: dict[str, int] = {}  # pack -> users that keep it from collection
        self._dedup = DedupIndex(self.packs_dir)
        self._ledger: StorageLedger | None = None
        self._generation = 0  # counts changes to manifests and packs (for the ledger)
        self._compacting = threading.Lock()
        self._stop = threading.Event()
        self._background: threading.Thread | None = None
        self._compact_again = False
        for d in (self.manifests_dir, self.packs_dir, self.root):  # left by a crash mid-write
            for tmp in d.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        self.gc()  # packs of snapshots cut short by a crash
        if (self.root / JOURNAL).exists():
            self._compact_later()  # a compaction was cut short: finish it

    # -- manifests -----------------------------------------------------------------
    def manifest_path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith("."):
            raise DataPlaneError(f"invalid snapshot key {key!r}")
        return self.manifests_dir / f"{key}.snap"

    def manifest_keys(self) -> list[str]:
        return sorted(p.stem for p in self.manifests_dir.glob("*.snap"))

    def exists(self, key: str) -> bool:
        return self.manifest_path(key).exists()

    def header(self, key: str) -> dict:
        path = self.manifest_path(key)
        if not path.exists():
            raise SnapshotNotFoundError(f"snapshot {key} not found")
        return Manifest.read_header(path)

    def load(self, key: str) -> Manifest:
        try:
            data = self.manifest_path(key).read_bytes()
        except FileNotFoundError:
            raise SnapshotNotFoundError(f"snapshot {key} not found") from None
        return Manifest.from_bytes(data, f"snapshot {key}")

    def manifest_checksum(self, key: str) -> bytes | None:
        """The SHA-256 a manifest ends with: names its exact content."""
        try:
            with open(self.manifest_path(key), "rb") as f:
                f.seek(-32, os.SEEK_END)
                return f.read(32)
        except (FileNotFoundError, OSError):
            return None

    def stored_bytes(self) -> int:
        """Bytes of all packs and their indexes (what the pages take on disk)."""
        return sum(p.stat().st_size for p in self.packs_dir.iterdir())

    # -- pins, caches ------------------------------------------------------------------
    def pin(self, packs: Iterable[str]) -> None:
        with self.lock:
            for p in packs:
                self._pins[p] = self._pins.get(p, 0) + 1

    def unpin(self, packs: Iterable[str]) -> None:
        with self.lock:
            for p in packs:
                self._pins[p] -= 1
                if not self._pins[p]:
                    del self._pins[p]

    def is_pinned(self, pack: str) -> bool:
        return pack in self._pins

    def ensure_ledger(self) -> None:
        """Build the ledger if needed, without holding the lock while reading
        every manifest (retried if the store changed meanwhile)."""
        for _ in range(3):
            with self.lock:
                if self._ledger is not None:
                    return
                generation = self._generation
            ledger = self._build_ledger()
            with self.lock:
                if self._ledger is None and self._generation == generation:
                    self._ledger = ledger
                    return

    def locked_ledger(self) -> StorageLedger:
        """The ledger (caller holds the lock; built now if still missing)."""
        if self._ledger is None:
            self._ledger = self._build_ledger()
        return self._ledger

    def _build_ledger(self) -> StorageLedger:
        # Copies of an unfinished compaction stay on disk before any manifest uses them.
        return build_ledger(self.packs_dir, self.manifests_dir, journal_packs(self.root))

    def _count(self, change: Callable[[StorageLedger], None]) -> None:
        """Apply a change to the ledger, if built (caller holds the lock).  A
        ledger that cannot follow is dropped and rebuilt from disk when needed."""
        self._generation += 1
        if self._ledger is not None:
            try:
                change(self._ledger)
            except Exception:  # noqa: BLE001 - the ledger is a cache of the files
                log.exception("snapshot storage ledger rebuilt")
                self._ledger = None

    def invalidate_caches(self) -> None:
        with self.lock:
            self._generation += 1
            self._ledger = None
            self._dedup.reset()

    def retire(self, victims: set[str], new: dict[str, bytes]) -> None:
        """Compaction copied the live pages of ``victims`` into ``new`` packs."""
        with self.lock:
            self._dedup.retire(victims, new)
            for name, records in new.items():
                size = pack_file_bytes(self.packs_dir, name)
                self._count(partial(StorageLedger.add_pack, name=name, records=records, file_bytes=size))

    def manifest_replaced(self, key: str, new: Manifest, size: int) -> None:
        self._count(lambda ledger: ledger.replace_snapshot(key, new, size))

    # -- snapshot creation -----------------------------------------------------------
    def ingest(self, key: str, entries: Iterable[SourceEntry], meta: dict,
               progress: Callable[[int], None] | None = None) -> SnapshotStats:
        """Store the files of ``entries`` as snapshot ``key``, durably.  ``entries``
        is consumed completely (an OnlineBackup ends its backup at its end) and
        closed on failure.  ``progress(bytes_done)`` is called every few MiB."""
        t0 = time.monotonic()
        path = self.manifest_path(key)
        if path.exists():
            raise DataPlaneError(f"snapshot {key} already exists")
        pack_id = uuid.uuid4().hex
        with self.lock:
            index, usable = self._dedup.refresh()
            self.pin(usable | {pack_id})
        try:
            sound = self._dedup.sound(usable)  # outside the lock: may read packs not checked yet
            if sound != usable:
                with self.lock:
                    self._dedup.exclude(set(usable - sound))
            written = write_pages(self.packs_dir, pack_id, entries, index, sound, progress)
            self._dedup.vouch(pack_id)
            man = written.manifest
            man.header = {"key": key, "created": time.time(), "meta": meta, **man.header}
            data = man.to_bytes()
            with self.lock:
                if path.exists():
                    raise DataPlaneError(f"snapshot {key} already exists")
                write_file_atomic(path, data)  # the commit point
                self._count(lambda ledger: self._count_new(ledger, pack_id, written.records,
                                                           key, man, len(data)))
        finally:
            if hasattr(entries, "close"):
                entries.close()
            self.unpin(usable | {pack_id})
            self.gc()  # the pack of a failed snapshot; victims a compaction left to us
        if (self.root / JOURNAL).exists():
            self._compact_later()  # we may reference pages a compaction moved
        return SnapshotStats(man.header["total_bytes"], man.header["incremental_bytes"],
                             time.monotonic() - t0)

    def _count_new(self, ledger: StorageLedger, pack_id: str, records: bytes, key: str,
                   man: Manifest, size: int) -> None:
        if records:
            ledger.add_pack(pack_id, records, pack_file_bytes(self.packs_dir, pack_id))
        ledger.add_snapshot(key, man, size)

    def copy(self, source: str, target: str) -> SnapshotStats:
        """A new manifest referencing the same pages: no data is copied."""
        t0 = time.monotonic()
        with self.lock:  # keeps the source's packs from collection meanwhile
            man = self.load(source)
            dest = self.manifest_path(target)
            if dest.exists():
                raise DataPlaneError(f"snapshot {target} already exists")
            man.header = dict(man.header, key=target, created=time.time(), incremental_bytes=0,
                              copied_from=source)
            data = man.to_bytes()
            write_file_atomic(dest, data)
            self._count(lambda ledger: ledger.add_snapshot(target, man, len(data)))
        return SnapshotStats(man.header["total_bytes"], 0, time.monotonic() - t0)

    # -- deletion -------------------------------------------------------------------
    def delete(self, key: str) -> None:
        """Delete snapshot ``key`` (idempotent) and every pack only it used;
        schedules a background compaction if the garbage left is due one."""
        path = self.manifest_path(key)
        with self.lock:
            deleted = path.exists()
            if deleted:
                path.unlink()
                fsync_dir(self.manifests_dir)  # gone for good before its packs go
                self._count(lambda ledger: ledger.remove_snapshot(key))
            self.gc()
        if deleted:
            self._compact_later()

    def gc(self) -> set[str]:
        """Delete packs no manifest references, no one pins and no unfinished
        compaction needs; returns the packs deleted."""
        with self.lock:
            live = set(self._pins) | journal_packs(self.root)
            for path in self.manifests_dir.glob("*.snap"):
                try:
                    live.update(Manifest.read_header(path)["packs"])
                except FileNotFoundError:
                    continue
                except (SnapshotCorruptedError, ValueError, KeyError, OSError):
                    return set()  # an unreadable manifest: keep everything
            dead: dict[str, list[Path]] = {}
            for p in self.packs_dir.iterdir():
                pack = pack_of(p.name)
                if pack not in live:
                    dead.setdefault(pack, []).append(p)
            for pack, files in dead.items():
                # The index first: an index without its pack would offer pages
                # that are gone; a pack without an index is never used.
                for p in sorted(files, key=lambda p: p.suffix != ".idx"):
                    p.unlink(missing_ok=True)
            if dead:
                fsync_dir(self.packs_dir)
                self._dedup.forget(set(dead))
                for pack in dead:
                    self._count(partial(StorageLedger.drop_pack, name=pack))
            return set(dead)

    # -- restore --------------------------------------------------------------------
    def restore(self, key: str, target: Path, progress: Progress | None = None,
                owner: tuple[int, int] | None = None) -> dict:
        """Write snapshot ``key`` into the empty directory ``target``, verifying
        every page.  Returns the manifest header.  Raises SnapshotCorruptedError."""
        with self.lock:  # once open, packs stay readable even if compaction deletes them
            man = self.load(key)
            packs: list[PackReader] = []
            try:
                for pack in man.header["packs"]:
                    packs.append(PackReader(pack_path(self.packs_dir, pack)))
            except FileNotFoundError:
                for p in packs:
                    p.close()
                raise SnapshotCorruptedError(f"snapshot {key}: pack {pack} is missing") from None
        try:
            restore_files(key, man, packs, target, progress, owner)
        finally:
            for p in packs:
                p.close()
        return man.header

    # -- accounting and compaction ------------------------------------------------------
    def usage(self) -> StorageUsage:
        """Bytes on disk, live and garbage bytes, and each snapshot's total and
        unique bytes: from the ledger, so cheap once it is built."""
        self.ensure_ledger()
        with self.lock:
            return self.locked_ledger().usage()

    def stored_bytes_of(self, keys: Iterable[str]) -> int:
        """Bytes the snapshots ``keys`` would take alone (deduplicated among
        them): what one account's snapshots use.  Unknown keys are skipped."""
        self.ensure_ledger()
        with self.lock:
            ledger = self.locked_ledger()
            return ledger.stored_bytes_of(k for k in keys if k in ledger.snapshots)

    def compact(self, target_unused: float = 0.0) -> CompactionResult:
        """Compact now until the garbage is at most ``target_unused`` x the live
        bytes (default: reclaim all of it).  Safe against crashes at any point."""
        with self._compacting:
            return Compaction(self, self.policy.pack_bytes, self._stop).run(target_unused, None)

    def _compact_later(self) -> None:
        """Run a compaction in the background if the policy says one is due."""
        with self.lock:
            if self._background is not None:
                self._compact_again = True
                return
            self._background = threading.Thread(target=self._compact_in_background,
                                                name="localshift-compaction", daemon=True)
            self._background.start()

    def _compact_in_background(self) -> None:
        while True:
            try:
                with self._compacting:
                    Compaction(self, self.policy.pack_bytes, self._stop).run(
                        self.policy.max_unused / 2, self.policy)
            except CompactionCancelled:
                pass
            except Exception:  # noqa: BLE001 - a background job: logged, retried after the next delete
                log.exception("snapshot compaction failed")
            with self.lock:
                if not self._compact_again or self._stop.is_set():
                    self._background = None
                    return
                self._compact_again = False

    def stop_background(self) -> None:
        """Cancel a background compaction at its next safe point and wait for it."""
        with self.lock:
            thread = self._background
        if thread is not None:
            self._stop.set()
            thread.join()
            self._stop.clear()

    def wait_for_compaction(self) -> None:
        """Wait until no background compaction runs."""
        while True:
            with self.lock:
                thread = self._background
            if thread is None:
                return
            thread.join()
