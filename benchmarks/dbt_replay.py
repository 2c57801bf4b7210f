"""dbt's statements without dbt: what the server costs the client of a `dbt run`, and the floor the
client sets.

The statements of one `dbt run --full-refresh` of the test project are captured at the wire front
(dbt_profile.py's trace): dbt-redshift's, connection by connection, and dbt-postgres's.  Then they
are replayed one connection after another, in one thread, with the adapters' own drivers, several
rounds with the targets taking turns:

* redshift_connector through the cluster's endpoint: dbt-redshift's texts, as dbt sends them;
* redshift_connector on the engine's Unix socket, the same database: the texts as the front
  translates them (no front: its two socket hops, its framing, translation and the query history
  left out);
* the same, every statement on one connection: what is left once each backend has compiled the
  catalog's trigger functions and filled its caches (a new backend does both again);
* redshift_connector on the engine's socket, a database made from ``template0`` (plain
  PostgreSQL: none of localshift's catalog, event triggers or statement triggers): the translated
  texts, the database's name in them replaced.  This is the floor redshift_connector sets: the
  same statements, the same client, a server doing no more than PostgreSQL does;
* psycopg2 (dbt-postgres's driver) on the engine's socket, the database dbt-postgres ran in (a copy
  of ``template1``: localshift's catalog and triggers, as ``dbt_run.py``'s dbt-postgres databases
  have): dbt-postgres's texts;
* psycopg2 on the plain database: dbt-postgres's texts, its floor.

Each replay connects as dbt does (autocommit, then each statement with ``cursor.execute`` and its
rows fetched), so redshift_connector sends the same messages as under dbt: Parse/Describe/Sync,
Bind/Execute/Sync, and a Close/Sync after DDL.  Its ``connect`` is given no ``application_name``,
as dbt-redshift gives none; the replay's stack is shallow, so its ``inspect.stack()`` costs far
less than under dbt.  The engine reports ``15.x (Debian ...)`` as its version, which
redshift_connector cannot parse: the replay parses the number only (the front sends Redshift's);
and the engine refuses redshift_connector's own startup parameters, which the replay leaves out
on the engine's socket, as the front does.

Reported per target: the medians of a replay's wall time, its connects, the client's CPU
(``process_time``: the driver's Python), the data plane's and the engine's CPU, and statements
that failed (the plain database lacks localshift's functions for a few).

    python benchmarks/dbt_replay.py --rounds 7
"""

from __future__ import annotations

import argparse
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

import dbt_profile  # noqa: E402  (the traced data plane)
import dbt_run  # noqa: E402  (the projects, CPU accounting)
from dbt.cli.main import dbtRunner  # noqa: E402

PLAIN = "plain_db"
FAILURES: list | None = None  # --failures: what failed in the warm-up replays
STATEMENT_TIMES: list[float] = []  # each statement's time in the last replay, in order


def captured(lines: list[str], since: float) -> dict[str, list[list[str]]]:
    """The statements each connection accepted after ``since`` ran, in order of acceptance, split
    by driver: redshift_connector's are Executes of prepared statements, psycopg2's Queries."""
    by_conn: dict[int, list[tuple[str, str]]] = defaultdict(list)
    accepted: dict[int, float] = {}
    for line in lines:
        kind, conn, t0, *rest = json.loads(line)
        if kind == "accept":
            accepted[conn] = t0
        elif kind == "client_msg" and rest[1] in "QE" and conn in accepted and accepted[conn] >= since:
            by_conn[conn].append((rest[1], rest[2]))
    split: dict[str, list[list[str]]] = {"E": [], "Q": []}
    for conn in sorted(by_conn, key=accepted.__getitem__):
        kinds = {kind for kind, _ in by_conn[conn]}
        split["E" if "E" in kinds else "Q"].append([text for _, text in by_conn[conn]])
    return split


def translated(connections: list[list[str]]) -> list[list[str]]:
    from localshift.dataplane.redshift_sql.translator import translate

    def one(text: str) -> str:
        result = translate(text)
        return text if result is None else result.sql

    return [[one(text) for text in statements] for statements in connections]


