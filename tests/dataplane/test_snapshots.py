"""Snapshots: round trip, online consistency, incremental storage, shared-data
deletion, corruption detection, copies, durability."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import psycopg
import pytest

from localshift.dataplane import SnapshotCorruptedError
from localshift.dataplane.durable import temporary_name

from .helpers import connect, free_port, rows

ACCOUNTS, BALANCE = 100, 1000


def test_snapshot_restore_round_trip(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t (id int primary key, v text)")
        conn.execute("insert into t select g, 'v' || g from generate_series(1, 2000) g")
    seen = []
    stats = dp.create_snapshot(key, "s1", progress=lambda done, total: seen.append((done, total)))
    assert dp.snapshot_exists("s1") and not dp.snapshot_exists("nope")
    assert stats.total_bytes > 0 and 0 < stats.incremental_bytes <= stats.total_bytes
    assert stats.elapsed_seconds > 0
    assert seen and seen[-1] == (stats.total_bytes, stats.total_bytes)
    assert all(d <= t for d, t in seen)
    with connect(port) as conn:
        conn.execute("update t set v = 'changed' where id <= 1000")
        conn.execute("insert into t select g, 'new' from generate_series(2001, 2500) g")

    progress = []
    port2 = dp.restore_snapshot("s1", "r1", free_port(), progress=lambda d, t: progress.append((d, t)))
    assert dp.is_running("r1")
    assert progress[-1][0] == progress[-1][1] == stats.total_bytes
    assert rows(port2, "select count(*), count(*) filter (where v = 'changed') from t") == [(2000, 0)]
    assert rows(port, "select count(*), count(*) filter (where v = 'changed') from t") == [(2500, 1000)]
    # the restored cluster is independent and writable; its keys stay informational
    with connect(port2) as conn:
        conn.execute("insert into t values (1, 'dup'), (1, 'dup')")
        conn.execute("create table r (id int references t (id))")
        assert conn.execute("select count(*) from t where id = 1").fetchone() == (3,)
        conn.execute("delete from t")
    assert rows(port, "select count(*) from t") == [(2500,)]

    # restore with a new master password
    port3 = dp.restore_snapshot("s1", "r2", free_port(), master_password="Other-pass1")
    with pytest.raises(psycopg.OperationalError):
        connect(port3)
    assert rows(port3, "select count(*) from t", password="Other-pass1") == [(2000,)]


def test_online_snapshot_is_consistent(dp, cluster):
    """Transfers keep committing during the snapshot; the restored state is one
    consistent point: balances still sum up and match the transfer log."""
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table acct (id int primary key, bal bigint not null)")
        conn.execute("create table xfer (n serial primary key, src int, dst int, amount int)")
        conn.execute(f"insert into acct select g, {BALANCE} from generate_series(1, {ACCOUNTS}) g")
        # some bulk so the backup takes a moment
        conn.execute("create table filler as select g, repeat('x', 200) pad "
                     "from generate_series(1, 150000) g")
    stop = threading.Event()
    errors: list[BaseException] = []
    done = [0]

    def writer() -> None:
        try:
            with connect(port, autocommit=False) as conn:
                i = 0
                while not stop.is_set():
                    src, dst, amount = i % ACCOUNTS + 1, (i * 7 + 3) % ACCOUNTS + 1, i % 50 + 1
                    conn.execute("update acct set bal = bal - %s where id = %s", (amount, src))
                    conn.execute("update acct set bal = bal + %s where id = %s", (amount, dst))
                    conn.execute("insert into xfer (src, dst, amount) values (%s, %s, %s)",
                                 (src, dst, amount))
                    conn.commit()
                    done[0] += 1
                    i += 1
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    try:
        while done[0] < 50:
            threading.Event().wait(0.01)
        before = done[0]
        dp.create_snapshot(key, "online")
        during = done[0] - before
    finally:
        stop.set()
        t.join(30)
    assert not errors, errors
    assert during > 0, "the writer was blocked during the snapshot"

    port2 = dp.restore_snapshot("online", "r", free_port())
    (total, n_accounts), = rows(port2, "select sum(bal), count(*) from acct")
    assert (total, n_accounts) == (ACCOUNTS * BALANCE, ACCOUNTS)
    # every account's balance is exactly explained by the restored transfer log
    mismatched = rows(port2, f"""
        select count(*) from acct a left join (
            select id, sum(delta) d from (
                select src id, -amount delta from xfer union all select dst, amount from xfer) x
            group by id) x using (id)
        where a.bal <> {BALANCE} + coalesce(x.d, 0)""")
    assert mismatched == [(0,)]
    (n_restored,), = rows(port2, "select count(*) from xfer")
    assert 50 <= n_restored <= done[0]


def test_incremental_snapshot_stores_only_changes(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("create table big (id bigint primary key, pad text)")
        conn.execute("insert into big select g, repeat(md5(g::text), 4) "
                     "from generate_series(1, 200000) g")  # ~40 MB with its index
        conn.execute("vacuum analyze big")
    full = dp.create_snapshot(key, "full")
    assert full.total_bytes > 40_000_000
    with connect(port) as conn:
        conn.execute("insert into big select g, repeat(md5(g::text), 4) "
                     "from generate_series(200001, 202000) g")  # +1%
    inc = dp.create_snapshot(key, "inc")
    assert inc.total_bytes >= full.total_bytes
    assert inc.incremental_bytes < 0.10 * inc.total_bytes, (inc, full)
    # an unchanged cluster costs almost nothing
    again = dp.create_snapshot(key, "again")
    assert again.incremental_bytes < 0.05 * again.total_bytes, again


def test_delete_shared_snapshots(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select g id, repeat('y', 100) pad "
                     "from generate_series(1, 50000) g")
    dp.create_snapshot(key, "first")
    with connect(port) as conn:
        conn.execute("insert into t select g, 'second' from generate_series(50001, 50100) g")
    dp.create_snapshot(key, "second")
    copy = dp.copy_snapshot("second", "second-copy")
    assert copy.incremental_bytes == 0 and copy.total_bytes > 0
    stored = dp.store.stored_bytes()

    dp.delete_snapshot("first")  # "second" shares most of its pages
    assert not dp.snapshot_exists("first")
    dp.delete_snapshot("second")  # its copy still references everything
    assert dp.store.stored_bytes() == stored
    port2 = dp.restore_snapshot("second-copy", "r", free_port())
    assert rows(port2, "select count(*) from t") == [(50100,)]
    dp.delete_snapshot("second-copy")
    dp.delete_snapshot("second-copy")  # idempotent
    assert dp.store.stored_bytes() == 0
    assert list(dp.store.packs_dir.iterdir()) == []


@pytest.mark.parametrize("target", ["pack", "manifest"])
def test_corrupted_snapshot_is_refused(dp, cluster, target):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 10000) id")
    dp.create_snapshot(key, "s")
    if target == "pack":
        path = max(dp.store.packs_dir.glob("*.pack"), key=lambda p: p.stat().st_size)
        offset = path.stat().st_size // 2
    else:
        path = dp.store.manifests_dir / "s.snap"
        offset = 20
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0x5A]))
    port2 = free_port()
    with pytest.raises(SnapshotCorruptedError):
        dp.restore_snapshot("s", "bad", port2, progress=lambda d, t: None)
    assert not dp.is_running("bad")
    assert not (dp.engine_root / "bad").exists()
    assert dp.create_engine("other", port2, "u", "p", "dev") == port2  # the port was released
    assert dp.is_running(key)  # the source cluster is untouched


def test_snapshot_of_stopped_cluster(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 10) id")
    dp.stop_engine(key)
    dp.create_snapshot(key, "paused")
    assert not dp.is_running(key)
    port2 = dp.restore_snapshot("paused", "r", free_port())
    assert rows(port2, "select count(*) from t") == [(10,)]


def test_snapshot_is_durable_when_it_returns(dp, cluster, monkeypatch):
    """Pack, index, their directory, then the manifest and its directory reach
    the disk before create_snapshot returns (a snapshot recorded available
    survives power loss); a copy and a delete are durable too."""
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 10000) id")
    synced: list[Path] = []
    fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    store = dp.store
    dp.create_snapshot(key, "s")
    (pack,) = store.header("s")["packs"]
    in_order = [store.packs_dir / f"{pack}.pack", temporary_name(store.packs_dir / f"{pack}.idx"),
                store.packs_dir, temporary_name(store.manifest_path("s")), store.manifests_dir]
    assert all(p in synced for p in in_order), synced
    positions = [synced.index(p) for p in in_order]
    assert positions == sorted(positions), synced

    synced.clear()
    dp.copy_snapshot("s", "c")
    assert synced == [temporary_name(store.manifest_path("c")), store.manifests_dir]
    synced.clear()
    dp.delete_snapshot("s")
    assert synced[0] == store.manifests_dir  # the removal is durable before any pack goes
