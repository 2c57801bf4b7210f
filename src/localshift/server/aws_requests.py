"""The path of one AWS API request: authenticate, parse, run the operation, serialize."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from localshift.errors import ApiError
from localshift.protocol import query, query_parser, query_serializer
from localshift.protocol.spec import error_statuses, service_model
from localshift.server.auth import SignedRequest
from localshift.server.runtime import Runtime
from localshift.services.context import RequestContext
from localshift.services.redshift.operations import OPERATIONS

log = logging.getLogger("localshift.requests")

REDSHIFT = "redshift"
XML = "text/xml"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    request_id: str


def handle_query_request(runtime: Runtime, request: SignedRequest) -> Response:
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    account = "-"
    action = "-"
    try:
        caller = runtime.authenticator.authenticate(request, service_model(REDSHIFT).signing_name)
        account = caller.account
        params = query.decode_form(request.method, request.query_string.encode(), request.body)
        action = params.get("Action", "-")
        operation = query.resolve_operation(REDSHIFT, params)
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise ApiError("InvalidAction", f"The action {operation.name} is not implemented by localshift yet.")
        arguments = query_parser.parse_request(operation, params)
        ctx = RequestContext(caller.account, caller.region, request_id, runtime.clock.now(), caller.access_key)
        result = handler(runtime.redshift, ctx, arguments)
        response = Response(200, query_serializer.serialize_result(operation, result, request_id), XML, request_id)
    except ApiError as error:
        response = error_response(error, request_id)
    except Exception:
        log.exception("internal failure in %s", action)
        response = error_response(ApiError("InternalFailure", "The request processing has failed because of an unknown error."), request_id)
    elapsed_ms = (time.perf_counter() - started) * 1000
    log.info("%s %s %s %d %.1fms", request_id[:8], account, action, response.status, elapsed_ms)
    return response


def error_response(error: ApiError, request_id: str) -> Response:
    status, sender = error_statuses(REDSHIFT).get(error.code, (error.status or 400, True))
    if error.status is not None:
        status = error.status
    body = query_serializer.serialize_error(REDSHIFT, error.code, error.message, sender and status < 500, request_id)
    return Response(status, body, XML, request_id)
