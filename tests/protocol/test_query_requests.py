"""Query requests' edge cases as the request path parses them (protocol/query.py): empty and bare lists, wire
names, required members, scalar values of the wrong type or size, timestamps, request-level errors, the
operation named by Action and Version, a parameter given twice, bodies that are not UTF-8, and the parser's
linear work on many list items or a key of a million dots."""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any, Iterator, Mapping

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localshift.errors import ApiError
from localshift.protocol import query
from localshift.protocol.spec import operation_model
from localshift.protocol.wire import Request
from support import OWNER, REGION, Server
from protocol.query_wire import PROTOCOL, SERVICE, UTC, botocore_body, localshift_parse


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
