"""Malformed requests against one running server: always a well-formed AWS Query error, never a 500 or a hang.

Requests go over raw sockets so that anything can be sent: broken percent
escapes, bytes that are not UTF-8, bodies shorter than their Content-Length,
bodies larger than the server accepts.
"""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from localshift.protocol.spec import service_model
from localshift.services.redshift.operations import OPERATIONS
from hostile_values import FORGED_MARKERS, markers
from raw_http import Reply, exchange, http_request
from support import OWNER, Server

ALLOWED_ERROR_STATUSES = {400, 403, 404, 413}
MODEL = service_model("redshift")
SERVED = sorted(OPERATIONS)
VALID_AUTH = (
    "AWS4-HMAC-SHA256 Credential=%s/20240102/us-east-1/redshift/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
)


# --------------------------------------------------------------------------------------------
# Checking answers
# --------------------------------------------------------------------------------------------


def check_reply(reply: Reply, request: bytes) -> str:
    """Assert the answer is acceptable; return "status code" for statistics."""
    context = f"request {request[:400]!r} -> {reply.status} {reply.body[:600]!r}"
    assert reply.status == 200 or reply.status in ALLOWED_ERROR_STATUSES, context
    if reply.status == 200:
        ET.fromstring(reply.body)  # a successful answer is XML too
        return "200"
    parsed = check_error_body(reply.body, reply.status, context)
    return f"{reply.status} {parsed['Error']['Code']}"


def check_error_body(body: bytes, status: int, context: str = "") -> dict[str, Any]:
    root = ET.fromstring(body)
    assert re.sub(r"^\{.*\}", "", root.tag) == "ErrorResponse", context
    children = [re.sub(r"^\{.*\}", "", child.tag) for child in root]
    assert children == ["Error", "RequestId"], context
    error = {re.sub(r"^\{.*\}", "", child.tag): child.text for child in root[0]}
    assert set(error) == {"Type", "Code", "Message"}, context
    assert error["Type"] in ("Sender", "Receiver"), context
    parsed = create_parser("query").parse(
        {"body": body, "headers": {"content-type": "text/xml"}, "status_code": status}, None
    )
    assert parsed["Error"]["Code"], context
    assert parsed["Error"]["Code"] == error["Code"], context
    assert "Message" in parsed["Error"], context
    assert parsed["ResponseMetadata"].get("RequestId"), context
    return parsed


# --------------------------------------------------------------------------------------------
# What to send
# --------------------------------------------------------------------------------------------


def wire_keys(shape, prefix: str = "", depth: int = 0, required_only: bool = False) -> list[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    """Every wire key the model allows for a shape (list indexes 1 and 2), with the scalar shape it carries."""
    if shape is None or depth > 5:
        return []
    if shape.type_name == "structure":
        keys: list[tuple[str, Any]] = []
        for name, member in shape.members.items():
            if required_only and name not in shape.required_members:
                continue
            key = (prefix + "." if prefix else "") + member.serialization.get("name", name)
            keys += wire_keys(member, key, depth + 1, required_only)
        return keys
    if shape.type_name == "list":
        item = shape.member.serialization.get("name", "member")
        keys = [] if required_only else [(prefix, None)]
        for index in (1,) if required_only else (1, 2):
            keys += wire_keys(shape.member, f"{prefix}.{item}.{index}", depth + 1, required_only)
        return keys
    if shape.type_name == "map":
        return [(f"{prefix}.entry.1.key", shape.key), (f"{prefix}.entry.1.value", shape.value)]
    return [(prefix, shape)]


OPERATION_KEYS = {name: wire_keys(MODEL.operation_model(name).input_shape) or [("Nothing", None)] for name in SERVED}
REQUIRED_KEYS = {name: wire_keys(MODEL.operation_model(name).input_shape, required_only=True) for name in SERVED}

plausible_strings = st.sampled_from([
    "c1", "s1", "C1", "", "-", "a--b", "x" * 300, "ra3.xlplus", "ra3.4xlarge", "dc2.large", "111111111111",
    "222222222222", "all", "manual", "automated", "arn:aws:redshift:us-east-1:111111111111:cluster:c1",
    "arn:aws:redshift:us-east-1:111111111111:snapshot:c1/s1", "arn:aws:redshift:eu-west-1:1:snapshot:c/s",
    "arn:", "admin", "Passw0rd1", "dev", "*", "%", "é",
])
timestamps = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
                     "2024-01-02T03:04:05.123Z", "2100-01-01T00:00:00+14:00"]),
    st.datetimes().map(lambda value: value.isoformat() + "Z"),
)


