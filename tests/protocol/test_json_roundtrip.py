"""The JSON protocol against botocore's own serializer and parser, as the request path uses it.

For every operation of every registered JSON service (read from the registry at test time,
so new operations and services are covered as they are added), a request that fills every
member of the input shape is serialized by botocore and must come back unchanged out of the
service's wire protocol (operation_of on the X-Amz-Target, then parse); a result that fills
every member of the output shape is serialized by it and must come back unchanged out of
botocore's parser.  Every error code round-trips too.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import given, settings
from hypothesis import strategies as st

from localshift.errors import ApiError
from localshift.protocol import json_parser, json_protocol, json_serializer
from localshift.protocol.spec import operation_model, service_model
from localshift.protocol.wire import Answer, Request
from localshift.server.services import SERVICES
from support import value_matching

JSON_SERVICES = [service for service in SERVICES if service.protocol.name == "json"]
SERVICE = "redshift-serverless"
PROTOCOL = JSON_SERVICES[0].protocol
UTC = timezone.utc
# Text that must survive JSON escaping unchanged.
AWKWARD = ' "quoted" \\ back/slash é€𝄞 \t\r\n\x01 </x> '
# Values for string shapes whose model pattern plain text does not match.
PATTERN_VALUES = ["abc-123", "ipv4", "dualstack", "123456789012", "current_track", "www.example.com",
                  "arn:aws:acm:us-east-1:123456789012:certificate/abc-1"]


def served() -> list[OperationModel]:
    """Every operation of every registered JSON service."""
    operations = [operation_model(service.name, name) for service in JSON_SERVICES for name in sorted(service.operations)]
    assert operations, "no JSON operations are served"
    return operations


class Values:
    """Fills every member of a shape with a valid value; ``plain`` leaves out awkward text and fractions."""

    def __init__(self, plain: bool = False, whole_seconds: bool = False) -> None:
        self.plain, self.whole_seconds, self.n = plain, whole_seconds, 0

    def __call__(self, shape: Shape, depth: int = 0) -> Any:
        self.n += 1
        kind = shape.type_name
        if kind == "structure" and shape.is_tagged_union:
            # One member of a union (a Data API Field: longValue, stringValue...), a different one each time.
            name = list(shape.members)[self.n % len(shape.members)]
            return {name: self(shape.members[name], depth + 1)}
        if kind == "structure":
            if shape.metadata.get("union"):  # a union carries exactly one member: each in turn
                name, member = list(shape.members.items())[self.n % len(shape.members)]
                return {name: self(member, depth + 1)}
            return {name: self(member, depth + 1) for name, member in shape.members.items()
                    if depth < 8 or name in shape.required_members}
        if kind == "list":
            return [self(shape.member, depth + 1) for _ in range(min(2, shape.metadata.get("max", 2)))]
        if kind == "map":
            return {f"key-{i}": self(shape.value, depth + 1) for i in range(2)}
        if kind == "string":
            return self.text(shape)
        if kind in ("integer", "long"):
            bits = 63 if kind == "long" else 31
            low, high = shape.metadata.get("min", -(2**bits)), shape.metadata.get("max", 2**bits - 1)
            wide = 2**40 + self.n if kind == "long" else -7 * self.n
            return wide if low <= wide <= high else max(low, min(high, self.n))
        if kind == "boolean":
            return self.n % 2 == 0
        if kind in ("double", "float"):
            return [12.5, 0.1, -3.25, 1e-07, 1e20, 0.0][self.n % 6]
        if kind == "blob":
            return bytes(range(self.n % 7, 256, 11))
        if kind == "timestamp":
            value = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC) + timedelta(days=self.n)
            return value if self.whole_seconds else value.replace(microsecond=(self.n % 999 + 1) * 1000)
        raise AssertionError(f"no value for {kind}")

    def text(self, shape: Shape) -> str:
        if shape.enum:
            return shape.enum[self.n % len(shape.enum)]
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
        pattern = shape.metadata.get("pattern")
        for candidate in [f"value-{self.n}" + ("" if self.plain else AWKWARD), *PATTERN_VALUES]:
            candidate = (candidate + "x" * low)[: max(low, len(candidate))]
            candidate = candidate[:high] if high else candidate
            if not pattern or re.search(pattern, candidate):
                return candidate
        return value_matching(pattern, low, high)


# --- requests: botocore serializes, localshift parses --------------------------------------


def botocore_request(operation: OperationModel, params: dict[str, Any]) -> Request:
    request = create_serializer("json").serialize_to_request(params, operation)
    target = request["headers"]["X-Amz-Target"]
    service = operation.service_model
    assert target == f"{service.metadata['targetPrefix']}.{operation.name}"
    assert json_protocol.resolve_operation(service.service_name, target).name == operation.name
    return Request("POST", "/", "", {"x-amz-target": target, "content-type": json_protocol.CONTENT_TYPE},
                   request["body"])


def localshift_parse(operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
    """What the request path parses out of what botocore sends for ``params``."""
    request = botocore_request(operation, params)
    named, raw_input = PROTOCOL.operation_of(operation.service_model.service_name, request)
    assert named.name == operation.name
    return PROTOCOL.parse(named, raw_input)


@pytest.mark.parametrize("plain", [False, True], ids=["awkward", "plain"])
def test_every_operation_parses_what_botocore_sends(plain: bool) -> None:
    for operation in served():
        # botocore sends timestamps as whole epoch seconds.
        params = Values(plain, whole_seconds=True)(operation.input_shape)
        parsed = localshift_parse(operation, params)
        assert parsed == params, operation.name


def test_required_members_alone_parse() -> None:
    for operation in served():
        shape = operation.input_shape
        full = Values(plain=True, whole_seconds=True)(shape)
        params = {name: full[name] for name in shape.required_members}
        assert localshift_parse(operation, params) == params


# --- results: localshift serializes, botocore parses ----------------------------------------


def botocore_parse(operation: OperationModel | None, body: bytes, status: int = 200) -> dict[str, Any]:
    response = {"body": body, "headers": {"content-type": json_protocol.CONTENT_TYPE}, "status_code": status}
    return create_parser("json").parse(response, operation.output_shape if operation is not None else None)


@pytest.mark.parametrize("plain", [False, True], ids=["awkward", "plain"])
def test_every_result_parses_in_botocore(plain: bool) -> None:
    for operation in served():
        result = Values(plain)(operation.output_shape) if operation.output_shape is not None else {}
        parsed = botocore_parse(operation, PROTOCOL.serialize(operation, result, "rid").body)
        parsed.pop("ResponseMetadata", None)
        assert parsed == result, operation.name


def test_results_leave_out_none_and_keep_empty_lists_and_false() -> None:
    operation = operation_model(SERVICE, "GetWorkgroup")
    body = json_serializer.serialize_result(operation, {"workgroup": {
        "workgroupName": "wg1", "maxCapacity": None, "subnetIds": [], "publiclyAccessible": False}})
    assert json.loads(body) == {"workgroup": {"workgroupName": "wg1", "subnetIds": [], "publiclyAccessible": False}}


def test_results_leave_out_keys_the_model_does_not_name() -> None:
    operation = operation_model(SERVICE, "GetWorkgroup")
    result = {"workgroup": {"workgroupName": "wg1", "accountSecret": "x"}, "internalNote": "y"}
    for _ in range(2):  # the second answer goes through the encoders made for the first
        assert json.loads(json_serializer.serialize_result(operation, result)) == {"workgroup": {"workgroupName": "wg1"}}


def test_a_large_list_of_structures_keeps_each_records_fields() -> None:
    operation = operation_model("redshift-data", "GetStatementResult")
    records = [[{"longValue": i, "stringValue": None}, {"isNull": True}, {"blobValue": bytes([i % 256])}]
               for i in range(1000)]
    document = json.loads(json_serializer.serialize_result(operation, {"Records": records, "TotalNumRows": 1000}))
    assert document["TotalNumRows"] == 1000
    assert document["Records"][999] == [{"longValue": 999}, {"isNull": True}, {"blobValue": "5w=="}]
    assert botocore_parse(operation, json.dumps(document).encode())["Records"] == [
        [{"longValue": i}, {"isNull": True}, {"blobValue": bytes([i % 256])}] for i in range(1000)]

def test_result_timestamps_are_epoch_seconds_with_milliseconds() -> None:
    operation = operation_model("redshift-data", "DescribeStatement")
    created = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    naive = datetime(2024, 1, 2, 3, 4, 5)  # the service keeps UTC: never read as local time
    body = json_serializer.serialize_result(operation, {"Id": "x", "CreatedAt": created, "UpdatedAt": naive})
    assert json.loads(body) == {"Id": "x", "CreatedAt": 1704164645.123, "UpdatedAt": 1704164645.0}
    parsed = botocore_parse(operation, body)
    assert (parsed["CreatedAt"], parsed["UpdatedAt"]) == (created, naive.replace(tzinfo=UTC))


def test_result_timestamps_the_model_marks_iso8601_are_iso_text() -> None:
    # Redshift Serverless marks its dates timestampFormat iso8601; the Go SDK (Terraform's AWS
    # provider) refuses a number there ("expected Timestamp to be of type string").
    operation = operation_model(SERVICE, "GetSnapshot")
    created = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    naive = datetime(2024, 1, 2, 3, 4, 5)
    body = json_serializer.serialize_result(operation, {"snapshot": {
        "snapshotCreateTime": created, "snapshotRetentionStartTime": naive}})
    assert json.loads(body)["snapshot"] == {"snapshotCreateTime": "2024-01-02T03:04:05.123Z",
                                            "snapshotRetentionStartTime": "2024-01-02T03:04:05.000Z"}
    parsed = botocore_parse(operation, body)["snapshot"]
    assert parsed["snapshotCreateTime"] == created
    assert parsed["snapshotRetentionStartTime"] == naive.replace(tzinfo=UTC)


# --- errors ---------------------------------------------------------------------------------


def json_error_response(error: ApiError, request_id: str) -> Answer:
    return PROTOCOL.error(SERVICE, error, request_id)


def error_codes() -> list[str]:
    model = service_model(SERVICE)
    modelled = [name for name in model.shape_names if model.shape_for(name).metadata.get("exception")]
    return sorted({*modelled, *json_protocol.PROTOCOL_ERROR_STATUS})


@pytest.mark.parametrize("code", error_codes())
def test_every_error_code_round_trips(code: str) -> None:
    response = json_error_response(ApiError(code, f"Something about {code} & \"stuff\"."), "rid-1")
    expected = json_protocol.SMITHY_ERROR_STATUS.get(code) or json_protocol.PROTOCOL_ERROR_STATUS[code]
    assert response.status == expected
    assert response.content_type == "application/x-amz-json-1.1"
    parsed = botocore_parse(None, response.body, response.status)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == f"Something about {code} & \"stuff\"."
    client = boto3.client(SERVICE, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    if code in client.meta.service_model.shape_names:
        assert client.exceptions.from_code(code).__name__ == code


def test_error_statuses_follow_the_smithy_model() -> None:
    def status(code: str) -> int:
        return json_protocol.error_status(SERVICE, ApiError(code, "x"))

    assert [status(c) for c in ("ValidationException", "ResourceNotFoundException", "ConflictException",
                                "ServiceQuotaExceededException", "InternalServerException")] == [400, 404, 409, 402, 500]
    assert status("SomethingNew") == 400
    assert json_protocol.error_status(SERVICE, ApiError("ValidationException", "x", status=413)) == 413


# --- request edge cases ---------------------------------------------------------------------


def parse(operation: str, document: Any) -> dict[str, Any]:
    return json_parser.parse_request(operation_model(SERVICE, operation), json.dumps(document).encode())


def error(operation: str, document: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(operation, document)
    return caught.value


def test_timestamps_as_epoch_numbers_or_iso_text() -> None:
    expected = datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)
    for value in (1704164645.5, "2024-01-02T03:04:05.5Z", "2024-01-02T05:04:05.5+02:00"):
        assert parse("ListSnapshots", {"startTime": value})["startTime"] == expected
    assert parse("ListSnapshots", {"startTime": 1704164645})["startTime"] == expected.replace(microsecond=0)
    for value in ("yesterday", True, 1e300, [1]):
        assert error("ListSnapshots", {"startTime": value}).code == "SerializationException"


def test_type_errors_are_serialization_errors_and_constraints_validation_errors() -> None:
    assert error("ListSnapshots", {"maxResults": "5"}).code == "SerializationException"
    assert error("ListSnapshots", {"maxResults": True}).code == "SerializationException"
    assert error("CreateNamespace", {"namespaceName": ["ns1"]}).code == "SerializationException"
    assert error("CreateNamespace", {"namespaceName": "ns1", "tags": {"key": "a"}}).code == "SerializationException"
    assert parse("ListSnapshots", {"maxResults": 5.0}) == {"maxResults": 5}  # an integral number is an integer
    violation = error("CreateNamespace", {"namespaceName": "ns1", "logExports": ["userlog", "nope"]})
    assert violation.code == "ValidationException"
    assert violation.message == (
        "1 validation error detected: Value 'nope' at 'logExports.2.member' failed to satisfy constraint: "
        "Member must satisfy enum value set: [useractivitylog, userlog, connectionlog]"
    )
    ranged = error("ListSnapshots", {"maxResults": 0})
    assert ranged.message.endswith("Member must have value greater than or equal to 1")


def test_body_level_errors() -> None:
    operation = operation_model(SERVICE, "ListNamespaces")
    for body in (b"{", b"[]", b"null", b"\xff", b'{"a": Infinity}', b"[" * 100_000):
        with pytest.raises(ApiError) as caught:
            json_parser.parse_request(operation, body)
        assert caught.value.code == "SerializationException", body
    assert json_parser.parse_request(operation, b"  ") == {}


@pytest.mark.parametrize("target", ["RedshiftServerless.Nope", "Other.ListNamespaces", "", None, "ListNamespaces"])
def test_unknown_targets(target: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        json_protocol.resolve_operation(SERVICE, target)
    assert caught.value.code == "UnknownOperationException"


any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=60)  # surrogates too
SURROGATES = re.compile("[\ud800-\udfff]")


@settings(max_examples=500, deadline=None)
@given(code=any_text, message=any_text)
def test_any_error_text_serializes_to_an_error_botocore_reads(code: str, message: str) -> None:
    response = json_error_response(ApiError(code, message), "rid-1")
    document = json.loads(response.body.decode("utf-8"))  # strict UTF-8: no half characters
    # Unpaired surrogates (which JSON escapes can carry into a request) become U+FFFD.
    assert document == {"__type": SURROGATES.sub("\ufffd", code), "message": SURROGATES.sub("\ufffd", message)}
    assert botocore_parse(None, response.body, response.status)["Error"]["Message"] == document["message"]
