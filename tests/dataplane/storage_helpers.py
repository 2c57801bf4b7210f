"""Helpers of the snapshot-storage tests: stores of known content, and what is on disk."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from localshift.dataplane.compaction import JOURNAL, CompactionPolicy
from localshift.dataplane.online_backup import SourceEntry
from localshift.dataplane.snapshot_store import SnapshotStore

PAGE = 8192
# No compaction on its own: the tests start it.
MANUAL = CompactionPolicy(min_garbage_bytes=1 << 60)


def disk_bytes(root: Path) -> int:
    """Every file of a store (packs, indexes, manifests), as `du -b` counts them,
    but the journal of an unfinished compaction (a few hundred bytes)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name != JOURNAL)


def pack_data_bytes(store: SnapshotStore) -> int:
    return sum(p.stat().st_size for p in store.packs_dir.glob("*.pack"))


def tree_digest(directory: Path) -> str:
    """One digest of every file's name, mode and bytes under ``directory``."""
    h = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        h.update(str(path.relative_to(directory)).encode())
        if path.is_file():
            h.update(oct(path.stat().st_mode).encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class DailyTable:
    """A file of random pages that changes like a table: some pages rewritten
    in place, some appended, each day."""

    def __init__(self, pages: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.pages = [self.rng.randbytes(PAGE) for _ in range(pages)]

    def churn(self, updated: int, appended: int) -> None:
        start = self.rng.randrange(len(self.pages) - updated)
        for i in range(start, start + updated):
            self.pages[i] = self.rng.randbytes(PAGE)
        self.pages += [self.rng.randbytes(PAGE) for _ in range(appended)]

    def entries(self):
        yield SourceEntry("base", 0o700)
        yield SourceEntry("base/table", 0o600, b"".join(self.pages))
        yield SourceEntry("PG_VERSION", 0o600, b"18\n")

    def digest(self) -> str:
        return hashlib.sha256(b"".join(self.pages)).hexdigest()


def daily_snapshots(store: SnapshotStore, days: int, pages: int = 400) -> dict[str, str]:
    """``days`` snapshots of a DailyTable; returns key -> digest of its table."""
    table = DailyTable(pages)
    expected = {}
    for day in range(days):
        table.churn(updated=pages // 20, appended=pages // 50)
        key = f"day-{day:02d}"
        store.ingest(key, table.entries(), {})
        expected[key] = table.digest()
    return expected


def restored_table_digest(store: SnapshotStore, key: str, where: Path) -> str:
    target = where / f"restore-{key}"
    store.restore(key, target)
    digest = hashlib.sha256((target / "base" / "table").read_bytes()).hexdigest()
    for path in sorted(target.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    target.rmdir()
    return digest
