"""The translator's integration tests run on the shared SQL cluster (tests/sql_cluster.py),
each module in a database of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from sql_cluster import SqlCluster

from .helpers import MIA_PASSWORD, fresh_user


@pytest.fixture(scope="module")
def database(sql_cluster: SqlCluster, request: pytest.FixtureRequest) -> str:
    return sql_cluster.fresh_database(request.module.__file__)


@pytest.fixture(scope="module")
def mia(sql_cluster: SqlCluster, database: str, request: pytest.FixtureRequest) -> str:
    """A regular user of the test module's own (users are the cluster's: a name per module, so that one
    module's user, owning objects in its database, is never dropped by another), password MIA_PASSWORD."""
    module = Path(request.module.__file__).stem.removeprefix("test_")
    return fresh_user(sql_cluster, database, f"mia_{module}", MIA_PASSWORD)


@pytest.fixture
def db(sql_cluster: SqlCluster, database: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection as the master user, in a fresh schema first on the search path."""
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS it CASCADE")
        conn.execute("CREATE SCHEMA it")
        conn.execute("SET search_path TO it, public")
        yield conn
