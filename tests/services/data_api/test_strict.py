"""Strict mode: the Data API checks signatures like every service, and keeps accounts apart."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Iterator

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import REGION, Server, create_available_cluster, make_server, wait_for

from .conftest import DataApi

KEYS = {"AKIDA": ("SECRETA", "111111111111"), "AKIDB": ("SECRETB", "222222222222")}
# Keys configured as an IAM role's (an assumed role's session) and an IAM user's.
IDENTITIES = {"AKIDROLE": ("SECRETR", "111111111111:role/etl-runner"), "AKIDUSER": ("SECRETU", "111111111111:user/alice"),
              # Another session of the same role.
              "AKIDROLE2": ("SECRETR2", "111111111111:role/etl-runner")}


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("strict-data"), data_plane=True, keys={**KEYS, **IDENTITIES}).start()
    create_available_cluster(server.client("AKIDA", secret="SECRETA"), "strictly", ClusterType="single-node",
                             NumberOfNodes=1)
    yield server
    server.close()


def client(server: Server, key: str, secret: str | None = None):  # type: ignore[no-untyped-def]
    return boto3.client("redshift-data", endpoint_url=server.url, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret or {**KEYS, **IDENTITIES}[key][0],
                        config=Config(retries={"max_attempts": 1}))


def test_signatures_are_checked(strict: Server):
    with pytest.raises(ClientError) as caught:
        client(strict, "AKIDA", "wrong").list_statements()
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    with pytest.raises(ClientError) as caught:
        client(strict, "NOBODY", "x").list_statements()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "RedshiftData.ListStatements"})
    SigV4Auth(Credentials("AKIDA", "SECRETA"), "redshift", REGION).add_auth(request)  # scoped to another service
    prepared = request.prepare()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers),
                                                      method="POST"), timeout=30)
    assert refused.value.code == 400 and b"'redshift-data'" in refused.value.read()


def test_accounts_are_kept_apart(strict: Server):
    owner = DataApi(strict, ClusterIdentifier="strictly", Database="dev", DbUser="admin")
    owner.client = client(strict, "AKIDA")
    statement = owner.ok("SELECT current_user")
    other = client(strict, "AKIDB")
    for call in (other.describe_statement, other.get_statement_result):
        with pytest.raises(ClientError) as caught:
            call(Id=statement["Id"])
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:  # a DbUser of a cluster in another account
        other.execute_statement(Sql="SELECT 1", ClusterIdentifier="strictly", Database="dev", DbUser="admin")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    # The IAM identity of a strict-mode caller is its access key.
    iam = DataApi(strict, ClusterIdentifier="strictly", Database="dev")
    iam.client = client(strict, "AKIDA")
    assert iam.records("SELECT current_user") == [[{"stringValue": "IAM:AKIDA"}]]


def test_without_db_user_a_roles_key_runs_as_iamr_and_a_users_as_iam(strict: Server):
    """AWS maps an assumed role's session to the database user IAMR:<role>, an IAM user to IAM:<user>."""
    for key, db_user in (("AKIDROLE", "IAMR:etl-runner"), ("AKIDUSER", "IAM:alice")):
        data = DataApi(strict, ClusterIdentifier="strictly", Database="dev")
        data.client = client(strict, key)
        finished = data.run("SELECT current_user")
        assert (finished["Status"], finished["DbUser"]) == ("FINISHED", db_user)
        assert data.get_statement_result(Id=finished["Id"])["Records"] == [[{"stringValue": db_user}]]
        # GetClusterCredentialsWithIAM names the same user.
        redshift = strict.client(key, secret=IDENTITIES[key][0])
        assert redshift.get_cluster_credentials_with_iam(ClusterIdentifier="strictly")["DbUser"] == db_user


def test_role_level_lists_the_callers_role_or_only_its_session(strict: Server):
    """AWS: RoleLevel true (the default) returns "all statements run by the caller's IAM role", false "only
    statements run by the caller's IAM role in the current IAM session"."""
    ran = {}
    for key in ("AKIDROLE", "AKIDROLE2", "AKIDUSER", "AKIDA"):
        data = DataApi(strict, ClusterIdentifier="strictly", Database="dev", DbUser="admin")
        data.client = client(strict, key)
        ran[key] = data.ok("SELECT 1", StatementName="role-level-strict")["Id"]

    def listed(key: str, **extra: bool) -> set[str]:
        pages = client(strict, key).get_paginator("list_statements").paginate(
            StatementName="role-level-strict", **extra, PaginationConfig={"PageSize": 1})
        return {s["Id"] for page in pages for s in page["Statements"]}

    role = {ran["AKIDROLE"], ran["AKIDROLE2"]}
    assert listed("AKIDROLE") == listed("AKIDROLE2") == listed("AKIDROLE", RoleLevel=True) == role
    assert listed("AKIDROLE", RoleLevel=False) == {ran["AKIDROLE"]}
    assert listed("AKIDROLE2", RoleLevel=False) == {ran["AKIDROLE2"]}
    assert listed("AKIDUSER") == listed("AKIDUSER", RoleLevel=False) == {ran["AKIDUSER"]}
    # A key that stands for no IAM identity lists the account's statements at role level, its own below it.
    assert listed("AKIDA") == set(ran.values())
    assert listed("AKIDA", RoleLevel=False) == {ran["AKIDA"]}
    assert listed("AKIDB") == set()


def test_on_a_workgroup_an_assumed_roles_statements_run_as_iamr(strict: Server):
    serverless = strict.client("AKIDA", "redshift-serverless", secret="SECRETA")
    serverless.create_namespace(namespaceName="strict-ns", adminUsername="boss", adminUserPassword="Boss-pw-123")
    serverless.create_workgroup(workgroupName="strict-wg", namespaceName="strict-ns")
    wait_for(lambda: serverless.get_workgroup(workgroupName="strict-wg")["workgroup"]["status"] == "AVAILABLE",
             timeout=120)
    data = DataApi(strict, WorkgroupName="strict-wg", Database="dev")
    data.client = client(strict, "AKIDROLE")
    finished = data.ok("SELECT current_user")
    assert finished["DbUser"] == "IAMR:etl-runner"
    assert data.get_statement_result(Id=finished["Id"])["Records"] == [[{"stringValue": "IAMR:etl-runner"}]]
    credentials = strict.client("AKIDROLE", "redshift-serverless", secret="SECRETR").get_credentials(
        workgroupName="strict-wg")
    assert credentials["dbUser"] == "IAMR:etl-runner"
