"""Benchmark of localshift's data plane against a plain `cp -r` of the data directory.

    python benchmarks/dataplane_bench.py --size-mb 1024

Measures: create_engine to serving; a full snapshot; an incremental snapshot
after appending 1% rows; restore to serving; `cp -r` of the same data
directory; and the per-query cost of the wire front (select 1 round trips,
direct on the engine's Unix socket vs through the front's TCP port).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from dataplane_tables import (DB, PASSWORD, ROW_SQL, USER, connect, fill_table, free_port, mb,
                              print_results, remove_files, timed)  # first: src/ on sys.path

from localshift.dataplane import PostgresDataPlane


def round_trips(conn: psycopg.Connection, n: int) -> float:
    conn.execute("select 1").fetchone()
    t = time.perf_counter()
    for _ in range(n):
        conn.execute("select 1").fetchone()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024, help="table size to generate (MB)")
    ap.add_argument("--root", type=Path, default=None, help="PostgresDataPlane root (default: a temp dir)")
    ap.add_argument("--queries", type=int, default=2000, help="select 1 round trips")
    args = ap.parse_args()

    root = args.root or Path(tempfile.mkdtemp(prefix="localshift-bench-", dir="/var/tmp"))
    dp = PostgresDataPlane(root)
    results: list[tuple[str, str]] = []
    try:
        port, t_create = timed(dp.create_engine, "bench", free_port(), USER, PASSWORD, DB)
        results.append(("create_engine to serving", f"{t_create:.2f} s"))
        eng = dp._engine("bench")

        with connect(port) as conn:
            t0 = time.perf_counter()
            rows = fill_table(conn, args.size_mb, eng)
            size = conn.execute("select pg_total_relation_size('bench')").fetchone()[0]
            results.append(("generated table", f"{rows:,} rows, {mb(size)} in "
                            f"{time.perf_counter() - t0:.1f} s"))

            # -- wire front cost ------------------------------------------------------
            with psycopg.connect(host=str(eng.socket_dir), port=5432, user=USER,
                                 password=PASSWORD, dbname=DB, autocommit=True) as direct:
                t_direct = round_trips(direct, args.queries)
            t_front = round_trips(conn, args.queries)
            n = args.queries
            results.append((f"{n} x select 1, direct (Unix socket)",
                            f"{t_direct:.3f} s ({t_direct / n * 1e6:.0f} us/query)"))
            results.append((f"{n} x select 1, through the front (TCP)",
                            f"{t_front:.3f} s ({t_front / n * 1e6:.0f} us/query, "
                            f"+{(t_front - t_direct) / n * 1e6:.0f} us)"))

            # -- cp -r of the live data directory (physical copy baseline) --------------
            du = int(subprocess.run(["du", "-sb", str(eng.data_dir)], capture_output=True,
                                    text=True).stdout.split()[0])
            copy_dir = root / "cp-copy"
            _, t_cp = timed(subprocess.run, ["cp", "-r", str(eng.data_dir), str(copy_dir)],
                            check=True)
            shutil.rmtree(copy_dir)
            results.append(("cp -r of the data directory", f"{t_cp:.2f} s ({mb(du)})"))

            # -- full snapshot ----------------------------------------------------------
            full, t_full = timed(dp.create_snapshot, "bench", "full")
            results.append(("full snapshot", f"{t_full:.2f} s (total {mb(full.total_bytes)}, "
                            f"stored {mb(full.incremental_bytes)})"))

            # -- incremental after appending 1% rows ---------------------------------------
            extra = max(1, rows // 100)
            conn.execute(ROW_SQL.format(lo=rows + 1, hi=rows + extra))
            conn.execute("vacuum (freeze) bench")
            inc, t_inc = timed(dp.create_snapshot, "bench", "inc")
            results.append(("incremental snapshot after +1% rows",
                            f"{t_inc:.2f} s, stored {mb(inc.incremental_bytes)} = "
                            f"{100 * inc.incremental_bytes / inc.total_bytes:.2f}% of "
                            f"{mb(inc.total_bytes)}"))
            expected = conn.execute("select count(*) from bench").fetchone()[0]

        # -- restore to serving (and cp -r again, under the same conditions) ---------------
        _, t_cp2 = timed(subprocess.run, ["cp", "-r", str(eng.data_dir), str(copy_dir)],
                         check=True)
        shutil.rmtree(copy_dir)
        results.append(("cp -r of the data directory, again", f"{t_cp2:.2f} s"))
        t_cp_mean = (t_cp + t_cp2) / 2
        port2, t_restore = timed(dp.restore_snapshot, "inc", "restored", free_port())
        results.append(("restore to serving", f"{t_restore:.2f} s"))
        results.append(("full snapshot / mean cp -r", f"{t_full / t_cp_mean:.2f}x"))
        results.append(("restore / mean cp -r", f"{t_restore / t_cp_mean:.2f}x"))
        with psycopg.connect(host="127.0.0.1", port=port2, user=USER, password=PASSWORD,
                             dbname=DB) as conn2:
            got = conn2.execute("select count(*) from bench").fetchone()[0]
        assert got == expected, (got, expected)
        results.append(("restored row count", f"{got:,} (matches)"))
        results.append(("snapshot storage on disk", mb(dp.store.stored_bytes())))
    finally:
        for key in ("bench", "restored"):
            try:
                dp.destroy_engine(key)
            except Exception:  # noqa: BLE001
                pass
        dp.close()
        remove_files(dp, root, keep_root=args.root is not None)
    print_results(f"localshift data plane benchmark (--size-mb {args.size_mb}, PostgreSQL "
                  f"{'.'.join(map(str, dp.bins.version))})", results)


if __name__ == "__main__":
    main()
