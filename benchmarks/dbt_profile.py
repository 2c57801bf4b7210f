"""Where a `dbt run` of the test project spends its time, as the wire front sees it: one
traced `dbt run --full-refresh` with dbt-redshift through a cluster's endpoint and one with
dbt-postgres through the same endpoint (after a seed and an untraced warm-up run each).

The data plane runs in its own process (as in dbt_run.py) with the front's session hooks
wrapped to time, per connection and per statement: the handshake (accept, TLS, startup
packet, the engine's authentication, the first ReadyForQuery), what the front spends on each
client and engine message (framing, translation), holds for the query history, the engine's
time (a batch's first message forwarded to its ReadyForQuery back) and the client's (a
ReadyForQuery sent to the next message in).  Times are CLOCK_MONOTONIC, shared by both
processes.  The client's own time in redshift_connector's ``connect`` (and in its
``get_calling_module``) is measured in dbt's process with cProfile-free wrappers.

    python benchmarks/dbt_profile.py [--statements]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dbt_run  # noqa: E402  (the benchmark's project and data plane)

_clock = time.monotonic


def install_trace(out) -> None:
    """Wrap the front's hooks so that they write events (JSON lines) to ``out``."""
    from localshift.dataplane import wire_front
    from localshift.dataplane.redshift_sql import history, session

    def emit(*event) -> None:
        out.write(json.dumps(event) + "\n")

    client_side, engine_side, sql_session = wire_front._ClientSide, wire_front._EngineSide, session.SqlSession

    def wrap(cls, name, before=None, after=None):
        original = getattr(cls, name)

        def wrapped(self, *args):
            t0 = _clock()
            if before:
                before(self, t0, *args)
            result = original(self, *args)
            if after:
                after(self, t0, _clock(), result, *args)
            return result

        setattr(cls, name, wrapped)

    wrap(client_side, "connection_made", after=lambda s, t0, t1, r, *a: emit("accept", id(s), t0))
    wrap(client_side, "connection_lost", before=lambda s, t0, *a: emit("close", id(s), t0))
    wrap(client_side, "_startup", before=lambda s, t0, *a: emit("startup_data", id(s), t0, len(s.buf)))
    wrap(client_side, "_take_password", before=lambda s, t0, *a: emit("password_data", id(s), t0))
    wrap(client_side, "_history_written", before=lambda s, t0, *a: emit("release", id(s.session), t0))
    wrap(client_side, "_write_history", before=lambda s, t0, *a: emit("hold", id(s.session), t0))
    wrap(client_side, "attach", before=lambda s, t0, *a: emit("attach", id(s), id(s.session), t0))

    original_start_tls = client_side._start_tls

    async def start_tls(self):
        t0 = _clock()
        await original_start_tls(self)
        emit("tls", id(self), t0, _clock())

    client_side._start_tls = start_tls

    original_engine_data = engine_side.data_received

    def engine_data_received(self, data):
        handshake = self.handshake
        t0 = _clock()
        original_engine_data(self, data)
        if handshake:
            emit("engine_handshake", id(self.client), t0, _clock(), sorted({chr(b) for b in _types(data)}),
                 not self.handshake)

    engine_side.data_received = engine_data_received

    def client_message(self, t0, t1, result, typ, data, pos, length):
        text = b""
        if typ == 0x45:  # Execute: the text of its portal
            portal = data[pos + 5:data.index(b"\0", pos + 5)]
            text = self._portals.get(portal, b"")
        elif typ == 0x51:
            text = data[pos + 5:pos + length - 1]
        elif typ == 0x50:
            name_end = data.index(b"\0", pos + 5)
            text = data[name_end + 1:data.index(b"\0", name_end + 1)]
        emit("client_msg", id(self), t0, t1, chr(typ), text.decode("utf-8", "replace"),
             result is session.HOLD)

    def engine_message(self, t0, t1, result, typ, data, pos, length):
        emit("engine_msg", id(self), t0, t1, chr(typ))

    wrap(sql_session, "_client_message", after=client_message)
    wrap(sql_session, "_engine_message", after=engine_message)
    original_init = sql_session.__init__

    def session_init(self, *args):
        original_init(self, *args)
        client_feed, engine_feed = self.from_client, self.from_engine

        def from_client(data):
            t0 = _clock()
            result = client_feed(data)
            emit("from_client", id(self), t0, _clock(), len(data))
            return result

        def from_engine(data):
            t0 = _clock()
            result = engine_feed(data)
            emit("from_engine", id(self), t0, _clock(), len(data))
            return result

        self.from_client, self.from_engine = from_client, from_engine

    sql_session.__init__ = session_init
    wrap(history.QueryRecorder, "flush", after=lambda s, t0, t1, r: emit("flush", 0, t0, t1))


