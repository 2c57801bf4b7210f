"""Sessions: one connection kept between statements, one statement at a time, until it expires."""

from __future__ import annotations

from support import STRANGER, wait_for

from .conftest import CLUSTER, DataApi, error_of


def test_a_session_keeps_temporary_tables_and_settings(data: DataApi):
    first = data.client.execute_statement(Sql="CREATE TEMP TABLE scratch AS SELECT 42 AS answer",
                                          SessionKeepAliveSeconds=300, **data.target)
    session_id = first["SessionId"]
    assert data.wait(first["Id"])["Status"] == "FINISHED"
    in_session = DataApi(data.server, SessionId=session_id)
    assert in_session.ok("SET search_path TO pg_catalog, public")["SessionId"] == session_id
    assert in_session.records("SELECT answer FROM scratch") == [[{"longValue": 42}]]
    assert in_session.records("SHOW search_path") == [[{"stringValue": "pg_catalog, public"}]]
    described = in_session.describe_statement(Id=in_session.submit("SELECT 1"))
    assert (described["SessionId"], described["ClusterIdentifier"], described["DbUser"]) == (session_id, CLUSTER, "admin")
    # Without the session, a statement starts afresh: its connection was reset.
    assert data.run("SELECT answer FROM scratch")["Status"] == "FAILED"
    assert data.records("SHOW search_path") == [[{"stringValue": '"$user", public'}]]
    batch = data.client.batch_execute_statement(Sqls=["INSERT INTO scratch VALUES (1)", "SELECT count(*) FROM scratch"],
                                                SessionId=session_id)
    assert data.wait(batch["Id"])["Status"] == "FINISHED"
    assert data.get_statement_result(Id=f"{batch['Id']}:2")["Records"] == [[{"longValue": 2}]]


def test_a_session_runs_one_statement_at_a_time(data: DataApi):
    first = data.client.execute_statement(Sql="SELECT pg_sleep(30)", SessionKeepAliveSeconds=60, **data.target)
    session_id = first["SessionId"]
    data.wait(first["Id"], until=("STARTED",))
    busy = error_of(data.client.execute_statement, Sql="SELECT 1", SessionId=session_id)
    assert busy.response["Error"]["Code"] == "ActiveSessionsExceededException"
    data.cancel_statement(Id=first["Id"])
    data.wait(first["Id"])
    assert data.wait(data.client.execute_statement(Sql="SELECT 1", SessionId=session_id)["Id"])["Status"] == "FINISHED"


def test_a_session_fixes_where_and_as_whom(data: DataApi):
    session_id = data.client.execute_statement(Sql="SELECT 1", SessionKeepAliveSeconds=60, **data.target)["SessionId"]
    error = error_of(data.client.execute_statement, Sql="SELECT 1", SessionId=session_id, ClusterIdentifier=CLUSTER)
    assert error.response["Error"]["Code"] == "ValidationException"
    stranger = DataApi(data.server, STRANGER)
    invalid = error_of(stranger.client.execute_statement, Sql="SELECT 1", SessionId=session_id)
    assert invalid.response["Error"] == {"Code": "ValidationException", "Message": f"Session with Id: {session_id} is invalid"}
    never = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    assert "is invalid" in str(error_of(data.client.execute_statement, Sql="SELECT 1", SessionId=never))


def test_a_session_ends_when_its_keep_alive_runs_out(data: DataApi):
    first = data.client.execute_statement(Sql="SELECT 1", SessionKeepAliveSeconds=120, **data.target)
    data.wait(first["Id"])
    data.server.admin("/_localshift/time-travel?seconds=121")
    try:
        def gone() -> bool:
            try:
                data.wait(data.client.execute_statement(Sql="SELECT 1", SessionId=first["SessionId"])["Id"])
                return False
            except Exception as error:  # noqa: BLE001 - the refusal is what is awaited
                return "Session is not available" in str(error)

        assert wait_for(gone)
    finally:
        data.server.admin("/_localshift/time-travel?seconds=-121")


def test_a_statement_over_the_sessions_statement_timeout_fails_with_redshifts_words(data: DataApi):
    # ExecuteStatement cannot answer QueryTimeoutException (not among its errors in AWS's model): the statement fails.
    # A second, not Redshift's least (100 ms): the statements after the stopped one run under it too, and on a
    # busy machine 100 ms has cut even those short.
    first = data.client.execute_statement(Sql="SET statement_timeout TO 1000", SessionKeepAliveSeconds=60, **data.target)
    assert data.wait(first["Id"])["Status"] == "FINISHED"
    in_session = DataApi(data.server, SessionId=first["SessionId"])
    stopped = in_session.run("SELECT pg_sleep(30)")
    assert stopped["Status"] == "FAILED"
    # The session's timeout would also cut the history lookup short on a busy machine.
    in_session.ok("SET statement_timeout TO 0")
    [[query_id]] = in_session.records("SELECT query_id FROM sys_query_history WHERE session_id = pg_backend_pid() "
                                      "AND query_text = 'SELECT pg_sleep(30)' AND status = 'failed'")
    assert stopped["Error"] == f"ERROR: Query ({query_id['longValue']}) canceled on user's request"  # as Redshift words it
    assert stopped["RedshiftQueryId"] == query_id["longValue"]


