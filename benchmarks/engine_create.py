"""How long making an engine takes: PostgresDataPlane.create_engine with the engine template
(engine_template.py: a copy of a prepared data directory) and without it (initdb, then the whole
set-up), alternating; and, with --api, CreateCluster to `available` through a server.

    PYTHONPATH=src python benchmarks/engine_create.py --rounds 3 --engines 4
    PYTHONPATH=src python benchmarks/engine_create.py --api 5 --rounds 0

Each round makes a data plane per mode (in the order template, initdb, then initdb, template in the
next round) in a fresh directory under /var/tmp and creates --engines engines in a row; the first
engine of the template mode also builds the template, so it is reported apart.  --api starts
`localshift serve --ephemeral` (the code on PYTHONPATH) and times --api CreateCluster calls until
DescribeClusters says `available`.  The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path

from localshift.dataplane import PostgresDataPlane


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_plane(template: bool, engines: int) -> list[float]:
    """Seconds of each of ``engines`` creations in a new data plane."""
    root = Path(tempfile.mkdtemp(prefix="engine-create-", dir="/var/tmp"))
    plane = PostgresDataPlane(root / "dp", engine_template=template)
    times = []
    try:
        for i in range(engines):
            started = time.perf_counter()
            plane.create_engine(f"e{i}", free_port(), "awsuser", "Passw0rd-1", "dev")
            times.append(time.perf_counter() - started)
    finally:
        plane.close()
        shutil.rmtree(plane.engine_root, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
    return times


def summary(times: list[float]) -> str:
    if not times:
        return "-"
    return (f"n={len(times)} median {statistics.median(times):.2f} s, min {min(times):.2f}, "
            f"max {max(times):.2f}")


def data_plane_rounds(rounds: int, engines: int) -> None:
    first: dict[bool, list[float]] = {True: [], False: []}
    later: dict[bool, list[float]] = {True: [], False: []}
    for r in range(rounds):
        for template in ((True, False) if r % 2 == 0 else (False, True)):
            times = one_plane(template, engines)
            first[template].append(times[0])
            later[template].extend(times[1:])
            print(f"round {r + 1} {'template' if template else 'initdb  '}: "
                  + " ".join(f"{t:.2f}" for t in times), flush=True)
    for template, name in ((False, "initdb  "), (True, "template")):
        print(f"{name} first engine: {summary(first[template])}; later engines: {summary(later[template])}")


def api_rounds(count: int) -> None:
    import localshift

    with localshift.running() as ls:
        redshift = ls.redshift()
        times = []
        for i in range(count):
            started = time.perf_counter()
            redshift.create_cluster(ClusterIdentifier=f"bench-{i}", NodeType="ra3.xlplus", ClusterType="single-node",
                                    MasterUsername="awsuser", MasterUserPassword="Passw0rd-1")
            while redshift.describe_clusters(ClusterIdentifier=f"bench-{i}")["Clusters"][0][
                    "ClusterStatus"] != "available":
                time.sleep(0.02)
            times.append(time.perf_counter() - started)
            print(f"CreateCluster bench-{i} to available: {times[-1]:.2f} s", flush=True)
        print(f"CreateCluster to available: {summary(times)} (the first also builds the template)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="data planes per mode (alternating)")
    ap.add_argument("--engines", type=int, default=4, help="engines created in each data plane")
    ap.add_argument("--api", type=int, default=0, help="CreateCluster calls timed through a server")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    data_plane_rounds(args.rounds, args.engines)
    if args.api:
        api_rounds(args.api)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
