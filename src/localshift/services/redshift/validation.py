"""Constraints AWS documents only in prose, so the model cannot check them."""

from __future__ import annotations

import re

from localshift.errors import ApiError
from localshift.services.redshift.reserved_names import reserved_database_name, reserved_user_name

# Every pattern here must match the whole value (re.fullmatch): "c1\n" is not an identifier.
_IDENTIFIER = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_WINDOW = re.compile(r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)")
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DB_NAME = re.compile(r"[a-z][a-z0-9_$]*")
_USERNAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")
_IAM_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
MAX_IAM_ROLES = 50
MAX_TAGS_PER_RESOURCE = 50
# Maintenance tracks.
TRACKS = ("current", "trailing")
# AWS: "Only version 1.0 is currently available" (CreateCluster's and ModifyCluster's ClusterVersion).
CLUSTER_VERSION = "1.0"
IP_ADDRESS_TYPES = ("ipv4", "dualstack")
_KMS_KEY = re.compile(
    r"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]{36}|alias/[\w/-]+)|[0-9a-f-]{36}|alias/[\w/-]+)"
)


def maintenance_track(name: str) -> str:
    if name not in TRACKS:
        raise ApiError("InvalidClusterTrack", f"Maintenance track {name} is not valid: use current or trailing.")
    return name


def cluster_version(value: str) -> str:
    if value != CLUSTER_VERSION:
        raise ApiError("InvalidParameterValue",
                       f"Cluster version {value} is not valid: only version {CLUSTER_VERSION} is available.")
    return value


def ip_address_type(value: str) -> str:
    if value not in IP_ADDRESS_TYPES:
        raise ApiError("InvalidParameterValue", f"Invalid IpAddressType {value}: use ipv4 or dualstack.")
    return value


def identifier(value: str, parameter: str, max_length: int) -> str:
    """Cluster and snapshot identifiers: letters, digits, hyphens.

    Redshift stores identifiers in lowercase, so lookups are not case
    sensitive (documented for RestoreFromClusterSnapshot's SnapshotIdentifier).
    """
    ok = (
        1 <= len(value) <= max_length
        and _IDENTIFIER.fullmatch(value) is not None
        and not value.endswith("-")
        and "--" not in value
    )
    if not ok:
        raise ApiError(
            "InvalidParameterValue",
            f"{parameter} must contain from 1 to {max_length} alphanumeric characters or hyphens, "
            "start with a letter, and cannot end with a hyphen or contain two consecutive hyphens.",
        )
    return value.lower()


def cluster_identifier(value: str, parameter: str = "ClusterIdentifier") -> str:
    return identifier(value, parameter, 63)


def snapshot_identifier(value: str, parameter: str = "SnapshotIdentifier") -> str:
    return identifier(value, parameter, 255)


def manual_retention(value: int) -> int:
    if value != -1 and not 1 <= value <= 3653:
        raise ApiError(
            "InvalidRetentionPeriodFault",
            f"Retention period {value} is not valid. It must be -1 or between 1 and 3653 days.",
        )
    return value


def automated_retention(value: int, family: str) -> int:
    # RA3 and RG clusters cannot turn automated snapshots off (0 is not allowed).
    low = 1 if family in ("ra3", "rg") else 0
    if not low <= value <= 35:
        raise ApiError(
            "InvalidRetentionPeriodFault",
            f"Automated snapshot retention period {value} is not valid for this node type; "
            f"it must be between {low} and 35 days.",
        )
    return value


def port(value: int, family: str) -> int:
    # RA3 and RG ports are restricted to two small ranges; DC2 to 1150-65535.
    if family in ("ra3", "rg"):
        ok = 5431 <= value <= 5455 or 8191 <= value <= 8215
        ranges = "5431-5455 or 8191-8215"
    else:
        ok = 1150 <= value <= 65535
        ranges = "1150-65535"
    if not ok:
        raise ApiError("InvalidParameterValue", f"Port {value} is not valid for this node type; it must be in {ranges}.")
    return value


def maintenance_window(value: str) -> str:
    text = value.lower()
    match = _WINDOW.fullmatch(text)
    if not match:
        raise ApiError(
            "InvalidParameterValue",
            f"Invalid maintenance window {value}: the format is ddd:hh24:mi-ddd:hh24:mi.",
        )
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = _DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    end = _DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)
    if (end - start) % (7 * 1440) < 30:
        raise ApiError("InvalidParameterValue", "The maintenance window must be at least 30 minutes.")
    return text


