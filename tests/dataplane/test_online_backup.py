"""Online backups (online_backup.py): what a restore of one replays, and where it stops."""

from __future__ import annotations

import os

import pytest

from localshift.dataplane.errors import DataPlaneError
from localshift.dataplane.online_backup import OnlineBackup, SourceEntry

from .helpers import connect, free_port, rows


def _lsn(text: str) -> int:
    high, low = (int(half, 16) for half in text.split("/"))
    return (high << 32) | low


def _is_segment(name: str) -> bool:
    return name.startswith("pg_wal/") and len(name) == len("pg_wal/") + 24


def _snapshot_with_later_wal(dp, key: str, port: int, snapshot_key: str) -> OnlineBackup:
    """Snapshot ``snapshot_key`` of engine ``key`` taken the way create_snapshot takes one, except
    that rows 101-200 of ``t`` are committed right after the backup's stop and the WAL segments
    holding them (those after its stop segment) are stored too: WAL that goes past the stop
    position, as the stop segment's own tail does when other sessions commit between the
    backup-end record and the segment switch (which no test can time)."""
    eng = dp._engine(key)
    backup = OnlineBackup(eng)

    def entries():
        stop_segment = None
        for entry in backup.entries():
            if entry.name == "backup_label":  # yielded once pg_backup_stop has returned
                with connect(port, autocommit=True) as conn:
                    conn.execute("INSERT INTO t SELECT generate_series(101, 200)")
            if _is_segment(entry.name):
                stop_segment = max(stop_segment or "", entry.name.removeprefix("pg_wal/"))
            yield entry
        wal = eng.data_dir / "pg_wal"
        later = sorted(n for n in os.listdir(wal) if len(n) == 24 and n[:8] == stop_segment[:8] and n > stop_segment)
        assert later, "the rows committed after the stop are in a later segment"
        for name in later:
            yield SourceEntry(f"pg_wal/{name}", 0o600, (wal / name).read_bytes())

    meta = dict(eng.read_meta(), cluster_key=key, pg_version=list(dp.bins.version))
    dp.store.ingest(snapshot_key, entries(), meta)
    return backup


def test_a_restore_replays_no_wal_past_the_backups_stop_position(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (n int)")
        conn.execute("INSERT INTO t SELECT generate_series(1, 100)")
    _snapshot_with_later_wal(dp, key, port, "s1")
    assert rows(port, "SELECT count(*), max(n) FROM t") == [(200, 200)]  # the source has them

    restored = dp.restore_snapshot("s1", "r1", free_port())
    assert rows(restored, "SELECT count(*), min(n), max(n) FROM t") == [(100, 1, 100)]


def test_the_stop_segment_ends_at_the_stop_position(dp, cluster):
    key, port = cluster
    eng = dp._engine(key)
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (n int)")
    backup = OnlineBackup(eng)
    stored = {entry.name: entry for entry in backup.entries()}
    segments = sorted(name for name in stored if _is_segment(name))
    last = stored[segments[-1]]
    live = (eng.data_dir / last.name).read_bytes()
    offset = _lsn(backup.stop_lsn) % len(live)
    assert offset, "this backup did not stop on a segment boundary"
    # Before the stop: the WAL as written; from it: zeros, where the live segment has at least
    # the segment switch's record.
    assert last.content[:offset] == live[:offset]
    assert last.content[offset:] == bytes(len(live) - offset) and any(live[offset:offset + 8192])
    assert len(last.content) == len(live)


def test_a_restored_cluster_writes_on_and_its_own_snapshot_restores(dp, cluster):
    """The restored WAL ends at the stop position, where the restored cluster writes on: its own
    snapshots must restore whole."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (n int)")
        conn.execute("INSERT INTO t SELECT generate_series(1, 100)")
    _snapshot_with_later_wal(dp, key, port, "s1")
    restored = dp.restore_snapshot("s1", "r1", free_port())
    with connect(restored, autocommit=True) as conn:
        conn.execute("INSERT INTO t SELECT generate_series(1001, 1050)")
    stats = dp.create_snapshot("r1", "s2")
    assert stats.incremental_bytes < stats.total_bytes  # mostly the pages of s1
    again = dp.restore_snapshot("s2", "r2", free_port())
    assert rows(again, "SELECT count(*), max(n) FROM t") == [(150, 1050)]


def test_a_snapshot_missing_its_wal_fails_to_restore_and_leaves_nothing(dp, cluster):
    key, port = cluster
    eng = dp._engine(key)
    entries = (entry for entry in OnlineBackup(eng).entries() if not _is_segment(entry.name))
    dp.store.ingest("s1", entries, dict(eng.read_meta(), pg_version=list(dp.bins.version)))
    with pytest.raises(DataPlaneError, match="postgres exited"):
        dp.restore_snapshot("s1", "r1", free_port())
    assert not dp._engine("r1").exists()
