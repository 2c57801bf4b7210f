"""A reset of some accounts takes their statements, results and sessions, and leaves the others'."""

from __future__ import annotations

from localshift.services.data_api.results import INLINE_BYTES
from support import OWNER, STRANGER, create_available_cluster, make_server

from .conftest import DataApi, code_of


def test_a_reset_of_one_account_leaves_the_others_statements(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        mine, theirs = (DataApi(server, account, ClusterIdentifier="c", Database="dev", DbUser="admin")
                        for account in (OWNER, STRANGER))
        for account in (OWNER, STRANGER):
            create_available_cluster(server.client(account), "c", ClusterType="single-node", NumberOfNodes=1)
        large = f"SELECT repeat('x', {INLINE_BYTES})"  # a result kept in a file
        kept = mine.ok(large)["Id"]
        finished = theirs.ok("SELECT 2")["Id"]  # a result kept in the store
        running = theirs.submit("SELECT pg_sleep(120)")
        theirs.wait(running, until=("STARTED",))
        in_session = theirs.client.execute_statement(Sql=large, SessionKeepAliveSeconds=600, **theirs.target)
        session_id = theirs.wait(in_session["Id"])["SessionId"]
        results = tmp_path / "data" / "data-api"
        assert len(list(results.iterdir())) == 2  # the running statement has no result yet
        server.admin(f"/_localshift/reset?account={STRANGER}")
        for statement_id in (finished, running, in_session["Id"]):
            assert code_of(theirs.describe_statement, Id=statement_id) == "ResourceNotFoundException"
        assert theirs.list_statements(Status="ALL")["Statements"] == []
        assert code_of(theirs.execute_statement, Sql="SELECT 1", SessionId=session_id) == "ValidationException"
        assert [path.name.split(".")[0] for path in results.iterdir()] == [kept]
        assert mine.get_statement_result(Id=kept)["Records"] == [[{"stringValue": "x" * INLINE_BYTES}]]
        assert mine.ok("SELECT 4")["Status"] == "FINISHED"
    finally:
        server.close()
