#!/usr/bin/env python3
"""Where the time of one API request goes, in this process, without HTTP: the request path's
phases for DescribeClusters and DescribeClusterSnapshots, with and without a kept answer.

It builds a localshift runtime (no data plane, state in a temporary directory), creates one
cluster and --snapshots manual snapshots through the request path, then for each request
replays the same signed request (as botocore would send it) and reports microseconds per
request (the fastest of five runs): the whole path with the answer kept from the last identical
read ("kept"), the whole path computing the answer ("computed"), and each phase of a computed
answer, timed alone.
The HTTP layer's own share is the ceiling cell of api_throughput.py.

    PYTHONPATH=src python benchmarks/api_profile.py --repeat 3000
    PYTHONPATH=src python benchmarks/api_profile.py --cprofile clusters   # a cProfile listing
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput.populate import middle_snapshot  # noqa: E402
from throughput.signing import make_client, presign  # noqa: E402

REQUESTS = {
    "clusters": ("describe_clusters", {}),
    "snapshot": ("describe_cluster_snapshots", "one identifier"),
    "snapshots": ("describe_cluster_snapshots", {}),
}


def build(snapshots: int) -> tuple[Any, Any]:
    os.environ.setdefault("LOCALSHIFT_TRANSITION_DELAY", "0")
    from localshift.config import load_settings
    from localshift.server.requests import RequestPath
    from localshift.server.runtime import Runtime

    settings = load_settings({"ephemeral": True, "data_plane": False, "port": "18999",
                              "manual_snapshot_quota": str(snapshots + 10), "log_level": "warning"})
    runtime = Runtime(settings)
    return runtime, RequestPath(runtime)


def as_request(wire: tuple[str, str, bytes, dict[str, str]]) -> Any:
    from localshift.protocol.wire import Request

    method, path, body, headers = wire
    route, _, query = path.partition("?")
    return Request(method, route, query, {k.lower(): v for k, v in headers.items()}, body)


def answer(path: Any, request: Any) -> Any:
    """The request path's answer, waiting for a worker thread if the operation runs on one."""
    import asyncio

    result = path.handle(request)
    if not hasattr(result, "status"):
        result = asyncio.run(_wait(result))
    return result


async def _wait(pending: Any) -> Any:
    return await pending


def populate(path: Any, runtime: Any, snapshots: int) -> None:
    client = make_client("http://127.0.0.1:18999")
    created = answer(path, as_request(presign(client, "create_cluster", ClusterIdentifier="bench",
                                              NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin",
                                              MasterUserPassword="Passw0rd1")))
    assert created.status == 200, created.body
    while b"<ClusterStatus>available" not in answer(path, as_request(presign(client, "describe_clusters"))).body:
        time.sleep(0.02)
    for index in range(snapshots):
        made = answer(path, as_request(presign(client, "create_cluster_snapshot",
                                               SnapshotIdentifier=f"snap-{index:05d}", ClusterIdentifier="bench")))
        assert made.status == 200, made.body
    time.sleep(0.5)  # the snapshot jobs finish


def per_request_us(call: Callable[[], Any], repeat: int, batches: int = 5) -> float:
    """The fastest of ``batches`` runs of ``repeat`` calls: other work on the machine only slows a run."""
    for _ in range(min(200, repeat)):
        call()
    best = float("inf")
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - started) / repeat * 1e6)
    return best


def phases(path: Any, runtime: Any, request: Any, repeat: int) -> dict[str, float]:
    from localshift.services.context import RequestContext

    service = path.router.route(request.headers)
    protocol = service.protocol
    caller = runtime.authenticator.authenticate(request, service.signing_name)
    operation, raw_input = protocol.operation_of(service.name, request)
    arguments = protocol.parse(operation, raw_input)
    handler = service.operations[operation.name]
    backend = service.backend(runtime)
    ctx = RequestContext(caller.account, caller.region, "request-id", runtime.clock.now())
    result = handler(backend, ctx, arguments)

    def computed() -> Any:
        path.answers.get((), -1, ctx.now, "")  # a changed generation: nothing kept
        return path.handle(request)

    return {
        "kept": per_request_us(lambda: path.handle(request), repeat),
        "computed": per_request_us(computed, repeat),
        "route + signature": per_request_us(
            lambda: runtime.authenticator.authenticate(request, path.router.route(request.headers).signing_name), repeat),
        "operation + parse": per_request_us(
            lambda: protocol.parse(operation, protocol.operation_of(service.name, request)[1]), repeat),
        "handler (store + views)": per_request_us(lambda: handler(backend, ctx, arguments), repeat),
        "serialize": per_request_us(lambda: protocol.serialize(operation, result, "request-id"), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3000, help="requests per figure (a page: a twentieth)")
    parser.add_argument("--cprofile", choices=sorted(REQUESTS), help="print a cProfile listing of computed answers")
    args = parser.parse_args()
    runtime, path = build(args.snapshots)
    runtime.start()
    try:
        populate(path, runtime, args.snapshots)
        client = make_client("http://127.0.0.1:18999")
        requests = {
            name: as_request(presign(client, operation, **(
                {"SnapshotIdentifier": middle_snapshot(args.snapshots)} if params == "one identifier" else params)))
            for name, (operation, params) in REQUESTS.items()
        }
        if args.cprofile:
            request = requests[args.cprofile]
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                path.answers.get((), -1, runtime.clock.now(), "")
                path.handle(request)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            return
        names = ["kept", "computed", "route + signature", "operation + parse", "handler (store + views)", "serialize"]
        print("| request | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for name, request in requests.items():
            repeat = args.repeat // 20 if name == "snapshots" else args.repeat
            figures = phases(path, runtime, request, repeat)
            print(f"| {name} | " + " | ".join(f"{figures[n]:,.1f}" for n in names) + " |")
        print("\nmicroseconds per request, this process, no HTTP")
    finally:
        path.close()
        runtime.stop()


if __name__ == "__main__":
    main()
