"""A stored pack damaged on disk is never referenced by a new snapshot (pack_index.DedupIndex.sound):
the new snapshot stores its own copy of the pages and restores exactly, while a restore of an older
snapshot that shares the damaged pages fails on their checksum, never writing wrong data."""

from __future__ import annotations

import os

import pytest

from localshift.dataplane import SnapshotCorruptedError
from localshift.dataplane.manifest import Manifest
from localshift.dataplane.snapshot_store import SnapshotStore

from .storage_helpers import MANUAL, PAGE, DailyTable, restored_table_digest


def _flip_a_byte(path) -> None:  # type: ignore[no-untyped-def]
    with open(path, "r+b") as f:
        f.seek(PAGE // 2)
        byte = f.read(1)
        f.seek(PAGE // 2)
        f.write(bytes([byte[0] ^ 0x5A]))


def _truncate(path) -> None:  # type: ignore[no-untyped-def]
    os.truncate(path, os.path.getsize(path) - PAGE - 100)


def _first_pack(store: SnapshotStore, key: str) -> str:
    return Manifest.read_header(store.manifest_path(key))["packs"][0]


@pytest.mark.parametrize("damage", [_flip_a_byte, _truncate], ids=["bit-flip", "truncated"])
def test_a_new_snapshot_never_references_a_damaged_pack(tmp_path, damage):
    store = SnapshotStore(tmp_path / "store", MANUAL)
    table = DailyTable(200)
    store.ingest("day-0", table.entries(), {})
    damaged = _first_pack(store, "day-0")
    damage(store.packs_dir / f"{damaged}.pack")
    table.churn(updated=10, appended=5)
    store.ingest("day-1", table.entries(), {})  # most of its pages are day-0's
    assert damaged not in Manifest.read_header(store.manifest_path("day-1"))["packs"]
    assert restored_table_digest(store, "day-1", tmp_path) == table.digest()
    with pytest.raises(SnapshotCorruptedError):
        restored_table_digest(store, "day-0", tmp_path)
    table.churn(updated=10, appended=5)
    stats = store.ingest("day-2", table.entries(), {})  # dedups against day-1's copies, not day-0's pack
    assert damaged not in Manifest.read_header(store.manifest_path("day-2"))["packs"]
    assert stats.incremental_bytes < stats.total_bytes // 4
    assert restored_table_digest(store, "day-2", tmp_path) == table.digest()


def test_a_truncated_pack_index_does_not_stop_new_snapshots(tmp_path):
    store = SnapshotStore(tmp_path / "store", MANUAL)
    table = DailyTable(100)
    store.ingest("day-0", table.entries(), {})
    damaged = _first_pack(store, "day-0")
    index = store.packs_dir / f"{damaged}.idx"
    os.truncate(index, os.path.getsize(index) - 7)
    table.churn(updated=5, appended=5)
    again = SnapshotStore(store.root, MANUAL)  # as after a restart: the index is read from the files
    again.ingest("day-1", table.entries(), {})
    assert restored_table_digest(again, "day-1", tmp_path) == table.digest()