# What a translated statement asks of localshift's catalog and functions, as plain PostgreSQL's
# built-ins of the same work; and the test project's primary key that repeats (Redshift does not
# enforce it; localshift lets the duplicates in), left out.
_PLAIN_REWRITES = (
    # An ALTER, DROP or GRANT a superuser may run as the owner (owner_reach.py): the statement itself.
    (re.compile(r"\ADO \$localshift_owner\$.*?PERFORM localshift\.run_as_owner\(\$localshift_statement\$"
                r"(.*)\$localshift_statement\$, (?:true|false)\);.*\$localshift_owner\$\s*\Z", re.S), r"\1"),
    (re.compile(r"localshift\.redshift_pg_(\w+)"), r"pg_catalog.pg_\1"),
    (re.compile(r"localshift\.sum\("), "sum("),
    (re.compile(r"date_add\('(\w+)', (\d+), (\w+)\)"), r"(\3 + interval '\2 \1')"),
    (re.compile(r",\s*primary key \(customer_id\)"), ""),
    (re.compile(r"\bgetdate\(\)"), "now()"),
    # The late-binding view depends on nothing in Redshift; on PostgreSQL the DROP ... CASCADE of the
    # table it reads (renamed to __dbt_backup) takes it along before dbt renames it.
    (re.compile(r'alter table ("[^"]*"\."[^"]*"\."customer_totals_late") rename'), r"alter table if exists \1 rename"),
)
# A late-binding view, as the translator hands it to the engine's event trigger: a marker naming it
# and its query.  On plain PostgreSQL, a view of that query.
_LATE_BINDING = re.compile(r"AS SELECT /\*localshift:late_binding(\{.*\})\*/\s*\Z", re.S)


def _late_binding_view(text: str) -> str:
    marker = _LATE_BINDING.search(text)
    if marker is None:
        return text
    view = json.loads(marker.group(1))
    return f'create view "{view["schema"]}"."{view["name"]}" as {view["query"]}'


def plain(connections: list[list[str]], database: str) -> list[list[str]]:
    """``connections``' texts for the plain database (named ``PLAIN`` instead of ``database``)."""
    def one(text: str) -> str:
        text = _late_binding_view(text).replace(database, PLAIN)
        for pattern, replacement in _PLAIN_REWRITES:
            text = pattern.sub(replacement, text)
        return text

    return [[one(text) for text in statements] for statements in connections]


def engine_version_readable() -> None:
    """redshift_connector parses ``server_version`` with packaging's ``version.parse``, which refuses
    ``15.18 (Debian 15.18-0+deb12u1)``: keep the number (the front sends Redshift's 8.0.2)."""
    from redshift_connector import core

    parse = core.version.parse

    class Version:
        @staticmethod
        def parse(text: str):
            return parse(text.split(" ")[0])

    core.version = Version


def startup_filtered() -> None:
    """On a Unix socket (the engine's own), send redshift_connector's startup packet as the front
    does: without ``client_protocol_version``, ``driver_version`` and the like, which PostgreSQL
    refuses (wire_messages.rewrite_startup).  Its other messages go out unchanged."""
    import socket
    import types

    from redshift_connector import core

    from localshift.dataplane.wire_messages import rewrite_startup

    class StartupFiltered:
        def __init__(self, raw) -> None:
            self.raw, self.pending = raw, bytearray()
            self.read, self.flush = raw.read, raw.flush

        def write(self, data) -> None:
            if self.pending is None:
                self.raw.write(data)
                return
            self.pending += data
            if len(self.pending) >= 4 and len(self.pending) >= int.from_bytes(self.pending[:4], "big"):
                packet, self.pending = bytes(self.pending), None
                self.raw.write(rewrite_startup(packet))

        def __getattr__(self, name: str):
            return getattr(self.raw, name)

    class Socket(socket.socket):
        def makefile(self, *args, **kwargs):
            raw = super().makefile(*args, **kwargs)
            return StartupFiltered(raw) if self.family == socket.AF_UNIX else raw

    shim = types.ModuleType("socket")
    shim.__dict__.update(vars(socket))
    shim.socket = Socket
    core.socket = shim


def replay_redshift(connections: list[list[str]], **connect) -> tuple[float, int]:
    """Run each connection's statements as dbt-redshift does: (seconds connecting, failures)."""
    import redshift_connector

    return replay(redshift_connector, connections, **connect)


def replay_postgres(connections: list[list[str]], **connect) -> tuple[float, int]:
    """Run each connection's statements as dbt-postgres does (psycopg2): (seconds connecting, failures)."""
    import psycopg2

    return replay(psycopg2, connections, **connect)


