"""The path of one AWS JSON-protocol request: find its service, authenticate, parse, run, serialize.

The same server and port serve every protocol: a request whose ``X-Amz-Target``
names a registered JSON service (``RedshiftServerless.*``), or whose content type
is ``application/x-amz-json-*``, comes here; everything else is a Query request
(aws_requests.py).  A JSON service is one entry in JSON_SERVICES: its botocore
name (which gives its target prefix and the signing name its credential scope must
carry), its operations and its backend.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from localshift.errors import ApiError
from localshift.protocol import json_parser, json_protocol, json_serializer
from localshift.protocol.spec import service_model
from localshift.server.auth import SignedRequest
from localshift.server.aws_requests import Response
from localshift.server.runtime import Runtime
from localshift.services.context import RequestContext
from localshift.services.data_api.operations import OPERATIONS as DATA_API_OPERATIONS
from localshift.services.serverless.operations import OPERATIONS as SERVERLESS_OPERATIONS

log = logging.getLogger("localshift.requests")

SERVERLESS = "redshift-serverless"


@dataclass(frozen=True)
class JsonService:
    name: str  # botocore's service name
    operations: Mapping[str, Callable[..., dict[str, Any]]]
    backend: Callable[[Runtime], Any]

    @property
    def target_prefix(self) -> str:
        return json_protocol.target_prefix(self.name)

    @property
    def signing_name(self) -> str:
        return service_model(self.name).signing_name


# Another JSON service is served by adding its entry here.
JSON_SERVICES = [
    JsonService(SERVERLESS, SERVERLESS_OPERATIONS, lambda runtime: runtime.serverless),
    JsonService("redshift-data", DATA_API_OPERATIONS, lambda runtime: runtime.data_api),
]

# Signature failures have other names on AWS's JSON services than on Query ones.
_JSON_AUTH_ERRORS = {
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
}


def _service_of(headers: Mapping[str, str]) -> JsonService | None:
    prefix = headers.get("x-amz-target", "").partition(".")[0]
    return next((service for service in JSON_SERVICES if service.target_prefix == prefix), None)


def is_json_request(headers: Mapping[str, str]) -> bool:
    """True for requests of the JSON protocol (lowercase header names)."""
    return _service_of(headers) is not None or headers.get("content-type", "").startswith("application/x-amz-json")


def handle_json_request(runtime: Runtime, request: SignedRequest) -> Response:
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    account = "-"
    action = request.headers.get("x-amz-target", "-").rpartition(".")[2] or "-"
    # A JSON body naming no registered service is answered as the first one would.
    service = _service_of(request.headers) or JSON_SERVICES[0]
    try:
        try:
            caller = runtime.authenticator.authenticate(request, service.signing_name)
        except ApiError as error:
            # AWS's JSON services answer signature failures with 400 and their own codes.
            raise ApiError(_JSON_AUTH_ERRORS.get(error.code, error.code), error.message, status=400) from None
        account = caller.account
        operation = json_protocol.resolve_operation(service.name, request.headers.get("x-amz-target"))
        handler = service.operations.get(operation.name)
        if handler is None:
            raise ApiError("UnknownOperationException", f"The operation {operation.name} is not implemented by localshift yet.")
        arguments = json_parser.parse_request(operation, request.body)
        ctx = RequestContext(caller.account, caller.region, request_id, runtime.clock.now(), caller.access_key)
        result = handler(service.backend(runtime), ctx, arguments)
        body = json_serializer.serialize_result(operation, result)
        response = Response(200, body, json_protocol.CONTENT_TYPE, request_id)
    except ApiError as error:
        response = json_error_response(error, request_id, service.name)
    except Exception:
        log.exception("internal failure in %s", action)
        response = json_error_response(
            ApiError("InternalServerException", "The request processing has failed because of an unknown error."),
            request_id,
            service.name,
        )
    elapsed_ms = (time.perf_counter() - started) * 1000
    log.info("%s %s %s %d %.1fms", request_id[:8], account, action, response.status, elapsed_ms)
    return response


def json_error_response(error: ApiError, request_id: str, service: str = SERVERLESS) -> Response:
    status = json_protocol.error_status(service, error)
    body = json_protocol.serialize_error(error.code, error.message, error.fields)
    return Response(status, body, json_protocol.CONTENT_TYPE, request_id)
