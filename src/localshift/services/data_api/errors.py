"""The Data API's errors, as its model names them.

Redshift Data API's Smithy model gives its errors no HTTP status of their own, so every one is
400 (the awsJson default), ResourceNotFoundException included (Redshift Serverless's is 404).
"""

from __future__ import annotations

from localshift.errors import ApiError


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str, resource_id: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message, status=400, fields={"ResourceId": resource_id})


def statement_not_found(statement_id: str) -> ApiError:
    return not_found(f"Query {statement_id} does not exist.", statement_id)


def connection_failed(message: str) -> ApiError:
    return ApiError("DatabaseConnectionException", message)


def statement_failed(code: str, message: str, statement_id: str) -> ApiError:
    """ExecuteStatementException or BatchExecuteStatementException, naming the statement."""
    return ApiError(code, message, fields={"StatementId": statement_id})
