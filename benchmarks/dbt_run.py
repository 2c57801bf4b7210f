"""`dbt run` of the test project (tests/clients/dbt_project) on a cluster's endpoint with
dbt-redshift, beside the same project with dbt-postgres on the same engine directly (its Unix
socket: no front, no translator) and through the endpoint (which separates what the front costs
from what the adapters cost).  Each seeds once, then rebuilds every model with
`dbt run --full-refresh` several times, the three in turn each round; the medians and the median
of the rounds' ratios are reported.  The data plane runs in a process of its own, as in a
service, so that the front does not share the interpreter with dbt.

    python benchmarks/dbt_run.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from dbt.cli.main import dbtRunner

PROJECT = Path(__file__).resolve().parent.parent / "tests" / "clients" / "dbt_project"
USER, PASSWORD = "admin", "Passw0rd1"


def project(tmp: Path, name: str, profile: dict) -> Path:
    directory = tmp / name
    shutil.copytree(PROJECT, directory)
    (directory / "profiles.yml").write_text(
        yaml.safe_dump({"localshift": {"target": "dev", "outputs": {"dev": profile}}}))
    return directory


def dbt(directory: Path, *args: str) -> float:
    started = time.perf_counter()
    result = dbtRunner().invoke([*args, "--project-dir", str(directory), "--profiles-dir", str(directory),
                                 "--quiet"])
    elapsed = time.perf_counter() - started
    if not result.success:
        raise SystemExit(f"dbt {' '.join(args)} failed in {directory}: {result.exception}")
    return elapsed


def serve(root: Path) -> None:
    """The data plane's process: one engine and its databases; their addresses on stdout as JSON;
    everything removed when stdin closes.  Imported here, not in dbt's process: dbt's CLI
    does not load localshift, and redshift_connector's connect scans every loaded module
    (``inspect.stack``), so the service's modules would slow dbt-redshift down."""
    from localshift.dataplane import PostgresDataPlane

    with PostgresDataPlane(root, ephemeral=True) as dp:
        try:
            port = dp.create_engine("bench", 0, USER, PASSWORD, "redshift_db")
            engine = dp._engine("bench")
            with engine.connect() as admin:
                admin.execute(f"CREATE DATABASE postgres_db OWNER {USER}")
                admin.execute(f"CREATE DATABASE postgres_front OWNER {USER}")
                admin.execute("CREATE USER dbt_reader PASSWORD 'Reader1pass'")
            print(json.dumps({"port": port, "socket_dir": str(engine.socket_dir)}), flush=True)
            sys.stdin.read()
        finally:
            dp.destroy_engine("bench")


def run(tmp: Path, runs: int) -> None:
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(tmp / "dp")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the data plane did not start")
        address = json.loads(line)
        compare(tmp, address["port"], address["socket_dir"], runs)
    finally:
        server.stdin.close()
        server.wait()


def projects(tmp: Path, port: int, socket_dir: str) -> dict[str, Path]:
    """The three projects, by label: the same models, each with its own profile."""
    common = {"user": USER, "password": PASSWORD, "schema": "analytics", "threads": 2}
    return {
        "dbt-redshift through the endpoint": project(tmp, "redshift", {
            **common, "type": "redshift", "host": "127.0.0.1", "port": port, "dbname": "redshift_db",
            "sslmode": "disable"}),
        "dbt-postgres on the engine directly": project(tmp, "postgres", {
            **common, "type": "postgres", "host": socket_dir, "port": 5432, "dbname": "postgres_db"}),
        "dbt-postgres through the endpoint": project(tmp, "postgres_front", {
            **common, "type": "postgres", "host": "127.0.0.1", "port": port, "dbname": "postgres_front"}),
    }


def compare(tmp: Path, port: int, socket_dir: str, runs: int) -> None:
    projects_by_label = projects(tmp, port, socket_dir)
    times: dict[str, list[float]] = {label: [] for label in projects_by_label}
    for directory in projects_by_label.values():
        dbt(directory, "seed")
    # Rounds of one run each, so that the three see the same load on a shared machine.
    for _ in range(runs):
        for label, directory in projects_by_label.items():
            times[label].append(dbt(directory, "run", "--full-refresh"))
    for label, taken in times.items():
        print(f"{label}: dbt run median {statistics.median(taken):.2f} s over {runs} runs "
              f"(min {min(taken):.2f}, max {max(taken):.2f})")
    redshift, direct, through = times.values()
    print(f"dbt-redshift through the endpoint / dbt-postgres directly: median of the rounds' ratios "
          f"{statistics.median(r / d for r, d in zip(redshift, direct)):.2f}x; "
          f"dbt-postgres through the endpoint / directly: "
          f"{statistics.median(t / d for t, d in zip(through, direct)):.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the data plane's own process
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