def typed_values(shape):  # type: ignore[no-untyped-def]
    """Values of the right wire type for a scalar shape, chosen to sit at the edges."""
    if shape is None:
        return st.just("")  # the bare key of an empty list
    kind = shape.type_name
    if kind == "string":
        options = [plausible_strings, st.text(max_size=70)]
        if shape.enum:
            options.insert(0, st.sampled_from(list(shape.enum)))
        return st.one_of(*options)
    if kind == "integer":
        return st.one_of(st.sampled_from([0, -1, 1, 2, 20, 21, 100, 101, 500, 2**31 - 1, -(2**31)]),
                         st.integers(-(2**31), 2**31 - 1)).map(str)
    if kind == "long":
        return st.one_of(st.sampled_from([0, -1, 2**63 - 1, -(2**63)]), st.integers(-(2**63), 2**63 - 1)).map(str)
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    if kind == "timestamp":
        return timestamps
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False).map(repr)
    return st.text(max_size=20)


awkward_values = st.sampled_from([
    "", "true", "false", "TRUE", "yes", "0", "-1", "1.5", "2147483648", "9" * 30, "1e999", "nan", "inf",
    "-Infinity", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123+02:00", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "not-a-date", "ra3.xlplus", "c1", "s1", "arn:aws:redshift:us-east-1:1:cluster:c1",
    "\x00", "\x1b[31m", "<xml>&amp;", "]]>", "\ufffe", "é€𝄞", " padded ",
])
values = st.one_of(
    awkward_values,
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True).map(repr),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: "x" * n),
)


@st.composite
def parameters_for(draw, action: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    known = OPERATION_KEYS.get(action) or [("ClusterIdentifier", None), ("Tags.Tag.1.Key", None)]
    key, shape = weighted(draw, (3, st.sampled_from(known)), (1, st.tuples(st.text(max_size=30), st.none())))
    # Lists with indexes out of order, zero, negative, huge, padded.
    if draw(st.integers(0, 3)) == 0 and re.search(r"\.\d+", key):
        index = draw(st.sampled_from(["0", "-1", "01", "3", "99999999999999999999999", "", "x", "1.1"]))
        key = re.sub(r"\.\d+", "." + index, key, count=1)
    value = weighted(draw, (3, typed_values(shape)), (2, values))
    return key, value


def weighted(draw, *choices):  # type: ignore[no-untyped-def]
    """Draw from (weight, strategy) pairs."""
    total = sum(weight for weight, _ in choices)
    pick = draw(st.integers(0, total - 1))
    for weight, strategy in choices:
        if pick < weight:
            return draw(strategy)
        pick -= weight
    raise AssertionError("unreachable")


@st.composite
def form_bodies(draw) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    action = weighted(
        draw,
        (14, st.sampled_from(SERVED)),
        (2, st.sampled_from(MODEL.operation_names)),
        (2, st.text(max_size=30)),
        (1, st.just("")),
    )
    version = weighted(draw, (8, st.just("2012-12-01")), (1, st.sampled_from(["", "1999-01-01", "x" * 300])))
    pairs = [("Action", action), ("Version", version)]
    if draw(st.integers(0, 19)) == 0:
        pairs = pairs[1:]  # no Action at all
    if action in REQUIRED_KEYS and draw(st.integers(0, 3)) > 0:
        # Usually every required member is there, so the operation itself runs.
        for key, shape in REQUIRED_KEYS[action]:
            pairs.append((key, draw(typed_values(shape))))
    for _ in range(draw(st.integers(0, 8))):
        pairs.append(draw(parameters_for(action)))
    draw(st.randoms()).shuffle(pairs)
    # Most requests are encoded as a client would; some have one pair mangled on the wire.
    corrupt = draw(st.integers(0, 4)) == 0
    parts = []
    for key, value in pairs:
        mode = "quoted"
        if corrupt:
            mode = draw(st.sampled_from(["quoted", "raw", "broken-percent", "latin-1", "no-equals"]))
        if mode == "quoted":
            part = (quote(key, safe="") + "=" + quote(value, safe="")).encode()
        elif mode == "raw":
            part = (key + "=" + value).encode("utf-8", "surrogatepass")
        elif mode == "broken-percent":
            broken = draw(st.sampled_from(["%", "%G1", "%e", "%%", "%FF", "%C3%28", "%ED%A0%80", "%00"]))
            part = (quote(key, safe="") + "=" + quote(value, safe="")[:5] + broken).encode()
        elif mode == "latin-1":
            part = quote(key, safe="").encode() + b"=" + value.encode("latin-1", "replace") + b"\xff\xfe"
        else:
            part = quote(key, safe="").encode()
        parts.append(part)
    return action, b"&".join(parts)


header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80
).map(lambda text: text.strip().encode("latin-1"))
authorizations = st.one_of(
    st.builds(lambda account: (VALID_AUTH % account).encode(), st.sampled_from([OWNER, "123456789012", "AKIAX"])),
    st.just(None),
    header_text,
    st.builds(lambda tail: b"AWS4-HMAC-SHA256 " + tail, header_text),
    st.just(b"AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature="),
    st.just(b"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/aws4_request, SignedHeaders=host, Signature=x"),
)
content_types = st.sampled_from([
    b"application/x-www-form-urlencoded; charset=utf-8", b"application/x-www-form-urlencoded", None,
    b"text/plain", b"application/json", b"multipart/form-data; boundary=x",
])


