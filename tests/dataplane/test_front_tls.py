"""Direct TLS on the SQL endpoints (front_tls.py): a ClientHello where the startup packet
would be, as PostgreSQL 17+ takes it (libpq's ``sslnegotiation=direct``), with ALPN
``postgresql`` required; on an engine whose require_ssl is true, so every connection that
gets in came over TLS."""

from __future__ import annotations

import socket
import ssl
import threading
import time

import psycopg
import pytest

from localshift.dataplane import PostgresDataPlane

from .conftest import cleanup
from .helpers import DB, GSSENC_REQUEST, PASSWORD, SSL_REQUEST, USER, connect, connect_once_free, free_port

CAP = 2


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A cluster whose front admits CAP connections and requires TLS: (data plane, port)."""
    root = tmp_path_factory.mktemp("direct-tls") / "dp"
    plane = PostgresDataPlane(root, sql_startup_timeout=2.0, sql_max_connections=CAP)
    try:
        port = plane.create_engine("direct", free_port(), USER, PASSWORD, DB)
        plane.apply_settings("direct", {"require_ssl": "true"})
        yield plane, port
    finally:
        cleanup(plane)


def _direct(port: int, **kw) -> psycopg.Connection:
    return connect_once_free(port, sslnegotiation="direct", **kw)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("sslmode", ["require", "verify-ca", "verify-full"])
def test_libpq_connects_with_direct_tls(served, host, sslmode):
    plane, port = served
    assert psycopg.pq.version() >= 170000  # the bundled libpq knows sslnegotiation
    with psycopg.connect(host=host, port=port, user=USER, password=PASSWORD, dbname=DB, sslmode=sslmode,
                         sslnegotiation="direct", sslrootcert=str(plane.tls_ca_file), connect_timeout=30) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("select current_user, %s::int + 1", (41,)).fetchone() == (USER, 42)
    # The same port still answers SSLRequests, and refuses plain text (require_ssl).
    with connect_once_free(port, sslmode="require") as conn:  # (the cluster admits CAP: one just closed)
        assert conn.pgconn.ssl_in_use
    with pytest.raises(psycopg.OperationalError, match="SSL off"):
        connect(port, sslmode="disable")


def test_refusals_come_over_direct_tls(served):
    _, port = served
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "rdsdb"'):
        connect(port, user="rdsdb", sslmode="require", sslnegotiation="direct")
    with pytest.raises(psycopg.OperationalError, match=f'password authentication failed for user "{USER}"'):
        connect(port, password="wrong", sslmode="require", sslnegotiation="direct")


def test_a_query_is_cancelled_over_direct_tls(served):
    _, port = served
    with _direct(port, sslmode="require", autocommit=True) as conn:
        def cancel_once_running():
            with _direct(port, sslmode="require") as watcher:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not watcher.execute(
                        "select count(*) from pg_stat_activity where query like 'select pg_sleep(60)%'"
                        ).fetchone()[0]:
                    time.sleep(0.05)
            conn.cancel_safe()

        canceller = threading.Thread(target=cancel_once_running)
        canceller.start()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled):
                conn.execute("select pg_sleep(60)")
        finally:
            canceller.join()
        assert conn.execute("select 1").fetchone() == (1,)  # the session goes on


def _all_slots_are_free(port: int) -> None:
    """No connection closed before kept its slot: CAP direct TLS sessions run at once."""
    held = [_direct(port, sslmode="require") for _ in range(CAP)]
    try:
        assert [conn.execute("select 1").fetchone() for conn in held] == [(1,)] * CAP
    finally:
        for conn in held:
            conn.close()


def _tls_client(plane: PostgresDataPlane, alpn: list[str] | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(plane.tls_ca_file))
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    return context


def _startup_packet(user: str) -> bytes:
    body = (3 << 16).to_bytes(4, "big") + b"user\0" + user.encode() + b"\0database\0" + DB.encode() + b"\0\0"
    return (len(body) + 4).to_bytes(4, "big") + body


def _read_message(tls: ssl.SSLSocket) -> tuple[bytes, bytes]:
    head = b""
    while len(head) < 5:
        head += tls.recv(5 - len(head))
    body = b""
    while len(body) < int.from_bytes(head[1:5], "big") - 4:
        body += tls.recv(int.from_bytes(head[1:5], "big") - 4 - len(body))
    return head[:1], body


def test_a_tls_client_with_alpn_speaks_the_protocol_inside(served):
    plane, port = served
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with _tls_client(plane, ["postgresql"]).wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "postgresql"
            # Requests inside TLS are answered as after an SSLRequest: no second TLS, no GSSAPI.
            tls.sendall(SSL_REQUEST)
            assert tls.recv(1) == b"N"
            tls.sendall(GSSENC_REQUEST)
            assert tls.recv(1) == b"N"
            tls.sendall(_startup_packet(USER))
            kind, body = _read_message(tls)
            assert kind == b"R" and int.from_bytes(body[:4], "big") != 0  # the engine asks for the password
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with _tls_client(plane, ["postgresql"]).wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(_startup_packet("rdsdb"))
            kind, body = _read_message(tls)
            assert kind == b"E" and b'password authentication failed for user "rdsdb"' in body


@pytest.mark.parametrize("alpn", [None, ["h2", "http/1.1"]])
def test_direct_tls_without_alpn_postgresql_is_closed_unanswered(served, alpn):
    """PostgreSQL closes it without a word (its log says "received direct SSL connection
    request without ALPN protocol negotiation extension"); the slot is given back."""
    plane, port = served
    for _ in range(CAP + 1):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            with _tls_client(plane, alpn).wrap_socket(sock, server_hostname="localhost") as tls:
                assert tls.selected_alpn_protocol() is None
                try:
                    tls.sendall(_startup_packet(USER))
                except (BrokenPipeError, ConnectionResetError, ssl.SSLEOFError):
                    continue
                try:
                    assert tls.recv(1024) == b""
                except (ConnectionResetError, ssl.SSLEOFError):
                    pass
    _all_slots_are_free(port)


def test_a_direct_tls_client_that_stops_mid_handshake_is_dropped(served):
    _, port = served
    for _ in range(CAP + 1):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"\x16\x03\x01\x00\x40hello")  # the start of a ClientHello, then silence
            try:
                assert sock.recv(1024) == b""  # closed after sql_startup_timeout (2 s)
            except ConnectionResetError:
                pass
    _all_slots_are_free(port)
