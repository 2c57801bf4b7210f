#!/usr/bin/env python3
"""API throughput: localshift against moto_server, on the same machine, with the same requests.

What it does:

1. starts ``localshift serve --no-data-plane --ephemeral`` and ``python -m moto.server``
   on free ports (or uses the URLs given with --localshift-url / --moto-url), and the
   ceiling: localshift's own HTTP layer answering every request with a fixed body
   (``throughput/ceiling.py``; ``--servers`` can add uvicorn with h11 or httptools);
2. on each, in one account and region, creates one cluster and --snapshots manual
   snapshots of it through the API, and waits until they are all available;
3. for each cell (server x request x concurrency) replays requests that botocore
   signed once (SigV4 headers and body captured before they are sent) over raw
   keep-alive socket connections, one client *process* per connection so the
   client's GIL is never the limit, for --warmup + --duration seconds (with --pin,
   servers on CPU 0 and clients on the other CPUs);
4. prints requests/s, p50/p99 latency, the ratio localshift/moto per cell, and localshift's
   share of the ceiling measured at the same number of connections.

Requests measured:

* ``snapshots``: DescribeClusterSnapshots with no parameters (the default page).
  localshift answers 100 snapshots and a Marker, as Redshift does; moto answers every
  snapshot in one response (it does not page).
* ``snapshots-all``: localshift only, every page of DescribeClusterSnapshots in a row,
  following the Marker (pre-signed once per page: markers are stable keyset markers).
  Reported as full listings/s and compared with moto's ``snapshots``, which is a full
  listing per request.
* ``clusters``: DescribeClusters with no parameters (one cluster).
* ``snapshot``: DescribeClusterSnapshots of one snapshot by its identifier (the middle one).
* the ceilings replay the DescribeClusters request; their answer is a fixed body of
  --ceiling-body-bytes (about DescribeClusters' answer).

Only 200 responses are counted as successes; any other status is reported as an error.

Example (the command behind docs/benchmarks.md):

    python benchmarks/api_throughput.py --duration 10 --connections 1,8 --json /tmp/api.json

This file is the command line; the work is done by the ``throughput`` package beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from throughput import CEILINGS, DEFAULT_SERVERS, FIXED, OPERATIONS, SERVERS
from throughput.load import Cell, run_cell
from throughput.populate import populate, request_plan
from throughput.report import _fmt, report
from throughput.servers import ServerProcess, _wait_http, pin_cpus, start_ceiling, start_localshift, start_moto


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
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                        help=f"which servers to measure, of {', '.join(SERVERS)}")
    parser.add_argument("--ceiling-body-bytes", type=int, default=2700,
                        help="size of the fixed body the ceiling servers answer")
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
    parser.add_argument("--pin", action="store_true",
                        help="run the servers on CPU 0 and the clients on the other CPUs (steadier figures at 8 "
                             "connections; at 1 connection every request then crosses CPUs, which is slow in VMs)")
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
    for package in ("localshift", "moto", "httptools", "uvloop", "uvicorn", "botocore"):
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
    # localshift serves HTTP with its own layer on httptools (llhttp), on uvloop where installed.
    try:
        import uvloop  # noqa: F401

        found["http_stack"] = "localshift.server.http: uvloop + httptools"
    except ImportError:
        found["http_stack"] = "localshift.server.http: asyncio + httptools"
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.pin:
        pin_cpus()
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
            elif name in CEILINGS:
                servers[name] = start_ceiling(workdir, name, CEILINGS[name], args.ceiling_body_bytes)
            elif args.moto_url:
                servers[name] = ServerProcess(name, args.moto_url.rstrip("/"))
                _wait_http(servers[name].url + "/moto-api/", None, None, timeout=30)
            else:
                servers[name] = start_moto(workdir)
        if not args.no_setup:
            log(f"creating 1 cluster and {args.snapshots} manual snapshots on each server")
            for name, server in servers.items():
                if name not in CEILINGS:
                    setup[name] = populate(server, args.snapshots, log)
        if args.hold:
            log("pids: " + ", ".join(f"{n}={s.pid}" for n, s in servers.items()) + "; press Enter to measure")
            input()
        plans = {
            (name, operation): request_plan(server, operation, args.snapshots)
            for name, server in servers.items()
            for operation in ([FIXED] if name in CEILINGS else args.operations)
            # moto answers every snapshot in one response: its 'snapshots' is the full listing
            if operation != "snapshots-all" or name == "localshift"
        }
        # Cells of one connection count run together, the ceilings first: load from other work on
        # the machine changes slowly, so the figures compared are measured close in time.
        order = sorted(servers, key=lambda name: (name not in CEILINGS, name != "localshift"))
        for n in args.connections:
            for name in order:
                server = servers[name]
                for operation in [op for (owner, op) in plans if owner == name]:
                    cell = run_cell(server, operation, n, plans[(name, operation)], args.warmup, args.duration)
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