@st.composite
def valid_auth_weighted(draw):  # type: ignore[no-untyped-def]
    # Most requests carry an acceptable open-mode Authorization, so the parser is reached.
    return weighted(draw, (4, st.just((VALID_AUTH % OWNER).encode())), (1, authorizations))


# --------------------------------------------------------------------------------------------
# The property
# --------------------------------------------------------------------------------------------


# LOCALSHIFT_FUZZ_EXAMPLES=15000 for a longer hunt (about two minutes).
@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(
    form=form_bodies(),
    auth=valid_auth_weighted(),
    content_type=content_types,
    transport=st.sampled_from(["post", "post", "post", "get", "truncated", "presigned-get"]),
    extra_length=st.integers(1, 10_000),
)
def fuzz_one_request(server: Server, form, auth, content_type, transport, extra_length) -> None:  # type: ignore[no-untyped-def]
    _, body = form
    headers: list[tuple[str, bytes]] = []
    if auth is not None and transport != "presigned-get":
        headers.append(("Authorization", auth))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    headers.append(("X-Amz-Date", b"20240102T030405Z"))

    if transport in ("get", "presigned-get"):
        # A request target may not carry spaces or control bytes; everything else goes as sent.
        query = re.sub(rb"[\x00-\x20\x7f-\xff#]", lambda m: b"%%%02X" % m.group()[0], body[:6000])
        if transport == "presigned-get":
            query += (
                b"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=111111111111%2F20240102%2Fus-east-1"
                b"%2Fredshift%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-SignedHeaders=host"
                b"&X-Amz-Expires=300&X-Amz-Signature=" + quote(auth.decode("latin-1") if auth else "").encode()
            )
        raw = http_request("GET", b"/?" + query, headers, b"")
        reply = exchange(server, raw)
        assert reply is not None, f"no answer to {raw[:300]!r}"
        event(check_reply(reply, raw))
    elif transport == "truncated":
        # The body is shorter than promised and the client stops sending: the server must neither hang
        # nor answer with anything but a well-formed error (closing without an answer is fine).
        raw = http_request("POST", b"/", headers, body, content_length=len(body) + extra_length)
        reply = exchange(server, raw, half_close=True)
        event(check_reply(reply, raw) if reply is not None else "closed without an answer")
    else:
        raw = http_request("POST", b"/", headers, body)
        reply = exchange(server, raw)
        assert reply is not None, f"no answer to {raw[:300]!r}"
        event(check_reply(reply, raw))


