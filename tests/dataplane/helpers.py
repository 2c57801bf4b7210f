"""Shared helpers of the data-plane tests."""

from __future__ import annotations

import socket

import psycopg

USER, PASSWORD, DB = "awsuser", "Passw0rd-1", "dev"


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
