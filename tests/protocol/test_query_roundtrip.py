"""The Query protocol against botocore's own serializer and parser, as the request path uses it.

For every operation of every registered Query service (read from the registry at test time,
so new operations and services are covered as they are added), a value that fills every
member of the operation's input shape is serialized by botocore and must come back unchanged
out of the service's wire protocol (operation_of, then parse); a value that fills every
member of the output shape is serialized by it and must come back unchanged out of
botocore's parser. Errors are in test_query_errors.py, requests' edge cases in test_query_requests.py.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.model import Shape

from localshift.protocol import query_serializer
from localshift.protocol.scalars import iso_timestamp
from localshift.protocol.spec import operation_model, service_model
from support import value_matching
from protocol.query_wire import (
    PROTOCOL, QUERY_SERVICES, SERVICE, UTC, botocore_body, botocore_parse, localshift_parse,
)


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