def test_malformed_requests_get_well_formed_errors(server: Server) -> None:
    fuzz_one_request(server)
    # After all that, the shared server is alive and answers a normal request.
    assert server.process is not None and server.process.poll() is None
    assert "Clusters" in server.client(OWNER).describe_clusters()


# --------------------------------------------------------------------------------------------
# Specific hostile requests
# --------------------------------------------------------------------------------------------


def signed_headers() -> list[tuple[str, bytes]]:
    return [("Authorization", (VALID_AUTH % OWNER).encode()),
            ("Content-Type", b"application/x-www-form-urlencoded; charset=utf-8")]


def test_body_over_four_mebibytes_is_refused(server: Server) -> None:
    body = b"Action=DescribeClusters&Version=2012-12-01&Marker=" + b"x" * (4 * 1024 * 1024)
    raw = http_request("POST", b"/", signed_headers(), body)
    reply = exchange(server, raw)
    assert reply is not None
    assert reply.status == 413
    parsed = check_error_body(reply.body, reply.status)
    assert parsed["Error"]["Code"] == "RequestEntityTooLarge"


def test_body_just_under_the_limit_with_many_list_items_is_answered(server: Server) -> None:
    """Tens of thousands of list items are answered: within the exchange's minute, where a quadratic parser takes
    several (test_query_roundtrip counts the parser's work; no wall-clock bound of a few seconds here)."""
    items = []
    size = 0
    index = 1
    while size < 3_900_000:
        item = f"Identifiers.DeleteClusterSnapshotMessage.{index}.SnapshotIdentifier=s{index}"
        items.append(item)
        size += len(item) + 1
        index += 1
    body = ("Action=BatchDeleteClusterSnapshots&Version=2012-12-01&" + "&".join(items)).encode()
    assert len(body) < 4 * 1024 * 1024
    reply = exchange(server, http_request("POST", b"/", signed_headers(), body), timeout=60)
    assert reply is not None
    assert reply.status == 200 or reply.status in ALLOWED_ERROR_STATUSES, reply.body[:500]
    if reply.status != 200:
        check_error_body(reply.body, reply.status)


@pytest.mark.parametrize("body", [
    b"Action=DescribeClusters&Version=2012-12-01&MaxRecords=" + b"9" * 100_000,
    b"Action=DescribeClusters&Version=2012-12-01&" + b"a." * 1_000_000 + b"=1",
    b"Action=DescribeClusters&Version=2012-12-01&" + b"&" * 1_000_000,
    b"Action=DescribeClusters&Version=2012-12-01&ClusterIdentifier=\xc3\x28",
    b"Action=DescribeClusterSnapshots&Version=2012-12-01&StartTime=0001-01-01T00:00:00%2B01:00",
    b"Action=DescribeClusterSnapshots&Version=2012-12-01&SnapshotIdentifier=%00%01%1B",
    b"Action=DescribeTags&Version=2012-12-01&" + b"&".join(b"TagKeys.TagKey.%d=k%d" % (i, i) for i in range(1, 5001)),
    b"Action=CreateTags&Version=2012-12-01&ResourceName=arn:aws:redshift:us-east-1:111111111111:cluster:nope"
    + b"".join(b"&Tags.Tag.%d.Key=k%d&Tags.Tag.%d.Value=v" % (i, i, i) for i in range(1, 2001)),
    b"Action=%00&Version=2012-12-01",
    b"Action=Describe%E2%80%AEClusters&Version=2012-12-01",
], ids=lambda body: f"{body[:40]!r}...{len(body)}")
def test_specific_hostile_bodies(server: Server, body: bytes) -> None:
    raw = http_request("POST", b"/", signed_headers(), body)
    reply = exchange(server, raw, timeout=20)
    assert reply is not None
    check_reply(reply, raw)


def test_error_echoing_control_characters_is_still_xml(server: Server) -> None:
    raw = http_request("POST", b"/", signed_headers(), b"Action=Nope%01%02%1B&Version=2012-12-01")
    reply = exchange(server, raw)
    assert reply is not None and reply.status == 400
    assert check_error_body(reply.body, reply.status)["Error"]["Code"] == "InvalidAction"


