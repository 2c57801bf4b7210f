"""AWS's limits on active statements, each account's workers, and targets that serve no SQL."""

from __future__ import annotations

import re

import pytest

from localshift.services.data_api.backend import WORKER_THREADS
from support import GRANTEE, OWNER, create_available_cluster, wait_for

from .conftest import DataApi, error_of


def test_at_most_200_statements_are_active_on_a_cluster(data: DataApi):
    ids = [data.submit("SELECT pg_sleep(60)") for _ in range(200)]
    try:
        refused = error_of(data.execute_statement, Sql="SELECT 1", **data.target)
        assert refused.response["Error"]["Code"] == "ActiveStatementsExceededException"
        statuses = {data.describe_statement(Id=i)["Status"] for i in ids}
        assert statuses <= {"SUBMITTED", "PICKED", "STARTED"} and "SUBMITTED" in statuses  # more than run at once
    finally:
        for statement_id in ids:
            data.cancel_statement(Id=statement_id)
    assert {data.wait(i)["Status"] for i in ids} == {"ABORTED"}
    assert data.ok("SELECT 1")["Status"] == "FINISHED"


def test_a_paused_cluster_refuses_statements_and_catalog_calls(data_server):
    redshift = data_server.client(OWNER)
    create_available_cluster(redshift, "sleepy", ClusterType="single-node", NumberOfNodes=1)
    data = DataApi(data_server, ClusterIdentifier="sleepy", Database="dev", DbUser="admin")
    try:
        redshift.pause_cluster(ClusterIdentifier="sleepy")
        wait_for(lambda: redshift.describe_clusters(ClusterIdentifier="sleepy")["Clusters"][0]["ClusterStatus"] == "paused")
        refused = error_of(data.execute_statement, Sql="SELECT 1", **data.target)
        # Server faults in AWS's Smithy model (@httpError(500)): an SDK retries them (these clients do not).
        assert (refused.response["Error"]["Code"], refused.response["ResponseMetadata"]["HTTPStatusCode"]) == \
            ("ExecuteStatementException", 500)
        assert "paused" in refused.response["Error"]["Message"]
        statement = data.describe_statement(Id=refused.response["StatementId"])
        assert statement["Status"] == "FAILED" and "paused" in statement["Error"]
        # The same request again (its ClientToken, which botocore fills in and keeps across its retry of the
        # 500): the same refusal, of the same statement; the retry made none.
        again = error_of(data.execute_statement, Sql="SELECT 1", ClientToken="paused-1", **data.target).response
        assert error_of(data.execute_statement, Sql="SELECT 1", ClientToken="paused-1", **data.target).response[
            "StatementId"] == again["StatementId"] != refused.response["StatementId"]
        assert len(data.list_statements(Status="FAILED", ClusterIdentifier="sleepy")["Statements"]) == 2
        batch = error_of(data.batch_execute_statement, Sqls=["SELECT 1"], **data.target)
        assert batch.response["Error"]["Code"] == "BatchExecuteStatementException" and batch.response["StatementId"]
        assert batch.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        for call in (data.list_databases, data.list_schemas, data.list_tables, data.describe_table):
            catalog = error_of(call, **data.target).response
            assert (catalog["Error"]["Code"], catalog["ResponseMetadata"]["HTTPStatusCode"]) == \
                ("DatabaseConnectionException", 500)
    finally:
        redshift.delete_cluster(ClusterIdentifier="sleepy", SkipFinalClusterSnapshot=True)


@pytest.mark.parametrize("action", ["delete", "pause"])
def test_a_statement_queued_when_its_cluster_goes_away_fails_as_a_worker_takes_it(data_server, action):
    # More statements than workers: the last waits SUBMITTED behind the others.  When its cluster goes
    # meanwhile, the worker that takes it finds nothing to log in to and says why (it waited a minute in
    # PICKED, then called the cluster "available").
    redshift = data_server.client(OWNER)
    name = f"going-{action}"
    create_available_cluster(redshift, name, ClusterType="single-node", NumberOfNodes=1)
    data = DataApi(data_server, ClusterIdentifier=name, Database="dev", DbUser="admin")
    try:
        ids = [data.submit("SELECT pg_sleep(300)") for _ in range(WORKER_THREADS + 1)]
        wait_for(lambda: [data.describe_statement(Id=i)["Status"] for i in ids].count("STARTED") == WORKER_THREADS)
        [queued] = [i for i in ids if data.describe_statement(Id=i)["Status"] == "SUBMITTED"]
        if action == "delete":
            redshift.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)
        else:
            redshift.pause_cluster(ClusterIdentifier=name)
        ended = data.wait(queued)
        assert ended["Status"] == "FAILED"
        assert re.fullmatch(rf"Connection to the database failed: {name} (no longer exists|is (deleting|pausing|paused): "
                            r"it serves no SQL now)\.", ended["Error"]), ended["Error"]
        assert {data.wait(i)["Status"] for i in ids} == {"FAILED"}
    finally:
        if action == "pause":
            wait_for(lambda: redshift.describe_clusters(ClusterIdentifier=name)["Clusters"][0]["ClusterStatus"] == "paused")
            redshift.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)


def test_one_accounts_long_statements_never_hold_up_anothers(data: DataApi, data_server):
    """Statements wait for a worker of their own account's: however many long ones an account runs, another
    account's statement on its own cluster runs at once."""
    create_available_cluster(data_server.client(GRANTEE), "neighbour")
    neighbour = DataApi(data_server, GRANTEE, ClusterIdentifier="neighbour", Database="dev", DbUser="admin")
    ids = [data.submit("SELECT pg_sleep(600)") for _ in range(WORKER_THREADS + 2)]
    try:
        # Every worker the account may have runs one of them; the rest wait.
        wait_for(lambda: [data.describe_statement(Id=i)["Status"] for i in ids].count("STARTED") == WORKER_THREADS)
        assert neighbour.ok("SELECT 1")["Status"] == "FINISHED"
    finally:
        for statement_id in ids:
            data.cancel_statement(Id=statement_id)
        data_server.client(GRANTEE).delete_cluster(ClusterIdentifier="neighbour", SkipFinalClusterSnapshot=True)
    assert {data.wait(i)["Status"] for i in ids} == {"ABORTED"}
