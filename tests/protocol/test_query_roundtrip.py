"""The Query protocol against botocore's own serializer and parser, as the request path uses it.

For every operation of every registered Query service (read from the registry at test time,
so new operations and services are covered as they are added), a value that fills every
member of the operation's input shape is serialized by botocore and must come back unchanged
out of the service's wire protocol (operation_of, then parse); a value that fills every
member of the output shape is serialized by it and must come back unchanged out of
botocore's parser.
"""

from __future__ import annotations

import itertools
import math
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Mapping
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import given, settings
from hypothesis import strategies as st

from localshift.errors import ApiError
from localshift.protocol import query, query_serializer
from localshift.protocol.scalars import iso_timestamp
from localshift.protocol.spec import COMMON_ERROR_STATUS, error_statuses, operation_model, service_model
from localshift.protocol.wire import Answer, Request
from localshift.server.services import SERVICES
from support import OWNER, REGION, Server, value_matching

QUERY_SERVICES = [service for service in SERVICES if service.protocol.name == "query"]
SERVICE = "redshift"
PROTOCOL = QUERY_SERVICES[0].protocol
UTC = timezone.utc


def served_operations() -> list[tuple[str, str]]:
    """Every served operation of every Query service (Redshift's, STS's): (service, operation)."""
    return sorted((service.name, name) for service in QUERY_SERVICES for name in service.operations)


def test_the_query_services_share_one_protocol() -> None:
    """PROTOCOL parses and serializes for every Query service: they differ only in their models."""
    assert {service.protocol for service in QUERY_SERVICES} == {PROTOCOL}
    assert {service for service, _ in served_operations()} == {service.name for service in QUERY_SERVICES}


# --------------------------------------------------------------------------------------------
# A value generator that fills every member of a shape with valid values of the right type.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """How to fill a shape: which edge cases to put in."""

    name: str
    empty: bool = False            # empty lists and empty strings (where allowed)
    microseconds: bool = True      # timestamps with a fractional part
    millis_only: bool = False      # fractions in whole milliseconds (output precision)
    awkward_text: bool = True      # characters that need escaping on the wire


INPUT_VARIANTS = [
    Variant("full"),
    Variant("plain", microseconds=False, awkward_text=False),
    Variant("empty", empty=True),
]
OUTPUT_VARIANTS = [
    Variant("full", millis_only=True),
    Variant("plain", microseconds=False, awkward_text=False),
    Variant("empty", empty=True, millis_only=True),
]

# Text that must survive form encoding and XML escaping unchanged.
AWKWARD = " a&b=c%25+d/é?#;<x>\"'ü€𝄞\t\r\n]]> "
MAX_DEPTH = 12
# Values for string shapes whose model pattern the generic text does not match.
PATTERN_CANDIDATES = [
    "abc-1", "dbname", "123456789012", "www.example.com", "arn:aws:s3:::bucket-1",
    "arn:aws:acm:us-east-1:123456789012:certificate/abc-1",
    "arn:aws:redshift:us-east-1:123456789012:namespace:abc-1",
    "arn:aws:redshift:us-east-1:123456789012:integration:12345678-1234-1234-1234-123456789012",
]


