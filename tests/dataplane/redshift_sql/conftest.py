"""The translator's integration tests run on the shared SQL cluster (tests/sql_cluster.py),
each module in a database of its own."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from sql_cluster import SqlCluster


@pytest.fixture(scope="module")
def database(sql_cluster: SqlCluster, request: pytest.FixtureRequest) -> str:
    return sql_cluster.fresh_database(request.module.__name__)


@pytest.fixture
def db(sql_cluster: SqlCluster, database: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the master user, in a fresh schema first on the search path."""
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS it CASCADE")
        conn.execute("CREATE SCHEMA it")
        conn.execute("SET search_path TO it, public")
        yield conn
