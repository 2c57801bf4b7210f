"""`dbt run` of the test project (tests/clients/dbt_project) on a cluster's endpoint with
dbt-redshift, beside the same project with dbt-postgres on the same engine directly (its Unix
socket: no front, no translator) and through the endpoint (which separates what the front costs
from what the adapters cost).  Each seeds once, then rebuilds every model with
`dbt run --full-refresh` several times; the median is reported.

    python benchmarks/dbt_run.py --runs 5
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from dbt.cli.main import dbtRunner

from localshift.dataplane import PostgresDataPlane

PROJECT = Path(__file__).resolve().parent.parent / "tests" / "clients" / "dbt_project"
USER, PASSWORD = "admin", "Passw0rd1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def run(dp: PostgresDataPlane, tmp: Path, runs: int) -> None:
    port = free_port()
    dp.create_engine("bench", port, USER, PASSWORD, "redshift_db")
    engine = dp._engine("bench")
    with engine.connect() as admin:
        admin.execute(f"CREATE DATABASE postgres_db OWNER {USER}")
        admin.execute(f"CREATE DATABASE postgres_front OWNER {USER}")
        admin.execute("CREATE USER dbt_reader PASSWORD 'Reader1pass'")
    common = {"user": USER, "password": PASSWORD, "schema": "analytics", "threads": 2}
    projects = {
        "dbt-redshift through the endpoint": project(tmp, "redshift", {
            **common, "type": "redshift", "host": "127.0.0.1", "port": port, "dbname": "redshift_db",
            "sslmode": "disable"}),
        "dbt-postgres on the engine directly": project(tmp, "postgres", {
            **common, "type": "postgres", "host": str(engine.socket_dir), "port": 5432, "dbname": "postgres_db"}),
        "dbt-postgres through the endpoint": project(tmp, "postgres_front", {
            **common, "type": "postgres", "host": "127.0.0.1", "port": port, "dbname": "postgres_front"}),
    }
    medians = {}
    for label, directory in projects.items():
        dbt(directory, "seed")
        times = [dbt(directory, "run", "--full-refresh") for _ in range(runs)]
        medians[label] = statistics.median(times)
        print(f"{label}: dbt run median {medians[label]:.2f} s over {runs} runs "
              f"(min {min(times):.2f}, max {max(times):.2f})")
    redshift, direct, through = medians.values()
    print(f"dbt-redshift through the endpoint / dbt-postgres directly: {redshift / direct:.2f}x; "
          f"dbt-postgres through the endpoint / directly: {through / direct:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PostgresDataPlane(Path(tmp) / "dp") as dp:
        try:
            run(dp, Path(tmp), args.runs)
        finally:
            dp.stop_all()
            shutil.rmtree(dp.engine_root, ignore_errors=True)  # engines may live outside tmp (/var/tmp)


if __name__ == "__main__":
    main()
