"""What the catalog's event triggers cost DDL: statements through a cluster's endpoint (the shared
SQL cluster of the tests, a `localshift serve` with one cluster), timed as a cycle repeated many
times, median per cycle.  The event triggers that keep late-binding views bound, and those that
keep PRIMARY KEY / UNIQUE informational (catalog/41_constraints.sql), run on every DDL; compare a
build with one without them back to back (PYTHONPATH picks the build):

    PYTHONPATH=src python benchmarks/late_binding_ddl.py --rounds 200
"""

from __future__ import annotations

import argparse

from seeded_cluster import cluster_connection, median_ms

CYCLES = {
    "table create+drop, no late-binding views": (
        None, ["create table t (a int, b varchar(10))", "drop table t"]),
    "table create+drop, a late-binding view over another table": (
        "create view keep as select * from public.base with no schema binding",
        ["create table t (a int, b varchar(10))", "drop table t"]),
    "late-binding view create+drop": (
        None, ["create view v as select * from public.base with no schema binding", "drop view v"]),
    "add+drop a column of a table a late-binding view reads (binds twice)": (
        None, ["alter table base add column c int", "alter table base drop column c"]),
    "table with a primary key and a unique column create+drop": (
        None, ["create table k (id int primary key, u int unique)", "drop table k"]),
    "table referencing a keyed table create+drop (the key lent as unique)": (
        "create table keyed (id int primary key)",
        ["create table r (id int references keyed (id))", "drop table r"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    with cluster_connection("late_binding_ddl") as conn:
        conn.execute("create table base (a int)")
        for label, (setup, statements) in CYCLES.items():
            if setup:
                conn.execute(setup)
            print(f"{label}: {median_ms(lambda: [conn.execute(s) for s in statements], args.rounds):.2f} ms")


if __name__ == "__main__":
    main()
