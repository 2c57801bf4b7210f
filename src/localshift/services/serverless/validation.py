"""Redshift Serverless errors, ARNs, and the constraints its documentation states only in prose.

The model checks names (3-64 characters, ``^[a-z0-9-]+$``), list sizes and
ranges; json_parser enforces those.  What the documentation says in words
(capacities, ports, credentials, snapshot names) is checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from localshift.errors import ApiError
from localshift.services.redshift import validation as provisioned
from localshift.store.paging import decode_marker

PARTITION = "aws"
SERVICE = "redshift-serverless"
_ARN = re.compile(r"arn:(aws[a-z-]*):redshift-serverless:([a-z0-9-]+):(\d{12}):([a-z]+)/(.+)")
_IAM_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")

# Workgroup ports: the two ranges the model's documentation gives.
PORT_RANGES = ((5431, 5455), (8191, 8215))
# Base capacity in RPUs: 8 to 1024 in steps of 8, and the 4-RPU entry size.
BASE_CAPACITY_LOW, BASE_CAPACITY_HIGH, CAPACITY_STEP = 8, 1024, 8
MAX_CAPACITY_HIGH = 5632
RETENTION_DAYS = (1, 3653)
MAX_TAGS = 50
DEFAULT_KMS_KEY = "AWS_OWNED_KMS_KEY"
CONFIG_PARAMETER_DEFAULTS = {
    "auto_mv": "true",
    "datestyle": "ISO, MDY",
    "enable_case_sensitive_identifier": "false",
    "enable_user_activity_logging": "true",
    "query_group": "default",
    "search_path": "$user, public",
    # New workgroups require SSL (AWS's default since January 2025, as for provisioned clusters).
    "require_ssl": "true",
    "use_fips_ssl": "false",
    "max_query_execution_time": "14400",
}
REQUIRE_SSL = "require_ssl"
# Query monitoring metrics a workgroup may set besides the defaults above.
_QUERY_LIMITS = {
    "max_query_cpu_time", "max_query_blocks_read", "max_scan_row_count", "max_query_queue_time",
    "max_query_cpu_usage_percent", "max_query_temp_blocks_to_disk", "max_join_row_count",
    "max_nested_loop_join_row_count", "max_return_row_count",
}
CONFIG_PARAMETER_KEYS = set(CONFIG_PARAMETER_DEFAULTS) | {"wlm_json_configuration"} | _QUERY_LIMITS
# Parameters whose values are true or false, and those that are a count (seconds, rows, blocks, percent).
_BOOLEAN_PARAMETERS = {"auto_mv", "enable_case_sensitive_identifier", "enable_user_activity_logging", REQUIRE_SSL,
                       "use_fips_ssl"}
_COUNT_PARAMETERS = {"max_query_execution_time"} | _QUERY_LIMITS
# pricePerformanceTarget's levels: LOW_COST, ECONOMICAL, BALANCED, RESOURCEFUL and HIGH_PERFORMANCE.
PERFORMANCE_LEVELS = (1, 25, 50, 75, 100)
TRACKS = {"current", "trailing"}


def validation_error(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message)


def conflict(message: str) -> ApiError:
    return ApiError("ConflictException", message)


def busy(kind: str, name: str, status: str, verb: str) -> ApiError:
    """A change refused while another runs, in AWS's words: Terraform's provider retries on "operation running"."""
    return conflict(f"There is an operation running on the {kind} {name} ({status}). Try {verb} the {kind} again later.")


def quota_exceeded(message: str) -> ApiError:
    return ApiError("ServiceQuotaExceededException", message)


# --- ARNs ------------------------------------------------------------------------


def arn(region: str, account: str, resource_type: str, resource_id: str) -> str:
    """arn:aws:redshift-serverless:REGION:ACCOUNT:TYPE/ID (serverless ARNs put '/' after the type)."""
    return f"arn:{PARTITION}:{SERVICE}:{region}:{account}:{resource_type}/{resource_id}"


@dataclass(frozen=True)
class ServerlessArn:
    region: str
    account: str
    resource_type: str  # namespace, workgroup, snapshot
    resource_id: str


def parse_arn(value: str, parameter: str) -> ServerlessArn:
    match = _ARN.fullmatch(value)
    if not match:
        raise validation_error(f"{parameter} {value} is not a valid Redshift Serverless ARN.")
    return ServerlessArn(*match.groups()[1:])


# --- names, credentials, capacity ---------------------------------------------------


def _as_validation(check: Callable[..., Any], value: Any, message: str) -> Any:
    """Reuse a provisioned rule, answering with this service's error code and words."""
    try:
        return check(value)
    except ApiError:
        raise validation_error(message) from None


def snapshot_name(value: str, parameter: str = "snapshotName") -> str:
    # The provisioned identifier rules; like them, names are kept in lowercase.
    return _as_validation(
        provisioned.snapshot_identifier, value,
        f"{parameter} must contain from 1 to 255 alphanumeric characters or hyphens, start with a letter, "
        "and cannot end with a hyphen or contain two consecutive hyphens.",
    )


