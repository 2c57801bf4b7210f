"""TLS on the SQL endpoints: the data plane's CA and server certificate (tls.py) and the
front's answer to SSLRequest (wire_front.py), with psycopg and redshift_connector."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import stat
import time

import psycopg
import pytest
import redshift_connector
from cryptography import x509

from localshift.dataplane import PostgresDataPlane
from localshift.dataplane.tls import ensure_certificates

from .conftest import cleanup
from .helpers import DB, GSSENC_REQUEST, PASSWORD, SSL_REQUEST, USER, connect, connect_once_free, free_port

CAP = 2


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A cluster whose front admits CAP connections: (data plane, port)."""
    plane = PostgresDataPlane(tmp_path_factory.mktemp("tls") / "dp", sql_startup_timeout=2.0,
                              sql_max_connections=CAP)
    try:
        yield plane, plane.create_engine("tls", free_port(), USER, PASSWORD, DB)
    finally:
        cleanup(plane)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_ca_is_the_data_dirs_own_and_signs_a_certificate_for_localhost(served, tmp_path):
    plane, _ = served
    ca_file = plane.tls_ca_file
    assert ca_file.parent == plane.root / "tls"
    assert _mode(ca_file) == 0o644
    assert _mode(ca_file.parent / "ca.key") == _mode(ca_file.parent / "server.key") == 0o600
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    server = x509.load_pem_x509_certificate((ca_file.parent / "server.pem").read_bytes())
    server.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert server.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=300)

    # Later starts keep the CA and sign a new server certificate with it.
    again = ensure_certificates(ca_file.parent)
    assert again.ca_cert.read_bytes() == ca_file.read_bytes()
    renewed = x509.load_pem_x509_certificate(again.server_cert.read_bytes())
    assert renewed.serial_number != server.serial_number
    renewed.verify_directly_issued_by(ca)
    # Another data dir has another CA.
    other = ensure_certificates(tmp_path / "tls")
    assert other.ca_cert.read_bytes() != ca_file.read_bytes()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("sslmode", ["require", "verify-ca", "verify-full"])
def test_psycopg_over_tls(served, host, sslmode):
    plane, port = served
    with psycopg.connect(host=host, port=port, user=USER, password=PASSWORD, dbname=DB, sslmode=sslmode,
                         sslrootcert=str(plane.tls_ca_file), connect_timeout=30) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("select current_user, %s::int + 1", (41,)).fetchone() == (USER, 42)


def test_a_client_that_trusts_another_ca_refuses_the_endpoint(served, tmp_path):
    _, port = served
    stranger = ensure_certificates(tmp_path / "other-tls")
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, dbname=DB,
                        sslmode="verify-ca", sslrootcert=str(stranger.ca_cert), connect_timeout=30)


def test_plain_connections_still_work(served):
    _, port = served
    with connect_once_free(port, sslmode="disable") as conn:
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("select 1").fetchone() == (1,)


