"""The wire front's limits: startup timeout, connections per cluster, the descriptor budget,
and malformed startup packets (wire_front.py, wire_messages.py)."""

from __future__ import annotations

import socket
import time

import psycopg
import pytest

from localshift.dataplane import PostgresDataPlane, DataPlaneError
from localshift.dataplane.audit_logs import read_lines
from localshift.dataplane.wire_front import WireFront

from support import wait_for

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, connect_once_free, free_port

CAP = 3


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A cluster whose front allows CAP connections and a 1 s startup: (data plane, port)."""
    plane = PostgresDataPlane(tmp_path_factory.mktemp("front") / "dp", sql_startup_timeout=1.0, sql_max_connections=CAP)
    try:
        yield plane, plane.create_engine("limited", free_port(), USER, PASSWORD, DB)
    finally:
        cleanup(plane)


def _closed_by_peer(sock: socket.socket, within: float = 15.0) -> bool:
    """True when the other side closes ``sock`` (EOF or reset) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(1024):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def _startup_error(port: int) -> dict[str, str]:
    """The fields of the ErrorResponse a startup packet for USER gets (S, C, M)."""
    body = (196608).to_bytes(4, "big") + b"user\0" + USER.encode() + b"\0database\0" + DB.encode() + b"\0\0"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((len(body) + 4).to_bytes(4, "big") + body)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply[:1] == b"E", reply
    fields = dict((f[:1].decode(), f[1:].decode()) for f in reply[5:].split(b"\0") if f)
    return {k: fields[k] for k in "SCM"}


def test_connection_without_startup_packet_is_dropped(limited):
    _, port = limited
    with socket.create_connection(("127.0.0.1", port)) as silent:
        assert _closed_by_peer(silent)
    with socket.create_connection(("127.0.0.1", port)) as ssl_only:
        ssl_only.sendall((8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"))  # SSLRequest, then nothing
        assert ssl_only.recv(1) == b"S"
        assert _closed_by_peer(ssl_only)
    # a session that did start is not subject to the startup timeout
    with connect_once_free(limited[1]) as conn:
        time.sleep(1.5)
        assert conn.execute("select 1").fetchone() == (1,)


def test_connections_per_cluster_are_capped(limited):
    _, port = limited
    held = [connect_once_free(port) for _ in range(CAP)]
    try:
        with pytest.raises(psycopg.OperationalError, match=f'connection limit "{CAP}" exceeded'):
            connect(port)
        assert _startup_error(port) == {"S": "FATAL", "C": "53300",
                                        "M": f'connection limit "{CAP}" exceeded for non-bootstrap users'}
    finally:
        for conn in held:
            conn.close()
    # slots come back when sessions end; the engine allows as many user sessions as the front,
    # plus the internal role's reserve
    with connect_once_free(port) as conn:
        assert conn.execute("show max_connections").fetchone() == (str(CAP + 3),)


def test_descriptor_budget_closes_connections_beyond_it(tmp_path):
    front = WireFront(frozenset(), startup_timeout=30, max_connections=100, connection_budget=2)
    port = front.serve(free_port(), tmp_path / "no-engine.sock")
    try:
        kept = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        with socket.create_connection(("127.0.0.1", port)) as beyond:
            assert _closed_by_peer(beyond)
        for sock in kept:
            assert not _closed_by_peer(sock, within=0.3)
            sock.close()
        with socket.create_connection(("127.0.0.1", port)) as again:  # the budget frees up
            assert not _closed_by_peer(again, within=0.3)
    finally:
        front.close_all()


def test_one_engines_clients_never_take_another_engines_share_of_the_budget(tmp_path):
    """Clusters of different accounts share the front: each is sure of its share of the budget (here 3 of 6),
    however many connections another's clients open; alone, an engine may hold the whole budget."""
    front = WireFront(frozenset(), startup_timeout=30, max_connections=100, connection_budget=6)
    noisy = front.serve(free_port(), tmp_path / "noisy.sock")
    opened: list[socket.socket] = []
    try:
        # Alone, the noisy engine holds the whole budget (the kept ones: 6; beyond, closed on arrival).
        opened += [socket.create_connection(("127.0.0.1", noisy)) for _ in range(6)]
        with socket.create_connection(("127.0.0.1", noisy)) as beyond:
            assert _closed_by_peer(beyond)
        for sock in opened[3:]:
            sock.close()
        del opened[3:]
        wait_for(lambda: front.budget.open == 3)  # the front has seen them close
        quiet = front.serve(free_port(), tmp_path / "quiet.sock")
        # Another engine now served: the noisy one keeps its 3 and gets no more...
        with socket.create_connection(("127.0.0.1", noisy)) as beyond:
            assert _closed_by_peer(beyond)
        # ...and the quiet one's 3 are there for its own clients.
        opened += [socket.create_connection(("127.0.0.1", quiet)) for _ in range(3)]
        for sock in opened:
            assert not _closed_by_peer(sock, within=0.3)
        with socket.create_connection(("127.0.0.1", quiet)) as beyond:
            assert _closed_by_peer(beyond)
    finally:
        for sock in opened:
            sock.close()
        front.close_all()


@pytest.mark.parametrize("packet", [
    (4).to_bytes(4, "big"),  # shorter than a header
    (1_000_000).to_bytes(4, "big") + (196608).to_bytes(4, "big"),  # oversized
    b"\xff" * 64,  # garbage
])
def test_forged_startup_packets_are_dropped(limited, packet):
    _, port = limited
    with socket.create_connection(("127.0.0.1", port)) as forged:
        forged.sendall(packet)
        assert _closed_by_peer(forged)
    with connect_once_free(port) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("limits", [{"sql_startup_timeout": 0}, {"sql_startup_timeout": -1},
                                    {"sql_max_connections": 0}, {"sql_max_connections": 10**6}])
def test_limits_out_of_range_are_refused(tmp_path, limits):
    with pytest.raises(DataPlaneError, match=next(iter(limits))):
        PostgresDataPlane(tmp_path / "dp", **limits)


# A line of the engine's log as audit_logs.py reads it: the statement "drop table payroll" by user
# ceo.  PostgreSQL writes the startup packet's names into each line's prefix as they are, so a name
# holding a newline and this text would put the line in the log (the user's name ends the prefix's
# user field, the database's the rest), and the user activity log would show ceo's statement.
_FORGED_USER = "\nLSAUDIT|2026-12-02 04:00:00.000 UTC|1|s|0|ceo"
_FORGED_DATABASE = "dev|h| LOG:  statement: drop table payroll\n"


@pytest.mark.parametrize(("user", "database", "answer"), [
    (_FORGED_USER, _FORGED_DATABASE, "password authentication failed for user"),  # 28P01
    (USER, _FORGED_DATABASE, f'database "{_FORGED_DATABASE}" does not exist'),  # 3D000, whatever the password
])
def test_names_with_control_characters_never_reach_the_engines_log(limited, user, database, answer):
    plane, port = limited
    plane.set_audit_logging("limited", ["connectionlog", "useractivitylog"])
    log = plane._engine("limited").log_path
    start = log.stat().st_size
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=port, user=user, password="wrong", dbname=database,
                        sslmode="disable", connect_timeout=30)
    assert answer in str(refused.value)
    with connect_once_free(port) as conn:  # a line the engine logs after the refusal (none of it)
        conn.execute("select 1")
    lines, _ = read_lines(log, start)
    users = {line.user for line in lines}
    assert USER in users and "ceo" not in users  # (the internal role's and [unknown] too)
    assert not [line for line in lines if "payroll" in line.message]