def replay(driver, connections: list[list[str]], **connect) -> tuple[float, int]:
    """Run each connection's statements with ``driver`` (a DB-API module), in autocommit (dbt sends its
    own BEGIN and COMMIT): (seconds connecting, failures); each statement's time in STATEMENT_TIMES."""
    connecting, failures = 0.0, 0
    for statements in connections:
        t0 = time.perf_counter()
        conn = driver.connect(**connect)
        conn.autocommit = True
        connecting += time.perf_counter() - t0
        cursor = conn.cursor()
        for text in statements:
            started = time.perf_counter()
            try:
                cursor.execute(text)
                if cursor.description:
                    cursor.fetchall()
            except driver.Error as e:
                failures += 1
                if FAILURES is not None:
                    FAILURES.append((text, str(e)))
                conn.rollback()
            STATEMENT_TIMES.append(time.perf_counter() - started)
        conn.close()
    return connecting, failures


def capture(tmp: Path, trace: Path, address: dict) -> dict[str, list[list[str]]]:
    """One dbt-redshift and one dbt-postgres run (through the endpoint) captured, after a seed and
    a warm-up run each."""
    projects = dbt_run.projects(tmp, address["port"], address["socket_dir"])
    statements: dict[str, list[list[str]]] = {}
    for label, kind in (("dbt-redshift through the endpoint", "E"), ("dbt-postgres through the endpoint", "Q")):
        directory = projects[label]
        dbt_run.dbt(directory, "seed")
        dbt_run.dbt(directory, "run", "--full-refresh")
        time.sleep(0.3)
        since = time.monotonic()
        dbt_run.dbt(directory, "run", "--full-refresh")
        time.sleep(0.5)  # the trace's last lines
        statements[kind] = captured(trace.read_text().splitlines(), since)[kind]
    return statements


