"""Statements across a restart of the service: finished ones keep their results, running ones FAILED."""

from __future__ import annotations

from localshift.services.data_api.results import INLINE_BYTES
from support import OWNER, create_available_cluster, make_server, wait_for

from .conftest import DataApi


def test_statements_survive_a_restart_and_never_claim_to_run(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        create_available_cluster(server.client(OWNER), "keep", ClusterType="single-node", NumberOfNodes=1)
        data = DataApi(server, ClusterIdentifier="keep", Database="dev", DbUser="admin")
        finished = data.ok("SELECT g, 'v' || g FROM generate_series(1, 3) g", StatementName="before")
        running = data.submit("SELECT pg_sleep(120)", StatementName="interrupted")
        data.wait(running, until=("STARTED",))
        session_id = data.client.execute_statement(Sql="SELECT 1", SessionKeepAliveSeconds=600, **data.target)["SessionId"]
        server.stop(kill=True)  # no chance to tidy up
        server.start()
        data = DataApi(server, ClusterIdentifier="keep", Database="dev", DbUser="admin")
        again = data.describe_statement(Id=finished["Id"])
        assert (again["Status"], again["ResultRows"], again["RedshiftPid"]) == ("FINISHED", 3, finished["RedshiftPid"])
        assert data.get_statement_result(Id=finished["Id"])["Records"][2] == [{"longValue": 3}, {"stringValue": "v3"}]
        interrupted = data.describe_statement(Id=running)
        assert interrupted["Status"] == "FAILED"
        assert interrupted["Error"] == "The statement was interrupted: localshift stopped while it ran."
        assert {s.get("StatementName") for s in data.list_statements(Status="ALL")["Statements"]} >= {"before", "interrupted"}
        # Sessions end with the service; statements run again once the cluster serves.
        assert "Session" in str(_refusal(data, session_id))
        assert data.wait(data.submit("SELECT 1"), timeout=120)["Status"] == "FINISHED"
    finally:
        server.close()


def _refusal(data: DataApi, session_id: str) -> Exception | None:
    try:
        data.client.execute_statement(Sql="SELECT 1", SessionId=session_id)
    except Exception as error:  # noqa: BLE001 - the refusal is the result
        return error
    return None


def test_statements_and_their_results_are_kept_24_hours(tmp_path):
    server = make_server(tmp_path, data_plane=True).start()
    try:
        create_available_cluster(server.client(OWNER), "kept", ClusterType="single-node", NumberOfNodes=1)
        data = DataApi(server, ClusterIdentifier="kept", Database="dev", DbUser="admin")
        small = data.ok("SELECT 1")["Id"]  # kept in the store, with its statement
        assert not (tmp_path / "data" / "data-api").exists()
        large = data.ok(f"SELECT repeat('x', {INLINE_BYTES})")["Id"]  # kept in a file
        results = [p for p in (tmp_path / "data" / "data-api").iterdir()]
        assert len(results) == 1 and oct(results[0].stat().st_mode & 0o777) == "0o600"
        server.admin("/_localshift/time-travel?seconds=86000")
        assert data.get_statement_result(Id=small)["Records"] == [[{"longValue": 1}]]
        assert data.get_statement_result(Id=large)["Records"] == [[{"stringValue": "x" * INLINE_BYTES}]]
        server.admin("/_localshift/time-travel?seconds=401")

        def gone(statement_id: str) -> bool:
            try:
                data.describe_statement(Id=statement_id)
                return False
            except Exception as error:  # noqa: BLE001 - the refusal is what is awaited
                return "ResourceNotFoundException" in str(error)

        assert wait_for(lambda: gone(small) and gone(large))
        assert list((tmp_path / "data" / "data-api").iterdir()) == []
    finally:
        server.close()
