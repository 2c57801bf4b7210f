"""Compaction cut short at every step, by an exception or by SIGKILL: every
live snapshot still restores byte for byte, and the next compaction finishes
the job (no page left stored twice, no garbage, no journal)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

from localshift.dataplane import PostgresDataPlane, compaction
from localshift.dataplane.compaction import JOURNAL
from localshift.dataplane.snapshot_store import SnapshotStore

from .conftest import cleanup
from .helpers import connect, free_port, rows
from .storage_helpers import (MANUAL, daily_snapshots, disk_bytes, pack_data_bytes,
                              restored_table_digest, tree_digest)


class InjectedCrash(Exception):
    pass


def crash_on_call(original, n: int):
    """``original``, except that its ``n``-th call raises instead."""
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            raise InjectedCrash(f"{original.__name__} call {n}")
        return original(*args, **kwargs)

    return wrapper


# (function of compaction.py, which call fails, the state it leaves)
STEPS = [
    ("copy_range", 1, "new pack created, nothing copied"),
    ("copy_range", 3, "some live pages copied"),
    ("write_file_atomic", 1, "pages copied, no index"),
    ("write_journal", 1, "new packs durable, no journal"),
    ("switch_manifest", 1, "journal written, no manifest switched"),
    ("switch_manifest", 3, "some manifests switched"),
    ("remap", 4, "some manifests switched (failure while remapping)"),
]


def kept_and_deleted(store: SnapshotStore, tmp_path):
    """30 daily snapshots of which 25 are deleted: returns the survivors' digests."""
    expected = daily_snapshots(store, 30)
    for day, key in enumerate(sorted(expected)):
        if day % 6 != 5:
            store.delete(key)
            del expected[key]
    # Each delete starts a background compaction (not due under MANUAL). One still
    # waiting for the compaction lock would run after the test's compaction is cut
    # short, finish its journal and run the test's patched functions.
    store.wait_for_compaction()
    return expected


def check_restores(store: SnapshotStore, expected: dict[str, str], tmp_path) -> None:
    for key, digest in expected.items():
        assert restored_table_digest(store, key, tmp_path) == digest, key


def check_compacted(root, expected, live_bytes, tmp_path) -> None:
    """A fresh store (a restart) finishes any interrupted compaction: then
    every page is stored once, no garbage, figures match the disk."""
    store = SnapshotStore(root, MANUAL)
    store.wait_for_compaction()  # the store finishes a journal by itself on opening
    store.compact()
    usage = store.usage()
    assert not (root / JOURNAL).exists()
    assert usage.garbage_bytes == 0
    assert usage.live_bytes == live_bytes  # nothing stored twice
    assert pack_data_bytes(store) == live_bytes
    assert usage.stored_bytes == disk_bytes(root)
    check_restores(store, expected, tmp_path)


@pytest.mark.parametrize("function,call,state", STEPS, ids=[s[2] for s in STEPS])
def test_exception_at_each_compaction_step(tmp_path, monkeypatch, function, call, state):
    root = tmp_path / "store"
    store = SnapshotStore(root, MANUAL)
    expected = kept_and_deleted(store, tmp_path)
    before = store.usage()
    assert before.garbage_bytes > 0
    monkeypatch.setattr(compaction, function, crash_on_call(getattr(compaction, function), call))
    with pytest.raises(InjectedCrash):
        store.compact()
    monkeypatch.undo()
    check_restores(store, expected, tmp_path)  # the same process goes on
    assert store.usage().stored_bytes == disk_bytes(root)  # figures rebuilt from disk
    check_compacted(root, expected, before.live_bytes, tmp_path)


def test_exception_after_victims_deleted(tmp_path, monkeypatch):
    """Victims gone, journal still there: the next run has nothing left to move."""
    root = tmp_path / "store"
    store = SnapshotStore(root, MANUAL)
    expected = kept_and_deleted(store, tmp_path)
    live = store.usage().live_bytes
    monkeypatch.setattr(store, "is_pinned", crash_on_call(store.is_pinned, 1))
    with pytest.raises(InjectedCrash):
        store.compact()
    assert (root / JOURNAL).exists()
    check_compacted(root, expected, live, tmp_path)