def test_a_sessions_settings_do_not_reach_the_descriptions_of_its_results(data: DataApi, table: str):
    # A result's columns are described from the catalog on the session's connection, by the service, in a
    # transaction block or not: what the session SET stays the user's, a block its own (a failure in it still
    # fails what follows), and a search_path that puts a schema of the user's first, with a view named like a
    # catalog, changes nothing.  (That the session's statement_timeout does not cut the descriptions short is
    # tested in tests/dataplane/test_sql_sessions.py, where the internal role can lock a catalog.)
    first = data.client.execute_statement(Sql=f"CREATE TABLE {table} (v int NOT NULL)", SessionKeepAliveSeconds=300,
                                          **data.target)
    assert data.wait(first["Id"])["Status"] == "FINISHED"
    in_session, trap = DataApi(data.server, SessionId=first["SessionId"]), f"{table}_trap"
    in_session.ok(f"INSERT INTO {table} VALUES (1)")
    in_session.ok(f"CREATE SCHEMA {trap}")
    try:
        in_session.ok(f"CREATE VIEW {trap}.pg_namespace AS SELECT oid, 'trapped'::name AS nspname FROM pg_catalog.pg_namespace")
        in_session.ok(f"SET search_path TO {trap}, pg_catalog, public")
        in_session.ok("SET statement_timeout TO 1000")  # a second: the user's own statements are not cut on a busy machine
        for in_block in (False, True):
            if in_block:
                in_session.ok("BEGIN")
            selected = in_session.ok(f"SELECT v FROM public.{table}")
            [column] = data.get_statement_result(Id=selected["Id"])["ColumnMetadata"]
            assert (column["schemaName"], column["tableName"], column["nullable"]) == ("public", table, 0)
            assert in_session.records("SHOW search_path") == [[{"stringValue": f"{trap}, pg_catalog, public"}]]
            assert in_session.records("SHOW statement_timeout") == [[{"stringValue": "1s"}]]
        # Still the user's block: a failure in it fails what follows until it is rolled back.
        assert in_session.run("SELECT 1 / 0")["Status"] == "FAILED"
        aborted = in_session.run(f"SELECT v FROM public.{table}")
        assert "current transaction is aborted" in aborted["Error"]
        in_session.ok("ROLLBACK")
        assert in_session.records(f"SELECT v FROM public.{table}") == [[{"longValue": 1}]]
    finally:
        in_session.ok("SET statement_timeout TO 0")
        in_session.ok(f"DROP SCHEMA {trap} CASCADE")


def test_a_statement_leaving_utf8_or_iso_dates_fails_and_ends_its_session_as_the_jdbc_driver_does(data: DataApi):
    # The Data API reads its sessions over JDBC, whose driver requires client_encoding UTF8 and a DateStyle
    # beginning with ISO, and closes a session that changed either: text read in another encoding, or dates
    # in another style, could not be trusted to be what the results say.  (SQL_ASCII left the next statement
    # STARTED for ever, its row's text arriving as bytes.)
    for setting, words in (("client_encoding TO 'SQL_ASCII'", "client_encoding parameter was changed to SQL_ASCII. "
                            "The JDBC driver requires client_encoding to be UTF8 for correct operation."),
                           ("DateStyle TO 'German'", "DateStyle parameter was changed to German, DMY. "
                            "The JDBC driver requires DateStyle to begin with ISO for correct operation.")):
        first = data.client.execute_statement(Sql="SELECT 1", SessionKeepAliveSeconds=60, **data.target)
        assert data.wait(first["Id"])["Status"] == "FINISHED"
        in_session = DataApi(data.server, SessionId=first["SessionId"])
        changed = in_session.run(f"SET {setting}")
        assert changed["Status"] == "FAILED" and changed["Error"].endswith(f"The server's {words}")
        gone = error_of(in_session.execute_statement, Sql="SELECT 1", SessionId=first["SessionId"])
        assert gone.response["Error"] == {"Code": "ValidationException", "Message": "Session is not available"}
        assert data.run(f"SET {setting}")["Status"] == "FAILED"  # without a session too
    assert data.records("SELECT 'é' AS e") == [[{"stringValue": "é"}]]
    # The driver logs in with UTF8 and ISO, whatever a database's own defaults: its SQL is read as sent, not as
    # LATIN1 (where 'é' became 'Ã©'), and dates come as ISO writes them.
    # (The database stays: the pool keeps a connection to it, and DROP DATABASE refuses one in use.)
    data.ok("CREATE DATABASE latin_default")
    data.ok("ALTER DATABASE latin_default SET client_encoding TO 'LATIN1'")
    data.ok("ALTER DATABASE latin_default SET DateStyle TO 'SQL, DMY'")
    latin = DataApi(data.server, **{**data.target, "Database": "latin_default"})
    assert latin.records("SELECT 'é' AS e, DATE '2024-02-03' AS d") == [
        [{"stringValue": "é"}, {"stringValue": "2024-02-03"}]]
