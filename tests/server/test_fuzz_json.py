"""JSON-protocol requests no SDK would send, against one running server: always an AWS JSON error, never a 500.

Forged nextTokens, JSON no encoder writes (unpaired surrogates, 100,000 levels of
nesting, values of every wrong type) and resource policies of every wrong shape.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hostile_values import FORGED_MARKERS, json_values, markers
from localshift.protocol.spec import service_model
from localshift.services.serverless.operations import OPERATIONS
from raw_http import exchange, http_request
from support import OWNER, Server
from support import error_of as support_error_of

MODEL = service_model("redshift-serverless")
SERVED = sorted(OPERATIONS)
AUTH = (f"AWS4-HMAC-SHA256 Credential={OWNER}/20240101/us-east-1/redshift-serverless/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000").encode()
CLIENT_ERRORS = {"ValidationException", "SerializationException", "ResourceNotFoundException",
                 "ConflictException", "ServiceQuotaExceededException", "TooManyTagsException",
                 "AccessDeniedException", "InvalidPaginationException"}
SNAPSHOT_ARN = f"arn:aws:redshift-serverless:us-east-1:{OWNER}:snapshot/00000000-0000-0000-0000-000000000000"


def call(server: Server, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST one JSON request; the status and the decoded body, which must be strict UTF-8 JSON."""
    headers = [("Content-Type", b"application/x-amz-json-1.1"), ("X-Amz-Target", f"RedshiftServerless.{operation}".encode()),
               ("X-Amz-Date", b"20240101T000000Z"), ("Authorization", AUTH)]
    raw = http_request("POST", b"/", headers, body)
    reply = exchange(server, raw, timeout=20)
    assert reply is not None, raw[:300]
    assert reply.headers["content-type"] == "application/x-amz-json-1.1"
    document = json.loads(reply.body.decode("utf-8"))
    if reply.status != 200:
        assert set(document) == {"__type", "message"}, document
        assert isinstance(document["message"], str)
    return reply.status, document


def error_of(server: Server, operation: str, body: bytes) -> tuple[int, str]:
    status, document = call(server, operation, body)
    return status, document.get("__type", "")


# --------------------------------------------------------------------------------------------
# nextToken
# --------------------------------------------------------------------------------------------

# Every served operation that pages by nextToken and needs no other parameter.
LISTS = [name for name in SERVED if "nextToken" in MODEL.operation_model(name).input_shape.members
         and not MODEL.operation_model(name).input_shape.required_members]


@pytest.mark.parametrize("operation", LISTS)
@pytest.mark.parametrize("kind", sorted(FORGED_MARKERS))
def test_forged_next_tokens_are_validation_errors(server: Server, operation: str, kind: str) -> None:
    body = json.dumps({"nextToken": FORGED_MARKERS[kind]}).encode()
    status, code = error_of(server, operation, body)
    assert status == 400 and code in token_errors(operation)


def token_errors(operation: str) -> set[str]:
    """What a token the service did not issue may get: ValidationException, or InvalidPaginationException
    where the operation's model names it."""
    errors = {shape.name for shape in MODEL.operation_model(operation).error_shapes}
    return {"ValidationException"} | ({"InvalidPaginationException"} & errors)


@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(operation=st.sampled_from(LISTS), token=markers)
def fuzz_one_token(server: Server, operation: str, token: str) -> None:
    status, document = call(server, operation, json.dumps({"nextToken": token}).encode())
    event(str(status))
    assert status == 200 or (status == 400 and document["__type"] in token_errors(operation)), (token, document)


def test_any_next_token_is_a_page_or_a_validation_error(server: Server) -> None:
    fuzz_one_token(server)


# --------------------------------------------------------------------------------------------
# JSON no encoder writes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation, document", [
    ("CreateNamespace", {"namespaceName": "ns\ud800", "adminUsername": "admin", "adminUserPassword": "Passw0rd1"}),
    ("CreateNamespace", {"namespaceName": "ns1", "tags": [{"key": "k", "value": "\udfff"}]}),
    ("CreateNamespace", {"namespaceName": "ns1", "dbName": "dev\udc00x"}),
    ("TagResource", {"resourceArn": "arn:aws:redshift-serverless:us-east-1:111111111111:namespace/\ud800",
                     "tags": [{"key": "\ud800", "value": "v"}]}),
    ("PutResourcePolicy", {"resourceArn": SNAPSHOT_ARN, "policy": '{"Statement": "\ud800"}'}),
    ("ListSnapshots", {"namespaceName": "\udbff"}),
])
def test_unpaired_surrogates_are_validation_errors(server: Server, operation: str, document: dict) -> None:
    body = json.dumps(document).encode()  # ensure_ascii writes each surrogate as a \\uXXXX escape
    assert b"\\ud" in body
    assert error_of(server, operation, body) == (400, "ValidationException")


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
@pytest.mark.parametrize("shape", ["top", "member"])
def test_deeply_nested_json_is_a_serialization_error(server: Server, depth: int, shape: str) -> None:
    nested = b"[" * depth + b"]" * depth
    body = nested if shape == "top" else b'{"namespaceName": "ns1", "tags": ' + nested + b"}"
    assert error_of(server, "CreateNamespace", body) == (400, "SerializationException")