def master_username(value: str) -> str:
    if not (1 <= len(value) <= 128 and _USERNAME.fullmatch(value)):
        raise ApiError(
            "InvalidParameterValue",
            "MasterUsername must be 1 to 128 alphanumeric characters or underscores, start with a letter, "
            "and not be a reserved word.",
        )
    if reserved_user_name(value):
        raise ApiError("InvalidParameterValue", f"MasterUsername {value} is a reserved word or a reserved user name.")
    return value.lower()


def master_password(value: str) -> str:
    allowed = all(33 <= ord(c) <= 126 and c not in "'\"\\/@" for c in value)
    ok = (
        8 <= len(value) <= 64
        and allowed
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    )
    if not ok:
        raise ApiError(
            "InvalidParameterValue",
            "The parameter MasterUserPassword is not a valid password. It must be 8 to 64 printable ASCII "
            "characters with at least one uppercase letter, one lowercase letter and one number, "
            "and cannot contain ', \", \\, /, @ or spaces.",
        )
    return value


def db_name(value: str) -> str:
    text = value.lower()
    if not (1 <= len(text) <= 64 and _DB_NAME.fullmatch(text)):
        raise ApiError(
            "InvalidParameterValue",
            "DBName must be 1 to 64 alphanumeric characters, underscores or dollar signs, start with a letter, "
            "and not be a reserved word.",
        )
    if reserved_database_name(text):
        raise ApiError("InvalidParameterValue", f"DBName {value} is a reserved word or a reserved database name.")
    return text


def kms_key_id(value: str) -> str:
    """A KMS key named by id, ARN, alias or alias ARN."""
    if not _KMS_KEY.fullmatch(value):
        raise ApiError("InvalidParameterValue", f"Invalid KmsKeyId: {value}.")
    return value


def max_records(value: int | None, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if not low <= value <= high:
        raise ApiError("InvalidParameterValue", f"MaxRecords must be between {low} and {high}.")
    return value


def tag_list(tags: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The (key, value) pairs of a request's tags: at most 50 keys, as a resource can hold (a Create*
    operation's Tags included, not only CreateTags)."""
    pairs = []
    for tag in tags:
        key = tag.get("Key")
        value = tag.get("Value", "")
        if not key or len(key) > 128 or len(value) > 256 or key.lower().startswith("aws:"):
            raise ApiError("InvalidTagFault", f"Tag key '{key}' or its value is not valid.")
        pairs.append((key, value))
    check_tag_count({key for key, _ in pairs})
    return pairs


def check_tag_count(keys: set[str]) -> None:
    """TagLimitExceededFault when a resource would hold more than 50 tags."""
    if len(keys) > MAX_TAGS_PER_RESOURCE:
        raise ApiError("TagLimitExceededFault", f"A resource can have at most {MAX_TAGS_PER_RESOURCE} tags.")


def iam_role(arn: str) -> str:
    if not _IAM_ROLE.fullmatch(arn):
        raise ApiError("InvalidParameterValue", f"Invalid IAM role ARN: {arn}.")
    # A service-linked role (path /aws-service-role/, as AWSServiceRoleForRedshift) is Redshift's own, not
    # one a cluster may assume: AWS refuses it in these words.
    if ":role/aws-service-role/" in arn:
        raise ApiError("InvalidParameterValue",
                       f"The IAM Role ARN {arn} can't be used since it's a AWS service-linked IAM role.")
    return arn


def default_iam_role(default: str | None, roles: list[str]) -> None:
    """A DefaultIamRoleArn must be among the cluster's roles (CreateCluster, RestoreFromClusterSnapshot,
    ModifyClusterIamRoles): InvalidParameterValue in AWS's words.  An empty one is none (Terraform sends it so)."""
    if default and default not in roles:
        raise ApiError("InvalidParameterValue", "The list of Amazon Resource Names (ARNs) for customer roles should "
                       "contain the ARN of the default IAM role when a default is specified.")


def iam_roles(arns: list[str]) -> list[str]:
    """The IamRoles a new cluster (created or restored) is given: IAM role ARNs, at most MAX_IAM_ROLES."""
    for arn in arns:
        iam_role(arn)
    if len(arns) > MAX_IAM_ROLES:
        raise ApiError("LimitExceededFault", f"A cluster can have at most {MAX_IAM_ROLES} IAM roles.")
    return arns