def _pattern(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error:  # Java Unicode classes; close enough for choosing test values
        return re.compile(pattern.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\d").replace(r"\p{Z}", r"\s"))


class Generator:
    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.counter = itertools.count()

    def value(self, shape: Shape, name: str, depth: int = 0) -> Any:
        n = next(self.counter)
        method = getattr(self, "_" + shape.type_name)
        return method(shape, name, depth, n)

    def _structure(self, shape: Shape, name: str, depth: int, n: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        required = set(shape.required_members)
        for member_name, member in shape.members.items():
            if depth >= MAX_DEPTH and member_name not in required:
                continue
            if shape.metadata.get("union") and result:
                break  # a union carries exactly one member
            result[member_name] = self.value(member, member_name, depth + 1)
        return result

    def _list(self, shape: Shape, name: str, depth: int, n: int) -> list[Any]:
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max", 2)
        count = max(low, 0 if self.variant.empty else min(2, high))
        return [self.value(shape.member, name, depth + 1) for _ in range(count)]

    def _map(self, shape: Shape, name: str, depth: int, n: int) -> dict[Any, Any]:
        # An empty map has no Query wire form (botocore sends nothing), so maps always have entries.
        return {
            f"key{i}-{n}": self.value(shape.value, name, depth + 1) for i in range(2)
        }

    def _string(self, shape: Shape, name: str, depth: int, n: int) -> str:
        if shape.enum:
            return shape.enum[n % len(shape.enum)]
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max")
        pattern = shape.metadata.get("pattern")
        if self.variant.empty and low == 0 and (not pattern or _pattern(pattern).search("")):
            return ""
        text = f"{name}-{n}"
        if self.variant.awkward_text:
            text += AWKWARD
        for candidate in [text, *PATTERN_CANDIDATES]:
            if len(candidate) < low:
                candidate += "x" * (low - len(candidate))
            if high is not None:
                candidate = candidate[:high]
            if not pattern or _pattern(pattern).search(candidate):
                return candidate
        return value_matching(_pattern(pattern).pattern, low, high)

    def _integer(self, shape: Shape, name: str, depth: int, n: int) -> int:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        candidates = [7, -3, 0, 2**31 - 1, -(2**31)]
        if shape.type_name == "long":
            candidates += [2**40 + 5, -(2**53)]
        for candidate in candidates[n % len(candidates):] + candidates:
            if (low is None or candidate >= low) and (high is None or candidate <= high):
                return candidate
        return low if low is not None else high

    _long = _integer

    def _boolean(self, shape: Shape, name: str, depth: int, n: int) -> bool:
        return n % 2 == 0

    def _double(self, shape: Shape, name: str, depth: int, n: int) -> float:
        return [12.5, 0.1, -3.25, 1e-07, 1e20, 0.0][n % 6]

    _float = _double

    def _timestamp(self, shape: Shape, name: str, depth: int, n: int) -> datetime:
        base = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC) + timedelta(days=n, seconds=n)
        if not self.variant.microseconds:
            return base
        if self.variant.millis_only:
            return base.replace(microsecond=(n % 999 + 1) * 1000)
        return base.replace(microsecond=123456 + n)

    def _blob(self, shape: Shape, name: str, depth: int, n: int) -> bytes:
        return b"\x00\x01blob" if not self.variant.empty else b""


def fill(shape: Shape | None, variant: Variant) -> dict[str, Any]:
    if shape is None:
        return {}
    return Generator(variant).value(shape, shape.name)


def normalise(value: Any) -> Any:
    """Make values comparable: timestamps as aware UTC datetimes, NaN-free floats."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, datetime):
        assert value.tzinfo is not None, f"naive timestamp {value!r}"
        return value.astimezone(UTC)
    if isinstance(value, float):
        assert not math.isnan(value)
    return value


# --------------------------------------------------------------------------------------------
# Requests: botocore serializes, localshift parses.
# --------------------------------------------------------------------------------------------


def botocore_body(operation: OperationModel, params: dict[str, Any]) -> bytes:
    serialized = create_serializer("query").serialize_to_request(params, operation)
    body = serialized["body"]
    if isinstance(body, dict):
        body = urlencode(body)  # what botocore's AWSRequest does with a dict body
    return body.encode() if isinstance(body, str) else body


def localshift_parse(body: bytes, method: str = "POST", query_string: bytes = b"",
                     service: str = SERVICE) -> tuple[str, dict[str, Any]]:
    request = Request(method, "/", query_string.decode("latin-1"), {}, body)
    operation, raw_input = PROTOCOL.operation_of(service, request)
    return operation.name, PROTOCOL.parse(operation, raw_input)


@pytest.mark.parametrize("variant", INPUT_VARIANTS, ids=lambda v: v.name)
def test_every_operation_parses_what_botocore_sends(variant: Variant) -> None:
    operations = served_operations()
    assert operations, "OPERATIONS is empty"
    for service, name in operations:
        operation = operation_model(service, name)
        params = fill(operation.input_shape, variant)
        body = botocore_body(operation, params)
        assert body.startswith(f"Action={name}&Version={service_model(service).api_version}".encode())
        parsed_name, parsed = localshift_parse(body, service=service)
        assert parsed_name == name
        assert normalise(parsed) == normalise(params), f"{name} ({variant.name}) did not round-trip"


def test_every_operation_parses_from_a_get_query_string() -> None:
    for service, name in served_operations():
        operation = operation_model(service, name)
        params = fill(operation.input_shape, INPUT_VARIANTS[0])
        body = botocore_body(operation, params)
        parsed_name, parsed = localshift_parse(b"", method="GET", query_string=body, service=service)
        assert parsed_name == name
        assert normalise(parsed) == normalise(params)


def test_generator_reaches_every_member_type() -> None:
    """Guard the generator itself: the served operations exercise lists, structures, scalars."""
    seen: set[str] = set()

    def walk(shape: Shape, depth: int = 0) -> None:
        seen.add(shape.type_name)
        if depth > MAX_DEPTH:
            return
        if shape.type_name == "structure":
            for member in shape.members.values():
                walk(member, depth + 1)
        elif shape.type_name == "list":
            walk(shape.member, depth + 1)
        elif shape.type_name == "map":
            walk(shape.value, depth + 1)

    for service, name in served_operations():
        operation = operation_model(service, name)
        for shape in (operation.input_shape, operation.output_shape):
            if shape is not None:
                walk(shape)
    assert {"structure", "list", "string", "boolean", "integer", "timestamp"} <= seen


# --------------------------------------------------------------------------------------------
# Responses: localshift serializes, botocore parses.
# --------------------------------------------------------------------------------------------


def botocore_parse(operation: OperationModel | None, body: bytes, status: int = 200) -> dict[str, Any]:
    parser = create_parser("query")
    response = {"body": body, "headers": {"content-type": "text/xml"}, "status_code": status}
    return parser.parse(response, operation.output_shape if operation is not None else None)


@pytest.mark.parametrize("variant", OUTPUT_VARIANTS, ids=lambda v: v.name)
def test_every_operation_result_parses_in_botocore(variant: Variant) -> None:
    for service, name in served_operations():
        operation = operation_model(service, name)
        result = fill(operation.output_shape, variant)
        body = PROTOCOL.serialize(operation, result, "req-1234").body
        root = ET.fromstring(body)
        namespace = service_model(service).metadata["xmlNamespace"]
        assert root.tag == f"{{{namespace}}}{name}Response"
        parsed = botocore_parse(operation, body)
        metadata = parsed.pop("ResponseMetadata")
        assert metadata["RequestId"] == "req-1234"
        assert normalise(parsed) == normalise(result), f"{name} ({variant.name}) did not round-trip"


def test_result_booleans_and_empty_lists_are_explicit() -> None:
    operation = operation_model(SERVICE, "DescribeClusterSnapshots")
    result = {"Snapshots": [{"SnapshotIdentifier": "s1", "Encrypted": False, "Tags": [],
                             "EncryptedWithHSM": True}], "Marker": ""}
    body = query_serializer.serialize_result(operation, result, "r")
    assert b"<Encrypted>false</Encrypted>" in body
    assert b"<EncryptedWithHSM>true</EncryptedWithHSM>" in body
    assert b"<Tags/>" in body
    parsed = botocore_parse(operation, body)
    assert parsed["Snapshots"] == result["Snapshots"]
    assert parsed["Marker"] == ""


def test_result_timestamps_have_millisecond_precision_in_utc() -> None:
    operation = operation_model(SERVICE, "DescribeClusterSnapshots")
    created = datetime(2013, 7, 17, 22, 4, 18, 947_999, tzinfo=UTC)
    offset = datetime(2013, 7, 18, 0, 4, 18, 947_000, tzinfo=timezone(timedelta(hours=2)))
    body = query_serializer.serialize_result(
        operation, {"Snapshots": [{"SnapshotCreateTime": created, "ClusterCreateTime": offset}]}, "r"
    )
    assert body.count(b"2013-07-17T22:04:18.947Z") == 2
    parsed = botocore_parse(operation, body)["Snapshots"][0]
    assert parsed["SnapshotCreateTime"] == created.replace(microsecond=947_000)
    assert parsed["ClusterCreateTime"] == offset


def test_result_timestamps_keep_four_digit_years() -> None:
    early = datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert iso_timestamp(early) == "0999-01-02T03:04:05.000Z"


def test_result_text_that_is_not_xml_safe_still_parses() -> None:
    """Control characters cannot appear in XML 1.0; they must not break the document."""
    operation = operation_model(SERVICE, "DescribeClusterSnapshots")
    body = query_serializer.serialize_result(
        operation, {"Snapshots": [{"SnapshotIdentifier": "a\x00b\x1bc\ufffed"}]}, "r"
    )
    parsed = botocore_parse(operation, body)
    assert parsed["Snapshots"][0]["SnapshotIdentifier"].startswith("a")


# --------------------------------------------------------------------------------------------
# Errors.
# --------------------------------------------------------------------------------------------


def error_response(error: ApiError, request_id: str) -> Answer:
    return PROTOCOL.error(SERVICE, error, request_id)


def parse_error(body: bytes, status: int) -> dict[str, Any]:
    return botocore_parse(None, body, status)


@pytest.mark.parametrize("code", sorted(error_statuses(SERVICE)))
def test_every_error_code_round_trips(code: str) -> None:
    response = error_response(ApiError(code, f"Something about {code} & <stuff>."), "rid-1")
    status, sender = error_statuses(SERVICE)[code]
    assert response.status == status
    parsed = parse_error(response.body, response.status)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == f"Something about {code} & <stuff>."
    assert parsed["Error"]["Type"] == ("Sender" if sender and status < 500 else "Receiver")
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-1"


def test_modelled_error_statuses_come_from_the_model() -> None:
    statuses = error_statuses(SERVICE)
    assert statuses["ClusterSnapshotNotFound"][0] == 404
    assert statuses["ClusterNotFound"][0] == 404
    assert statuses["InvalidRestore"][0] == 406
    assert statuses["DependentServiceAccessDenied"][0] == 403
    assert statuses["ClusterSnapshotAlreadyExists"][0] == 400
    # Codes are the awsQueryError codes, never the shape names.
    assert "ClusterSnapshotNotFoundFault" not in statuses
    assert "InvalidRetentionPeriodFault" in statuses
    for code, status in COMMON_ERROR_STATUS.items():
        assert statuses[code][0] == status


def test_modelled_error_is_mapped_to_its_exception_by_a_botocore_client() -> None:
    import boto3

    client = boto3.client("redshift", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    response = error_response(ApiError("ClusterSnapshotNotFound", "Snapshot s9 not found."), "rid")
    parsed = parse_error(response.body, response.status)
    error_class = client.exceptions.from_code(parsed["Error"]["Code"])
    assert error_class is client.exceptions.ClusterSnapshotNotFoundFault
    assert response.status == 404


def test_error_with_unknown_code_defaults_to_400_and_explicit_status_wins() -> None:
    assert error_response(ApiError("SomethingNew", "x"), "r").status == 400
    assert error_response(ApiError("RequestEntityTooLarge", "x", status=413), "r").status == 413
    internal = error_response(ApiError("InternalFailure", "x"), "r")
    assert internal.status == 500
    assert parse_error(internal.body, 500)["Error"]["Type"] == "Receiver"


def test_error_message_with_control_characters_is_still_xml() -> None:
    body = query_serializer.serialize_error(SERVICE, "InvalidParameterValue", "bad \x00\x01\x1f value\ud800", True, "r")
    parsed = parse_error(body, 400)
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert parsed["Error"]["Message"].startswith("bad ")


# --------------------------------------------------------------------------------------------
# Request edge cases.
# --------------------------------------------------------------------------------------------


def parse(body: str) -> dict[str, Any]:
    return localshift_parse(body.encode())[1]


def api_error(body: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse(body)
    return caught.value


def test_bare_key_is_an_empty_list() -> None:
    assert parse("Action=DeleteTags&Version=2012-12-01&ResourceName=arn&TagKeys=") == {
        "ResourceName": "arn", "TagKeys": []
    }


def test_empty_list_from_botocore_round_trips() -> None:
    operation = operation_model(SERVICE, "DeleteTags")
    body = botocore_body(operation, {"ResourceName": "arn", "TagKeys": []})
    assert b"TagKeys=" in body
    assert localshift_parse(body)[1] == {"ResourceName": "arn", "TagKeys": []}


def test_list_wire_names_follow_the_model() -> None:
    parsed = parse(
        "Action=DeleteTags&Version=2012-12-01&ResourceName=arn"
        "&TagKeys.TagKey.2=env&TagKeys.TagKey.1=owner"  # order on the wire does not matter
    )
    assert parsed["TagKeys"] == ["owner", "env"]
    parsed = parse(
        "Action=BatchDeleteClusterSnapshots&Version=2012-12-01"
        "&Identifiers.DeleteClusterSnapshotMessage.1.SnapshotIdentifier=s1"
        "&Identifiers.DeleteClusterSnapshotMessage.2.SnapshotIdentifier=s2"
        "&Identifiers.DeleteClusterSnapshotMessage.2.SnapshotClusterIdentifier=c2"
    )
    assert parsed["Identifiers"] == [
        {"SnapshotIdentifier": "s1"}, {"SnapshotIdentifier": "s2", "SnapshotClusterIdentifier": "c2"}
    ]


def test_missing_required_member() -> None:
    error = api_error("Action=DeleteTags&Version=2012-12-01&TagKeys.TagKey.1=a")
    assert error.code == "MissingParameter"
    assert "ResourceName" in error.message
    error = api_error("Action=CreateClusterSnapshot&Version=2012-12-01&ClusterIdentifier=c1")
    assert error.code == "MissingParameter"
    assert "SnapshotIdentifier" in error.message


def test_missing_required_member_of_a_list_item_names_the_wire_key() -> None:
    error = api_error(
        "Action=BatchDeleteClusterSnapshots&Version=2012-12-01"
        "&Identifiers.DeleteClusterSnapshotMessage.1.SnapshotClusterIdentifier=c1"
    )
    assert error.code == "MissingParameter"
    assert "Identifiers.DeleteClusterSnapshotMessage.1.SnapshotIdentifier" in error.message


@pytest.mark.parametrize("body", [
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=abc",
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=1.5",
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=",
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=99999999999999999999999",
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=" + "9" * 5000,
    "Action=DescribeClusters&Version=2012-12-01&MaxRecords=%D9%A1%D9%A2",  # Arabic-Indic digits
    "Action=DescribeClusterSnapshots&Version=2012-12-01&ClusterExists=yes",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&ClusterExists=1",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&ClusterExists=",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=yesterday",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=2024-13-01T00:00:00Z",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=nan",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=inf",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=1e300",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=0001-01-01T00:00:00%2B01:00",
    "Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=9999-12-31T23:59:59-01:00",
    "Action=DescribeClusterSnapshots&Version=2012-12-01"
    "&SortingEntities.SnapshotSortingEntity.1.Attribute=SIZE&SortingEntities.SnapshotSortingEntity.1.SortOrder=UP",
])
def test_bad_scalar_values_are_invalid_parameter_value(body: str) -> None:
    assert api_error(body).code == "InvalidParameterValue"


def test_integer_members_must_fit_their_wire_type() -> None:
    assert parse("Action=DescribeClusters&Version=2012-12-01&MaxRecords=2147483647")["MaxRecords"] == 2**31 - 1
    assert api_error("Action=DescribeClusters&Version=2012-12-01&MaxRecords=2147483648").code == (
        "InvalidParameterValue"
    )


def test_booleans() -> None:
    base = "Action=DescribeClusterSnapshots&Version=2012-12-01&ClusterExists="
    assert parse(base + "true")["ClusterExists"] is True
    assert parse(base + "false")["ClusterExists"] is False


@pytest.mark.parametrize("text, expected", [
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05%2B00:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05.123Z", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
    ("2024-01-02T03:04:05.123456Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ("2024-01-02T05:04:05%2B02:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T05:04:05.5%2B02:00", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
    ("2024-01-01T22:04:05-05:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # no zone: UTC
    ("2024-01-02t03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("1704164645", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # epoch seconds
])
def test_iso8601_variants(text: str, expected: datetime) -> None:
    parsed = parse(f"Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime={text}")["StartTime"]
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("body, code", [
    ("Version=2012-12-01", "MissingAction"),
    ("Action=&Version=2012-12-01", "InvalidAction"),
    ("Action=NoSuchThing&Version=2012-12-01", "InvalidAction"),
    ("Action=DescribeClusters&Version=2012-12-01&x=%FF", "MalformedQueryString"),
    ("Action=DescribeClusters&Version=2012-12-01&novalue", "MalformedQueryString"),
])
def test_request_level_errors(body: str, code: str) -> None:
    assert api_error(body).code == code


@pytest.mark.parametrize("body, message", [
    ("Action=DescribeClusters", "Could not find operation DescribeClusters for version NO_VERSION_SPECIFIED"),
    ("Action=DescribeClusters&Version=", "Could not find operation DescribeClusters for version "),
    ("Action=DescribeClusters&Version=2099-01-01", "Could not find operation DescribeClusters for version 2099-01-01"),
    ("Action=NoSuchThing", "Could not find operation NoSuchThing for version NO_VERSION_SPECIFIED"),
    ("Action=NoSuchThing&Version=2012-12-01", "Could not find operation NoSuchThing for version 2012-12-01"),
    ("Action=&Version=2012-12-01", "Could not find operation  for version 2012-12-01"),
    ("Action=", "Could not find operation  for version NO_VERSION_SPECIFIED"),
])
def test_an_operation_is_found_by_its_name_and_the_models_api_version(body: str, message: str) -> None:
    error = api_error(body)
    assert (error.code, error.message) == ("InvalidAction", message)


def answered(server: Server, body: str, service: str = SERVICE, query_string: str = "") -> tuple[int, dict[str, str]]:
    """POST a Query body, signed for ``service``, to a real server: (HTTP status, the error's fields or {})."""
    request = AWSRequest(method="POST", url=f"{server.url}/{'?' + query_string if query_string else ''}",
                         data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(OWNER, "secret"), service, REGION).add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                                           headers=dict(prepared.headers.items())), timeout=30) as reply:
            return reply.status, {}
    except urllib.error.HTTPError as error:
        root = ET.fromstring(error.read())
        fields = {child.tag.rpartition("}")[2]: child.text or "" for child in root.find("{*}Error")}  # type: ignore[union-attr]
        return error.code, fields


@pytest.mark.parametrize("service, version", [("redshift", "2012-12-01"), ("sts", "2011-06-15")])
def test_an_empty_action_names_no_operation_and_an_absent_one_is_missing(ls: Server, service: str,
                                                                          version: str) -> None:
    status, error = answered(ls, f"Action=&Version={version}", service)
    assert (status, error["Code"], error["Message"]) == (
        400, "InvalidAction", f"Could not find operation  for version {version}")
    status, error = answered(ls, f"Version={version}", service)
    assert (status, error["Code"]) == (400, "MissingAction")


def test_a_parameter_given_twice_keeps_its_first_value(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.large", MasterUsername="admin",
                            MasterUserPassword="Passw0rd1", ClusterType="single-node")
    describe = "Version=2012-12-01&Action=DescribeClusters"
    assert answered(ls, f"{describe}&ClusterIdentifier=c1&ClusterIdentifier=nope") == (200, {})
    status, error = answered(ls, f"{describe}&ClusterIdentifier=nope&ClusterIdentifier=c1")
    assert (status, error["Code"], error["Message"]) == (404, "ClusterNotFound", "Cluster nope not found.")
    # Action and Version too, as STS reads them.
    assert answered(ls, "Action=GetCallerIdentity&Action=NoSuchAction&Version=2011-06-15", "sts") == (200, {})
    status, error = answered(ls, "Action=NoSuchAction&Action=GetCallerIdentity&Version=2011-06-15", "sts")
    assert (status, error["Message"]) == (400, "Could not find operation NoSuchAction for version 2011-06-15")
    status, error = answered(ls, "Action=GetCallerIdentity&Version=2000-01-01&Version=2011-06-15", "sts")
    assert (status, error["Message"]) == (400, "Could not find operation GetCallerIdentity for version 2000-01-01")
    # A POST body's parameters still win over the query string's.
    assert answered(ls, f"{describe}&ClusterIdentifier=c1", query_string="ClusterIdentifier=nope") == (200, {})


def test_non_utf8_body_is_malformed() -> None:
    with pytest.raises(ApiError) as caught:
        query.decode_form("POST", b"", b"Action=DescribeClusters&x=\xff\xfe")
    assert caught.value.code == "MalformedQueryString"


def test_unknown_parameters_are_ignored() -> None:
    assert parse("Action=DescribeClusters&Version=2012-12-01&Bogus.1.Thing=x&ClusterIdentifier=c") == {
        "ClusterIdentifier": "c"
    }


class VisitCounting(Mapping[str, str]):
    """Form parameters that count how often the parser visits a key (iterating or looking one up)."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params
        self.visits = 0

    def __getitem__(self, key: str) -> str:
        self.visits += 1
        return self.params[key]

    def __iter__(self) -> Iterator[str]:
        for key in self.params:
            self.visits += 1
            yield key

    def __len__(self) -> int:
        return len(self.params)


def test_many_list_items_parse_in_linear_time() -> None:
    """Each key is visited a few times, however many items a list has: the work is counted, not timed (the
    old prefix scan looked at every key for every item, count * count visits)."""
    count = 2_000
    scalars = "Action=DeleteTags&Version=2012-12-01&ResourceName=arn&" + "&".join(
        f"TagKeys.TagKey.{i}=k{i}" for i in range(1, count + 1)
    )
    structures = "Action=BatchDeleteClusterSnapshots&Version=2012-12-01&" + "&".join(
        f"Identifiers.DeleteClusterSnapshotMessage.{i}.SnapshotIdentifier=s{i}" for i in range(1, count + 1)
    )
    for body, member in ((scalars, "TagKeys"), (structures, "Identifiers")):
        operation, params = PROTOCOL.operation_of(SERVICE, Request("POST", "/", "", {}, body.encode()))
        counted = VisitCounting(params)
        assert len(PROTOCOL.parse(operation, counted)[member]) == count
        assert counted.visits <= 10 * len(params), counted.visits


def test_a_key_of_a_million_dots_parses() -> None:
    """Every dotted prefix of a 2 MB key would be a terabyte: the parser stops at the models' depth.  The bound
    is thousands of times what the parse takes, so only a parser that looks at every prefix exceeds it."""
    import time

    deep = "Action=DescribeClusters&Version=2012-12-01&" + "a." * 1_000_000 + "=x"
    started = time.perf_counter()
    assert parse(deep) == {}
    assert time.perf_counter() - started < 60


any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=60)  # surrogates too
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@settings(max_examples=500, deadline=None)
@given(code=any_text, message=any_text, sender=st.booleans())
def test_any_error_text_serializes_to_an_error_botocore_reads(code: str, message: str, sender: bool) -> None:
    body = query_serializer.serialize_error(SERVICE, code, message, sender, "rid-1")
    root = ET.fromstring(body)
    error = {child.tag.rpartition("}")[2]: child.text or "" for child in root.find("{*}Error")}  # type: ignore[union-attr]
    # Characters XML cannot carry become U+FFFD; everything else comes back as it was.
    assert error == {"Type": "Sender" if sender else "Receiver", "Code": NOT_XML.sub("\ufffd", code),
                     "Message": NOT_XML.sub("\ufffd", message)}
    assert parse_error(body, 400)["ResponseMetadata"]["RequestId"] == "rid-1"


# What the resource-policy, Multi-AZ and Advisor operations answer: JSON documents and shell commands
# in text members, nested lists of structures.
POLICY_TEXT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"redshift:*","Resource":"*"}]}'
TYPICAL_ANSWERS: dict[str, dict[str, Any]] = {
    "PutResourcePolicy": {"ResourcePolicy": {"ResourceArn": PATTERN_CANDIDATES[6], "Policy": POLICY_TEXT}},
    "GetResourcePolicy": {"ResourcePolicy": {"ResourceArn": PATTERN_CANDIDATES[6], "Policy": POLICY_TEXT}},
    "DeleteResourcePolicy": {},
    "FailoverPrimaryCompute": {"Cluster": {
        "ClusterIdentifier": "c1", "ClusterStatus": "modifying", "AvailabilityZone": "us-east-1c", "MultiAZ": "Enabled",
        "MultiAZSecondary": {"AvailabilityZone": "us-east-1b", "ClusterNodes": [
            {"NodeRole": "LEADER", "PrivateIPAddress": "127.0.0.1", "PublicIPAddress": "127.0.0.1"}]}}},
    "ListRecommendations": {"Marker": "WzJd", "Recommendations": [{
        "Id": "6f1c9a52-4d55-5b55-9c1a-0a4f1f0c7e11", "ClusterIdentifier": "c1",
        "NamespaceArn": PATTERN_CANDIDATES[6],
        "CreatedAt": datetime(2026, 11, 30, 19, 0, 0, 123000, tzinfo=UTC), "RecommendationType": "enable-sqa",
        "Title": "Enable short query acceleration", "Description": "d", "Observation": "o", "ImpactRanking": "MEDIUM",
        "RecommendationText": "t",
        "RecommendedActions": [{"Text": "x", "Type": "CLI", "Command": "aws redshift modify-cluster-parameter-group "
                                "--parameters '[{\"ParameterName\":\"wlm_json_configuration\"}]' <&>"}],
        "ReferenceLinks": [{"Text": "SQA", "Link": "https://docs.aws.amazon.com/redshift/latest/dg/x.html#y"}]}]},
}


@pytest.mark.parametrize("name", sorted(TYPICAL_ANSWERS))
def test_resource_policy_multi_az_and_advisor_answers_round_trip(name: str) -> None:
    assert (SERVICE, name) in served_operations()
    operation = operation_model(SERVICE, name)
    parsed = botocore_parse(operation, PROTOCOL.serialize(operation, TYPICAL_ANSWERS[name], "req-1").body)
    parsed.pop("ResponseMetadata")
    assert normalise(parsed) == normalise(TYPICAL_ANSWERS[name])
