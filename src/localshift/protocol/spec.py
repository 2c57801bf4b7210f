"""Service models, loaded once from botocore's own data files."""

from __future__ import annotations

from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel


@lru_cache(maxsize=None)
def service_model(name: str) -> ServiceModel:
    # The loader alone, not a botocore session: a session reads the AWS config of the
    # environment it runs in, and a missing AWS_PROFILE there would fail every request.
    return ServiceModel(create_loader().load_service_model(name, "service-2"), service_name=name)


@lru_cache(maxsize=None)
def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


# Errors every AWS Query service can return, with the statuses AWS documents
# (Redshift API Reference, "Common Errors").  They are not in the models.
COMMON_ERROR_STATUS: dict[str, int] = {
    "AccessDeniedException": 400,
    "IncompleteSignature": 400,
    "InternalFailure": 500,
    "InvalidAction": 400,
    "InvalidClientTokenId": 403,
    "InvalidParameterCombination": 400,
    "InvalidParameterValue": 400,
    "InvalidQueryParameter": 400,
    "MalformedQueryString": 404,
    "MissingAction": 400,
    "MissingAuthenticationToken": 403,
    "MissingParameter": 400,
    "NotAuthorized": 400,
    "OptInRequired": 403,
    "RequestExpired": 400,
    "ServiceUnavailable": 503,
    "SignatureDoesNotMatch": 403,
    "ThrottlingException": 400,
    "ValidationError": 400,
}


@lru_cache(maxsize=None)
def error_statuses(service: str) -> dict[str, tuple[int, bool]]:
    """Map each modelled error code to (HTTP status, sender fault)."""
    model = service_model(service)
    table: dict[str, tuple[int, bool]] = {
        code: (status, status < 500) for code, status in COMMON_ERROR_STATUS.items()
    }
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        if not shape.metadata.get("exception"):
            continue
        info = shape.metadata.get("error", {})
        code = info.get("code", shape_name)
        table[code] = (info.get("httpStatusCode", 400), info.get("senderFault", True))
    return table
