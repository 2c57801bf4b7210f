#!/usr/bin/env python3
"""API throughput: localshift against moto_server, on the same machine, with the same requests.

What it does:

1. starts ``localshift serve --no-data-plane --ephemeral`` and ``python -m moto.server``
   on free ports (or uses the URLs given with --localshift-url / --moto-url);
2. on each, in one account and region, creates one cluster and --snapshots manual
   snapshots of it through the API, and waits until they are all available;
3. for each cell (server x request x concurrency) replays requests that botocore
   signed once (SigV4 headers and body captured before they are sent) over raw
   ``http.client`` keep-alive connections, one client *process* per connection so
   the client's GIL is never the limit, for --warmup + --duration seconds;
4. prints requests/s, p50/p99 latency, and the ratio localshift/moto per cell.

Requests measured:

* ``snapshots``: DescribeClusterSnapshots with no parameters (the default page).
  localshift answers 100 snapshots and a Marker, as Redshift does; moto answers every
  snapshot in one response (it does not page).
* ``snapshots-all``: localshift only, every page of DescribeClusterSnapshots in a row,
  following the Marker (pre-signed once per page: markers are stable keyset markers).
  Reported as full listings/s and compared with moto's ``snapshots``, which is a full
  listing per request.
* ``clusters``: DescribeClusters with no parameters (one cluster).

Only 200 responses are counted as successes; any other status is reported as an error.

Example (the command behind docs/benchmarks.md):

    python benchmarks/api_throughput.py --duration 10 --connections 1,8 --json /tmp/api.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

ACCOUNT = "111111111111"
REGION = "us-east-1"
CLUSTER = "bench"
SERVERS = ("localshift", "moto")
OPERATIONS = ("snapshots", "snapshots-all", "clusters")
OPERATION_TITLES = {
    "snapshots": "DescribeClusterSnapshots (default page)",
    "snapshots-all": "DescribeClusterSnapshots, full listing via Marker",
    "clusters": "DescribeClusters",
}

# (method, path, body, headers): one HTTP request exactly as botocore would send it.
Wire = tuple[str, str, bytes, dict[str, str]]


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen | None, log_path: Path | None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
            raise RuntimeError(f"server exited with {process.returncode}: {tail}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@dataclass
class ServerProcess:
    name: str
    url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def cpu_seconds(self) -> float | None:
        """User+system CPU the server process has used so far (Linux /proc), all threads."""
        if self.pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes on the machine have used so far, all cores (Linux /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def start_localshift(workdir: Path, log_level: str) -> ServerProcess:
    port = free_port()
    env = dict(os.environ)
    env.update({
        "LOCALSHIFT_TRANSITION_DELAY": "0.01",
        "LOCALSHIFT_MANUAL_SNAPSHOT_QUOTA": "100000",
        "LOCALSHIFT_LOG_LEVEL": log_level,
    })
    log_path = workdir / "localshift.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "localshift", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--no-data-plane", "--ephemeral"],
        env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT,
    )
    server = ServerProcess("localshift", f"http://127.0.0.1:{port}", process, log_path)
    _wait_http(server.url + "/_localshift/health", process, log_path)
    return server


def start_moto(workdir: Path) -> ServerProcess:
    port = free_port()
    log_path = workdir / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=open(log_path, "ab"), stderr=subprocess.STDOUT,
    )
    server = ServerProcess("moto", f"http://127.0.0.1:{port}", process, log_path)
    _wait_http(server.url + "/moto-api/", process, log_path)
    return server


# --------------------------------------------------------------------------- signing


def make_client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client(
        "redshift", endpoint_url=url, region_name=REGION,
        aws_access_key_id=ACCOUNT, aws_secret_access_key="benchmark-secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=120),
    )


class _Captured(Exception):
    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def presign(client: Any, operation: str, **params: Any) -> Wire:
    """The request botocore would send for one call, signed, without sending it."""

    def capture(request: Any, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register_first("before-send.redshift", capture)
    try:
        getattr(client, operation)(**params)
    except _Captured as captured:
        request = captured.request
    else:  # pragma: no cover - the handler always raises
        raise RuntimeError("request was sent instead of captured")
    finally:
        client.meta.events.unregister("before-send.redshift", capture)
    split = urlsplit(request.url)
    path = split.path or "/"
    if split.query:
        path += "?" + split.query
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    headers = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in request.headers.items()}
    headers["Content-Length"] = str(len(body))
    return request.method, path, body, headers


# --------------------------------------------------------------------------- setup


def populate(server: ServerProcess, snapshots: int, log: Callable[[str], None]) -> dict[str, Any]:
    """One available cluster and `snapshots` available manual snapshots of it."""
    client = make_client(server.url)
    started = time.monotonic()
    client.create_cluster(
        ClusterIdentifier=CLUSTER, NodeType="ra3.xlplus", NumberOfNodes=2,
        MasterUsername="admin", MasterUserPassword="Passw0rd1",
    )
    client.get_waiter("cluster_available").wait(
        ClusterIdentifier=CLUSTER, WaiterConfig={"Delay": 0.1, "MaxAttempts": 1200}
    )
    cluster_seconds = time.monotonic() - started
    started = time.monotonic()
    for index in range(snapshots):
        client.create_cluster_snapshot(SnapshotIdentifier=f"snap-{index:05d}", ClusterIdentifier=CLUSTER)
    create_seconds = time.monotonic() - started
    deadline = time.monotonic() + 120
    while True:
        listing = list_all_snapshots(client)
        manual = [s for s in listing if s["SnapshotType"] == "manual"]
        ready = [s for s in manual if s["Status"] == "available"]
        if len(ready) == snapshots:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name}: only {len(ready)} of {snapshots} snapshots became available")
        time.sleep(0.2)
    info = {
        "cluster_available_s": round(cluster_seconds, 2),
        "create_snapshots_s": round(create_seconds, 2),
        "manual_snapshots": len(manual),
        "all_snapshots": len(listing),
    }
    log(f"  {server.name}: cluster in {cluster_seconds:.2f}s, {snapshots} CreateClusterSnapshot in "
        f"{create_seconds:.2f}s; lists {len(listing)} snapshots ({len(manual)} manual)")
    return info


def list_all_snapshots(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    marker = None
    while True:
        page = client.describe_cluster_snapshots(**({"Marker": marker} if marker else {}))
        found.extend(page["Snapshots"])
        marker = page.get("Marker")
        if not marker:
            return found


def request_plan(server: ServerProcess, operation: str) -> list[Wire]:
    """The sequence of signed requests one client replays in a loop for an operation."""
    client = make_client(server.url)
    if operation == "snapshots":
        return [presign(client, "describe_cluster_snapshots")]
    if operation == "clusters":
        return [presign(client, "describe_clusters")]
    if operation == "snapshots-all":
        plan = []
        marker = None
        while True:
            params = {"Marker": marker} if marker else {}
            plan.append(presign(client, "describe_cluster_snapshots", **params))
            marker = client.describe_cluster_snapshots(**params).get("Marker")
            if not marker:
                return plan
    raise ValueError(operation)


# --------------------------------------------------------------------------- load


@dataclass
class WorkerResult:
    latencies: list[float] = field(default_factory=list)  # seconds, 200 responses completed in the window
    listing_latencies: list[float] = field(default_factory=list)  # seconds, whole plan cycles in the window
    errors: dict[str, int] = field(default_factory=dict)
    body_bytes: int = 0
    connects: int = 0
    cpu_seconds: float = 0.0
    items_per_response: list[int] = field(default_factory=list)  # per plan step, from the first cycle


def _count_items(body: bytes) -> int:
    return body.count(b"<SnapshotIdentifier>") or body.count(b"<ClusterIdentifier>")


def _worker(host: str, port: int, plan: list[Wire], offset: int, ready: Any, go: Any, start_at: Any,
            warmup: float, duration: float, results: Any) -> None:
    cpu_before = time.process_time()
    result = WorkerResult()
    conn = http.client.HTTPConnection(host, port, timeout=300)
    conn.connect()
    result.connects = 1
    ready.put(os.getpid())
    go.wait()
    while time.monotonic() < start_at.value:
        time.sleep(0.0005)
    window_start = start_at.value + warmup
    window_end = window_start + duration
    steps = len(plan)
    step = offset % steps
    first_cycle = [-1] * steps
    cycle_start = None
    try:
        while True:
            t0 = time.monotonic()
            if t0 >= window_end:
                break
            method, path, body, headers = plan[step]
            if conn.sock is None:
                result.connects += 1
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                status, data = type(error).__name__, b""
            t1 = time.monotonic()
            if step == 0:
                cycle_start = t0
            if status != 200:
                key = str(status)
                result.errors[key] = result.errors.get(key, 0) + 1
            elif first_cycle[step] < 0:
                first_cycle[step] = _count_items(data)
            if status == 200 and window_start <= t1 <= window_end:
                result.latencies.append(t1 - t0)
                result.body_bytes += len(data)
                if step == steps - 1 and cycle_start is not None and cycle_start >= window_start:
                    result.listing_latencies.append(t1 - cycle_start)
            step = (step + 1) % steps
            if step == 0 and steps > 1:
                cycle_start = None
    finally:
        conn.close()
        result.cpu_seconds = time.process_time() - cpu_before
        result.items_per_response = first_cycle
        results.put(asdict(result))


def _percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    # Nearest rank: the smallest value with at least `fraction` of the values at or below it.
    rank = max(0, min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


@dataclass
class Cell:
    server: str
    operation: str
    connections: int
    duration: float
    requests: int
    requests_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    errors: dict[str, int]
    pages_per_listing: int
    listings_per_s: float | None
    listing_p50_ms: float | None
    listing_p99_ms: float | None
    items_per_response: list[int]
    bytes_per_response: float
    connects: int
    server_cpu_ms_per_request: float | None
    server_cpu_util: float | None  # fraction of one core
    client_cpu_ms_per_request: float
    client_cpu_util: float  # fraction of one core, all client processes
    other_cpu_util: float | None  # cores used by every other process on the machine during the window


def run_cell(server: ServerProcess, operation: str, connections: int, plan: list[Wire],
             warmup: float, duration: float) -> Cell:
    split = urlsplit(server.url)
    context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    start_at = context.Value("d", 0.0)
    workers = [
        context.Process(
            target=_worker,
            args=(split.hostname, split.port, plan, index * len(plan) // connections, ready, go, start_at,
                  warmup, duration, results),
            daemon=True,
        )
        for index in range(connections)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=60)
    start_at.value = time.monotonic() + 0.05
    go.set()
    time.sleep(max(0.0, start_at.value + warmup - time.monotonic()))
    cpu_before, busy_before = server.cpu_seconds(), machine_busy_seconds()
    time.sleep(max(0.0, start_at.value + warmup + duration - time.monotonic()))
    cpu_after, busy_after = server.cpu_seconds(), machine_busy_seconds()
    collected = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    latencies = sorted(l for r in collected for l in r["latencies"])
    listing = sorted(l for r in collected for l in r["listing_latencies"])
    errors: dict[str, int] = {}
    for r in collected:
        for key, count in r["errors"].items():
            errors[key] = errors.get(key, 0) + count
    items = max((r["items_per_response"] for r in collected), key=lambda v: sum(x >= 0 for x in v))
    requests = len(latencies)
    client_cpu = sum(r["cpu_seconds"] for r in collected)
    server_cpu = (cpu_after - cpu_before) if cpu_before is not None and cpu_after is not None else None
    # The clients' CPU covers warm-up and window alike: take the window's share.
    client_in_window = client_cpu * duration / (warmup + duration)
    other_cpu = None
    if server_cpu is not None and busy_before is not None and busy_after is not None:
        # Everything else the machine ran meanwhile: other processes (tests, builds) competing for the cores.
        other_cpu = max(0.0, (busy_after - busy_before) - server_cpu - client_in_window) / duration
    pages = len(plan)

    def ms(value: float | None) -> float | None:
        return None if value is None else value * 1000

    return Cell(
        server=server.name, operation=operation, connections=connections, duration=duration,
        requests=requests, requests_per_s=requests / duration,
        p50_ms=ms(_percentile(latencies, 0.50)), p99_ms=ms(_percentile(latencies, 0.99)),
        errors=errors, pages_per_listing=pages,
        listings_per_s=(requests / pages / duration) if pages > 1 else None,
        listing_p50_ms=ms(_percentile(listing, 0.50)) if pages > 1 else None,
        listing_p99_ms=ms(_percentile(listing, 0.99)) if pages > 1 else None,
        items_per_response=items,
        bytes_per_response=(sum(r["body_bytes"] for r in collected) / requests) if requests else 0.0,
        connects=sum(r["connects"] for r in collected),
        server_cpu_ms_per_request=(server_cpu * 1000 / requests) if server_cpu is not None and requests else None,
        server_cpu_util=(server_cpu / duration) if server_cpu is not None else None,
        client_cpu_ms_per_request=(client_in_window * 1000 / requests) if requests else 0.0,
        client_cpu_util=client_cpu / (warmup + duration),
        other_cpu_util=other_cpu,
    )


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) if rows else len(header[i])
              for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def report(cells: list[Cell]) -> str:
    by_key = {(c.server, c.operation, c.connections): c for c in cells}
    connections = sorted({c.connections for c in cells})
    out = []

    rows = []
    for operation in OPERATIONS:
        for n in connections:
            ls = by_key.get(("localshift", operation, n))
            moto = by_key.get(("moto", "snapshots" if operation == "snapshots-all" else operation, n))
            if ls is None and moto is None:
                continue
            if operation == "snapshots-all":
                ls_rate = ls.listings_per_s if ls else None
                ls_p50, ls_p99 = (ls.listing_p50_ms, ls.listing_p99_ms) if ls else (None, None)
                unit = "listings/s"
            else:
                ls_rate = ls.requests_per_s if ls else None
                ls_p50, ls_p99 = (ls.p50_ms, ls.p99_ms) if ls else (None, None)
                unit = "req/s"
            moto_rate = moto.requests_per_s if moto else None
            ratio = (ls_rate / moto_rate) if ls_rate and moto_rate else None
            rows.append([
                OPERATION_TITLES[operation], str(n), unit,
                _fmt(ls_rate), _fmt(ls_p50, 2), _fmt(ls_p99, 2),
                _fmt(moto_rate), _fmt(moto.p50_ms if moto else None, 2), _fmt(moto.p99_ms if moto else None, 2),
                f"{ratio:.1f}x" if ratio else "-",
            ])
    out.append(_table(
        ["request", "conns", "unit", "localshift", "p50 ms", "p99 ms", "moto", "p50 ms", "p99 ms",
         "localshift/moto"],
        rows,
    ))
    out.append("")
    detail = []
    for c in cells:
        items = [i for i in c.items_per_response if i >= 0]
        detail.append([
            c.server, c.operation, str(c.connections), str(c.requests), _fmt(c.requests_per_s),
            str(sum(items)) if c.pages_per_listing > 1 else (str(items[0]) if items else "-"),
            _fmt(c.bytes_per_response / 1024, 1), str(c.connects),
            ",".join(f"{k}:{v}" for k, v in c.errors.items()) or "0",
            _fmt(c.server_cpu_ms_per_request, 2),
            f"{c.server_cpu_util * 100:.0f}%" if c.server_cpu_util is not None else "-",
            _fmt(c.client_cpu_ms_per_request, 2), f"{c.client_cpu_util * 100:.0f}%",
            f"{c.other_cpu_util * 100:.0f}%" if c.other_cpu_util is not None else "-",
        ])
    out.append(_table(
        ["server", "request", "conns", "requests", "req/s", "items", "KiB/resp", "connects", "errors",
         "server CPU ms/req", "server CPU", "client CPU ms/req", "client CPU", "other CPU"],
        detail,
    ))
    out.append("")
    out.append("other CPU: machine-wide busy time less the server's and the clients' own, in % of one core "
               "(other processes, and kernel work not charged to a process such as loopback TCP).")
    busy = [c for c in cells if c.other_cpu_util is not None and c.other_cpu_util > 0.5]
    if busy:
        out.append(f"warning: 'other CPU' exceeded half a core during {len(busy)} of {len(cells)} cells: something "
                   "else was competing for the cores, and those figures are lower than on a quiet machine.")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests/s and latency of DescribeClusterSnapshots and DescribeClusters: "
                    "localshift against moto_server, on this machine.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each cell")
    parser.add_argument("--snapshots", type=int, default=1000, help="manual snapshots to create on each server")
    parser.add_argument("--connections", default="1,8",
                        help="comma-separated concurrent connections per cell (one client process each)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="which servers to measure")
    parser.add_argument("--operations", default=",".join(OPERATIONS),
                        help="which requests to measure (snapshots-all is localshift only)")
    parser.add_argument("--localshift-url", help="use this running localshift instead of starting one "
                                                 "(its server CPU is then not measured)")
    parser.add_argument("--moto-url", help="use this running moto_server instead of starting one")
    parser.add_argument("--no-setup", action="store_true",
                        help="do not create the cluster and snapshots (for servers given by URL that a "
                             "previous run populated)")
    parser.add_argument("--localshift-log-level", default="warning",
                        help="LOCALSHIFT_LOG_LEVEL of the started server (info logs one line per request)")
    parser.add_argument("--hold", action="store_true",
                        help="after setup, print the servers' pids and wait for Enter before measuring "
                             "(to attach py-spy)")
    parser.add_argument("--json", dest="json_path", help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    args.connections = [int(n) for n in str(args.connections).split(",") if n.strip()]
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    args.operations = [o.strip() for o in args.operations.split(",") if o.strip()]
    for name in args.servers:
        if name not in SERVERS:
            parser.error(f"unknown server {name}; choose from {', '.join(SERVERS)}")
    for name in args.operations:
        if name not in OPERATIONS:
            parser.error(f"unknown operation {name}; choose from {', '.join(OPERATIONS)}")
    return args


def versions() -> dict[str, str]:
    """What was measured: package versions, and the localshift checkout's commit when it is one."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for package in ("localshift", "moto", "uvicorn", "botocore"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        if commit:
            found["localshift_commit"] = commit + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401

        found["uvicorn_stack"] = "uvloop + httptools"
    except ImportError:
        found["uvicorn_stack"] = "asyncio + h11"
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="localshift-bench-"))
    servers: dict[str, ServerProcess] = {}
    cells: list[Cell] = []
    setup: dict[str, Any] = {}
    began = time.monotonic()
    try:
        log(f"starting servers (logs in {workdir})")
        for name in args.servers:
            if name == "localshift":
                if args.localshift_url:
                    servers[name] = ServerProcess(name, args.localshift_url.rstrip("/"))
                    _wait_http(servers[name].url + "/_localshift/health", None, None, timeout=30)
                else:
                    servers[name] = start_localshift(workdir, args.localshift_log_level)
            elif args.moto_url:
                servers[name] = ServerProcess(name, args.moto_url.rstrip("/"))
                _wait_http(servers[name].url + "/moto-api/", None, None, timeout=30)
            else:
                servers[name] = start_moto(workdir)
        if not args.no_setup:
            log(f"creating 1 cluster and {args.snapshots} manual snapshots on each server")
            for name, server in servers.items():
                setup[name] = populate(server, args.snapshots, log)
        if args.hold:
            log("pids: " + ", ".join(f"{n}={s.pid}" for n, s in servers.items()) + "; press Enter to measure")
            input()
        for name, server in servers.items():
            for operation in args.operations:
                if operation == "snapshots-all" and name != "localshift":
                    continue  # moto answers every snapshot in one response: its 'snapshots' is the full listing
                plan = request_plan(server, operation)
                for n in args.connections:
                    cell = run_cell(server, operation, n, plan, args.warmup, args.duration)
                    cells.append(cell)
                    errors = f", errors {cell.errors}" if cell.errors else ""
                    log(f"  {name:10} {operation:13} x{n}: {cell.requests_per_s:9.1f} req/s, "
                        f"p50 {_fmt(cell.p50_ms, 2)} ms, p99 {_fmt(cell.p99_ms, 2)} ms{errors}")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; {args.duration:g}s per cell after {args.warmup:g}s warm-up; "
          f"total {time.monotonic() - began:.0f}s")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    print(report(cells))
    failed = sum(sum(c.errors.values()) for c in cells)
    if args.json_path:
        payload = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "args": {k: v for k, v in vars(args).items()},
            "versions": versions(),
            "setup": setup,
            "cells": [asdict(c) for c in cells],
        }
        Path(args.json_path).write_text(json.dumps(payload, indent=2))
    if failed:
        print(f"\n{failed} requests did not answer 200", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
