"""The Data API on a Redshift Serverless workgroup: the caller's IAM identity is its database user."""

from __future__ import annotations

import pytest

from support import OWNER, wait_for

from .conftest import DataApi, code_of


@pytest.fixture(scope="module")
def workgroup(data_server) -> dict:
    serverless = data_server.client(OWNER, "redshift-serverless")
    serverless.create_namespace(namespaceName="dapi-ns", adminUsername="boss", manageAdminPassword=True)
    serverless.create_workgroup(workgroupName="dapi-wg", namespaceName="dapi-ns")
    wait_for(lambda: serverless.get_workgroup(workgroupName="dapi-wg")["workgroup"]["status"] == "AVAILABLE", timeout=120)
    return serverless.get_workgroup(workgroupName="dapi-wg")["workgroup"]


def test_statements_on_a_workgroup_run_as_the_callers_iam_user(data_server, workgroup):
    data = DataApi(data_server, WorkgroupName="dapi-wg", Database="dev")
    statement = data.ok("SELECT current_user")
    assert statement["DbUser"] == f"IAM:{OWNER}" and statement["WorkgroupName"] == "dapi-wg"
    assert "ClusterIdentifier" not in statement
    assert data.get_statement_result(Id=statement["Id"])["Records"] == [[{"stringValue": f"IAM:{OWNER}"}]]
    # The user was created at its first login, with PUBLIC's privileges only.
    assert data.run("CREATE DATABASE not_allowed")["Status"] == "FAILED"
    by_arn = DataApi(data_server, WorkgroupName=workgroup["workgroupArn"], Database="dev")
    assert by_arn.records("SELECT 1") == [[{"longValue": 1}]]
    assert code_of(data.execute_statement, Sql="SELECT 1", WorkgroupName="dapi-wg", Database="dev",
                   DbUser="boss") == "ValidationException"
    assert code_of(data.execute_statement, Sql="SELECT 1", WorkgroupName="no-such-wg", Database="dev") == "ValidationException"


def test_the_namespaces_admin_secret_logs_in_as_its_admin(data_server, workgroup):
    secret = data_server.client(OWNER, "redshift-serverless").get_namespace(
        namespaceName="dapi-ns")["namespace"]["adminPasswordSecretArn"]
    data = DataApi(data_server, WorkgroupName="dapi-wg", Database="dev", SecretArn=secret)
    assert data.records("SELECT current_user") == [[{"stringValue": "boss"}]]
    assert data.list_schemas(WorkgroupName="dapi-wg", Database="dev", SecretArn=secret, SchemaPattern="public")["Schemas"] == ["public"]
