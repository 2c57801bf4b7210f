"""The one error type that every layer below the wire protocol raises.

Services raise ``ApiError(code, message)`` with the AWS error *code* (the
model's ``awsQueryError`` code such as ``ClusterNotFound``, not the shape name
``ClusterNotFoundFault``).  The wire protocol looks the HTTP status up in the
service model, so business code never deals with HTTP.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, code: str, message: str, *, status: int | None = None,
                 fields: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        # Only set for errors that are not in any service model (signature
        # errors, for instance); modelled errors take their status from the model.
        self.status = status
        # Members of the error's shape besides its message (the Data API's ResourceId,
        # StatementId), written beside it by the JSON protocol.
        self.fields = fields or {}


def invalid_parameter(message: str) -> ApiError:
    return ApiError("InvalidParameterValue", message)


def invalid_combination(message: str) -> ApiError:
    return ApiError("InvalidParameterCombination", message)
