"""Redshift ARNs: building them, and reading snapshot ARNs (common/arns.py reads any ARN)."""

from __future__ import annotations

from localshift.errors import ApiError
from localshift.services.common.arns import PARTITION, SERVERLESS, ParsedArn, parse_arn


def cluster_arn(region: str, account: str, cluster: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:cluster:{cluster}"


def snapshot_arn(region: str, account: str, cluster: str, snapshot: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:snapshot:{cluster}/{snapshot}"


def copy_grant_arn(region: str, account: str, grant: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:snapshotcopygrant:{grant}"


def schedule_arn(region: str, account: str, schedule: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:snapshotschedule:{schedule}"


def namespace_arn(region: str, account: str, namespace_id: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:namespace:{namespace_id}"


def parse_snapshot_arn(arn: str) -> ParsedArn:
    """Parse a provisioned or serverless snapshot ARN, or raise InvalidParameterValue."""
    parsed = parse_arn(arn, "SnapshotArn")
    valid = parsed.resource_type == "snapshot" and (
        parsed.service == SERVERLESS or "/" in parsed.resource
    )
    if not valid:
        raise ApiError("InvalidParameterValue", f"Invalid snapshot ARN: {arn}")
    return parsed


def resource_arn(region: str, account: str, resource_type: str, name: str) -> str:
    """The ARN of a named resource of another type (subnetgroup, usagelimit, eventsubscription, ...)."""
    return f"arn:{PARTITION}:redshift:{region}:{account}:{resource_type}:{name}"
