"""Where the time of a `dbt run` of the test project goes, as the wire front sees it: traced
`dbt run --full-refresh` runs with dbt-redshift through a cluster's endpoint and with
dbt-postgres through the same endpoint, each after a seed and an untraced warm-up run; the
medians of each figure are shown, with --statements the last run's slowest batches, and with
--by-text every traced run's batches grouped by their statements' text (dbt's leading comment
left out, names and literals kept): how many per run and what they took.

The data plane runs in its own process (as in dbt_run.py) with the front's hooks wrapped to
time, per connection: the handshake (accept, TLS, the startup packet, the engine's
authentication, the first ReadyForQuery), each batch of statements (its first message in to
the engine's ReadyForQuery out; what the front spends translating; holds for the query
history) and the client's time between batches.  Times are CLOCK_MONOTONIC, which both
processes share.  In dbt's process, redshift_connector's ``connect`` and the
``inspect.stack()`` of its ``get_calling_module`` are timed (wall and CPU); dbt's, the data
plane's and the engine's CPU come from /proc (dbt_run.Usage).

    python benchmarks/dbt_profile.py [--runs 3] [--statements] [--by-text N] [--keep-trace FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dbt_run  # noqa: E402  (the benchmark's projects, data plane and CPU accounting)

_clock = time.monotonic


def install_trace(out) -> None:
    """Wrap the front's hooks so that they write events (JSON lines: kind, connection, times...)
    to ``out``.  Connections are numbered as they are accepted."""
    from localshift.dataplane import wire_front
    from localshift.dataplane.redshift_sql import history, session

    def emit(*event) -> None:
        out.write(json.dumps(event) + "\n")

    serials = itertools.count(1)
    # The front's two protocol classes, as named before and after wire_front.py's splits (ClientSide is
    # front_client.py's now; wire_front imports it).
    client_side = getattr(wire_front, "ClientSide", None) or wire_front._ClientSide
    try:
        from localshift.dataplane.front_engine import EngineSide as engine_side
    except ImportError:
        engine_side = wire_front._EngineSide

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

    def accepted(conn, t0, *_):
        conn.trace_id = next(serials)
        emit("accept", conn.trace_id, t0)

    def attached(conn, t0, *_):
        conn.session.trace_id = conn.trace_id
        emit("attach", conn.trace_id, t0)

    wrap(client_side, "connection_made", before=accepted)
    wrap(client_side, "connection_lost", before=lambda c, t0, *a: emit("close", c.trace_id, t0))
    wrap(client_side, "attach", before=attached)

    # The TLS handshake: a method of the client side before front_tls.py took it out.
    try:
        from localshift.dataplane import front_tls
        tls_owner, tls_name = front_tls, "_handshake"
    except ImportError:
        tls_owner, tls_name = client_side, "_start_tls"
    start_tls = getattr(tls_owner, tls_name)

    async def timed_start_tls(client, *args):
        t0 = _clock()
        await start_tls(client, *args)
        emit("tls", client.trace_id, t0, _clock())

    setattr(tls_owner, tls_name, timed_start_tls)

    engine_data = engine_side.data_received

    def timed_engine_data(self, data):
        handshake, t0 = self.handshake, _clock()
        engine_data(self, data)
        if handshake:
            emit("engine_handshake", self.client.trace_id, t0, _clock(), not self.handshake)

    engine_side.data_received = timed_engine_data

    def client_message(s, t0, t1, result, typ, data, pos, length):
        text = b""
        if typ == 0x45:  # Execute: its portal's text
            text = s._portals.get(data[pos + 5:data.index(b"\0", pos + 5)], b"")
            if isinstance(text, tuple):  # (text, result shape) since SUPER values are rewritten
                text = text[0]
        elif typ == 0x51:
            text = data[pos + 5:pos + length - 1]
        elif typ == 0x50:
            name_end = data.index(b"\0", pos + 5)
            text = data[name_end + 1:data.index(b"\0", name_end + 1)]
        emit("client_msg", s.trace_id, t0, t1, chr(typ), text.decode("utf-8", "replace"))
        if result is session.HOLD:  # until the query history is written
            emit("hold", s.trace_id, t1)

    def timed_release(s, *_):
        release = s.release

        def released():
            emit("release", s.trace_id, _clock())
            return release()

        s.release = released

    wrap(session.SqlSession, "__init__", after=timed_release)
    wrap(session.SqlSession, "_client_message", after=client_message)
    wrap(session.SqlSession, "_engine_message",
         after=lambda s, t0, t1, result, typ, *a: emit("engine_msg", s.trace_id, t0, t1, chr(typ)))
    wrap(history.QueryRecorder, "flush", after=lambda r, t0, t1, result, *a: emit("flush", 0, t0, t1))


def serve(root: Path, trace: Path) -> None:
    with trace.open("w", buffering=1) as out:
        install_trace(out)
        dbt_run.serve(root)


class ClientTimers:
    """Wall and CPU time in redshift_connector's connect, and in the inspect.stack() its
    get_calling_module calls, in dbt's process."""

    def __init__(self) -> None:
        import inspect

        import redshift_connector

        self.spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        self.keys: list[str] = []
        self._wrap(redshift_connector, "connect", "redshift_connector.connect")
        self._wrap(inspect, "stack", "of which inspect.stack", "redshift_connector")

    def _wrap(self, module, name: str, key: str, caller: str = "") -> None:
        """Time ``module.name`` (when called from a file whose path holds ``caller``)."""
        original = getattr(module, name)
        spent = self.spent
        self.keys.append(key)

        def wrapped(*args, **kwargs):
            if caller not in sys._getframe(1).f_code.co_filename:
                return original(*args, **kwargs)
            t0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                entry = spent[key]
                entry[0] += time.perf_counter() - t0
                entry[1] += time.thread_time() - cpu0
                entry[2] += 1

        setattr(module, name, wrapped)


