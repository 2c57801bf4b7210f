"""Shared helpers of the data-plane tests."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import time
from typing import Iterator

import psycopg
from psycopg import sql

from localshift.dataplane.roles import ADMIN_USER

USER, PASSWORD, DB = "awsuser", "Passw0rd-1", "dev"
SSL_REQUEST = (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")
GSSENC_REQUEST = (8).to_bytes(4, "big") + (80877104).to_bytes(4, "big")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port: int, password: str = PASSWORD, user: str = USER, dbname: str = DB, **kw) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=dbname,
                           connect_timeout=30, **kw)


def startup_packet(*pairs: tuple[str, str]) -> bytes:
    """A StartupMessage (protocol 3.0) with these parameters, in order, a name given twice if asked."""
    body = (196608).to_bytes(4, "big") + b"".join(f"{k}\0{v}\0".encode() for k, v in pairs) + b"\0"
    return (len(body) + 4).to_bytes(4, "big") + body


def log_in_raw(port: int, packet: bytes, user: str, password: str) -> bytes:
    """Send ``packet`` (no TLS), answer an md5 challenge as ``user`` with ``password``: what the
    server sends then, up to its first ReadyForQuery or its close.  A challenge that is not md5
    (SCRAM) is returned as it came."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(packet)
        received = b""
        while True:
            chunk = sock.recv(65536)
            received += chunk
            if received[:1] == b"R" and len(received) >= 13 and received[5:9] == (5).to_bytes(4, "big"):
                inner = hashlib.md5((password + user).encode()).hexdigest().encode()
                answer = b"md5" + hashlib.md5(inner + received[9:13]).hexdigest().encode() + b"\0"
                sock.sendall(b"p" + (len(answer) + 4).to_bytes(4, "big") + answer)
                received = b""
            elif received[:1] == b"R" and len(received) >= 9 and received[5:9] != (0).to_bytes(4, "big"):
                return received
            if not chunk or b"Z\0\0\0\x05" in received:
                return received


def rows(port: int, query: str, password: str = PASSWORD) -> list[tuple]:
    with connect(port, password) as conn:
        return conn.execute(query).fetchall()


def connect_once_free(port: int, **kw) -> psycopg.Connection:
    """A connection, once the front has counted out those just closed (it learns of a close
    asynchronously, so a connection made right after one may still find its cluster full)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return connect(port, **kw)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def create_runner_log(conn: psycopg.Connection, returns: str = "boolean") -> None:
    """The master user's table ``runners`` and function ``record_runner()``, which adds who runs it
    to the table: none of the internal role's work may run it as the internal role (with a
    superuser's rights it could reach the host).  It first tries to take the session's login back
    (SET SESSION AUTHORIZATION to the internal role, which PostgreSQL allows any role of a session
    a superuser logged in, outside SECURITY DEFINER functions): the work that runs it as its owner
    in the internal role's session must not let it.  ``returns``: ``boolean`` (for a CHECK or a
    view's query) or ``trigger``."""
    result = "true" if returns == "boolean" else "NULL"
    conn.execute("CREATE TABLE runners (name text)")
    conn.execute(f"CREATE FUNCTION record_runner() RETURNS {returns} LANGUAGE plpgsql VOLATILE AS $$ BEGIN"
                 f" BEGIN PERFORM pg_catalog.set_config('session_authorization', '{ADMIN_USER}', false);"
                 " EXCEPTION WHEN OTHERS THEN NULL; END;"
                 f" INSERT INTO public.runners VALUES (current_user::text); RETURN {result}; END $$")


@contextlib.contextmanager
def as_user_in_the_engine(dp, key: str, user: str = USER, dbname: str = DB) -> Iterator[psycopg.Connection]:
    """An autocommit connection to ``key``'s engine acting as ``user`` (the internal role's, SET ROLE:
    every privilege check is the user's) with the engine's event triggers off: the PostgreSQL-only
    objects the engine refuses to make for a user (triggers, rules: catalog/45_postgresql_only_commands.sql)
    made as an older localshift let the user make them, and a snapshot may still hold them, for the
    tests that prove no such object of a user's runs as the internal role."""
    with dp._existing(key).connect(dbname) as conn:
        conn.execute("SET event_triggers = off")
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(user)))
        conn.execute("SET search_path = public")
        yield conn


def rows_of(port: int, dbname: str, query: str) -> list[tuple]:
    """A query's rows in one database of the cluster, as the master user."""
    with connect(port, dbname=dbname) as conn:
        return conn.execute(query).fetchall()
