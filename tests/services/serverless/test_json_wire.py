"""The JSON protocol on the wire: routing by X-Amz-Target, protocol errors, signatures, one server for both APIs."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import Server, make_server

# Open mode reads the account and region from the credential scope and does not check the signature.
OPEN_SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential=111111111111/20240101/us-east-1/redshift-serverless/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000"
)


def post(server: Server, body: bytes, target: str | None = "RedshiftServerless.ListNamespaces",
         signed: bool = True) -> tuple[int, Any, dict]:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Date": "20240101T000000Z"}
    if target is not None:
        headers["X-Amz-Target"] = target
    if signed:
        headers["Authorization"] = OPEN_SIGNATURE
    request = urllib.request.Request(server.url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def test_a_request_and_its_headers(ls):
    status, headers, body = post(ls, b"{}")
    assert (status, body) == (200, {"namespaces": []})
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert len(headers["x-amzn-RequestId"]) == 36
    assert post(ls, b"")[2] == {"namespaces": []}  # an empty body is an empty input


def test_oversized_bodies_get_a_json_error(ls):
    # Refused from the declared Content-Length, before the body is sent.
    connection = http.client.HTTPConnection("127.0.0.1", ls.port, timeout=30)
    connection.putrequest("POST", "/")
    for name, value in {"Content-Type": "application/x-amz-json-1.1", "Authorization": OPEN_SIGNATURE,
                        "X-Amz-Target": "RedshiftServerless.ListNamespaces",
                        "Content-Length": str(5 * 1024 * 1024)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["__type"]) == (413, "RequestEntityTooLarge")
    connection.close()


@pytest.mark.parametrize("target", ["RedshiftServerless.NoSuchThing", "DynamoDB_20120810.ListTables",
                                    "RedshiftServerless.", None])
def test_unknown_operations(ls, target):
    status, _, body = post(ls, b"{}", target)
    assert (status, body["__type"]) == (400, "UnknownOperationException")


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b'"text"', b'{"maxResults": NaN}',
                                  b'{"maxResults": "5"}', b'{"maxResults": 1.5}', b'{"maxResults": true}',
                                  b'{"nextToken": 7}', b'{"maxResults": 99999999999}'])
def test_bodies_that_are_not_the_input_shape(ls, body):
    status, _, error = post(ls, body)
    assert (status, error["__type"]) == (400, "SerializationException"), body


def test_constraint_violations_are_listed(ls):
    status, _, error = post(ls, json.dumps({"namespaceName": "NO", "tags": [{"key": ""}]}).encode(),
                            "RedshiftServerless.CreateNamespace")
    assert (status, error["__type"]) == (400, "ValidationException")
    assert error["message"].startswith("4 validation errors detected: ")
    assert "Value 'NO' at 'namespaceName' failed to satisfy constraint: Member must have length greater than or equal to 3" in error["message"]
    assert "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null" in error["message"]
    status, _, error = post(ls, b'{"adminUserPassword": ""}', "RedshiftServerless.UpdateNamespace")
    assert error["message"] == (
        "1 validation error detected: Value null at 'namespaceName' failed to satisfy constraint: Member must not be null"
    )
    # Sensitive members are never quoted back.
    status, _, error = post(ls, json.dumps({"namespaceName": "ns1", "adminUsername": 5 * "x"}).encode(),
                            "RedshiftServerless.CreateNamespace")
    assert error["__type"] == "ValidationException" and "xxxxx" not in error["message"]


def test_unknown_members_and_nulls_are_ignored(ls):
    status, _, body = post(ls, b'{"maxResults": null, "bogus": {"x": 1}}')
    assert (status, body) == (200, {"namespaces": []})


def test_unsigned_requests(ls):
    status, _, error = post(ls, b"{}", signed=False)
    assert (status, error["__type"]) == (400, "MissingAuthenticationTokenException")


def test_both_protocols_on_one_port(ls):
    redshift, serverless = ls.client(), ls.client(service="redshift-serverless")
    assert redshift.describe_clusters()["Clusters"] == []
    assert serverless.list_workgroups()["workgroups"] == []


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("strict-json"),
                         extra_env={"LOCALSHIFT_ACCOUNTS": "AKIAOWNER:owner-secret:111111111111"}).start()
    yield server
    server.stop()


def test_strict_signatures(strict):
    def client(key: str, secret: str):  # type: ignore[no-untyped-def]
        return boto3.client("redshift-serverless", endpoint_url=strict.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}))

    assert client("AKIAOWNER", "owner-secret").list_namespaces()["namespaces"] == []
    for key, secret, code in [("AKIAOTHER", "x", "UnrecognizedClientException"),
                              ("AKIAOWNER", "wrong", "InvalidSignatureException")]:
        with pytest.raises(ClientError) as caught:
            client(key, secret).list_namespaces()
        assert caught.value.response["Error"]["Code"] == code
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
