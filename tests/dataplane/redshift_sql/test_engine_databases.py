"""The engine's own databases (postgres, template0, template1) are no cluster's: every login to
them is refused as Redshift refuses a database that does not exist (wire_messages.refused_startup),
through the front, the Data API and temporary credentials alike."""

from __future__ import annotations

import psycopg
import pytest

from support import OWNER, wait_for

from .helpers import fresh_user

USER, SUPER, PASSWORD = "enginedb_plain", "enginedb_super", "Enginedb1"
HIDDEN = ("postgres", "template1", "template0")


@pytest.fixture(scope="module")
def users(sql_cluster, database):
    fresh_user(sql_cluster, database, USER, PASSWORD)
    with sql_cluster.connect(database) as conn:
        conn.execute(f"DROP USER IF EXISTS {SUPER}")
        conn.execute(f"CREATE USER {SUPER} PASSWORD '{PASSWORD}' CREATEUSER")
    yield
    with sql_cluster.connect(database) as conn:
        conn.execute(f"DROP USER {USER}")
        conn.execute(f"DROP USER {SUPER}")


@pytest.mark.parametrize("dbname", HIDDEN)
@pytest.mark.parametrize("user, password", [("admin", "Passw0rd1"), (SUPER, PASSWORD), (USER, PASSWORD)])
def test_no_user_logs_in_to_the_engines_databases(sql_cluster, users, dbname, user, password):
    with pytest.raises(psycopg.OperationalError) as refused:
        sql_cluster.connect(dbname, user, password)
    assert f'FATAL:  database "{dbname}" does not exist' in str(refused.value)  # 3D000


def test_the_data_api_cannot_reach_them(sql_cluster):
    data = sql_cluster.server.client(OWNER, "redshift-data")
    for dbname in HIDDEN:
        statement = data.execute_statement(ClusterIdentifier="sql", Database=dbname, DbUser="admin",
                                           Sql="select 1")["Id"]
        described = wait_for(lambda: (d := data.describe_statement(Id=statement))["Status"] in (
            "FINISHED", "FAILED", "ABORTED") and d)
        assert described["Status"] == "FAILED"
        assert f'database "{dbname}" does not exist' in described["Error"]


def test_temporary_credentials_cannot_reach_them(sql_cluster):
    redshift = sql_cluster.server.client(OWNER)
    for dbname in ("postgres", "template1"):
        credentials = redshift.get_cluster_credentials(ClusterIdentifier="sql", DbUser="admin")
        with pytest.raises(psycopg.OperationalError, match=f'database "{dbname}" does not exist'):
            sql_cluster.connect(dbname, credentials["DbUser"], credentials["DbPassword"])
        # The same credential opens the cluster's own database.
        with sql_cluster.connect("dev", credentials["DbUser"], credentials["DbPassword"]) as conn:
            assert conn.execute("select current_user").fetchone() == ("admin",)


def test_the_service_still_reaches_them(sql_cluster, database):
    """The query history lives in the engine's database postgres: the service's own sessions,
    on the engine's socket, still write it."""
    with sql_cluster.connect(database) as conn:
        conn.execute("select 'enginedb history probe'")
        found = wait_for(lambda: conn.execute(
            "select count(*) from stl_query where querytxt like 'select ''enginedb history probe''%'"
        ).fetchone()[0] > 0, timeout=60)
        assert found
