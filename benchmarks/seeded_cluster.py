"""For benchmarks through a cluster's endpoint: the tests' shared SQL cluster (tests/sql_cluster.py, a
`localshift serve` with one cluster of the code on PYTHONPATH), its data plane started from a seed made
first (tests/engine_seed.py), and a median of timed runs."""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

TESTS = Path(__file__).resolve().parent.parent / "tests"


@contextmanager
def cluster_connection(database: str) -> Iterator[Any]:
    """An autocommit connection as the master user to ``database``, new in the cluster."""
    sys.path.insert(0, str(TESTS))  # the tests' server helpers (tests/support.py, tests/sql_cluster.py)
    sql_cluster = importlib.import_module("sql_cluster")
    with tempfile.TemporaryDirectory() as tmp:
        importlib.import_module("engine_seed").use_seed_dir(Path(tmp) / "seed")
        cluster = sql_cluster.start_sql_cluster(Path(tmp))
        try:
            with cluster.connect(cluster.fresh_database(database)) as conn:
                yield conn
        finally:
            cluster.server.close()


def median_ms(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
