"""`dbt run` of the test project (tests/clients/dbt_project) on a cluster's endpoint with
dbt-redshift, beside the same project with dbt-postgres on the same engine directly (its Unix
socket: no front, no translator) and through the endpoint (which separates what the front costs
from what the adapters cost).  Each seeds once and runs once untimed, then rebuilds every model
with `dbt run --full-refresh` several times, the three in turn each round (each round starting
with the next); the medians of the wall times, of the CPU each run took (dbt's process, the data
plane's, the engine's) and of the rounds' ratios are reported.  The data plane runs in a process
of its own, as in a service, so that the front does not share the interpreter with dbt, and dbt's
process does not load localshift.  benchmarks/dbt_profile.py shows where the time goes.

    python benchmarks/dbt_run.py --runs 7
"""

from __future__ import annotations

import argparse
import gc
import json
import os
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


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """CPU time (user + system) of process ``pid``; ``with_children``: and of its children,
    live (read one by one) and exited (the ones it waited for): an engine's postmaster and its
    backends."""
    ticks = os.sysconf("SC_CLK_TCK")

    def stat(p: int) -> list[str]:
        return Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()

    fields = stat(pid)  # fields[0] is the state: utime is [11], stime [12], cutime [13], cstime [14]
    total = int(fields[11]) + int(fields[12])
    if with_children:
        total += int(fields[13]) + int(fields[14])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = stat(int(entry.name))
                except OSError:  # gone meanwhile
                    continue
                if int(child[1]) == pid:
                    total += int(child[11]) + int(child[12])
    return total / ticks


class Usage:
    """Wall and CPU time of one dbt invocation: dbt's process (the client), the data plane's
    (the wire front, the query history's writer) and the engine's (postmaster and backends)."""

    def __init__(self, server_pid: int, engine_pid: int) -> None:
        self.server_pid, self.engine_pid = server_pid, engine_pid

    def sample(self) -> tuple[float, float, float]:
        return (time.process_time(), cpu_seconds(self.server_pid), cpu_seconds(self.engine_pid, True))

    def dbt(self, directory: Path, *args: str) -> tuple[float, tuple[float, float, float]]:
        gc.collect()  # the garbage of the run before is not this run's to collect
        before = self.sample()
        elapsed = dbt(directory, *args)
        return elapsed, tuple(b - a for a, b in zip(before, self.sample()))


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
            print(json.dumps({"port": port, "socket_dir": str(engine.socket_dir), "pid": os.getpid(),
                              "engine_pid": engine.running_pid()}), flush=True)
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
        compare(tmp, address["port"], address["socket_dir"], Usage(address["pid"], address["engine_pid"]), runs)
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


def compare(tmp: Path, port: int, socket_dir: str, usage: Usage, runs: int) -> None:
    projects_by_label = projects(tmp, port, socket_dir)
    times: dict[str, list[float]] = {label: [] for label in projects_by_label}
    cpu: dict[str, list[tuple[float, float, float]]] = {label: [] for label in projects_by_label}
    for directory in projects_by_label.values():
        dbt(directory, "seed")
    # One untimed round first: the first run after a seed also pays one-time costs (dbt's
    # caches, the translator's, the engine's catalog caches) the others do not.
    for directory in projects_by_label.values():
        dbt(directory, "run", "--full-refresh")
    # Rounds of one run each, so that the three see the same load on a shared machine; each
    # round starts with the next project, so that none always follows the same one.
    labels = list(projects_by_label)
    for round_number in range(runs):
        turn = round_number % len(labels)
        for label in labels[turn:] + labels[:turn]:
            directory = projects_by_label[label]
            elapsed, spent = usage.dbt(directory, "run", "--full-refresh")
            times[label].append(elapsed)
            cpu[label].append(spent)
    for label, taken in times.items():
        client, front, engine = (statistics.median(part) * 1000 for part in zip(*cpu[label]))
        print(f"{label}: dbt run median {statistics.median(taken):.2f} s over {runs} runs "
              f"(min {min(taken):.2f}, max {max(taken):.2f}); CPU per run (medians): dbt's process "
              f"{client:.0f} ms, data plane's process {front:.0f} ms, engine {engine:.0f} ms")
    redshift, direct, through = times.values()
    print(f"dbt-redshift through the endpoint / dbt-postgres directly: median of the rounds' ratios "
          f"{statistics.median(r / d for r, d in zip(redshift, direct)):.2f}x; "
          f"dbt-postgres through the endpoint / directly: "
          f"{statistics.median(t / d for t, d in zip(through, direct)):.2f}x")


def name_the_application() -> None:
    """A what-if, not the comparison: give redshift_connector an ``application_name`` (as
    dbt-redshift does not), so that it skips ``get_calling_module`` and its ``inspect.stack()``."""
    import redshift_connector

    connect = redshift_connector.connect

    def named(*args, **kwargs):
        return connect(*args, **{"application_name": "dbt", **kwargs})

    redshift_connector.connect = named


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--what-if-application-name", action="store_true",
                    help="what the figures would be if dbt-redshift named the application (not the comparison)")
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the data plane's own process
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.what_if_application_name:
        name_the_application()
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
