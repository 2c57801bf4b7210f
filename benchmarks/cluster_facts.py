"""What reading a cluster's facts costs per statement: DEFAULT_IAM_ROLE(), CURRENT_AWS_ACCOUNT and
CURRENT_NAMESPACE over many rows, through a cluster's endpoint (the shared SQL cluster of the tests,
a `localshift serve` with one cluster), median of several runs.  The engine reads the facts from
its configuration files (catalog/24_system.sql); a statement should read them once, not per row:

    PYTHONPATH=src python benchmarks/cluster_facts.py --rows 100000 --runs 5
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"

STATEMENTS = {
    "no fact (the rows alone)": "select max(1) from generate_series(1, {rows})",
    "DEFAULT_IAM_ROLE()": "select max(coalesce(default_iam_role(), 'none')) from generate_series(1, {rows})",
    "CURRENT_AWS_ACCOUNT": "select max(current_aws_account) from generate_series(1, {rows})",
    "CURRENT_NAMESPACE": "select max(current_namespace) from generate_series(1, {rows})",
}


def median_ms(conn, statement: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(statement).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(TESTS))  # the tests' server helpers (tests/support.py, tests/sql_cluster.py)
    sql_cluster = importlib.import_module("sql_cluster")
    with tempfile.TemporaryDirectory() as tmp:
        # The test server's data plane starts from a seed (tests/engine_seed.py), made here first.
        importlib.import_module("engine_seed").use_seed_dir(Path(tmp) / "seed")
        cluster = sql_cluster.start_sql_cluster(Path(tmp))
        try:
            with cluster.connect(cluster.fresh_database("cluster_facts")) as conn:
                for label, statement in STATEMENTS.items():
                    print(f"{label} over {args.rows:,} rows: "
                          f"{median_ms(conn, statement.format(rows=args.rows), args.runs):.1f} ms")
        finally:
            cluster.server.close()


if __name__ == "__main__":
    main()
