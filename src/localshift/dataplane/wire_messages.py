"""PostgreSQL wire messages the front reads, rewrites or writes itself (no I/O here)."""

from __future__ import annotations

import re

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
MAX_STARTUP = 10000

# Startup parameters PostgreSQL understands and clients legitimately send.
ALLOWED_PARAMS = {
    "user", "database", "options", "application_name", "fallback_application_name",
    "client_encoding", "datestyle", "timezone", "extra_float_digits", "search_path",
    "intervalstyle", "standard_conforming_strings", "lc_messages", "geqo",
}


def startup_params(packet: bytes) -> list[tuple[bytes, bytes]]:
    """The (name, value) pairs of a StartupMessage, in order."""
    fields = packet[8:].split(b"\0")
    pairs = []
    for k, v in zip(fields[0::2], fields[1::2]):
        if not k:
            break
        pairs.append((k, v))
    return pairs


def startup_parameter(packet: bytes, name: bytes) -> str:
    """The value a StartupMessage gives parameter ``name`` ('' when none).  A name given twice has
    its last value, as PostgreSQL reads it: the front checks the user the engine will log in
    (``user=awsuser``, ``user=rdsdb`` is a login as rdsdb)."""
    value = ""
    for k, v in startup_params(packet):
        if k == name:
            value = v.decode("utf-8", "replace")
    return value


def startup_user(packet: bytes) -> str:
    return startup_parameter(packet, b"user")


def startup_database(packet: bytes) -> str:
    """The database a StartupMessage names (PostgreSQL's default: the user name)."""
    return startup_parameter(packet, b"database") or startup_user(packet)


# Control characters (C0 and DEL), which no Redshift user or database name holds (its names are
# printable).  The engine's log line prefix writes the startup packet's user and database as they
# are, before any check: a name with a newline would start a line of the caller's own making, which
# the audit logs (audit_logs.py) would read as the engine's.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


# The engine's own databases, which a Redshift cluster has not: ``postgres`` holds the service's
# query history and id reservations, ``template1`` is copied into every database CREATE DATABASE
# makes (an object a user put there would be in every later database), ``template0`` takes no
# connections anyway.  Redshift answers a login to them as to any database that does not exist.
ENGINE_DATABASES = frozenset({"postgres", "template0", "template1"})


def refused_startup(packet: bytes) -> bytes | None:
    """The refusal of a StartupMessage whose user or database name holds a control character, or
    whose database is one of the engine's own, as PostgreSQL (and Redshift) answers a user or
    database that does not exist (no such name can); None if the login may go on.  The service's own
    sessions reach the engine's socket directly, never through the front."""
    user, database = startup_user(packet), startup_database(packet)
    if CONTROL_CHARACTERS.search(user):
        return authentication_failed(user)
    if CONTROL_CHARACTERS.search(database) or database in ENGINE_DATABASES:
        return error_response("3D000", f'database "{database}" does not exist')
    return None


def rewrite_startup(packet: bytes, user: str | None = None) -> bytes:
    """Drop non-standard parameters from a StartupMessage (``_pq_.`` protocol
    options are kept), and the earlier values of a parameter given twice (the engine
    gets each once, the value the front read).  ``user``: log in as this user instead,
    to the database the packet names (or would default to)."""
    kept: dict[bytes, bytes] = {}
    if user is not None:
        kept = {b"user": user.encode(), b"database": startup_database(packet).encode()}
    for k, v in startup_params(packet):
        name = k.decode("utf-8", "replace").lower()
        if (name in ALLOWED_PARAMS or name.startswith("_pq_.")) and (user is None or name not in ("user", "database")):
            kept.pop(k, None)
            kept[k] = v
    body = packet[4:8] + b"".join(k + b"\0" + v + b"\0" for k, v in kept.items()) + b"\0"
    return (len(body) + 4).to_bytes(4, "big") + body


AUTHENTICATION = 0x52  # 'R'
AUTH_OK = 0
AUTH_MD5 = 5
PASSWORD_MESSAGE = 0x70  # 'p'


def md5_password_request(salt: bytes) -> bytes:
    """AuthenticationMD5Password with ``salt`` (4 bytes)."""
    return b"R" + (12).to_bytes(4, "big") + AUTH_MD5.to_bytes(4, "big") + salt


def password_message(answer: bytes) -> bytes:
    body = answer + b"\0"
    return b"p" + (len(body) + 4).to_bytes(4, "big") + body


def password_of(message: bytes) -> bytes:
    """The answer a PasswordMessage carries (its NUL-terminated body)."""
    return message[5:].split(b"\0", 1)[0]


_VERSION = re.compile(rb"\d+(?:\.\d+)*")


def parameter_status(name: bytes, value: bytes) -> bytes:
    body = name + b"\0" + value + b"\0"
    return b"S" + (len(body) + 4).to_bytes(4, "big") + body


# Redshift announces which SHOW metadata commands it runs; redshift_connector
# then reads its metadata with SHOW DATABASES / SCHEMAS / TABLES / COLUMNS ...
# FROM DATABASE (version 5) instead of its own catalog queries.
SHOW_DISCOVERY = parameter_status(b"show_discovery", b"5")


# Redshift reports PostgreSQL 8.0.2.  Only Redshift's drivers get that number: psql 15+ and
# other PostgreSQL tools drop features (describe commands) for servers older than 9.2.
REDSHIFT_SERVER_VERSION = b"8.0.2"
# Startup parameters AWS's Redshift drivers send and PostgreSQL clients do not.
_REDSHIFT_DRIVER_PARAMS = (b"client_protocol_version", b"driver_version")


def is_redshift_driver(packet: bytes) -> bool:
    return any(k in _REDSHIFT_DRIVER_PARAMS for k, _ in startup_params(packet))


def rewrite_parameter_status(msg: bytes, redshift_driver: bool = False) -> bytes:
    """``server_version``: Redshift's for Redshift's drivers, else the engine's numbers alone."""
    name, _, rest = msg[5:].partition(b"\0")
    if name != b"server_version":
        return msg
    if redshift_driver:
        return parameter_status(name, REDSHIFT_SERVER_VERSION)
    value = rest.split(b"\0", 1)[0]
    m = _VERSION.match(value.strip())
    if not m or m.group(0) == value:
        return msg
    return parameter_status(name, m.group(0))


def error_response(code: str, message: str) -> bytes:
    body = b"".join(f"{k}{v}".encode() + b"\0" for k, v in
                    (("S", "FATAL"), ("V", "FATAL"), ("C", code), ("M", message))) + b"\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


def authentication_failed(user: str) -> bytes:
    """What PostgreSQL answers a wrong password with (28P01), word for word."""
    return error_response("28P01", f'password authentication failed for user "{user}"')


def too_many_connections(limit: int) -> bytes:
    # Redshift's words when a cluster holds its 500 connections (SQLSTATE unverified: 53300 is
    # PostgreSQL's too_many_connections).
    return error_response("53300", f'connection limit "{limit}" exceeded for non-bootstrap users')


def ssl_required(host: str, user: str, database: str) -> bytes:
    """A plain-text startup on a cluster whose require_ssl is true: Redshift answers with PostgreSQL's
    pg_hba refusal (28000), the client's IPv4 address in the IPv6 form its listener reports."""
    return error_response("28000", f'no pg_hba.conf entry for host "::ffff:{host}", user "{user}", '
                                   f'database "{database}", SSL off')
