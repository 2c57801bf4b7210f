"""ExecuteStatement, DescribeStatement, ListStatements: real statuses, real users, AWS's errors."""

from __future__ import annotations

import time

import pytest

from support import GRANTEE, OWNER, STRANGER, create_available_cluster, wait_for

from .conftest import CLUSTER, DATABASE, MASTER, DataApi, code_of, error_of, unchecked

ORDER = ["SUBMITTED", "PICKED", "STARTED", "FINISHED"]


def test_a_statement_goes_through_real_statuses_and_reports_the_engine(data: DataApi):
    # Two seconds running: the polling below sees STARTED even when each call takes long on a busy machine.
    statement_id = data.submit("SELECT pg_backend_pid(), pg_sleep(2)")
    seen = []
    while not seen or seen[-1] not in ("FINISHED", "FAILED", "ABORTED"):
        status = data.describe_statement(Id=statement_id)["Status"]
        if not seen or seen[-1] != status:
            seen.append(status)
    assert seen == [s for s in ORDER if s in seen] and "STARTED" in seen
    described = data.describe_statement(Id=statement_id)
    pid = data.get_statement_result(Id=statement_id)["Records"][0][0]["longValue"]
    assert described["RedshiftPid"] == pid  # the engine's own backend
    assert 2e9 <= described["Duration"] < 600e9  # nanoseconds
    assert described["CreatedAt"] <= described["UpdatedAt"]
    assert (described["ClusterIdentifier"], described["Database"], described["DbUser"]) == (CLUSTER, DATABASE, MASTER)
    assert described["HasResultSet"] is True and described["ResultRows"] == 1 and described["ResultSize"] > 0
    assert described["QueryString"] == "SELECT pg_backend_pid(), pg_sleep(2)"
    assert "Error" not in described
    # The id the statement has in the endpoint's query history.
    history = data.records(f"SELECT trim(query_text) FROM sys_query_history WHERE query_id = {described['RedshiftQueryId']}")
    assert history == [[{"stringValue": "SELECT pg_backend_pid(), pg_sleep(2)"}]]


def test_statements_run_as_the_database_user_named(data: DataApi, data_server, table):
    data.ok(f"CREATE TABLE {table} (v int)")
    data.ok(f"CREATE USER {table}_bob PASSWORD 'Bob-pw-123'")
    as_bob = DataApi(data_server, ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser=f"{table}_bob")
    assert as_bob.records("SELECT current_user, session_user") == [[{"stringValue": f"{table}_bob"}] * 2]
    denied = as_bob.run(f"SELECT * FROM {table}")
    assert denied["Status"] == "FAILED"
    assert denied["Error"] == f"ERROR: permission denied for relation {table}"  # Redshift's words
    # The engine's internal superuser is never reached.
    escaped = as_bob.run("RESET SESSION AUTHORIZATION; SELECT current_user")
    assert escaped["Status"] == "FAILED"
    missing = DataApi(data_server, ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser="nobody_here").run("SELECT 1")
    assert (missing["Status"], missing["Error"]) == ("FAILED", 'FATAL: role "nobody_here" does not exist')


def test_a_managed_secret_logs_in_as_the_admin(data_server):
    redshift = data_server.client(OWNER)
    redshift.create_cluster(ClusterIdentifier="managed", NodeType="ra3.xlplus", NumberOfNodes=1, ClusterType="single-node",
                            MasterUsername="boss", ManageMasterPassword=True)
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="managed", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    secret = redshift.describe_clusters(ClusterIdentifier="managed")["Clusters"][0]["MasterPasswordSecretArn"]
    try:
        with_secret = DataApi(data_server, ClusterIdentifier="managed", Database=DATABASE, SecretArn=secret)
        assert with_secret.records("SELECT current_user") == [[{"stringValue": "boss"}]]
        assert with_secret.describe_statement(Id=with_secret.submit("SELECT 1"))["SecretArn"] == secret
        # The secret opens its own cluster only.
        other = DataApi(data_server, ClusterIdentifier=CLUSTER, Database=DATABASE, SecretArn=secret)
        assert code_of(other.execute_statement, Sql="SELECT 1", **other.target) == "ValidationException"
    finally:
        redshift.delete_cluster(ClusterIdentifier="managed", SkipFinalClusterSnapshot=True)


