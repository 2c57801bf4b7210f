"""Storage that shrinks and says what it holds: deleting snapshots and
compacting frees their pages, the figures match the disk, every remaining
snapshot restores exactly, and compaction runs by itself in the background."""

from __future__ import annotations

import threading

import pytest

from localshift.dataplane import PostgresDataPlane, SnapshotCorruptedError
from localshift.dataplane.compaction import CompactionPolicy
from localshift.dataplane.snapshot_store import SnapshotStore

from .conftest import cleanup
from .helpers import connect, free_port, rows
from .storage_helpers import (MANUAL, PAGE, DailyTable, daily_snapshots, disk_bytes,
                              pack_data_bytes, restored_table_digest)

CHECKSUM = "select count(*), md5(string_agg(v, ',' order by id)) from t"


def daily_changes(dp: PostgresDataPlane, key: str, port: int, days: int) -> dict[str, tuple]:
    """A table of ~8 MB, then ``days`` snapshots each after updating a range of
    rows and appending more; returns snapshot -> (row count, checksum)."""
    expected = {}
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t (id int primary key, v text)")
        conn.execute("insert into t select g, repeat(md5(g::text), 3) "
                     "from generate_series(1, 60000) g")
        conn.execute("vacuum (freeze) t")
        for day in range(days):
            conn.execute("update t set v = md5(v) where id between %s and %s",
                         (day * 9000 + 1, day * 9000 + 6000))
            conn.execute("insert into t select g, 'day' || g from generate_series(%s, %s) g",
                         (60001 + day * 600, 60600 + day * 600))
            conn.execute("vacuum t")
            dp.create_snapshot(key, f"day-{day}")
            expected[f"day-{day}"] = conn.execute(CHECKSUM).fetchone()
    return expected


def test_deletes_and_compaction_shrink_the_store(dp, cluster):
    dp.store.policy = MANUAL
    key, port = cluster
    expected = daily_changes(dp, key, port, days=6)
    root = dp.store.root
    full = dp.snapshot_storage()
    assert full.stored_bytes == disk_bytes(root)
    assert full.garbage_bytes == 0

    for day in (0, 1, 3, 4):
        dp.delete_snapshot(f"day-{day}")
        del expected[f"day-{day}"]
    deleted = dp.snapshot_storage()
    assert deleted.stored_bytes == disk_bytes(root) < full.stored_bytes
    assert deleted.live_bytes < full.live_bytes
    # pages of the deleted days still sit in packs the survivors use (each day rewrote 6,000 of
    # the 60,000 rows of ~8 MB: ~0.8 MB of table pages a day, four days deleted)
    assert deleted.garbage_bytes > 2 * 2**20

    result = dp.compact_snapshots()
    compacted = dp.snapshot_storage()
    on_disk = disk_bytes(root)
    assert result.packs_compacted > 0 and result.bytes_copied > 0
    assert (result.stored_bytes_before, result.stored_bytes_after) == (deleted.stored_bytes,
                                                                       on_disk)
    assert compacted.stored_bytes == on_disk
    assert on_disk <= deleted.stored_bytes - deleted.garbage_bytes
    assert compacted.garbage_bytes == 0
    assert compacted.live_bytes == deleted.live_bytes == pack_data_bytes(dp.store)
    assert sorted(compacted.snapshots) == sorted(expected)
    # what a set of snapshots (one account's) takes: all of them, the whole store
    assert dp.snapshots_stored_bytes([*expected, "not-a-snapshot"]) == on_disk
    first, last = sorted(expected)
    alone = dp.snapshots_stored_bytes([first])
    assert compacted.snapshots[first].unique_bytes < alone < on_disk
    assert alone + dp.snapshots_stored_bytes([last]) > on_disk  # they share pages

    for snapshot, figures in expected.items():
        restored_port = dp.restore_snapshot(snapshot, f"r-{snapshot}", free_port())
        assert rows(restored_port, CHECKSUM) == [figures]
    assert dp.compact_snapshots().packs_compacted == 0  # nothing left to do


def test_figures_per_snapshot_match_what_deleting_frees(dp, cluster):
    dp.store.policy = MANUAL
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("create table t as select g id, repeat('x', 100) v "
                     "from generate_series(1, 40000) g")
    first = dp.create_snapshot(key, "first")
    copy = dp.copy_snapshot("first", "copy")
    usage = dp.snapshot_storage()
    assert usage.snapshots["first"].total_bytes == usage.snapshots["copy"].total_bytes == (
        first.total_bytes) == copy.total_bytes
    # every page is shared by the two
    assert usage.snapshots["first"].unique_bytes == usage.snapshots["copy"].unique_bytes == 0
    assert usage.live_bytes == first.incremental_bytes == pack_data_bytes(dp.store)

    dp.delete_snapshot("first")
    assert dp.snapshot_storage().snapshots["copy"].unique_bytes == usage.live_bytes
    with connect(port, autocommit=True) as conn:
        conn.execute("insert into t select g, 'second' from generate_series(40001, 44000) g")
    second = dp.create_snapshot(key, "second")
    usage = dp.snapshot_storage()
    # its new pages are its own; the rest it shares with the copy
    assert usage.snapshots["second"].unique_bytes == second.incremental_bytes > 0
    shared = usage.live_bytes - sum(s.unique_bytes for s in usage.snapshots.values())
    assert 0 < shared < usage.snapshots["second"].total_bytes
    assert usage.stored_bytes == disk_bytes(dp.store.root)

    # a restarted service rebuilds the same figures from the files (its store, read afresh:
    # a second PostgresDataPlane is refused while this one holds the engines)
    restarted = SnapshotStore(dp.store.root)
    try:
        assert restarted.usage() == usage
    finally:
        restarted.stop_background()

    dp.delete_snapshot("copy")  # frees exactly the pages only it used
    after = dp.snapshot_storage()
    assert after.live_bytes == usage.live_bytes - usage.snapshots["copy"].unique_bytes
    assert after.snapshots["second"].unique_bytes == after.live_bytes
    dp.compact_snapshots()
    assert pack_data_bytes(dp.store) == after.live_bytes