def test_redshift_connector_defaults_verify_the_ca_once_it_is_trusted(served, monkeypatch):
    plane, port = served

    def query(host: str, **options) -> list:
        conn = redshift_connector.connect(host=host, port=port, user=USER, password=PASSWORD, database=DB,
                                          timeout=30, **options)
        try:
            assert isinstance(conn._usock, ssl.SSLSocket) == options.get("ssl", True)
            cursor = conn.cursor()
            cursor.execute("select %s::int * 2", (21,))
            return [list(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    # The driver's default (ssl=True, sslmode="verify-ca") checks the certificate against the
    # system's CAs and its Redshift bundle: ours is in neither.
    with pytest.raises(redshift_connector.InterfaceError) as untrusted:
        query("127.0.0.1")
    assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.value)
    # Its default certificate loading honours SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(plane.tls_ca_file))
    assert query("127.0.0.1") == [[42]]
    assert query("localhost", sslmode="verify-full") == [[42]]
    assert query("127.0.0.1", sslmode="verify-full") == [[42]]
    assert query("127.0.0.1", ssl=False) == [[42]]


def _answer(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        return sock.recv(1)


def test_gssenc_is_refused_and_ssl_accepted(served):
    _, port = served
    assert _answer(port, GSSENC_REQUEST) == b"N"
    assert _answer(port, SSL_REQUEST) == b"S"


def test_bytes_sent_before_the_tls_handshake_close_the_connection(served):
    """A startup packet sent right behind the SSLRequest was not encrypted: refused, as
    PostgreSQL refuses it (CVE-2021-23214)."""
    _, port = served
    body = (196608).to_bytes(4, "big") + b"user\0" + USER.encode() + b"\0\0"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(SSL_REQUEST + (len(body) + 4).to_bytes(4, "big") + body)
        assert sock.recv(1) == b""


def test_failed_handshakes_give_their_connection_slots_back(served):
    plane, port = served
    for _ in range(CAP + 2):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(SSL_REQUEST)
            assert sock.recv(1) == b"S"
            sock.sendall(b"\x16\x03\x01\x00\x05hello")  # no TLS handshake
            assert sock.recv(1024) in (b"", b"\x15\x03\x03\x00\x02\x02\x32")  # closed (perhaps an alert)
    context = ssl.create_default_context(cafile=str(plane.tls_ca_file))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(SSL_REQUEST)
        assert sock.recv(1) == b"S"
        with context.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    held = [connect_once_free(port, sslmode="require") for _ in range(CAP)]
    try:
        assert all(conn.execute("select 1").fetchone() == (1,) for conn in held)
    finally:
        for conn in held:
            conn.close()


def test_a_silent_tls_client_is_dropped_at_the_startup_timeout(served):
    _, port = served
    for _ in range(CAP + 1):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(SSL_REQUEST)
            assert sock.recv(1) == b"S"
            sock.settimeout(15)
            assert sock.recv(1024) == b""  # closed after sql_startup_timeout (2 s)
    held = [connect_once_free(port, sslmode="require") for _ in range(CAP)]  # no slot was kept
    try:
        # refusals come over TLS too, in PostgreSQL's words
        with pytest.raises(psycopg.OperationalError, match=f'connection limit "{CAP}" exceeded'):
            connect(port, sslmode="require")
    finally:
        for conn in held:
            conn.close()
    deadline = time.monotonic() + 60
    while True:  # once the front has counted out the connections just closed
        with pytest.raises(psycopg.OperationalError) as refused:
            connect(port, user="rdsdb", sslmode="require")
        if "connection limit" not in str(refused.value) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert 'password authentication failed for user "rdsdb"' in str(refused.value)


def _plain_startup_answer(port: int, user: str, database: str) -> dict[str, str]:
    """The fields of the front's ErrorResponse to a plain-text startup packet."""
    body = (3 << 16).to_bytes(4, "big") + b"".join(
        name + b"\0" + value.encode() + b"\0" for name, value in ((b"user", user), (b"database", database))) + b"\0"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((len(body) + 4).to_bytes(4, "big") + body)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer[:1] == b"E"
    return {field[:1]: field[1:] for field in answer[5:].decode().split("\0") if field}


def test_require_ssl_refuses_plain_startups_on_every_port_of_the_engine(served):
    plane, _ = served
    port = plane.create_engine("tls-required", free_port(), USER, PASSWORD, DB)
    extra = plane.serve_extra_port("tls-required", free_port())
    try:
        plane.apply_settings("tls-required", {"require_ssl": "true"})
        for served_port in (port, extra):
            # Redshift's refusal is PostgreSQL's pg_hba one: FATAL 28000, the client's address in IPv6 form.
            fields = _plain_startup_answer(served_port, USER, DB)
            assert (fields["S"], fields["C"]) == ("FATAL", "28000")
            assert fields["M"] == f'no pg_hba.conf entry for host "::ffff:127.0.0.1", user "{USER}", database "{DB}", SSL off'
            with pytest.raises(psycopg.OperationalError, match="SSL off"):
                connect(served_port, sslmode="disable")
            with pytest.raises(redshift_connector.InterfaceError, match="SSL off"):
                redshift_connector.connect(host="127.0.0.1", port=served_port, user=USER, password=PASSWORD,
                                           database=DB, ssl=False, timeout=30)
            # psycopg's default (sslmode=prefer) asks for TLS first, and gets it.
            with connect(served_port) as conn:
                assert conn.pgconn.ssl_in_use and conn.execute("select 1").fetchone() == (1,)
        # The engine's meta keeps it: served again (a restart), the front still refuses.
        plane.stop_engine("tls-required")
        port = plane.start_engine("tls-required", port)
        assert "SSL off" in _plain_startup_answer(port, USER, DB)["M"]
        plane.apply_settings("tls-required", {"require_ssl": "false"})
        with connect(port, sslmode="disable") as conn:
            assert not conn.pgconn.ssl_in_use
    finally:
        plane.destroy_engine("tls-required")
