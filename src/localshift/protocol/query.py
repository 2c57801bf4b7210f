"""Reading an AWS Query request off the wire: form body or query string."""

from __future__ import annotations

from urllib.parse import parse_qsl

from botocore.model import OperationModel, OperationNotFoundError

from localshift.errors import ApiError
from localshift.protocol.spec import service_model


def decode_form(method: str, query_string: bytes, body: bytes) -> dict[str, str]:
    """Return the request's parameters; POST bodies win over the query string."""
    params: dict[str, str] = {}
    sources = [query_string]
    if method == "POST":
        sources.append(body)
    for raw in sources:
        if not raw:
            continue
        try:
            text = raw.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise ApiError("MalformedQueryString", "The request's parameters could not be decoded.") from None
        params.update(pairs)
    return params


def resolve_operation(service: str, params: dict[str, str]) -> OperationModel:
    action = params.get("Action")
    if not action:
        raise ApiError("MissingAction", "The request must contain the parameter Action.")
    model = service_model(service)
    try:
        return model.operation_model(action)
    except OperationNotFoundError:
        raise ApiError("InvalidAction", f"The action {action} is not valid for this web service.") from None
