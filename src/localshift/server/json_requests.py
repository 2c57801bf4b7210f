"""The path of one AWS JSON-protocol request (Redshift Serverless): authenticate, parse, run, serialize.

The same server and port serve both protocols: a request whose ``X-Amz-Target``
names Redshift Serverless, or whose content type is ``application/x-amz-json-*``,
comes here; everything else is a Query request (aws_requests.py).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Mapping

from localshift.errors import ApiError
from localshift.protocol import json_parser, json_protocol, json_serializer
from localshift.server.auth import SignedRequest
from localshift.server.aws_requests import Response
from localshift.server.runtime import Runtime
from localshift.services.context import RequestContext
from localshift.services.serverless.operations import OPERATIONS

log = logging.getLogger("localshift.requests")

SERVERLESS = "redshift-serverless"

# Signature failures have other names on AWS's JSON services than on Query ones.
_JSON_AUTH_ERRORS = {
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
}


def is_json_request(headers: Mapping[str, str]) -> bool:
    """True for requests of the JSON protocol (lowercase header names)."""
    target = headers.get("x-amz-target", "")
    prefix = json_protocol.target_prefix(SERVERLESS)
    return target.startswith(prefix + ".") or headers.get("content-type", "").startswith("application/x-amz-json")


def handle_json_request(runtime: Runtime, request: SignedRequest) -> Response:
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    account = "-"
    action = request.headers.get("x-amz-target", "-").rpartition(".")[2] or "-"
    try:
        try:
            caller = runtime.authenticator.authenticate(request)
        except ApiError as error:
            # AWS's JSON services answer signature failures with 400 and their own codes.
            raise ApiError(_JSON_AUTH_ERRORS.get(error.code, error.code), error.message, status=400) from None
        account = caller.account
        operation = json_protocol.resolve_operation(SERVERLESS, request.headers.get("x-amz-target"))
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise ApiError("UnknownOperationException", f"The operation {operation.name} is not implemented by localshift yet.")
        arguments = json_parser.parse_request(operation, request.body)
        ctx = RequestContext(caller.account, caller.region, request_id, runtime.clock.now())
        result = handler(runtime.serverless, ctx, arguments)
        body = json_serializer.serialize_result(operation, result)
        response = Response(200, body, json_protocol.CONTENT_TYPE, request_id)
    except ApiError as error:
        response = json_error_response(error, request_id)
    except Exception:
        log.exception("internal failure in %s", action)
        response = json_error_response(
            ApiError("InternalServerException", "The request processing has failed because of an unknown error."),
            request_id,
        )
    elapsed_ms = (time.perf_counter() - started) * 1000
    log.info("%s %s %s %d %.1fms", request_id[:8], account, action, response.status, elapsed_ms)
    return response


def json_error_response(error: ApiError, request_id: str) -> Response:
    status = json_protocol.error_status(SERVERLESS, error)
    return Response(status, json_protocol.serialize_error(error.code, error.message), json_protocol.CONTENT_TYPE, request_id)