def _union(intervals: list[tuple[float, float]]) -> float:
    """The length of time covered by at least one interval."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def analyse(events: list, started: float, wall: float) -> tuple[dict, list, list]:
    """A run's figures (ms), its batches and its handshakes, from the front's events."""
    by_conn: dict[int, list] = defaultdict(list)
    flushes = []
    for kind, conn, *times in events:
        (flushes if kind == "flush" else by_conn[conn]).append((kind, *times))
    batches, handshakes, front = [], [], 0.0
    for evs in by_conn.values():
        accept = next((e[1] for e in evs if e[0] == "accept"), None)
        ready = next((e[2] for e in evs if e[0] == "engine_handshake" and e[3]), None)
        if accept is None or ready is None or accept < started:
            continue
        attach = next(e[1] for e in evs if e[0] == "attach")
        challenge = next(e[1] for e in evs if e[0] == "engine_handshake")
        handshakes.append({"start": accept, "end": ready, "tls": sum(e[2] - e[1] for e in evs if e[0] == "tls"),
                           "engine": ready - attach, "challenge": challenge - attach})
        last_ready, batch, hold_started = ready, None, 0.0
        for e in evs:
            kind = e[0]
            if kind == "client_msg":
                front += e[2] - e[1]
                if batch is None:
                    batch = {"start": e[1], "gap": e[1] - last_ready, "texts": [], "hold": 0.0,
                             "translate": 0.0}
                if e[3] in "QPE" and e[4]:
                    batch["texts"].append(f"{e[3]}: {e[4]}")
                if e[3] in "QP":
                    batch["translate"] += e[2] - e[1]
            elif kind == "engine_msg":
                front += e[2] - e[1]
                if e[3] == "Z" and batch is not None:
                    batch["end"] = e[2]
                    batches.append(batch)
                    last_ready, batch = e[2], None
            elif kind == "hold":
                hold_started = e[1]
            elif kind == "release" and batch is not None:
                batch["hold"] += e[1] - hold_started
    in_server = _union([(b["start"], b["end"]) for b in batches] + [(h["start"], h["end"]) for h in handshakes])
    ms = 1000
    figures = {
        "wall": wall * ms,
        "connections": len(handshakes),
        "handshakes (sum)": sum(h["end"] - h["start"] for h in handshakes) * ms,
        "handshakes: startup forwarded to ReadyForQuery (sum)": sum(h["engine"] for h in handshakes) * ms,
        "handshakes: TLS (sum)": sum(h["tls"] for h in handshakes) * ms,
        "handshakes: startup forwarded to the engine's password request (sum)":
            sum(h["challenge"] for h in handshakes) * ms,
        "handshakes: the request to ReadyForQuery (client's answer, authentication; sum)":
            sum(h["engine"] - h["challenge"] for h in handshakes) * ms,
        "batches": len(batches),
        "batches in the server (sum)": sum(b["end"] - b["start"] for b in batches) * ms,
        "front: framing and translating, on its loop (sum)": front * ms,
        "front: translating (sum)": sum(b["translate"] for b in batches) * ms,
        "holds for the query history": sum(1 for b in batches if b["hold"]),
        "held (sum)": sum(b["hold"] for b in batches) * ms,
        "wall with a handshake or a batch in the server": in_server * ms,
        "wall with none (client only)": (wall - in_server) * ms,
        "query history flushes": len(flushes),
        "query history flushing (sum, its own thread)": sum(f[2] - f[1] for f in flushes) * ms,
    }
    return figures, batches, handshakes


_DBT_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SPACES = re.compile(r"\s+")


def statement_key(batch: dict) -> str:
    """A batch's statements as one line: message kinds and texts, comments left out, spaces
    collapsed (dbt puts the node's name in a leading comment: the same statement of another
    model differs in its names anyway)."""
    texts = [kind_text[:3] + _SPACES.sub(" ", _DBT_COMMENT.sub("", kind_text[3:])).strip()
             for kind_text in batch["texts"]]
    return " | ".join(texts) or "(no text: Close, Sync...)"


def by_text(batches: list[dict], repeat: int, top: int) -> None:
    """The ``top`` texts by total time in the server, per run."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for batch in batches:
        grouped[statement_key(batch)].append(batch["end"] - batch["start"])
    total = sum(map(sum, grouped.values()))
    print(f"per run: {len(batches) / repeat:.0f} batches, {total * 1000 / repeat:.1f} ms in the server")
    print("| ms per run | batches per run | median ms | statements |")
    print("|---|---|---|---|")
    for key, spent in sorted(grouped.items(), key=lambda item: -sum(item[1]))[:top]:
        print(f"| {sum(spent) * 1000 / repeat:.1f} | {len(spent) / repeat:g} | {statistics.median(spent) * 1000:.2f} "
              f"| {key[:150]} |")