def plain_database(tmp: Path, address: dict) -> None:
    """A database from template0, its seeds and models made by dbt-postgres on the engine directly
    (the model whose primary key repeats, and the late-binding view if dbt-postgres did not make it,
    made by hand: PostgreSQL enforces the key)."""
    import psycopg2

    conn = psycopg2.connect(host=address["socket_dir"], dbname="postgres_db", user=dbt_run.USER,
                            password=dbt_run.PASSWORD)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE DATABASE {PLAIN} TEMPLATE template0 OWNER {dbt_run.USER}")
    conn.close()
    directory = dbt_run.project(tmp, "plain", {
        "type": "postgres", "host": address["socket_dir"], "port": 5432, "dbname": PLAIN, "user": dbt_run.USER,
        "password": dbt_run.PASSWORD, "schema": "analytics", "threads": 1})
    dbt_run.dbt(directory, "seed")
    dbtRunner().invoke(["run", "--exclude", "keyed_orders", "--project-dir", str(directory), "--profiles-dir",
                        str(directory), "--quiet"])
    conn = psycopg2.connect(host=address["socket_dir"], dbname=PLAIN, user=dbt_run.USER, password=dbt_run.PASSWORD)
    with conn:  # what dbt-postgres did not make
        cursor = conn.cursor()
        for name, query in (("keyed_orders", "SELECT customer_id, amount FROM analytics.raw_orders"),
                            ("customer_totals_late", "SELECT 1 AS customer_id")):
            cursor.execute("SELECT to_regclass(%s)", (f"analytics.{name}",))
            if cursor.fetchone()[0] is None:
                cursor.execute(f"CREATE TABLE analytics.{name} AS {query}")
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--failures", action="store_true", help="show the statements that failed in the warm-up")
    ap.add_argument("--slowest", type=int, default=0, metavar="N",
                    help="the N statements that take localshift's database the most time beyond plain PostgreSQL")
    args = ap.parse_args()
    engine_version_readable()
    startup_filtered()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        trace = tmp / "trace.jsonl"
        server = subprocess.Popen([sys.executable, dbt_profile.__file__, "--serve", str(tmp / "dp"), "--trace",
                                   str(trace)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            address = json.loads(server.stdout.readline() or "null")
            if not address:
                raise SystemExit("the data plane did not start")
            statements = capture(tmp, trace, address)
            plain_database(tmp, address)
            usage = dbt_run.Usage(address["pid"], address["engine_pid"])
            compare(statements, address, usage, args.rounds, args.failures, args.slowest)
        finally:
            server.stdin.close()
            server.wait()


def compare(statements: dict[str, list[list[str]]], address: dict, usage: dbt_run.Usage, rounds: int,
            show_failures: bool, top: int) -> None:
    redshift, postgres = statements["E"], statements["Q"]
    engine_texts = translated(redshift)
    socket = f"{address['socket_dir']}/.s.PGSQL.5432"
    login = {"user": dbt_run.USER, "password": dbt_run.PASSWORD}
    targets = {
        "redshift_connector through the endpoint": lambda: replay_redshift(
            redshift, host="127.0.0.1", port=address["port"], database="redshift_db", ssl=False, **login),
        "redshift_connector on the engine, same database, translated": lambda: replay_redshift(
            engine_texts, unix_sock=socket, database="redshift_db", ssl=False, **login),
        "redshift_connector on the engine, same database, translated, one connection": lambda: replay_redshift(
            [[text for statements in engine_texts for text in statements]], unix_sock=socket,
            database="redshift_db", ssl=False, **login),
        "redshift_connector on plain PostgreSQL (template0), translated": lambda: replay_redshift(
            plain(engine_texts, "redshift_db"), unix_sock=socket, database=PLAIN, ssl=False, **login),
        "psycopg2 on the engine, dbt-postgres's database (localshift's catalog)": lambda: replay_postgres(
            postgres, host=address["socket_dir"], dbname="postgres_front", **login),
        "psycopg2 on plain PostgreSQL, dbt-postgres's texts": lambda: replay_postgres(
            plain(postgres, "postgres_front"), host=address["socket_dir"], dbname=PLAIN, **login),
    }
    print(f"captured: dbt-redshift {len(redshift)} connections, {sum(map(len, redshift))} statements; "
          f"dbt-postgres {len(postgres)} connections, {sum(map(len, postgres))} statements")
    global FAILURES
    for label, replay in targets.items():  # warm-up
        FAILURES = [] if show_failures else None
        replay()
        for text, error in FAILURES or ():
            print(f"failed on {label}: {' '.join(text.split())[:160]}: {error[:200]}")
    FAILURES = None
    figures: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    per_statement: dict[str, list[list[float]]] = defaultdict(list)
    labels = list(targets)
    for number in range(rounds):
        turn = number % len(labels)
        for label in labels[turn:] + labels[:turn]:
            before = usage.sample()
            started = time.perf_counter()
            STATEMENT_TIMES.clear()
            connecting, failures = targets[label]()
            wall = time.perf_counter() - started
            time.sleep(0.3)  # the last backend's exit, the query history's flush: this replay's
            if STATEMENT_TIMES:
                per_statement[label].append(list(STATEMENT_TIMES))
            client, data_plane, engine = (b - a for a, b in zip(before, usage.sample()))
            figures[label].append((wall, connecting, client, data_plane, engine, failures))
    print(f"| medians of {rounds}, ms | wall | of which connecting | client CPU | data plane CPU | engine CPU "
          f"| failed statements |")
    print("|---|---|---|---|---|---|---|")
    for label in labels:
        columns = [statistics.median(column) for column in zip(*figures[label])]
        print(f"| {label} | " + " | ".join(f"{value * 1000:.0f}" for value in columns[:5])
              + f" | {columns[5]:.0f} |")
    if top:
        slowest(redshift, per_statement, labels[1], labels[3], top)


def slowest(connections: list[list[str]], per_statement: dict[str, list[list[float]]], label: str, floor: str,
            top: int) -> None:
    """The ``top`` statements by what ``label`` took beyond ``floor`` (medians over the rounds)."""
    texts = [" ".join(re.sub(r"/\*.*?\*/", "", text, flags=re.S).split()) for statements in connections
             for text in statements]
    taken = [statistics.median(times) * 1000 for times in zip(*per_statement[label])]
    plain_taken = [statistics.median(times) * 1000 for times in zip(*per_statement[floor])]
    print(f"| ms: {label} | {floor} | statement |")
    print("|---|---|---|")
    for index in sorted(range(len(texts)), key=lambda i: plain_taken[i] - taken[i])[:top]:
        print(f"| {taken[index]:.2f} | {plain_taken[index]:.2f} | {texts[index][:140]} |")


if __name__ == "__main__":
    main()