def test_truncated_request_is_not_executed(server: Server) -> None:
    server.reset()
    body = (b"Action=CreateCluster&Version=2012-12-01&NodeType=ra3.xlplus&NumberOfNodes=2"
            b"&MasterUsername=admin&MasterUserPassword=Passw0rd1&ClusterIdentifier=prod")
    raw = http_request("POST", b"/", signed_headers(), body, content_length=len(body) + 20)
    exchange(server, raw, half_close=True)
    time.sleep(0.3)
    clusters = server.client(OWNER).describe_clusters()["Clusters"]
    server.reset()
    assert clusters == []


# --------------------------------------------------------------------------------------------
# Paging markers
# --------------------------------------------------------------------------------------------

# Each list operation, with what its marker must be refused for (and, for node configurations,
# the error of a marker that decodes: the cluster it names does not exist).
PAGED = {
    "DescribeClusters": ("", set()),
    "DescribeTags": ("", set()),
    "DescribeClusterSnapshots": ("", set()),
    "DescribeClusterSnapshots-sorted": (
        "&SortingEntities.SnapshotSortingEntity.1.Attribute=TOTAL_SIZE"
        "&SortingEntities.SnapshotSortingEntity.1.SortOrder=DESC", set()),
    "DescribeNodeConfigurationOptions": ("&ActionType=resize-cluster&ClusterIdentifier=nope", {"ClusterNotFound"}),
    "DescribeClusterParameterGroups": ("", set()),
    "DescribeClusterParameters": ("&ParameterGroupName=default.redshift-2.0", set()),
    "DescribeDefaultClusterParameters": ("&ParameterGroupFamily=redshift-2.0", set()),
    "DescribeClusterDbRevisions": ("", set()),
    "DescribeClusterVersions": ("", set()),
    "DescribeClusterTracks": ("", set()),
    "DescribeOrderableClusterOptions": ("", set()),
    "DescribeReservedNodeOfferings": ("", set()),
    "DescribeReservedNodes": ("", set()),
    "GetReservedNodeExchangeOfferings": ("&ReservedNodeId=nope", {"ReservedNodeNotFound"}),
    "GetReservedNodeExchangeConfigurationOptions": ("&ActionType=resize-cluster&ClusterIdentifier=nope",
                                                    {"ClusterNotFound"}),
    "DescribeReservedNodeExchangeStatus": ("", set()),
}


def _pages_by_marker_alone(name: str) -> bool:
    shape = MODEL.operation_model(name).input_shape
    return shape is not None and "Marker" in shape.members and not shape.required_members


# Every other served operation that pages by Marker and needs no other parameter: its marker too.
PAGED.update({name: ("", set()) for name in SERVED if name not in PAGED and _pages_by_marker_alone(name)})


def paged_request(operation: str, marker: str) -> bytes:
    extra, _ = PAGED[operation]
    action = operation.split("-")[0]
    body = f"Action={action}&Version=2012-12-01&Marker={quote(marker, safe='')}{extra}".encode()
    return http_request("POST", b"/", signed_headers(), body)


@pytest.mark.parametrize("operation", sorted(PAGED))
@pytest.mark.parametrize("kind", sorted(FORGED_MARKERS))
def test_forged_markers_are_invalid_parameter_values(server: Server, operation: str, kind: str) -> None:
    raw = paged_request(operation, FORGED_MARKERS[kind])
    reply = exchange(server, raw)
    assert reply is not None and reply.status == 400, raw
    assert check_error_body(reply.body, reply.status)["Error"]["Code"] == "InvalidParameterValue"


@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(operation=st.sampled_from(sorted(PAGED)), marker=markers)
def fuzz_one_marker(server: Server, operation: str, marker: str) -> None:
    raw = paged_request(operation, marker)
    reply = exchange(server, raw)
    assert reply is not None, raw
    if reply.status == 200:
        event("accepted")  # a marker that happens to decode to a key of the right kinds
        return
    code = check_error_body(reply.body, reply.status)["Error"]["Code"]
    assert code in {"InvalidParameterValue", *PAGED[operation][1]}, (raw, reply.status, code)
    event(code)


def test_any_marker_is_a_page_or_invalid_parameter_value(server: Server) -> None:
    fuzz_one_marker(server)