def test_failures_carry_the_engines_words(data: DataApi):
    failed = data.run("SELECT * FROM no_such_table")
    assert failed["Status"] == "FAILED" and failed["Error"] == 'ERROR: relation "no_such_table" does not exist'
    assert failed["ResultRows"] == -1 and failed["ResultSize"] == -1 and failed["HasResultSet"] is False
    # One statement per ExecuteStatement.
    assert data.run("SELECT 1; SELECT 2")["Status"] == "FAILED"


def test_a_failed_statement_has_the_id_its_failure_has_in_the_query_history(data: DataApi, data_server):
    failed = data.run("SELECT 1/0")
    assert failed["Status"] == "FAILED" and failed["RedshiftQueryId"] > 0
    recorded = data.records("SELECT trim(query_text), trim(status), trim(error_message) FROM sys_query_history "
                            f"WHERE query_id = {failed['RedshiftQueryId']}")
    assert recorded == [[{"stringValue": "SELECT 1/0"}, {"stringValue": "failed"}, {"stringValue": "division by zero"}]]
    assert data.ok("SELECT 1")["RedshiftQueryId"] > failed["RedshiftQueryId"]
    # A statement that never reached the engine has none.
    missing = DataApi(data_server, ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser="nobody_here").run("SELECT 1")
    assert (missing["Status"], missing["RedshiftQueryId"]) == ("FAILED", -1)


def test_named_parameters_bind_typed_values(data: DataApi, data_server, table):
    data.ok(f"CREATE TABLE {table} (id int, id_small smallint, name varchar(20), at timestamp)")
    parameters = [{"name": "name", "value": "event 2"}, {"name": "at", "value": "2022-02-22"}, {"name": "id", "value": "2"}]
    data.ok(f"INSERT INTO {table} VALUES (:id, :id::smallint, :name, :at) /* :id here is a comment */",
            Parameters=parameters)
    data.ok(f"INSERT INTO {table} (id, name) VALUES (:id, ':id is text')", Parameters=[{"name": "id", "value": "3"}])
    data.ok(f"INSERT INTO {table} (id, name) VALUES (4, :v)", Parameters=[{"name": "v", "value": "null"}])
    records = data.records(f"SELECT id, id_small, name, at FROM {table} WHERE id >= :low ORDER BY id",
                           Parameters=[{"name": "low", "value": "2"}])
    assert records == [
        [{"longValue": 2}, {"longValue": 2}, {"stringValue": "event 2"}, {"stringValue": "2022-02-22 00:00:00.0"}],
        [{"longValue": 3}, {"isNull": True}, {"stringValue": ":id is text"}, {"isNull": True}],
        [{"longValue": 4}, {"isNull": True}, {"stringValue": "null"}, {"isNull": True}],  # the text null, not NULL
    ]
    described = data.describe_statement(Id=data.submit("SELECT :a", Parameters=[{"name": "a", "value": "x"}]))
    assert described["QueryParameters"] == [{"name": "a", "value": "x"}]
    missing = error_of(data.execute_statement, Sql="SELECT :a, :b", Parameters=[{"name": "a", "value": "1"}], **data.target)
    assert missing.response["Error"]["Code"] == "ValidationException" and ":b" in missing.response["Error"]["Message"]
    twice = [{"name": "a", "value": "1"}, {"name": "a", "value": "2"}]
    assert code_of(data.execute_statement, Sql="SELECT :a", Parameters=twice, **data.target) == "ValidationException"
    empty = [{"name": "a", "value": ""}]  # the model's minimum length
    assert code_of(unchecked(data_server).execute_statement, Sql="SELECT :a", Parameters=empty,
                   **data.target) == "ValidationException"