def profile(tmp: Path, repeat: int, show_statements: bool, keep_trace: Path | None, top_texts: int = 0) -> None:
    trace = tmp / "trace.jsonl"
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(tmp / "dp"), "--trace", str(trace)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        address = json.loads(server.stdout.readline() or "null")
        if not address:
            raise SystemExit("the data plane did not start")
        timers = ClientTimers()
        usage = dbt_run.Usage(address["pid"], address["engine_pid"])
        projects = dbt_run.projects(tmp, address["port"], address["socket_dir"])
        columns = {}
        for label in ("dbt-redshift through the endpoint", "dbt-postgres through the endpoint"):
            directory = projects[label]
            dbt_run.dbt(directory, "seed")
            dbt_run.dbt(directory, "run", "--full-refresh")  # warm-up
            time.sleep(0.5)  # the history's last flush
            runs, every_batch = [], []
            for _ in range(repeat):
                timers.spent.clear()
                started = _clock()
                wall, (client_cpu, data_plane_cpu, engine_cpu) = usage.dbt(directory, "run", "--full-refresh")
                time.sleep(0.5)  # the history's last flush, the trace's last lines
                events = [json.loads(line) for line in trace.read_text().splitlines()]
                figures, batches, handshakes = analyse([e for e in events if e[2] >= started], started, wall)
                figures["CPU: dbt's process"] = client_cpu * 1000
                for key in timers.keys:
                    spent, cpu, calls = timers.spent[key]
                    figures[f"{key}: calls"] = calls
                    figures[f"{key}: wall (sum)"] = spent * 1000
                    figures[f"{key}: CPU (sum)"] = cpu * 1000
                figures["CPU: data plane's process (front, history)"] = data_plane_cpu * 1000
                figures["CPU: engine"] = engine_cpu * 1000
                runs.append(figures)
                every_batch.extend(batches)
            keys = dict.fromkeys(key for run in runs for key in run)
            columns[label] = {key: statistics.median(run.get(key, 0) for run in runs) for key in keys}
            if top_texts:
                print(f"--- {label}: batches grouped by text, over {repeat} runs")
                by_text(every_batch, repeat, top_texts)
            if show_statements:
                print(f"--- {label}: batches by time in the server")
                for b in sorted(batches, key=lambda b: b["start"] - b["end"])[:30]:
                    text = " | ".join(t.replace("\n", " ")[:100] for t in b["texts"]) or "(no text)"
                    print(f"{(b['end'] - b['start']) * 1000:7.2f} ms (held {b['hold'] * 1000:.2f}, translating "
                          f"{b['translate'] * 1000:.2f}), client before it {b['gap'] * 1000:6.2f} ms  {text}")
                print(f"--- {label}: handshakes, ms (from the startup forwarded): " + ", ".join(
                    f"{(h['end'] - h['start']) * 1000:.1f} ({h['engine'] * 1000:.1f})" for h in handshakes))
        if keep_trace is not None:
            keep_trace.write_text(trace.read_text())
    finally:
        server.stdin.close()
        server.wait()
    labels = list(columns)
    print(f"| per run, ms (median of {repeat}) | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for key in dict.fromkeys(k for figures in columns.values() for k in figures):
        print(f"| {key} | " + " | ".join(f"{columns[label].get(key, 0):.0f}" for label in labels) + " |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="traced runs per project (their medians are shown)")
    ap.add_argument("--statements", action="store_true", help="list the slowest batches and every handshake")
    ap.add_argument("--by-text", type=int, default=0, metavar="N",
                    help="the N statement texts that took the most time in the server, over all traced runs")
    ap.add_argument("--keep-trace", type=Path, help="copy the front's raw trace (JSON lines) here")
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--trace", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.trace)
        return
    with tempfile.TemporaryDirectory() as tmp:
        profile(Path(tmp), args.runs, args.statements, args.keep_trace, args.by_text)


if __name__ == "__main__":
    main()
