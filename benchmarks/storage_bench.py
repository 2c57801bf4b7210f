"""Snapshot storage that shrinks: daily snapshots with churn, most of them
deleted, then compaction.

    python benchmarks/storage_bench.py --size-mb 1024 --days 30 --keep 5

Generates a table of --size-mb MiB in a real cluster, then for each of --days
days changes 1% of its rows (half updated in one range at a random place, half
appended, then VACUUM as autovacuum would) and takes a snapshot.  Then deletes
all snapshots but --keep of them, spread evenly (the last of each stretch of
days; --keep-newest keeps the last days instead), and compacts: first as the
service does by itself after deletes (down to half of the policy's 10%
garbage), then completely (`compact_snapshots()`).
Reports the store's bytes on disk at each stage beside what the live
snapshots need (the distinct pages they reference), the time compaction takes,
what `snapshot_storage()` costs, and restores the oldest and newest survivors
to check their rows.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from dataplane_tables import (connect, fill_table, free_port, mb, print_results,  # first: src/
                              remove_files, timed)  # on sys.path

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.compaction import CompactionPolicy, CompactionResult
from localshift.dataplane.snapshot_store import SnapshotStore

CHECK_SQL = "select count(*), sum(hashtext(pad)) from bench"


def disk_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def churn(conn, rows: int, day: int, rng: random.Random) -> int:
    """Update 0.5% of the rows (one id range) and append 0.5%; returns the new row count."""
    n = max(1, rows // 200)
    lo = rng.randrange(1, max(2, rows - n))
    conn.execute("update bench set pad = md5(pad) || %s where id between %s and %s",
                 (f"-{day}", lo, lo + n - 1))
    conn.execute("insert into bench select g, g %% 1000, repeat(md5(g::text), 3) "
                 "from generate_series(%s, %s) g", (rows + 1, rows + n))
    conn.execute("vacuum bench")
    return rows + n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024, help="table size to generate (MiB)")
    ap.add_argument("--days", type=int, default=30, help="daily snapshots to take")
    ap.add_argument("--keep", type=int, default=5, help="snapshots left after the deletes")
    ap.add_argument("--keep-newest", action="store_true",
                    help="keep the newest snapshots (default: spread over the days)")
    ap.add_argument("--root", type=Path, default=None, help="PostgresDataPlane root (default: a temp dir)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    root = args.root or Path(tempfile.mkdtemp(prefix="localshift-storage-", dir="/var/tmp"))
    dp = PostgresDataPlane(root)
    manual = CompactionPolicy(min_garbage_bytes=1 << 62)
    dp.store.policy = manual  # this benchmark starts each compaction itself, to time it
    store_root = dp.store.root
    results: list[tuple[str, str]] = []
    rng = random.Random(args.seed)

    def stage(label: str) -> int:
        usage = dp.snapshot_storage()
        on_disk = disk_bytes(store_root)
        assert usage.stored_bytes == on_disk, (usage.stored_bytes, on_disk)
        results.append((label, f"{mb(on_disk)} on disk, live snapshots need {mb(usage.live_bytes)}"
                        f" -> {on_disk / usage.live_bytes:.2f}x (garbage {mb(usage.garbage_bytes)})"))
        return on_disk

    def compaction(label: str, result: CompactionResult) -> None:
        results.append((label, f"{result.elapsed_seconds:.2f} s, {result.packs_compacted} packs, "
                        f"{mb(result.bytes_copied)} copied, {result.manifests_rewritten} manifests"))

    try:
        port = dp.create_engine("bench", free_port(), "bench", "Bench-pass1", "dev")
        with connect(port) as conn:
            t0 = time.perf_counter()
            rows = fill_table(conn, args.size_mb, dp._engine("bench"))
            size = conn.execute("select pg_total_relation_size('bench')").fetchone()[0]
            results.append(("generated table", f"{rows:,} rows, {mb(size)} in "
                            f"{time.perf_counter() - t0:.1f} s"))
            checks, took, stored = {}, [], []
            for day in range(args.days):
                rows = churn(conn, rows, day, rng)
                stats, t = timed(dp.create_snapshot, "bench", f"day-{day:02d}")
                took.append(t)
                stored.append(stats.incremental_bytes)
                checks[f"day-{day:02d}"] = conn.execute(CHECK_SQL).fetchone()
                if day == 0:
                    dp.snapshot_storage()  # from now on every snapshot also updates the ledger
        results.append((f"{args.days} daily snapshots", f"first {took[0]:.2f} s, then mean "
                        f"{sum(took[1:]) / max(1, len(took) - 1):.2f} s; each stored "
                        f"{mb(sum(stored[1:]) / max(1, len(stored) - 1))} on average"))
        stage("all snapshots")

        _, t_cold = timed(lambda: SnapshotStore(store_root, manual).usage())  # as a new process
        t = time.perf_counter()
        for _ in range(100):
            dp.snapshot_storage()
        results.append(("snapshot_storage()", f"first call of a new process {t_cold:.2f} s, "
                        f"then {(time.perf_counter() - t) * 10:.2f} ms per call"))

        if args.keep_newest:
            kept = set(sorted(checks)[-args.keep:])
        else:
            stride = args.days / args.keep
            kept = {f"day-{int(stride * (i + 1)) - 1:02d}" for i in range(args.keep)}
        _, t_delete = timed(lambda: [dp.delete_snapshot(key) for key in checks if key not in kept])
        results.append((f"delete {args.days - len(kept)} snapshots", f"{t_delete:.2f} s, "
                        f"kept {', '.join(sorted(kept))}"))
        stage("after the deletes")

        policy = CompactionPolicy()
        result, _ = timed(dp.store.compact, policy.max_unused / 2)
        compaction("compaction as the service runs it", result)
        stage("after that compaction")
        result, _ = timed(dp.compact_snapshots)
        compaction("complete compaction (compact_snapshots)", result)
        stage("after complete compaction")

        for key in (min(kept), max(kept)):
            restored, t_restore = timed(dp.restore_snapshot, key, f"r-{key}", free_port())
            with connect(restored) as conn:
                got = conn.execute(CHECK_SQL).fetchone()
            assert got == checks[key], (key, got, checks[key])
            results.append((f"restore {key}", f"{t_restore:.2f} s, rows match"))
    finally:
        dp.close()
        remove_files(dp, root, keep_root=args.root is not None)
    print_results(f"localshift snapshot storage benchmark (--size-mb {args.size_mb} --days "
                  f"{args.days} --keep {args.keep}{' --keep-newest' if args.keep_newest else ''})",
                  results)


if __name__ == "__main__":
    main()