def test_a_client_token_names_one_submission(data: DataApi):
    first = data.execute_statement(Sql="SELECT 1", ClientToken="token-1", **data.target)
    again = data.execute_statement(Sql="SELECT 1", ClientToken="token-1", **data.target)
    assert again["Id"] == first["Id"] and again["CreatedAt"] == first["CreatedAt"]
    assert data.execute_statement(Sql="SELECT 1", ClientToken="token-2", **data.target)["Id"] != first["Id"]
    assert code_of(data.execute_statement, Sql="SELECT 2", ClientToken="token-1", **data.target) == "ValidationException"


@pytest.mark.parametrize("params, words", [
    ({"ClusterIdentifier": CLUSTER, "WorkgroupName": "wg1", "Database": DATABASE}, "not both"),
    ({"Database": DATABASE}, "must be specified"),
    ({"ClusterIdentifier": CLUSTER}, "Database must be specified"),
    ({"ClusterIdentifier": CLUSTER, "Database": DATABASE, "DbUser": MASTER, "SecretArn": "x"}, "not both"),
    ({"ClusterIdentifier": "no-such-cluster", "Database": DATABASE, "DbUser": MASTER}, "doesn't exist"),
    # The names GetClusterCredentials refuses: the internal superuser, PostgreSQL's roles, reserved words.
    ({"ClusterIdentifier": CLUSTER, "Database": DATABASE, "DbUser": "RdsDb"}, "DbUser RdsDb is a reserved"),
    ({"ClusterIdentifier": CLUSTER, "Database": DATABASE, "DbUser": "pg_read_server_files"}, "reserved user name"),
    ({"ClusterIdentifier": CLUSTER, "Database": DATABASE, "DbUser": "select"}, "reserved word"),
])
def test_where_and_as_whom_are_checked_at_once(data: DataApi, params, words):
    error = error_of(data.execute_statement, Sql="SELECT 1", **params)
    assert error.response["Error"]["Code"] == "ValidationException" and words in error.response["Error"]["Message"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sql_is_at_most_100_kb(data: DataApi):
    assert code_of(data.execute_statement, Sql="SELECT '" + "x" * 102_400 + "'", **data.target) == "ValidationException"
    assert data.records("SELECT length('" + "x" * 100_000 + "')") == [[{"longValue": 100_000}]]


@pytest.mark.parametrize("blank", ["", " ", "\n\t  \r\n"])
def test_sql_with_nothing_to_run_is_refused_before_a_statement_is_made(data: DataApi, data_server, blank):
    unchecked_client = unchecked(data_server)
    listed = len(data.list_statements(MaxResults=100)["Statements"])
    for call, sql in ((unchecked_client.execute_statement, {"Sql": blank}),
                      (unchecked_client.batch_execute_statement, {"Sqls": ["SELECT 1", blank]})):
        error = error_of(call, **sql, **data.target).response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
        assert error["Error"]["Message"] == "The SQL statement is empty: it must contain a statement to run."
    assert len(data.list_statements(MaxResults=100)["Statements"]) == listed


def test_statements_are_the_accounts_own(data: DataApi, data_server):
    statement_id = data.ok("SELECT 1")["Id"]
    stranger = DataApi(data_server, STRANGER)
    for call in (stranger.describe_statement, stranger.get_statement_result, stranger.cancel_statement):
        error = error_of(call, Id=statement_id)
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        assert error.response["ResourceId"] == statement_id
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404  # AWS's Smithy model: @httpError(404)
    assert statement_id not in [s["Id"] for s in stranger.list_statements(Status="ALL")["Statements"]]
    # Another account's cluster is not there for it, whatever the user named.
    assert code_of(stranger.execute_statement, Sql="SELECT 1", **data.target) == "ValidationException"
    assert code_of(DataApi(data_server, GRANTEE).list_tables, **data.target) == "ValidationException"


def test_list_statements_filters_and_pages_newest_first(data: DataApi, data_server):
    prefix = f"list-{time.monotonic_ns()}"
    ids = [data.ok(f"SELECT {i}", StatementName=f"{prefix}-{i}")["Id"] for i in range(5)]
    failed = data.run("SELECT nope", StatementName=f"{prefix}-failed")["Id"]
    listed = data.list_statements(StatementName=prefix)["Statements"]  # FINISHED ones by default
    assert [s["Id"] for s in listed] == ids[::-1]
    assert listed[0]["QueryString"] == "SELECT 4" and listed[0]["IsBatchStatement"] is False
    everything = data.list_statements(StatementName=prefix, Status="ALL")["Statements"]
    assert [s["Id"] for s in everything] == [failed, *ids[::-1]]
    assert [s["Id"] for s in data.list_statements(StatementName=prefix, Status="FAILED")["Statements"]] == [failed]
    assert data.list_statements(StatementName=prefix.upper(), Status="ALL")["Statements"] == []  # case-sensitive
    pages = list(data.get_paginator("list_statements").paginate(
        StatementName=prefix, Status="ALL", PaginationConfig={"PageSize": 2}))
    assert [len(p["Statements"]) for p in pages] == [2, 2, 2]
    assert [s["Id"] for p in pages for s in p["Statements"]] == [failed, *ids[::-1]]
    assert data.list_statements(StatementName=prefix, ClusterIdentifier="other")["Statements"] == []
    assert len(data.list_statements(StatementName=prefix, ClusterIdentifier=CLUSTER, Database=DATABASE)["Statements"]) == 5
    assert code_of(data.list_statements, NextToken="garbage") == "ValidationException"


def test_role_level_false_lists_the_callers_own_statements(data_server):
    # In open mode every key that is no account id belongs to the default account: two identities of one account.
    first, second = (data_server.client(key, "redshift-data") for key in ("KEYONE", "KEYTWO"))
    redshift = data_server.client("KEYONE")
    create_available_cluster(redshift, "roles", ClusterType="single-node", NumberOfNodes=1)
    try:
        target = {"ClusterIdentifier": "roles", "Database": DATABASE, "DbUser": "admin", "StatementName": "role-level"}
        mine = first.execute_statement(Sql="SELECT 1", **target)["Id"]
        theirs = second.execute_statement(Sql="SELECT 2", **target)["Id"]

        def listed(client, **extra):  # type: ignore[no-untyped-def]
            return {s["Id"] for s in client.list_statements(StatementName="role-level", Status="ALL", **extra)["Statements"]}

        assert listed(first) == listed(second) == {mine, theirs}  # RoleLevel true (the default): the account's
        assert listed(first, RoleLevel=False) == {mine}
        assert listed(second, RoleLevel=False) == {theirs}
        assert second.describe_statement(Id=mine)["Id"] == mine  # any identity of the account may act on it
    finally:
        redshift.delete_cluster(ClusterIdentifier="roles", SkipFinalClusterSnapshot=True)


def test_passwords_are_masked_in_what_the_data_api_shows(data: DataApi):
    """DescribeStatement and ListStatements show PASSWORD '***', as Redshift's history does."""
    name = f"masked-{time.monotonic_ns()}"
    user = f"dapi_masked_{time.monotonic_ns() % 10**9}"
    created = data.ok(f"CREATE USER {user} PASSWORD 'Secret123x'", StatementName=name)
    assert created["QueryString"] == f"CREATE USER {user} PASSWORD '***'"
    batch = data.batch([f"ALTER USER {user} PASSWORD 'Secret456Y'", f"DROP USER {user}"], StatementName=name)
    assert batch["Status"] == "FINISHED", batch.get("Error")
    assert [part["QueryString"] for part in batch["SubStatements"]] == [f"ALTER USER {user} PASSWORD '***'",
                                                                        f"DROP USER {user}"]
    listed = data.list_statements(StatementName=name)["Statements"]
    assert [s.get("QueryString") or s.get("QueryStrings") for s in listed] == [
        [f"ALTER USER {user} PASSWORD '***'", f"DROP USER {user}"], f"CREATE USER {user} PASSWORD '***'"]
    # Nor does the service's store keep them: the SQL in clear is only in the memory of the worker running it.
    stored = b"".join(path.read_bytes() for path in data.server.data_dir.glob("localshift.sqlite3*"))
    assert user.encode() in stored
    assert b"Secret123x" not in stored and b"Secret456Y" not in stored
