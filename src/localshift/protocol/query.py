"""The AWS Query protocol: requests off the wire (form body or query string, ``Action``),
and XML answers and error documents (query_parser.py and query_serializer.py do the values)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, OperationNotFoundError

from localshift.errors import ApiError
from localshift.protocol import query_parser, query_serializer
from localshift.protocol.spec import error_statuses, service_model
from localshift.protocol.wire import Answer, Request, WireProtocol

CONTENT_TYPE = "text/xml"


def decode_form(method: str, query_string: bytes, body: bytes) -> dict[str, str]:
    """Return the request's parameters; POST bodies win over the query string.

    A parameter given twice in one of them keeps its first value, as AWS's Query services read
    one (STS runs ``Action=GetCallerIdentity&Action=NoSuchAction`` and refuses the other order;
    ``Version`` likewise).  Strict, as ``parse_qsl(strict_parsing=True, errors="strict")``: a
    piece without ``=`` (empty ones too) or a percent escape that is not UTF-8 is
    MalformedQueryString.
    """
    params: dict[str, str] = {}
    sources = [query_string]
    if method == "POST":
        sources.append(body)
    for raw in sources:
        if not raw:
            continue
        first: dict[str, str] = {}
        try:
            for piece in raw.decode("utf-8").split("&"):
                name, separator, value = piece.partition("=")
                if not separator:
                    raise ValueError(piece)
                if "%" in piece or "+" in piece:
                    name = unquote(name.replace("+", " "), errors="strict")
                    value = unquote(value.replace("+", " "), errors="strict")
                first.setdefault(name, value)
        except (UnicodeDecodeError, ValueError):
            raise ApiError("MalformedQueryString", "The request's parameters could not be decoded.") from None
        params.update(first)
    return params


def resolve_operation(service: str, params: dict[str, str]) -> OperationModel:
    action = params.get("Action")
    # Only an absent Action is MissingAction: an empty one names an operation that no version has
    # ("Could not find operation  for version 2011-06-15", STS answers).
    if action is None:
        raise ApiError("MissingAction", "The request must contain the parameter Action.")
    model = service_model(service)
    version = params.get("Version")
    # AWS's Query services find an operation by its name and the API version together: an unknown
    # name, or a request without the model's Version, names none (STS answers in these words; the
    # SDKs always send the Version).
    named = "NO_VERSION_SPECIFIED" if version is None else version
    not_found = ApiError("InvalidAction", f"Could not find operation {action} for version {named}")
    if version != model.api_version:
        raise not_found
    try:
        return model.operation_model(action)
    except OperationNotFoundError:
        raise not_found from None


def error_status(service: str, error: ApiError) -> tuple[int, bool]:
    """(HTTP status, sender fault): an explicit status wins over the model's and the common errors'."""
    status, sender = error_statuses(service).get(error.code, (error.status or 400, True))
    if error.status is not None:
        status = error.status
    return status, sender and status < 500


class QueryProtocol(WireProtocol):
    name = "query"
    internal_error_code = "InternalFailure"

    def operation_of(self, service: str, request: Request) -> tuple[OperationModel, Any]:
        params = decode_form(request.method, request.query_string.encode(), request.body)
        return resolve_operation(service, params), params

    def action_name(self, request: Request) -> str:
        try:
            return decode_form(request.method, request.query_string.encode(), request.body).get("Action", "-")
        except ApiError:
            return "-"

    def parse(self, operation: OperationModel, raw_input: Any) -> dict[str, Any]:
        return query_parser.parse_request(operation, raw_input)

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> Answer:
        body = query_serializer.serialize_result(operation, result, request_id)
        return Answer(200, CONTENT_TYPE, body, request_id)

    def error(self, service: str, error: ApiError, request_id: str) -> Answer:
        status, sender = error_status(service, error)
        body = query_serializer.serialize_error(service, error.code, error.message, sender, request_id)
        return Answer(status, CONTENT_TYPE, body, request_id, error=f"{error.code}: {error.message}")

    def not_served(self, operation: str, reason: str) -> ApiError:
        return ApiError("InvalidAction", f"The action {operation} is not implemented by localshift: {reason}.")
