"""What the storage quota's measurement costs on an engine with many relations (storage_quota.py).

    PYTHONPATH=src python benchmarks/storage_measure.py --tables 5000

Makes a data plane (no supervisor) in a fresh directory under /var/tmp, one engine, and --tables
tables in it; then times one measurement of the data directory (Engine.size_bytes) against the
walk it replaced (os.walk and an lstat per file, kept here), and a supervisor round
(``bound_storage``) on the engine idle, then after a client's statement.  Medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import psycopg

from localshift.dataplane import PostgresDataPlane


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def os_walk_size(data_dir: Path) -> int:
    """The measurement before: os.walk, an lstat per file."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(data_dir):
        if dirpath == str(data_dir) and "pg_wal" in dirnames:
            dirnames.remove("pg_wal")
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                pass
    return total


def median_ms(call: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storage-measure-", dir="/var/tmp"))
    plane = PostgresDataPlane(root / "dp", supervise_interval=0)
    try:
        port = plane.create_engine("m", free_port(), "awsuser", "Passw0rd-1", "dev")
        engine = plane._engine("m")
        with psycopg.connect(host="127.0.0.1", port=port, user="awsuser", password="Passw0rd-1", dbname="dev",
                             autocommit=True) as conn:
            conn.execute(f"DO $$ BEGIN FOR i IN 1..{args.tables} LOOP "
                         "EXECUTE format('CREATE TABLE t%s (a int, b varchar(20))', i); END LOOP; END $$")
            files = sum(len(names) for _, _, names in os.walk(engine.data_dir))
            print(f"load average {os.getloadavg()[0]:.1f}; {args.tables} tables, {files} files in PGDATA")
            print(f"os.walk + lstat (before): {median_ms(lambda: os_walk_size(engine.data_dir), args.repeat):.1f} ms")
            print(f"Engine.size_bytes (scandir): {median_ms(engine.size_bytes, args.repeat):.1f} ms")
            engine.limits = dataclasses.replace(engine.limits, disk_mb=1 << 20)
            plane.bound_storage("m")  # the first round measures
            print(f"supervisor round, engine idle: {median_ms(lambda: plane.bound_storage('m'), args.repeat):.2f} ms")
            time.sleep(1)  # past ten times the last measurement's time
            conn.execute("SELECT 1")
            print(f"supervisor round after a statement: {median_ms(lambda: plane.bound_storage('m'), 1):.1f} ms")
    finally:
        plane.close()
        shutil.rmtree(plane.engine_root, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
