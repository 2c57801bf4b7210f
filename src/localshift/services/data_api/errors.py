"""The Data API's errors, as its model names them.

Their HTTP statuses are those of AWS's Smithy model (protocol/json_protocol.py keeps them: botocore's
model carries none): ResourceNotFoundException 404; the server faults ExecuteStatementException,
BatchExecuteStatementException and DatabaseConnectionException 500 (an SDK retries them as it retries
AWS's); the others 400.
"""

from __future__ import annotations

from localshift.errors import ApiError


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str, resource_id: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message, fields={"ResourceId": resource_id})


def statement_not_found(statement_id: str) -> ApiError:
    return not_found(f"Query {statement_id} does not exist.", statement_id)


def connection_failed(message: str) -> ApiError:
    return ApiError("DatabaseConnectionException", message)


def statement_failed(code: str, message: str, statement_id: str) -> ApiError:
    """ExecuteStatementException or BatchExecuteStatementException, naming the statement."""
    return ApiError(code, message, fields={"StatementId": statement_id})