def _types(data: bytes):
    """Message types in a chunk of the engine's handshake (best effort: whole messages)."""
    pos = 0
    while pos + 5 <= len(data):
        yield data[pos]
        pos += int.from_bytes(data[pos + 1:pos + 5], "big") + 1


def serve(root: Path, trace: Path) -> None:
    with trace.open("w", buffering=1) as out:
        install_trace(out)
        dbt_run.serve(root)


def client_timers():
    """Time redshift_connector's connect and its get_calling_module in dbt's process."""
    import redshift_connector

    spent = defaultdict(float)
    counts = defaultdict(int)

    def timed(module, name, key):
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            t0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - t0
                spent[key + " (CPU)"] += time.thread_time() - cpu0
                counts[key] += 1
                counts[key + " (CPU)"] += 1

        setattr(module, name, wrapped)

    timed(redshift_connector, "connect", "redshift_connector.connect")
    import inspect
    timed(inspect, "stack", "inspect.stack (redshift_connector's get_calling_module)")
    return spent, counts


def analyse(events: list, label: str, wall: float, show_statements: bool, dump: Path | None = None) -> dict:
    conns: dict[int, dict] = defaultdict(lambda: {"events": []})
    session_of: dict[int, int] = {}
    flushes = []
    for event in events:
        kind = event[0]
        if kind == "flush":
            flushes.append(event[3] - event[2])
            continue
        if kind == "attach":
            session_of[event[2]] = event[1]
            conns[event[1]]["events"].append(("attach", event[3]))
            continue
        conns[event[1]]["events"].append((kind, *event[2:]))
    # Session ids -> connection ids.
    merged: dict[int, list] = defaultdict(list)
    for key, conn in conns.items():
        merged[session_of.get(key, key)].extend(conn["events"])
    totals = defaultdict(float)
    statements = []
    handshakes = []
    for cid, evs in merged.items():
        evs.sort(key=lambda e: e[1])
        accept = next((e[1] for e in evs if e[0] == "accept"), None)
        if accept is None:
            continue
        ready = next((e[2] for e in evs if e[0] == "engine_handshake" and e[-1]), None)
        tls = sum(e[2] - e[1] for e in evs if e[0] == "tls")
        startup = next((e[1] for e in evs if e[0] == "startup_data" and e[2] > 8), None)
        first_engine = next((e[1] for e in evs if e[0] == "engine_handshake"), None)
        if ready is not None:
            handshakes.append({"total": ready - accept, "tls": tls,
                               "to_startup": (startup or accept) - accept,
                               "engine": ready - (first_engine or ready)})
        # Batches: client messages until the engine's ReadyForQuery.
        last_ready, batch = ready, None
        front = hold_started = 0.0
        for e in evs:
            kind = e[0]
            if kind in ("from_client", "from_engine"):
                front += e[2] - e[1]
                totals["front " + kind] += e[2] - e[1]
            elif kind == "client_msg":
                totals["front messages in"] += e[2] - e[1]
                if batch is None:
                    batch = {"in": e[1], "gap": e[1] - last_ready if last_ready else 0.0, "texts": [],
                             "hold": 0.0, "translate": 0.0}
                if e[3] in "QPE" and e[4]:
                    batch["texts"].append(e[3] + ":" + e[4])
                if e[3] in "QP":
                    batch["translate"] += e[2] - e[1]
                batch["sent"] = e[2]
            elif kind == "hold":
                hold_started = e[1]
            elif kind == "release":
                if batch is not None:
                    batch["hold"] += e[1] - hold_started
            elif kind == "engine_msg" and e[3] == "Z" and batch is not None:
                batch["ready"] = e[1]
                statements.append(batch)
                last_ready, batch = e[2], None
    for s in statements:
        s["server"] = s["ready"] - s["in"]
        s["engine"] = s["server"] - s["hold"] - s["translate"]
    run = {
        "label": label, "wall_ms": wall * 1000, "connections": len(handshakes),
        "handshake_ms": sum(h["total"] for h in handshakes) * 1000,
        "handshake_engine_ms": sum(h["engine"] for h in handshakes) * 1000,
        "handshake_tls_ms": sum(h["tls"] for h in handshakes) * 1000,
        "batches": len(statements),
        "server_ms": sum(s["server"] for s in statements) * 1000,
        "translate_ms": sum(s["translate"] for s in statements) * 1000,
        "hold_ms": sum(s["hold"] for s in statements) * 1000,
        "holds": sum(1 for s in statements if s["hold"]),
        "front_ms": sum(totals.values()) * 1000,
        "client_gaps_ms": sum(s["gap"] for s in statements) * 1000,
        "flushes": len(flushes), "flush_ms": sum(flushes) * 1000,
    }
    run["engine_ms"] = run["server_ms"] - run["hold_ms"] - run["translate_ms"]
    if dump is not None:
        with dump.open("a") as f:
            f.write(f"=== {label}\n")
            for s in sorted(statements, key=lambda s: s["in"]):
                f.write(f"{s['in']:.4f} {s['server'] * 1000:7.2f} ms gap {s['gap'] * 1000:6.2f} "
                        f"{' | '.join(t.replace(chr(10), ' ')[:400] for t in s['texts'])}\n")
    if show_statements:
        print(f"--- {label}: statements by server time")
        for s in sorted(statements, key=lambda s: -s["server"])[:40]:
            text = " | ".join(t.replace("\n", " ")[:110] for t in s["texts"]) or "(no text)"
            print(f"{s['server'] * 1000:7.2f} ms (hold {s['hold'] * 1000:5.2f}, translate "
                  f"{s['translate'] * 1000:5.2f}) gap {s['gap'] * 1000:6.2f}  {text}")
        print(f"--- {label}: handshakes (ms): " + ", ".join(
            f"{h['total'] * 1000:.1f} (tls {h['tls'] * 1000:.1f}, engine {h['engine'] * 1000:.1f})"
            for h in handshakes))
    return run


