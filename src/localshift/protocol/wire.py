"""What every wire protocol works on: a request as it came off HTTP, an answer to send back,
and the interface each protocol (query.py, json_protocol.py) implements; registry.py finds
the one a service speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from botocore.model import OperationModel

from localshift.errors import ApiError


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]  # lowercase names
    body: bytes


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    request_id: str  # sent as x-amzn-requestid (and in Query bodies)
    # More headers, (lowercase name, value): the web console's files carry their security policy.
    headers: tuple[tuple[str, str], ...] = ()
    # An error's "Code: message", as the SDK reads it from the body: the console's recent calls show it.
    error: str | None = None


class WireProtocol:
    """One AWS wire protocol: how a request names its operation and carries its input, how
    results and errors are written, and the HTTP status of each error."""

    # botocore's name for the protocol (a service model's metadata["protocol"]).
    name = ""
    # The code of an error no one foresaw (always HTTP 500).
    internal_error_code = ""

    def operation_of(self, service: str, request: Request) -> tuple[OperationModel, Any]:
        """The operation ``request`` names, and its input still on the wire (for ``parse``)."""
        raise NotImplementedError

    def action_name(self, request: Request) -> str:
        """The operation name the request gives, valid or not, for the request log; '-' if none."""
        raise NotImplementedError

    def parse(self, operation: OperationModel, raw_input: Any) -> dict[str, Any]:
        """The operation's input structure from what ``operation_of`` returned, checked against the model."""
        raise NotImplementedError

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> Answer:
        raise NotImplementedError

    def error(self, service: str, error: ApiError, request_id: str) -> Answer:
        """The error document, with the HTTP status the model, the protocol or AWS's docs give."""
        raise NotImplementedError

    def not_served(self, operation: str, reason: str) -> ApiError:
        """The error for an operation of the model that localshift does not serve, and why."""
        raise NotImplementedError

    def signature_error(self, error: ApiError) -> ApiError:
        """A signature failure as this protocol's services name it."""
        return error
