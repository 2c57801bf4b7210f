"""Redshift Serverless GetCredentials: the caller's IAM user logs in to the workgroup until expiry."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest
from botocore.exceptions import ClientError

from support import OWNER, Server, make_server, wait_for


@pytest.fixture(scope="module")
def serverless_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("serverless-credentials"), data_plane=True).start()
    client = server.client(OWNER, "redshift-serverless")
    client.create_namespace(namespaceName="ns1", adminUsername="admin", adminUserPassword="Passw0rd1")
    client.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    wait_for(lambda: client.get_workgroup(workgroupName="wg1")["workgroup"]["status"] == "AVAILABLE", timeout=120)
    yield server
    server.close()


def test_get_credentials_logs_in_as_the_callers_iam_user(serverless_server):
    client = serverless_server.client(OWNER, "redshift-serverless")
    credentials = client.get_credentials(workgroupName="wg1", dbName="dev", durationSeconds=900)
    assert credentials["dbUser"] == f"IAM:{OWNER}"
    assert credentials["nextRefreshTime"] == credentials["expiration"]
    endpoint = client.get_workgroup(workgroupName="wg1")["workgroup"]["endpoint"]
    with psycopg.connect(host=endpoint["address"], port=endpoint["port"], user=credentials["dbUser"],
                         password=credentials["dbPassword"], dbname="dev", connect_timeout=30) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (f"IAM:{OWNER}",)
    serverless_server.admin("/_localshift/time-travel?seconds=901")
    try:
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(host=endpoint["address"], port=endpoint["port"], user=credentials["dbUser"],
                            password=credentials["dbPassword"], dbname="dev", connect_timeout=30)
    finally:
        serverless_server.admin("/_localshift/time-travel?seconds=-901")


@pytest.mark.parametrize("params, code", [
    ({"workgroupName": "no-such"}, "ResourceNotFoundException"),
    ({"workgroupName": "wg1", "durationSeconds": 60}, "ValidationException"),
    ({}, "ValidationException"),
])
def test_bad_requests(serverless_server, params, code):
    with pytest.raises(ClientError) as caught:
        serverless_server.client(OWNER, "redshift-serverless").get_credentials(**params)
    assert caught.value.response["Error"]["Code"] == code
