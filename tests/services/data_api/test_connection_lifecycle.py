"""The Data API's connections: kept between statements, never kept past a change of their user or
engine, and never recorded for what the Data API runs of its own."""

from __future__ import annotations

from localshift.services.clock import Clock
from localshift.services.data_api.connection_lifecycle import MAX_IDLE, Connections
from localshift.services.data_api.targets import DB_USER, Target
from support import OWNER, create_available_cluster

from .conftest import DATABASE, DataApi, FakeDataPlane


def _pid(data: DataApi) -> int:
    return data.records("SELECT pg_backend_pid()")[0][0]["longValue"]


def test_a_connection_is_kept_while_its_user_and_engine_are_unchanged(data_server):
    redshift = data_server.client(OWNER)
    create_available_cluster(redshift, "kept", ClusterType="single-node", NumberOfNodes=1)
    master = DataApi(data_server, ClusterIdentifier="kept", Database=DATABASE, DbUser="admin")
    bob = DataApi(data_server, ClusterIdentifier="kept", Database=DATABASE, DbUser="bob")
    carol = DataApi(data_server, ClusterIdentifier="kept", Database=DATABASE, DbUser="carol")
    try:
        master.ok("CREATE USER bob PASSWORD 'Bob-pw-123'")
        master.ok("CREATE USER carol PASSWORD 'Carol-pw-123'")
        first = _pid(bob)
        assert _pid(bob) == first  # no new login
        bob.ok("CREATE TEMP TABLE scratch (a int)")
        assert bob.run("SELECT * FROM scratch")["Status"] == "FAILED"  # reset as a new session would be
        carol_pid = _pid(carol)
        master.ok("DROP USER bob")
        # As a new login would be: refused (bob's kept connection is not used again).
        gone = bob.run("SELECT 1")
        assert (gone["Status"], gone["Error"]) == ("FAILED", 'FATAL: role "bob" does not exist')
        master.ok("ALTER USER carol CONNECTION LIMIT 5")
        assert _pid(carol) != carol_pid  # logged in anew
        carol_pid = _pid(carol)
        redshift.reboot_cluster(ClusterIdentifier="kept")
        redshift.get_waiter("cluster_available").wait(ClusterIdentifier="kept",
                                                      WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
        assert _pid(carol) != carol_pid  # the engine restarted: a new login, not a lost connection
    finally:
        redshift.delete_cluster(ClusterIdentifier="kept", SkipFinalClusterSnapshot=True)


def test_the_data_apis_own_queries_are_not_in_the_users_query_history(data: DataApi, table):
    # The cluster is the package's: queries of tests before this one (metadata calls among them) are
    # left out by starting at this test's first statement.
    created = data.ok(f"CREATE TABLE {table} (id int NOT NULL, label varchar(8))")
    selected = data.ok(f"SELECT id, label FROM {table}")  # its columns are described from the catalog
    columns = data.get_statement_result(Id=selected["Id"])["ColumnMetadata"]
    assert [(c["tableName"], c["nullable"]) for c in columns] == [(table, 0), (table, 1)]
    for view in ("stl_query", "sys_query_history"):
        id_column = "query" if view == "stl_query" else "query_id"
        text = "querytxt" if view == "stl_query" else "query_text"
        mine = data.records(f"SELECT trim({text}) FROM {view} WHERE {id_column} = {selected['RedshiftQueryId']}")
        assert mine == [[{"stringValue": f"SELECT id, label FROM {table}"}]]
        own = data.records(f"SELECT count(*) FROM {view} WHERE ({text} ILIKE '%pg_attribute%' "
                           f"OR {text} ILIKE 'DISCARD ALL%' OR {text} ILIKE '%FROM pg_type%') AND {text} NOT ILIKE '%count(*)%' "
                           f"AND {id_column} >= {created['RedshiftQueryId']}")
        assert own == [[{"longValue": 0}]]


def _target(user: str) -> Target:
    return Target("c1", None, "engine", "available", DATABASE, DB_USER, user, user, None)


def test_kept_connections_are_bounded_and_one_no_longer_reusable_is_closed():
    dataplane = FakeDataPlane()
    connections = Connections(None, dataplane, Clock(), lambda target: "available")  # type: ignore[arg-type]
    bob = _target("bob")
    first = connections.borrow(bob)
    connections.give_back(bob, first)
    assert connections.borrow(bob) is first  # kept, no new login
    connections.give_back(bob, first)
    first.can_be_reused = False  # e.g. bob was altered, or the engine dropped the connection
    second = connections.borrow(bob)
    assert second is not first and first.closed
    connections.give_back(bob, second)
    users = [_target(f"user{n}") for n in range(MAX_IDLE + 5)]
    sessions = [connections.borrow(user) for user in users]
    for user, session in zip(users, sessions):
        connections.give_back(user, session)
    kept = [session for session in [second, *sessions] if not session.closed]
    assert len(kept) == MAX_IDLE and second.closed and sessions[-1] in kept  # the oldest went first
    connections.close_all()
    assert all(session.closed for session in dataplane.opened)
