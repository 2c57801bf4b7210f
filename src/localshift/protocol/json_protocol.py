"""The AWS JSON protocol (awsJson1_1): which operation a request names, and error documents.

A JSON request is a POST whose ``X-Amz-Target`` header is ``<targetPrefix>.<Operation>``
(``RedshiftServerless.CreateNamespace``) and whose body is one JSON object.  Errors are
``{"__type": "<Code>", "message": "..."}`` with the error's HTTP status.  Parsing and
serialization of the bodies follow the model: json_parser.py and json_serializer.py.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, OperationNotFoundError

from localshift.errors import ApiError
from localshift.protocol import json_parser, json_serializer
from localshift.protocol.scalars import printable
from localshift.protocol.spec import service_model
from localshift.protocol.wire import Answer, Request, WireProtocol

CONTENT_TYPE = "application/x-amz-json-1.1"

# botocore's redshift-serverless and redshift-data models carry no HTTP status for their errors;
# the Smithy models they are generated from do (@httpError), as AWS's generated SDKs show (aws-sdk-js-v3
# client-redshift-serverless schemas; the redshift-data Smithy model: its server faults are 500).  A
# status in the model itself wins over this table.
SMITHY_ERROR_STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "BatchExecuteStatementException": 500,
    "ConflictException": 409,
    "DatabaseConnectionException": 500,
    "DryRunException": 400,
    "ExecuteStatementException": 500,
    "InsufficientCapacityException": 400,
    "InternalServerException": 500,
    "InvalidPaginationException": 400,
    "Ipv6CidrBlockNotFoundException": 400,
    "ResourceNotFoundException": 404,
    "ServiceQuotaExceededException": 402,
    "ThrottlingException": 429,
    "TooManyTagsException": 400,
    "ValidationException": 400,
}

# Errors of the protocol itself, which no model lists (AWS's JSON services answer these).
PROTOCOL_ERROR_STATUS: dict[str, int] = {
    "UnknownOperationException": 400,
    "SerializationException": 400,
    "InternalFailure": 500,
}

# Signature failures have other names on AWS's JSON services than on Query ones, and are all 400.
SIGNATURE_ERRORS = {
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
}


def target_prefix(service: str) -> str:
    return service_model(service).metadata["targetPrefix"]


def resolve_operation(service: str, target: str | None) -> OperationModel:
    """The operation ``X-Amz-Target`` names; anything else is UnknownOperationException."""
    prefix, _, name = (target or "").partition(".")
    if prefix != target_prefix(service) or not name:
        raise ApiError("UnknownOperationException", f"The target {target or '(none)'} names no operation.")
    try:
        return service_model(service).operation_model(name)
    except OperationNotFoundError:
        raise ApiError("UnknownOperationException", f"The operation {name} is not valid for this service.") from None


def error_status(service: str, error: ApiError) -> int:
    """The HTTP status of an error: an explicit one, else the model's, else the tables above."""
    if error.status is not None:
        return error.status
    model = service_model(service)
    if error.code in model.shape_names:
        shape = model.shape_for(error.code)
        status = shape.metadata.get("error", {}).get("httpStatusCode")
        if shape.metadata.get("exception") and status:
            return int(status)
    return SMITHY_ERROR_STATUS.get(error.code) or PROTOCOL_ERROR_STATUS.get(error.code, 400)


def serialize_error(code: str, message: str, fields: dict[str, str] | None = None) -> bytes:
    """The error document; ``fields``: the error shape's other members (ResourceId, say)."""
    document = {"__type": code, "message": message, **(fields or {})}
    return printable(json.dumps(document, ensure_ascii=False)).encode()


class JsonProtocol(WireProtocol):
    name = "json"
    internal_error_code = "InternalServerException"

    def operation_of(self, service: str, request: Request) -> tuple[OperationModel, Any]:
        return resolve_operation(service, request.headers.get("x-amz-target")), request.body

    def action_name(self, request: Request) -> str:
        return request.headers.get("x-amz-target", "-").rpartition(".")[2] or "-"

    def parse(self, operation: OperationModel, raw_input: Any) -> dict[str, Any]:
        return json_parser.parse_request(operation, raw_input)

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> Answer:
        return Answer(200, CONTENT_TYPE, json_serializer.serialize_result(operation, result), request_id)

    def error(self, service: str, error: ApiError, request_id: str) -> Answer:
        body = serialize_error(error.code, error.message, error.fields)
        return Answer(error_status(service, error), CONTENT_TYPE, body, request_id,
                      error=f"{error.code}: {error.message}")

    def not_served(self, operation: str, reason: str) -> ApiError:
        return ApiError("UnknownOperationException", f"The operation {operation} is not implemented by localshift: {reason}.")

    def signature_error(self, error: ApiError) -> ApiError:
        return ApiError(SIGNATURE_ERRORS.get(error.code, error.code), error.message, status=400)