def profile(tmp: Path, show_statements: bool, keep_trace: Path | None = None) -> None:
    trace = tmp / "trace.jsonl"
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(tmp / "dp"), "--trace", str(trace)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        address = json.loads(server.stdout.readline() or "null")
        if not address:
            raise SystemExit("the data plane did not start")
        spent, counts = client_timers()
        projects = dbt_run.projects(tmp, address["port"], address["socket_dir"])
        labels = [label for label in projects if "endpoint" in label]
        results = []
        for label in labels:
            directory = projects[label]
            dbt_run.dbt(directory, "seed")
            dbt_run.dbt(directory, "run", "--full-refresh")  # warm-up, untraced in the figures below
            spent.clear(), counts.clear()
            start = len(trace.read_text().splitlines())
            wall = dbt_run.dbt(directory, "run", "--full-refresh")
            time.sleep(0.5)  # the trace's last lines
            events = [json.loads(line) for line in trace.read_text().splitlines()[start:]]
            run = analyse(events, label, wall, show_statements, Path('/tmp/dbt_statements.txt'))
            run["client_connect_ms"] = {k: (v * 1000, counts[k]) for k, v in spent.items()}
            results.append(run)
        for run in results:
            print(json.dumps(run, indent=1))
        if keep_trace is not None:
            keep_trace.write_text(trace.read_text())
    finally:
        server.stdin.close()
        server.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", action="store_true", help="list the slowest batches and every handshake")
    ap.add_argument("--keep-trace", type=Path, help="copy the front's raw trace (JSON lines) here")
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--trace", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.trace)
        return
    with tempfile.TemporaryDirectory() as tmp:
        profile(Path(tmp), args.statements, args.keep_trace)


if __name__ == "__main__":
    main()