def kms_key_id(value: str) -> str:
    """A namespace's kmsKeyId: a KMS key named as the provisioned API names one (id, ARN, alias or alias
    ARN), or AWS_OWNED_KMS_KEY, the name GetNamespace reports for the AWS-owned default key."""
    if value == DEFAULT_KMS_KEY:
        return value
    return _as_validation(provisioned.kms_key_id, value,
                          f"kmsKeyId {value} is not valid: give a KMS key id, key ARN, alias or alias ARN.")


def admin_username(value: str) -> str:
    return _as_validation(
        provisioned.master_username, value,
        "adminUsername must be 1 to 128 alphanumeric characters or underscores, start with a letter, "
        "and not be a reserved word.",
    )


def admin_password(value: str) -> str:
    return _as_validation(
        provisioned.master_password, value,
        "adminUserPassword must be 8 to 64 printable ASCII characters with at least one uppercase letter, "
        "one lowercase letter and one number, and cannot contain ', \", \\, /, @ or spaces.",
    )


def db_name(value: str) -> str:
    return _as_validation(
        provisioned.db_name, value,
        "dbName must be 1 to 64 alphanumeric characters, underscores or dollar signs, start with a letter, "
        "and not be a reserved word.",
    )


def iam_roles(roles: list[str], default_role: str | None) -> list[str]:
    for role in roles:
        if not _IAM_ROLE.fullmatch(role):
            raise validation_error(f"Invalid IAM role ARN: {role}.")
    if default_role is not None and default_role not in roles:
        raise validation_error("defaultIamRoleArn must be one of the namespace's iamRoles.")
    return roles


def base_capacity(value: int) -> int:
    if value != 4 and not (BASE_CAPACITY_LOW <= value <= BASE_CAPACITY_HIGH and value % CAPACITY_STEP == 0):
        raise validation_error(
            f"baseCapacity {value} is not valid: use 4, or {BASE_CAPACITY_LOW} to {BASE_CAPACITY_HIGH} RPUs "
            f"in units of {CAPACITY_STEP}."
        )
    return value


def max_capacity(value: int, base: int) -> int:
    if value % CAPACITY_STEP or not base <= value <= MAX_CAPACITY_HIGH:
        raise validation_error(
            f"maxCapacity {value} is not valid: use a multiple of {CAPACITY_STEP} RPUs from the base capacity "
            f"({base}) to {MAX_CAPACITY_HIGH}."
        )
    return value


def port(value: int) -> int:
    if not any(low <= value <= high for low, high in PORT_RANGES):
        raise validation_error(f"Port {value} is not valid: use a port in 5431-5455 or 8191-8215.")
    return value


def config_parameters(items: list[dict[str, str]], current: dict[str, str], creating: bool = False) -> dict[str, str]:
    merged = dict(current)
    for item in items:
        key, value = item.get("parameterKey"), item.get("parameterValue")
        if key not in CONFIG_PARAMETER_KEYS or value is None:
            raise validation_error(f"Invalid config parameter {key}: give a known parameterKey and a parameterValue.")
        if key in _BOOLEAN_PARAMETERS:
            value = value.lower()
            if value not in ("true", "false"):
                raise validation_error(f"Invalid value {item['parameterValue']} for config parameter {key}: "
                                       "use true or false.")
        elif key in _COUNT_PARAMETERS and not (value.isascii() and value.isdigit()):
            raise validation_error(f"Invalid value {value} for config parameter {key}: use a whole number.")
        if key == REQUIRE_SSL and creating and value == "false":
            # AWS's words: a workgroup is made requiring SSL, and only an update turns it off.
            raise validation_error("You can't disable require_ssl while the workgroup is being created. "
                                   "To disable require_ssl, update the workgroup after creation.")
        merged[key] = value
    return merged


def performance_target(target: dict[str, Any]) -> dict[str, Any]:
    if "level" in target and target["level"] not in PERFORMANCE_LEVELS:
        raise validation_error(f"pricePerformanceTarget level {target.get('level')} is not valid: use "
                               f"{', '.join(map(str, PERFORMANCE_LEVELS))}.")
    return target


def track(value: str) -> str:
    if value not in TRACKS:
        raise validation_error(f"Track {value} does not exist: use current or trailing.")
    return value


def retention(value: int, parameter: str = "retentionPeriod") -> int:
    low, high = RETENTION_DAYS
    if value != -1 and not low <= value <= high:
        raise validation_error(f"{parameter} {value} is not valid: use -1 (indefinitely) or {low} to {high} days.")
    return value


def tags(items: list[dict[str, str]], existing: int = 0) -> list[tuple[str, str]]:
    pairs = [(item["key"], item["value"]) for item in items]
    for key, _ in pairs:
        if key.lower().startswith("aws:"):
            raise validation_error(f"Tag key {key} is not valid: the aws: prefix is reserved.")
    if existing + len({key for key, _ in pairs}) > MAX_TAGS:
        raise ApiError("TooManyTagsException", f"A resource can have at most {MAX_TAGS} tags.")
    return pairs


def page_token(token: str | None, kinds: tuple[type, ...]) -> str | None:
    """Check a nextToken this service issued (AWS answers a forged one with ValidationException)."""
    if token is not None:
        try:
            decode_marker(token, kinds)
        except ApiError:
            raise validation_error("The nextToken is not valid.") from None
    return token


def time_window(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and start > end:
        raise validation_error("startTime must be earlier than or equal to endTime.")
