"""Replay signed requests from one client process per connection and summarise a cell's figures."""

from __future__ import annotations

import http.client
import math
import multiprocessing as mp
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence
from urllib.parse import urlsplit

from throughput import servers
from throughput.servers import ServerProcess, machine_busy_seconds
from throughput.signing import Wire


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


class _Connection:
    """A keep-alive HTTP/1.1 client connection that sends prepared bytes and reads answers
    with a Content-Length: a few microseconds per request, where http.client takes ~100."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.connects = 0

    def exchange(self, raw: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=300)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
            self.connects += 1
        self.sock.sendall(raw)
        data = self.buffer
        end = data.find(b"\r\n\r\n")
        while end < 0:
            data += self._receive()
            end = data.find(b"\r\n\r\n")
        head = data[:end].lower()
        status = int(head[9:12])
        start = head.find(b"\r\ncontent-length:")
        if start < 0:
            raise http.client.HTTPException("an answer without Content-Length")
        stop = head.find(b"\r\n", start + 2)
        length = int(head[start + 17:stop if stop >= 0 else len(head)])
        body_start = end + 4
        while len(data) < body_start + length:
            data += self._receive()
        body = data[body_start:body_start + length]
        self.buffer = data[body_start + length:]
        if b"\r\nconnection: close" in head:
            self.close()  # moto closes every connection after one answer
        return status, body

    def _receive(self) -> bytes:
        assert self.sock is not None
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def wire_bytes(wire: Wire, host: str, port: int) -> bytes:
    """A signed request as http.client would send it: Host (signed) and Accept-Encoding added."""
    method, path, body, headers = wire
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Accept-Encoding: identity"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _worker(host: str, port: int, plan: list[Wire], offset: int, ready: Any, go: Any, start_at: Any,
            warmup: float, duration: float, results: Any, cpus: set[int] | None) -> None:
    if cpus is not None:
        os.sched_setaffinity(0, cpus)
    cpu_before = time.process_time()
    result = WorkerResult()
    requests = [wire_bytes(wire, host, port) for wire in plan]
    conn = _Connection(host, port)
    conn.exchange(requests[offset % len(requests)])  # connected and warm before the clock starts
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
            try:
                status, data = conn.exchange(requests[step])
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
        result.connects = conn.connects
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
                  warmup, duration, results, servers.CLIENT_CPUS),
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
