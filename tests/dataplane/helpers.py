"""Shared helpers of the data-plane tests."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Iterator

import psycopg
from psycopg import sql

USER, PASSWORD, DB = "awsuser", "Passw0rd-1", "dev"
SSL_REQUEST = (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")
GSSENC_REQUEST = (8).to_bytes(4, "big") + (80877104).to_bytes(4, "big")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port: int, password: str = PASSWORD, user: str = USER, dbname: str = DB, **kw) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=dbname,
                           connect_timeout=10, **kw)


def rows(port: int, query: str, password: str = PASSWORD) -> list[tuple]:
    with connect(port, password) as conn:
        return conn.execute(query).fetchall()


def connect_once_free(port: int, **kw) -> psycopg.Connection:
    """A connection, once the front has counted out those just closed (it learns of a close
    asynchronously, so a connection made right after one may still find its cluster full)."""
    deadline = time.monotonic() + 30
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
    superuser's rights it could reach the host).  ``returns``: ``boolean`` (for a CHECK or a view's
    query) or ``trigger``."""
    result = "true" if returns == "boolean" else "NULL"
    conn.execute("CREATE TABLE runners (name text)")
    conn.execute(f"CREATE FUNCTION record_runner() RETURNS {returns} LANGUAGE plpgsql VOLATILE AS $$"
                 f" BEGIN INSERT INTO public.runners VALUES (current_user::text); RETURN {result}; END $$")


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
