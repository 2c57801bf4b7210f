"""One `localshift serve` with one cluster for the translator's integration tests."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from support import OWNER, Server, create_available_cluster, make_server

PASSWORD = "Passw0rd1"


@pytest.fixture(scope="package")
def sql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("sql"), data_plane=True).start()
    yield server
    server.close()


@pytest.fixture(scope="package")
def sql_cluster(sql_server: Server) -> dict:
    return create_available_cluster(sql_server.client(OWNER), "sql", MasterUserPassword=PASSWORD)


def connect(cluster: dict, user: str | None = None, password: str = PASSWORD,
            autocommit: bool = True) -> psycopg.Connection:
    endpoint = cluster["Endpoint"]
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], dbname=cluster["DBName"],
                           user=user or cluster["MasterUsername"], password=password,
                           autocommit=autocommit, connect_timeout=10)


@pytest.fixture
def db(sql_cluster: dict) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the master user, in a fresh schema first on the search path."""
    with connect(sql_cluster) as conn:
        conn.execute("DROP SCHEMA IF EXISTS it CASCADE")
        conn.execute("CREATE SCHEMA it")
        conn.execute("SET search_path TO it, public")
        yield conn