def test_snapshot_and_restore_report_progress_as_they_go(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("create table big as select g id, repeat(md5(g::text), 8) v "
                     "from generate_series(1, 150000) g")  # ~45 MB in one file
    taken: list[tuple[int, int]] = []
    stats = dp.create_snapshot(key, "s", progress=lambda done, total: taken.append((done, total)))
    restored: list[tuple[int, int]] = []
    dp.restore_snapshot("s", "r", free_port(),
                        progress=lambda done, total: restored.append((done, total)))
    assert stats.total_bytes > 45_000_000
    for calls in (taken, restored):
        assert calls[-1] == (stats.total_bytes, stats.total_bytes)
        dones = [done for done, _ in calls]
        assert dones == sorted(dones) and all(0 < total for _, total in calls)
        # reported every few MiB, also inside one large file
        assert max(b - a for a, b in zip([0] + dones, dones)) <= 4 << 20
        assert all(done <= total for done, total in calls)
    # the total is known from the start, not discovered at the end
    assert taken[0][1] >= 0.9 * stats.total_bytes
    assert restored[0][1] == stats.total_bytes


def test_compaction_starts_by_itself_after_deletes(tmp_path):
    policy = CompactionPolicy(max_unused=0.10, min_garbage_bytes=0, pack_bytes=1 << 20)
    store = SnapshotStore(tmp_path / "store", policy)
    expected = daily_snapshots(store, 12)
    for day, key in enumerate(sorted(expected)):
        if day % 4 != 3:
            store.delete(key)
            del expected[key]
    store.wait_for_compaction()
    usage = store.usage()
    # compacted down to half the threshold: 5% of the live bytes
    assert usage.garbage_bytes <= 0.05 * usage.live_bytes
    assert usage.stored_bytes == disk_bytes(store.root)
    assert max(p.stat().st_size for p in store.packs_dir.glob("*.pack")) <= (1 << 20) + (
        64 << 10)  # the packs compaction wrote stay near pack_bytes
    for key, digest in expected.items():
        assert restored_table_digest(store, key, tmp_path) == digest


def test_snapshots_taken_and_deleted_during_compaction(tmp_path):
    """Compaction racing with new snapshots, deletes, copies and restores:
    nothing is lost, and a last compaction leaves every page stored once."""
    store = SnapshotStore(tmp_path / "store", MANUAL)
    expected = daily_snapshots(store, 10)
    for key in sorted(expected)[:6]:
        store.delete(key)
        del expected[key]
    table = DailyTable(400, seed=99)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for day in range(8):
                table.churn(updated=20, appended=8)
                store.ingest(f"late-{day}", table.entries(), {})
                expected[f"late-{day}"] = table.digest()
                store.copy(f"late-{day}", f"copy-{day}")
                expected[f"copy-{day}"] = expected[f"late-{day}"]
                if day % 2:
                    store.delete(f"late-{day - 1}")
                    del expected[f"late-{day - 1}"]
                key = sorted(expected)[day % len(expected)]
                assert restored_table_digest(store, key, tmp_path / "w") == expected[key]
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    (tmp_path / "w").mkdir()
    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive():
        store.compact()
    thread.join()
    assert not errors, errors
    store.compact()
    usage = store.usage()
    assert usage.garbage_bytes == 0 and pack_data_bytes(store) == usage.live_bytes
    assert usage.stored_bytes == disk_bytes(store.root)
    assert SnapshotStore(store.root, MANUAL).usage() == usage
    for key, digest in expected.items():
        assert restored_table_digest(store, key, tmp_path) == digest, key


def test_compaction_never_copies_a_corrupted_page(tmp_path):
    """A live page that fails its checksum stops compaction before anything
    changes: the other snapshots keep restoring, the damaged one is refused."""
    store = SnapshotStore(tmp_path / "store", MANUAL)
    expected = daily_snapshots(store, 6)
    for key in sorted(expected)[:4]:
        store.delete(key)
        del expected[key]
    survivor = sorted(expected)[-1]
    victim = max(store.packs_dir.glob("*.pack"), key=lambda p: p.stat().st_size)
    manifests = {p.name: p.read_bytes() for p in store.manifests_dir.iterdir()}
    packs = sorted(p.name for p in store.packs_dir.iterdir())
    with open(victim, "r+b") as f:  # a page every survivor references
        f.seek(PAGE // 2)
        byte = f.read(1)
        f.seek(PAGE // 2)
        f.write(bytes([byte[0] ^ 0x5A]))
    with pytest.raises(SnapshotCorruptedError, match="fails its checksum"):
        store.compact()
    assert {p.name: p.read_bytes() for p in store.manifests_dir.iterdir()} == manifests
    assert sorted(p.name for p in store.packs_dir.iterdir()) == packs
    with pytest.raises(SnapshotCorruptedError):
        restored_table_digest(store, survivor, tmp_path)