KILLER = textwrap.dedent("""
    import os, signal, sys
    from localshift.dataplane import compaction
    from localshift.dataplane.snapshot_store import SnapshotStore
    from localshift.dataplane.compaction import CompactionPolicy

    owner_name, function = sys.argv[2].split(".")
    owner = {"compaction": compaction, "SnapshotStore": SnapshotStore}[owner_name]
    call = int(sys.argv[3])
    original = getattr(owner, function)
    calls = [0]

    def kill_at_call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == call:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(owner, function, kill_at_call)
    SnapshotStore(sys.argv[1], CompactionPolicy(min_garbage_bytes=1 << 60)).compact()
""")


@pytest.fixture(scope="module")
def engine_store(tmp_path_factory):
    """A store of 8 snapshots of a real cluster, 5 of them deleted, plus the
    survivors' restored files (reference) and row counts."""
    base = tmp_path_factory.mktemp("engine-store")
    dp = PostgresDataPlane(base / "dp")
    dp.store.policy = MANUAL
    reference = {}
    try:
        port = dp.create_engine("src", free_port(), "awsuser", "Passw0rd-1", "dev")
        with connect(port, autocommit=True) as conn:
            conn.execute("create table t (id int primary key, v text)")
            conn.execute("insert into t select g, repeat(md5(g::text), 3) "
                         "from generate_series(1, 60000) g")
            conn.execute("vacuum (freeze) t")
            for day in range(8):
                conn.execute("update t set v = md5(v) where id between %s and %s",
                             (day * 6000 + 1, day * 6000 + 4000))
                conn.execute("insert into t select g, 'day' || g from generate_series(%s, %s) g",
                             (60001 + day * 600, 60600 + day * 600))
                conn.execute("vacuum t")
                dp.create_snapshot("src", f"day-{day}")
                reference[f"day-{day}"] = conn.execute(
                    "select count(*), md5(string_agg(v, ',' order by id)) from t").fetchone()
        for day in (0, 1, 2, 4, 5):
            dp.delete_snapshot(f"day-{day}")
            del reference[f"day-{day}"]
        trees = {}
        for key in reference:
            dp.store.restore(key, base / "ref" / key)
            trees[key] = tree_digest(base / "ref" / key)
        live = dp.store.usage().live_bytes
    finally:
        cleanup(dp)
    return base / "dp" / "snapshots", reference, trees, live


KILL_POINTS = [("compaction.copy_range", 2),       # some live pages copied
               ("compaction.write_journal", 1),    # copies durable, no journal
               ("compaction.switch_manifest", 2),  # one manifest switched
               ("SnapshotStore.is_pinned", 1)]     # victims deleted, journal still there


@pytest.mark.parametrize("function,call", KILL_POINTS,
                         ids=[f"{f}-{c}" for f, c in KILL_POINTS])
def test_sigkill_during_compaction_of_real_snapshots(engine_store, tmp_path, function, call):
    source, reference, trees, live = engine_store
    root = tmp_path / "snapshots"
    shutil.copytree(source, root)
    done = subprocess.run([sys.executable, "-c", KILLER, str(root), function, str(call)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr  # killed where asked, not finished or failed
    store = SnapshotStore(root, MANUAL)
    for key, digest in trees.items():  # byte for byte what they held before
        store.restore(key, tmp_path / "after-kill" / key)
        assert tree_digest(tmp_path / "after-kill" / key) == digest, key
    store.wait_for_compaction()
    store.compact()
    usage = store.usage()
    assert (usage.garbage_bytes, usage.live_bytes) == (0, live)
    assert usage.stored_bytes == disk_bytes(root)
    for key, digest in trees.items():
        store.restore(key, tmp_path / "after-compaction" / key)
        assert tree_digest(tmp_path / "after-compaction" / key) == digest, key


def test_restored_cluster_after_killed_compaction(engine_store, dp):
    """The end-to-end proof: a compaction killed mid-switch, then real restores
    of every surviving snapshot serve the rows of their day."""
    source, reference, _trees, _live = engine_store
    root = dp.store.root
    shutil.rmtree(root)
    shutil.copytree(source, root)
    done = subprocess.run([sys.executable, "-c", KILLER, str(root), "compaction.switch_manifest",
                           "2"], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    dp.close()  # the service that ran before
    restarted = PostgresDataPlane(dp.root)  # the service restarts over the same files
    try:
        restarted.compact_snapshots()
        for key, (count, digest) in reference.items():
            port = restarted.restore_snapshot(key, f"r-{key}", free_port())
            assert rows(port, "select count(*), md5(string_agg(v, ',' order by id)) from t") == [
                (count, digest)]
    finally:
        cleanup(restarted)
