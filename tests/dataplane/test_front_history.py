"""The front's side of the query history (front_history.py): query ids known as statements
complete, one counter per engine, going on after a restart."""

from __future__ import annotations

from .helpers import DB, connect


def test_query_ids_are_given_as_statements_complete_once_per_engine_and_go_on_after_a_restart(dp, cluster):
    key, port = cluster
    socket = str(dp._engine(key).socket_path)
    with connect(port, autocommit=True) as conn:
        conn.execute("create database other")
        conn.execute("select 1")
        # known as the statement completes: before the history is written
        first = dp.front.history.last_query_id(socket, conn.info.backend_pid)
        with connect(port, autocommit=True, dbname="other") as other:
            other.execute("select 2")
            second = dp.front.history.last_query_id(socket, other.info.backend_pid)
        conn.execute("select 3")
        third = dp.front.history.last_query_id(socket, conn.info.backend_pid)
    assert 0 < first < second < third  # one counter for the engine's databases, as Redshift's per cluster
    assert dp.front.history.last_query_id(socket, 1) == -1  # no such session
    dp.front.recorder.flush()
    ids = {}
    for database in (DB, "other"):
        with dp._engine(key).connect(database) as conn:
            ids.update(conn.execute("select query_text, query_id from localshift.query_history").fetchall())
    assert (ids["select 1"], ids["select 2"], ids["select 3"]) == (first, second, third)
    dp.stop_engine(key)
    port = dp.start_engine(key, port)
    with connect(port, autocommit=True, dbname="other") as conn:
        conn.execute("select 4")
        assert dp.front.history.last_query_id(socket, conn.info.backend_pid) > max(ids.values())
