"""Further ports serving one engine (serve_extra_port / close_extra_port): what endpoints use."""

from __future__ import annotations

import psycopg
import pytest

from localshift.dataplane.errors import ClusterNotFoundError

from .helpers import connect, free_port, rows


def test_an_extra_port_serves_the_same_engine_until_closed(dp, cluster):
    key, port = cluster
    with connect(port) as conn:
        conn.execute("create table t as select generate_series(1, 10) id")
    extra = dp.serve_extra_port(key, port)  # taken by the engine's own port: another one
    assert extra != port
    assert rows(extra, "select count(*) from t") == [(10,)]
    wanted = free_port()
    assert dp.serve_extra_port(key, wanted) == wanted
    # Stopped, the engine's extra ports stay and say it is not available; started, they serve again.
    dp.stop_engine(key)
    with pytest.raises(psycopg.OperationalError, match="not available"):
        connect(extra)
    dp.start_engine(key, port)
    assert rows(wanted, "select count(*) from t") == [(10,)]
    dp.close_extra_port(key, extra)
    dp.close_extra_port(key, extra)  # idempotent
    with pytest.raises(psycopg.OperationalError):
        connect(extra)
    assert rows(wanted, "select count(*) from t") == [(10,)]
    # Destroying the engine closes them all.
    dp.destroy_engine(key)
    with pytest.raises(psycopg.OperationalError):
        connect(wanted)


def test_only_an_existing_engine_gets_an_extra_port(dp):
    with pytest.raises(ClusterNotFoundError):
        dp.serve_extra_port("nothing", free_port())
