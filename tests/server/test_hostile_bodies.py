"""Specific hostile bodies against one running server: over the size limit, just under it with tens of thousands
of list items, huge or broken parameters, control characters echoed in errors, a body shorter than its
Content-Length (never executed); always a well-formed AWS Query error, never a 500 or a hang."""

from __future__ import annotations

import time

import pytest

from raw_http import exchange, http_request
from support import OWNER, Server
from server.query_checks import ALLOWED_ERROR_STATUSES, check_error_body, check_reply, signed_headers


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
    several (test_query_requests counts the parser's work; no wall-clock bound of a few seconds here)."""
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
