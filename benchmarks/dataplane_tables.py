"""What the data-plane benchmarks share: a table of a given size in a real cluster."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import psycopg  # noqa: E402

USER, PASSWORD, DB = "bench", "Bench-pass1", "dev"
ROW_SQL = "insert into bench select g, g % 1000, repeat(md5(g::text), 3) from generate_series({lo}, {hi}) g"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def timed(fn, *args, **kw):
    # Start every measurement without a backlog of dirty pages from the previous
    # step (otherwise whichever step runs later pays for earlier writes).
    os.sync()
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, dbname=DB,
                           autocommit=True)


def fill_table(conn: psycopg.Connection, size_mb: int, engine) -> int:  # type: ignore[no-untyped-def]
    """Create ``bench`` (``bigint, int, text`` rows of ~140 bytes, no index) of
    ``size_mb`` MiB, frozen and checkpointed (through ``engine``'s internal role); returns its
    row count."""
    conn.execute("create table bench (id bigint, grp int, pad text)")
    target = size_mb * 1024 * 1024
    step, lo = 500_000, 1
    while conn.execute("select pg_total_relation_size('bench')").fetchone()[0] < target:
        conn.execute(ROW_SQL.format(lo=lo, hi=lo + step - 1))
        lo += step
    # Set hint bits / freeze now: otherwise the first read after the load
    # rewrites every page and the "incremental" snapshot is a full one.
    conn.execute("vacuum (freeze, analyze) bench")
    with engine.connect() as admin:  # CHECKPOINT is for the internal superuser, not the master user
        admin.execute("checkpoint")
    return lo - 1


def remove_files(dp, root: Path, keep_root: bool) -> None:
    """Delete what a benchmark's PostgresDataPlane wrote (engines kept outside its root too)."""
    if not keep_root:
        shutil.rmtree(root, ignore_errors=True)
    if not dp.engine_root.resolve().is_relative_to(dp.root):
        shutil.rmtree(dp.engine_root, ignore_errors=True)


def print_results(title: str, results: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in results)
    print(f"\n{title}")
    for k, v in results:
        print(f"  {k:<{width}}  {v}")
