"""Reading Redshift and Redshift Serverless ARNs.

Provisioned ARNs put ``:`` after the resource type and ``/`` between a
snapshot's cluster and name: arn:aws:redshift:REGION:ACCOUNT:snapshot:CLUSTER/NAME.
Redshift Serverless uses ``/`` after the type: arn:aws:redshift-serverless:REGION:ACCOUNT:snapshot/UUID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from localshift.errors import ApiError

PARTITION = "aws"
PROVISIONED = "redshift"
SERVERLESS = "redshift-serverless"

_ARN = re.compile(r"arn:(aws[a-z-]*):(redshift|redshift-serverless):([a-z0-9-]+):(\d{12}):(.+)")


@dataclass(frozen=True)
class ParsedArn:
    service: str  # PROVISIONED or SERVERLESS
    region: str
    account: str
    resource_type: str  # cluster, snapshot, namespace, ...
    resource: str  # what follows the type: "cluster/name" for provisioned snapshots


def service_of(arn: str) -> str | None:
    """The service an ARN's third field names (any text, or None when it has none), unchecked."""
    parts = arn.split(":", 3)
    return parts[2] if len(parts) > 2 else None


def parse_arn(arn: str, parameter: str = "ResourceName") -> ParsedArn:
    """A provisioned or serverless ARN, or the provisioned API's InvalidParameterValue."""
    match = _ARN.fullmatch(arn)
    if not match:
        raise ApiError("InvalidParameterValue", f"Invalid ARN {arn} for parameter {parameter}.")
    _, service, region, account, rest = match.groups()
    separator = ":" if service == PROVISIONED else "/"
    resource_type, sep, resource = rest.partition(separator)
    if not sep or not resource:
        raise ApiError("InvalidParameterValue", f"Invalid ARN {arn} for parameter {parameter}.")
    return ParsedArn(service, region, account, resource_type, resource)


# An IAM role's ARN, as IAM writes it (role paths and names take these characters).
IAM_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+")

# An ACM certificate's ARN (custom domain names are served with one): its region and account.
ACM_CERTIFICATE_ARN = re.compile(r"arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[\w-]+")
# ACM's certificates are valid 13 months: a custom domain's certificate expires that long after it was associated.
CERTIFICATE_VALIDITY = timedelta(days=395)


def is_certificate_of(arn: str, account: str, region: str) -> bool:
    """Whether ``arn`` is an ACM certificate ARN of ``account`` in ``region``."""
    match = ACM_CERTIFICATE_ARN.fullmatch(arn)
    return match is not None and match.groups() == (region, account)
