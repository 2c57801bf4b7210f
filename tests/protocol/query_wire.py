"""The Query protocol's two ends as the protocol tests drive them: botocore serializes a request and localshift
parses it; localshift answers and botocore parses the answer."""

from __future__ import annotations

from datetime import timezone
from typing import Any
from urllib.parse import urlencode

from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from localshift.protocol.wire import Request
from localshift.server.services import SERVICES


QUERY_SERVICES = [service for service in SERVICES if service.protocol.name == "query"]
SERVICE = "redshift"
PROTOCOL = QUERY_SERVICES[0].protocol
UTC = timezone.utc


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


def botocore_parse(operation: OperationModel | None, body: bytes, status: int = 200) -> dict[str, Any]:
    parser = create_parser("query")
    response = {"body": body, "headers": {"content-type": "text/xml"}, "status_code": status}
    return parser.parse(response, operation.output_shape if operation is not None else None)
