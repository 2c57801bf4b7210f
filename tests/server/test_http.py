"""The HTTP layer (server/http.py): keep-alive, pipelining, chunked bodies, Expect: 100-continue,
header bytes outside ASCII, repeated Content-Length, heads too large, requests that are not HTTP."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

from raw_http import exchange, http_request
from support import OWNER, Server, create_available_cluster

AUTH = (
    f"AWS4-HMAC-SHA256 Credential={OWNER}/20240102/us-east-1/redshift/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
).encode()
FORM = b"application/x-www-form-urlencoded; charset=utf-8"
DESCRIBE = b"Action=DescribeClusters&Version=2012-12-01"


def head(body: bytes, *extra: bytes, connection: bytes = b"keep-alive") -> bytes:
    lines = [b"POST / HTTP/1.1", b"Host: 127.0.0.1", b"Authorization: " + AUTH, b"Content-Type: " + FORM,
             b"X-Amz-Date: 20240102T030405Z", b"Connection: " + connection, *extra]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def request(body: bytes, connection: bytes = b"keep-alive") -> bytes:
    return head(body, b"Content-Length: %d" % len(body), connection=connection)


def read_answers(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """``count`` answers off one connection, in order."""
    data = b""
    answers = []
    while len(answers) < count:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            lines = data[:end].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length", "0"))
            if len(data) >= end + 4 + length:
                answers.append((int(lines[0].split()[1]), headers, data[end + 4:end + 4 + length]))
                data = data[end + 4 + length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, f"closed after {len(answers)} answers"
        data += chunk
    return answers


def error_code(body: bytes) -> str:
    root = ET.fromstring(body)
    assert root.tag.endswith("ErrorResponse"), body
    return root.find("{*}Error/{*}Code").text  # type: ignore[union-attr,return-value]


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def test_keep_alive_serves_many_requests_on_one_connection(ls: Server) -> None:
    with connect(ls) as sock:
        for _ in range(3):
            sock.sendall(request(DESCRIBE))
            [(status, headers, body)] = read_answers(sock, 1)
            assert status == 200 and b"<DescribeClustersResult>" in body
            assert headers["content-type"] == "text/xml" and headers["x-amzn-requestid"]
            assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(ls: Server) -> None:
    """A write (run on a worker thread) then reads sent in one go: the answers come in order,
    and the read after the write sees it."""
    tag = (b"Action=CreateTags&Version=2012-12-01&ResourceName=arn%3Aaws%3Aredshift%3Aus-east-1%3A"
           + OWNER.encode() + b"%3Acluster%3Ac1&Tags.Tag.1.Key=team&Tags.Tag.1.Value=a")
    tags = b"Action=DescribeTags&Version=2012-12-01"
    create_available_cluster(ls.client(OWNER))
    with connect(ls) as sock:
        sock.sendall(request(tags) + request(tag) + request(tags) + request(DESCRIBE, connection=b"close"))
        answers = read_answers(sock, 4)
        assert sock.recv(1) == b""  # closed after the last, as asked
    assert [status for status, _, _ in answers] == [200, 200, 200, 200]
    assert b"<Key>team</Key>" not in answers[0][2]
    assert b"<CreateTagsResponse" in answers[1][2]
    assert b"<Key>team</Key>" in answers[2][2]
    assert b"<DescribeClustersResponse" in answers[3][2]
    assert answers[3][1]["connection"] == "close"


def test_chunked_body(ls: Server) -> None:
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (DESCRIBE[:10], DESCRIBE[10:])) + b"0\r\n\r\n"
    with connect(ls) as sock:
        sock.sendall(head(chunked, b"Transfer-Encoding: chunked"))
        [(status, _, body)] = read_answers(sock, 1)
    assert status == 200 and b"<DescribeClustersResult>" in body


def test_expect_100_continue(ls: Server) -> None:
    with connect(ls) as sock:
        sock.sendall(head(b"", b"Content-Length: %d" % len(DESCRIBE), b"Expect: 100-continue"))
        [(status, _, _)] = read_answers(sock, 1)
        assert status == 100
        sock.sendall(DESCRIBE)
        [(status, _, body)] = read_answers(sock, 1)
    assert status == 200 and b"<DescribeClustersResult>" in body


def test_header_bytes_outside_ascii_reach_the_request_path(ls: Server) -> None:
    """llhttp takes 0x80-0xFF in header values; the request path answers with an AWS error."""
    raw = http_request("POST", b"/", [("Authorization", b"AWS4-HMAC-SHA256 Credential=\xe9\xff/x"),
                                      ("Content-Type", FORM)], DESCRIBE)
    reply = exchange(ls, raw)
    assert reply is not None and reply.status == 400
    assert error_code(reply.body) == "IncompleteSignature"
    raw = http_request("POST", b"/", [("Authorization", AUTH), ("X-Amz-Target", b"RedshiftServerless.\xe9"),
                                      ("Content-Type", b"application/x-amz-json-1.1")], b"{}")
    reply = exchange(ls, raw)
    assert reply is not None and reply.status == 400
    assert b'"__type": "UnknownOperationException"' in reply.body


def test_a_repeated_identical_content_length_counts_once(ls: Server) -> None:
    length = b"Content-Length: %d" % len(DESCRIBE)
    with connect(ls) as sock:
        sock.sendall(head(DESCRIBE, length, length) + request(DESCRIBE))
        answers = read_answers(sock, 2)
    assert [status for status, _, _ in answers] == [200, 200]


def test_conflicting_content_lengths_are_a_malformed_request(ls: Server) -> None:
    raw = head(DESCRIBE, b"Content-Length: %d" % len(DESCRIBE), b"Content-Length: 3")
    reply = exchange(ls, raw)
    assert reply is not None and reply.status == 400
    assert reply.headers["connection"] == "close"
    assert error_code(reply.body) == "MalformedHttpRequest"


def test_requests_that_are_not_http_get_an_aws_error(ls: Server) -> None:
    for raw in (b"GARBAGE\r\n\r\n", b"POST / HTTP/1.1\r\nBad Header: x\r\n\r\n",
                b"POST / HTTP/1.1\r\nX: a\x01b\r\n\r\n"):
        reply = exchange(ls, raw)
        assert reply is not None and reply.status == 400, raw
        assert error_code(reply.body) == "MalformedHttpRequest"


def test_a_head_over_64_kib_is_refused(ls: Server) -> None:
    reply = exchange(ls, head(DESCRIBE, b"X-Big: " + b"a" * 70_000, b"Content-Length: %d" % len(DESCRIBE)))
    assert reply is not None and reply.status == 431
    assert error_code(reply.body) == "RequestHeaderFieldsTooLarge"


def test_a_json_request_too_large_gets_a_json_error(ls: Server) -> None:
    raw = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: RedshiftServerless.ListNamespaces\r\n"
           b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 99999999\r\n\r\n{")
    reply = exchange(ls, raw)
    assert reply is not None and reply.status == 413
    assert b'"__type": "RequestEntityTooLarge"' in reply.body


def test_http_1_0_is_answered_and_closed(ls: Server) -> None:
    raw = request(DESCRIBE).replace(b"HTTP/1.1", b"HTTP/1.0", 1).replace(b"Connection: keep-alive\r\n", b"")
    reply = exchange(ls, raw)
    assert reply is not None and reply.status == 200 and reply.headers["connection"] == "close"
