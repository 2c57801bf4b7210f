"""Redshift ARNs: building them and reading them back.

Provisioned ARNs put ``:`` after the resource type and ``/`` between a
snapshot's cluster and name: arn:aws:redshift:REGION:ACCOUNT:snapshot:CLUSTER/NAME.
Redshift Serverless uses ``/`` after the type: arn:aws:redshift-serverless:REGION:ACCOUNT:snapshot/UUID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localshift.errors import ApiError

PARTITION = "aws"

_ARN = re.compile(r"arn:(aws[a-z-]*):(redshift|redshift-serverless):([a-z0-9-]+):(\d{12}):(.+)")


def cluster_arn(region: str, account: str, cluster: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:cluster:{cluster}"


def snapshot_arn(region: str, account: str, cluster: str, snapshot: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:snapshot:{cluster}/{snapshot}"


def namespace_arn(region: str, account: str, namespace_id: str) -> str:
    return f"arn:{PARTITION}:redshift:{region}:{account}:namespace:{namespace_id}"


@dataclass(frozen=True)
class ParsedArn:
    service: str  # "redshift" or "redshift-serverless"
    region: str
    account: str
    resource_type: str  # cluster, snapshot, ...
    resource: str  # what follows the type: "cluster/name" for snapshots


def parse_arn(arn: str, parameter: str = "ResourceName") -> ParsedArn:
    match = _ARN.fullmatch(arn)
    if not match:
        raise ApiError("InvalidParameterValue", f"Invalid ARN {arn} for parameter {parameter}.")
    _, service, region, account, rest = match.groups()
    separator = ":" if service == "redshift" else "/"
    resource_type, sep, resource = rest.partition(separator)
    if not sep or not resource:
        raise ApiError("InvalidParameterValue", f"Invalid ARN {arn} for parameter {parameter}.")
    return ParsedArn(service, region, account, resource_type, resource)


def parse_snapshot_arn(arn: str) -> ParsedArn:
    """Parse a provisioned or serverless snapshot ARN, or raise InvalidParameterValue."""
    parsed = parse_arn(arn, "SnapshotArn")
    valid = parsed.resource_type == "snapshot" and (
        parsed.service == "redshift-serverless" or "/" in parsed.resource
    )
    if not valid:
        raise ApiError("InvalidParameterValue", f"Invalid snapshot ARN: {arn}")
    return parsed
