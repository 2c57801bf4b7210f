"""The Data API on a server started with --no-data-plane: statements end at once, FAILED."""

from __future__ import annotations

from .conftest import DataApi
from support import Server, create_available_cluster


def test_a_statement_fails_at_once_when_no_engine_runs(ls: Server):
    create_available_cluster(ls.client())
    data = DataApi(ls, ClusterIdentifier="c1", Database="dev", DbUser="admin")
    described = data.wait(data.submit("select 1"))
    assert described["Status"] == "FAILED"
    assert described["Error"] == (
        "Connection to the database failed: localshift runs without a data plane (--no-data-plane): "
        "no engine serves SQL.")
    # Nothing is left running: the next one fails the same way, as fast.
    assert data.wait(data.submit("select 2"))["Status"] == "FAILED"
