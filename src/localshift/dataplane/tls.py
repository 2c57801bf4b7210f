"""TLS for the SQL endpoints: a certificate authority of the data plane's own, and the
server certificate it signs.

Redshift serves TLS and its drivers ask for it by default (redshift_connector:
``ssl=True, sslmode="verify-ca"``).  Each data dir gets its own CA:

* ``<root>/tls/ca.pem`` (0644): the CA certificate clients trust (``sslrootcert=`` for
  libpq, ``SSL_CERT_FILE=`` for redshift_connector, whose default certificate loading
  honours it);
* ``<root>/tls/ca.key`` (0600): its key, kept so that later starts sign with the same CA;
* ``<root>/tls/server.pem`` / ``server.key`` (0600): the endpoints' certificate, for
  ``localhost``, ``127.0.0.1`` and ``::1`` (so ``verify-full`` passes), made anew at every
  start with a year's validity.

Keys are ECDSA P-256 (quick to make, accepted by every client).  ``server_context`` is the
``ssl.SSLContext`` the wire front wraps connections with; it selects the ALPN protocol
``postgresql`` when the client offers it, as PostgreSQL 17+ does (libpq 17+ offers it, and
with ``sslnegotiation=direct`` refuses a server that does not select it).
"""

from __future__ import annotations

import datetime
import fcntl
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_YEARS = 10
SERVER_DAYS = 365
SERVER_NAMES = ("localhost",)
SERVER_ADDRESSES = ("127.0.0.1", "::1")
ALPN_PROTOCOL = "postgresql"


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def ensure_certificates(directory: Path) -> TlsFiles:
    """The CA in ``directory`` (made on first use) and a fresh server certificate signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o755)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two data planes over one root never make two CAs
        ca_key_path = directory / "ca.key"
        if ca_key_path.exists() and files.ca_cert.exists():
            ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
            ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        else:
            ca_key, ca_cert = _new_ca(directory)
            _write(ca_key_path, _key_pem(ca_key), 0o600)
            _write(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        key, cert = _new_server_certificate(ca_key, ca_cert)
        _write(files.server_key, _key_pem(key), 0o600)
        _write(files.server_cert, cert.public_bytes(serialization.Encoding.PEM), 0o600)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_cert, files.server_key)
    context.set_alpn_protocols([ALPN_PROTOCOL])
    return context


def speaks_postgresql(ssl_object: ssl.SSLObject | None) -> bool:
    """Whether the client of an established TLS connection agreed on ALPN ``postgresql``."""
    return ssl_object is not None and ssl_object.selected_alpn_protocol() == ALPN_PROTOCOL


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _new_ca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    # The directory in the name tells one data dir's CA from another's in a trust store.
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "localshift"),
                      x509.NameAttribute(NameOID.COMMON_NAME,
                                         f"localshift CA {str(directory.parent)[-40:]}")])
    now = _now()
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _new_server_certificate(ca_key, ca_cert: x509.Certificate) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    names = [x509.DNSName(n) for n in SERVER_NAMES] + [
        x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_ADDRESSES]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(min(now + datetime.timedelta(days=SERVER_DAYS), ca_cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace ``path`` atomically with ``data``, with ``mode`` from the start."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(temporary, mode)  # the umask may have narrowed it
    os.replace(temporary, path)
