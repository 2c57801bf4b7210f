"""What the Redshift Query API serves, what a well-formed answer to a hostile request is (XML, an AWS Query
error botocore parses, never a 500), and the headers of a signed form request: shared by the server's fuzz tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from botocore.parsers import create_parser

from localshift.protocol.spec import service_model
from localshift.services.redshift.operations import OPERATIONS
from raw_http import Reply
from support import OWNER


ALLOWED_ERROR_STATUSES = {400, 403, 404, 413}
MODEL = service_model("redshift")
SERVED = sorted(OPERATIONS)
VALID_AUTH = (
    "AWS4-HMAC-SHA256 Credential=%s/20240102/us-east-1/redshift/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
)


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


def signed_headers() -> list[tuple[str, bytes]]:
    return [("Authorization", (VALID_AUTH % OWNER).encode()),
            ("Content-Type", b"application/x-www-form-urlencoded; charset=utf-8")]