def member_documents(shape):  # type: ignore[no-untyped-def]
    """Objects with some of an input shape's members, each set to a value of any JSON type."""
    members = list(shape.members) if shape is not None else []
    keys = st.sampled_from(members) if members else st.text(max_size=10)
    return st.dictionaries(keys, json_values, max_size=4)


@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data(), operation=st.sampled_from(SERVED))
def fuzz_one_body(server: Server, data, operation: str) -> None:  # type: ignore[no-untyped-def]
    document = data.draw(member_documents(MODEL.operation_model(operation).input_shape))
    body = json.dumps(document).encode()
    status, answer = call(server, operation, body)
    if status != 200:
        assert answer["__type"] in CLIENT_ERRORS, (operation, body[:300], status, answer)
        assert status < 500
        event(answer["__type"])


def test_any_body_is_an_answer_or_a_client_error(server: Server) -> None:
    fuzz_one_body(server)
    server.reset()


# --------------------------------------------------------------------------------------------
# Resource policies
# --------------------------------------------------------------------------------------------


def statement(**overrides: Any) -> dict[str, Any]:
    base = {"Effect": "Allow", "Action": "redshift-serverless:RestoreFromSnapshot",
            "Principal": {"AWS": "222222222222"}}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


WRONG_POLICIES = {
    "not JSON": "{",
    "a list": "[]",
    "a string": '"policy"',
    "NaN": "NaN",
    "no statement": "{}",
    "empty statement list": json.dumps({"Statement": []}),
    "statement a string": json.dumps({"Statement": "Allow"}),
    "statement a list of lists": json.dumps({"Statement": [["Allow"]]}),
    "action a list of lists": json.dumps({"Statement": [statement(Action=[["redshift-serverless:*"]])]}),
    "action an object": json.dumps({"Statement": statement(Action={"a": 1})}),
    "action a number": json.dumps({"Statement": [statement(Action=7)]}),
    "no action": json.dumps({"Statement": [statement(Action=None)]}),
    "principal a string": json.dumps({"Statement": [statement(Principal="222222222222")]}),
    "principal AWS an object": json.dumps({"Statement": [statement(Principal={"AWS": {"x": 1}})]}),
    "principal AWS a number": json.dumps({"Statement": [statement(Principal={"AWS": 222222222222})]}),
    "principal AWS empty": json.dumps({"Statement": [statement(Principal={"AWS": []})]}),
    "effect a list": json.dumps({"Statement": [statement(Effect=["Allow"])]}),
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "deeply nested statement": '{"Statement": ' + "[" * 50_000 + "]" * 50_000 + "}",
}


@pytest.mark.parametrize("kind", sorted(WRONG_POLICIES))
def test_policies_of_the_wrong_shape_are_validation_errors(server: Server, kind: str) -> None:
    body = json.dumps({"resourceArn": SNAPSHOT_ARN, "policy": WRONG_POLICIES[kind]}).encode()
    assert error_of(server, "PutResourcePolicy", body) == (400, "ValidationException")


# --------------------------------------------------------------------------------------------
# The Data API's JSON protocol
# --------------------------------------------------------------------------------------------


def test_overlong_values_are_refused_without_matching_their_pattern(ls: Server) -> None:
    """WorkgroupNameString's pattern starts with '.*': matched against 70,000 characters it backtracked
    for minutes, holding every other request of the server (the parser skips it past the length bound)."""
    data_api = ls.client(service="redshift-data")
    with pytest.raises(ClientError) as caught:
        data_api.describe_table(Database="dev", WorkgroupName="a" * 70_000 + "!")
    code, status, message = support_error_of(caught)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: ")
    assert message.endswith("at 'WorkgroupName' failed to satisfy constraint: "
                            "Member must have length less than or equal to 128")
    assert ls.client().describe_clusters()["Clusters"] == []  # the server still answers


def test_null_list_items_are_validation_errors(ls: Server) -> None:
    headers = [("Content-Type", b"application/x-amz-json-1.1"), ("X-Amz-Target", b"RedshiftData.BatchExecuteStatement"),
               ("X-Amz-Date", b"20240101T000000Z"), ("Authorization", AUTH.replace(b"redshift-serverless", b"redshift-data"))]
    body = json.dumps({"Sqls": ["select 1", None], "ClusterIdentifier": "c1", "Database": "dev"}).encode()
    reply = exchange(ls, http_request("POST", b"/", headers, body), timeout=20)
    assert reply is not None and reply.status == 400
    assert json.loads(reply.body) == {
        "__type": "ValidationException",
        "message": "1 validation error detected: Value null at 'Sqls.2.member' failed to satisfy constraint: "
                   "Member must not be null",
    }
