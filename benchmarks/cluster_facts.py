"""What reading a cluster's facts costs per statement: DEFAULT_IAM_ROLE(), CURRENT_AWS_ACCOUNT and
CURRENT_NAMESPACE over many rows, through a cluster's endpoint (the shared SQL cluster of the tests,
a `localshift serve` with one cluster), median of several runs.  The engine reads the facts from
its configuration files (catalog/24_system.sql); a statement should read them once, not per row:

    PYTHONPATH=src python benchmarks/cluster_facts.py --rows 100000 --runs 5
"""

from __future__ import annotations

import argparse

from seeded_cluster import cluster_connection, median_ms

STATEMENTS = {
    "no fact (the rows alone)": "select max(1) from generate_series(1, {rows})",
    "DEFAULT_IAM_ROLE()": "select max(coalesce(default_iam_role(), 'none')) from generate_series(1, {rows})",
    "CURRENT_AWS_ACCOUNT": "select max(current_aws_account) from generate_series(1, {rows})",
    "CURRENT_NAMESPACE": "select max(current_namespace) from generate_series(1, {rows})",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with cluster_connection("cluster_facts") as conn:
        for label, statement in STATEMENTS.items():
            text = statement.format(rows=args.rows)
            print(f"{label} over {args.rows:,} rows: {median_ms(lambda: conn.execute(text).fetchall(), args.runs):.1f} ms")


if __name__ == "__main__":
    main()
