"""GetClusterCredentials and GetClusterCredentialsWithIAM: temporary credentials that really log in, until they expire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import psycopg
import pytest
import redshift_connector
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, Server, create_available_cluster, make_server, wait_for

CLUSTER = "creds"


@pytest.fixture(scope="module")
def creds_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("credentials"), data_plane=True).start()
    create_available_cluster(server.client(OWNER), CLUSTER, ClusterType="single-node", NumberOfNodes=1)
    yield server
    server.close()


@pytest.fixture
def cluster(creds_server: Server) -> dict:
    return creds_server.client(OWNER).describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]


def connect(cluster: dict, user: str, password: str, dbname: str = "dev") -> psycopg.Connection:
    endpoint = cluster["Endpoint"]
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=user, password=password,
                           dbname=dbname, autocommit=True, connect_timeout=30)


def as_master(cluster: dict) -> psycopg.Connection:
    return connect(cluster, "admin", "Passw0rd1")


def test_credentials_log_in_as_the_database_user(creds_server, cluster, monkeypatch):
    redshift = creds_server.client(OWNER)
    before = datetime.now(timezone.utc)
    credentials = redshift.get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="admin", DbName="dev")
    after = datetime.now(timezone.utc)
    assert credentials["DbUser"] == "IAM:admin"
    # 900 seconds by default, from the moment the call was answered (however long it took), to the second.
    issued = credentials["Expiration"] - timedelta(seconds=900)
    assert before - timedelta(seconds=1) <= issued <= after + timedelta(seconds=1)
    with connect(cluster, credentials["DbUser"], credentials["DbPassword"]) as conn:
        assert conn.execute("SELECT current_user, session_user").fetchone() == ("admin", "admin")
    # The driver's default TLS (the default parameter group requires SSL), trusting the data dir's CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(creds_server.ca_file))
    conn = redshift_connector.connect(host=cluster["Endpoint"]["Address"], port=cluster["Endpoint"]["Port"],
                                      database="dev", user=credentials["DbUser"], password=credentials["DbPassword"],
                                      timeout=30)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "admin"
    finally:
        conn.close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(cluster, credentials["DbUser"], credentials["DbPassword"] + "x")


def test_credentials_expire_by_the_service_clock(creds_server, cluster):
    credentials = creds_server.client(OWNER).get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="admin",
                                                                     DurationSeconds=3600)
    still_open = connect(cluster, credentials["DbUser"], credentials["DbPassword"])
    creds_server.admin("/_localshift/time-travel?seconds=3599")
    try:
        connect(cluster, credentials["DbUser"], credentials["DbPassword"]).close()
        creds_server.admin("/_localshift/time-travel?seconds=2")
        with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "IAM:admin"'):
            connect(cluster, credentials["DbUser"], credentials["DbPassword"])
        assert still_open.execute("SELECT 1").fetchone() == (1,)  # sessions already open go on
    finally:
        still_open.close()
        creds_server.admin("/_localshift/time-travel?seconds=-3601")


def test_auto_create_and_groups(creds_server, cluster):
    with as_master(cluster) as conn:
        conn.execute("CREATE GROUP analysts")
        conn.execute("CREATE TABLE reports (v int)")
        conn.execute("GRANT SELECT ON reports TO GROUP analysts")
    redshift = creds_server.client(OWNER)
    plain = redshift.get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="newcomer")
    with pytest.raises(psycopg.OperationalError, match='role "newcomer" does not exist'):
        connect(cluster, plain["DbUser"], plain["DbPassword"])
    created = redshift.get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="newcomer", AutoCreate=True,
                                               DbGroups=["analysts"])
    assert created["DbUser"] == "IAMA:newcomer"
    with connect(cluster, created["DbUser"], created["DbPassword"]) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("newcomer",)
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (0,)  # as a member of analysts
    # The user exists now; without the group its sessions cannot read the table.
    with connect(cluster, plain["DbUser"], plain["DbPassword"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM reports")


def test_with_iam_logs_in_as_the_callers_iam_user(creds_server, cluster):
    credentials = creds_server.client(OWNER).get_cluster_credentials_with_iam(ClusterIdentifier=CLUSTER, DbName="dev")
    assert credentials["DbUser"] == f"IAM:{OWNER}"
    with connect(cluster, credentials["DbUser"], credentials["DbPassword"]) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (f"IAM:{OWNER}",)
    with pytest.raises(psycopg.OperationalError, match="not authorized to connect"):
        connect(cluster, credentials["DbUser"], credentials["DbPassword"], dbname="other")


@pytest.mark.parametrize("params, code", [
    ({"ClusterIdentifier": CLUSTER, "DbUser": "admin", "DurationSeconds": 899}, "InvalidParameterValue"),
    ({"ClusterIdentifier": CLUSTER, "DbUser": "admin", "DurationSeconds": 3601}, "InvalidParameterValue"),
    ({"ClusterIdentifier": CLUSTER, "DbUser": "bad:name"}, "InvalidParameterValue"),
    ({"ClusterIdentifier": CLUSTER, "DbUser": "public"}, "InvalidParameterValue"),
    ({"ClusterIdentifier": CLUSTER, "DbUser": "rdsdb"}, "InvalidParameterValue"),
    ({"ClusterIdentifier": CLUSTER, "DbUser": "localshift_superuser"}, "InvalidParameterValue"),
    ({"ClusterIdentifier": "no-such", "DbUser": "admin"}, "ClusterNotFound"),
    ({"DbUser": "admin"}, "InvalidParameterCombination"),
])
def test_bad_requests_are_refused_as_redshift_refuses_them(creds_server, params, code):
    with pytest.raises(ClientError) as caught:
        creds_server.client(OWNER).get_cluster_credentials(**params)
    assert caught.value.response["Error"]["Code"] == code


def test_another_accounts_cluster_is_not_found(creds_server):
    with pytest.raises(ClientError) as caught:
        creds_server.client(STRANGER).get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="admin")
    assert caught.value.response["Error"]["Code"] == "ClusterNotFound"


def test_credentials_survive_a_restart(creds_server, cluster):
    credentials = creds_server.client(OWNER).get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="admin")
    creds_server.stop()
    creds_server.start()

    def logged_in() -> tuple | None:
        # The engine starts again in the background, on another port if its own was taken meanwhile.
        cluster = creds_server.client(OWNER).describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]
        try:
            with connect(cluster, credentials["DbUser"], credentials["DbPassword"]) as conn:
                return conn.execute("SELECT current_user").fetchone()
        except psycopg.OperationalError:
            return None

    assert wait_for(logged_in) == ("admin",)
