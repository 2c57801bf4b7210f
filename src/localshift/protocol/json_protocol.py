"""The AWS JSON protocol (awsJson1_1): which operation a request names, and error documents.

A JSON request is a POST whose ``X-Amz-Target`` header is ``<targetPrefix>.<Operation>``
(``RedshiftServerless.CreateNamespace``) and whose body is one JSON object.  Errors are
``{"__type": "<Code>", "message": "..."}`` with the error's HTTP status.  Parsing and
serialization of the bodies follow the model: json_parser.py and json_serializer.py.
"""

from __future__ import annotations

import json
import re

from botocore.model import OperationModel, OperationNotFoundError

from localshift.errors import ApiError
from localshift.protocol.spec import service_model

CONTENT_TYPE = "application/x-amz-json-1.1"
# Half a character: JSON's \ud800 escape can name one, but it has no UTF-8 form.
UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")

# botocore's redshift-serverless model carries no HTTP status for its errors; the Smithy
# model it is generated from does (@httpError), as AWS's generated SDKs show (aws-sdk-js-v3
# client-redshift-serverless schemas).  A status in the model itself wins over this table.
SMITHY_ERROR_STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "ConflictException": 409,
    "DryRunException": 400,
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


def printable(text: str) -> str:
    """``text`` with each unpaired surrogate (echoed from a request) replaced by U+FFFD."""
    return UNPAIRED_SURROGATE.sub("\ufffd", text)
