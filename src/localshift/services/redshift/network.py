"""The network localshift pretends each account has: there is no EC2 here, so VPCs, subnets,
availability zones and VPC security groups follow fixed rules (docs/behaviour.md, "Networks").

* Every account has, in every region, a **default VPC** whose id is derived from the account and
  region (``default_vpc_id``), with one default subnet per availability zone and a default security group.
* A subnet id is ``subnet-`` and 8 or 17 lowercase hex digits.  Its **zone** is the region's zone
  whose index is its last hex digit modulo the number of zones (``...0`` is zone a, ``...1`` zone b...).
  Its **VPC** is the default VPC, except for a 17-digit id whose first digit is not 0: that digit
  names one of the account's other VPCs in the region (``subnet-1...`` is in VPC 1).  Real 17-digit
  ids start with 0, so they all fall in the default VPC.
* A VPC security group id (``sg-`` and 8 or 17 hex digits) belongs to a VPC by the same rule.
"""

from __future__ import annotations

import hashlib
import re

from localshift.errors import ApiError

_SUBNET = re.compile(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})")
_SECURITY_GROUP = re.compile(r"sg-([0-9a-f]{8}|[0-9a-f]{17})")
_VPC = re.compile(r"vpc-([0-9a-f]{8}|[0-9a-f]{17})")

# Zones of the regions that have more than three; every other region has a, b and c.
_ZONE_LETTERS = {"us-east-1": "abcdef", "us-west-2": "abcd", "ap-northeast-1": "acd", "ap-northeast-2": "abcd"}


def zones(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in _ZONE_LETTERS.get(region, "abc")]


def next_zone(region: str, zone: str) -> str:
    """The region's zone after ``zone`` (after the last: the first); the first zone for one not of the region."""
    names = zones(region)
    return names[(names.index(zone) + 1) % len(names)] if zone in names else names[0]


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def vpc_id(account: str, region: str, number: int) -> str:
    """VPC ``number`` of an account in a region (0: the default VPC); ids start with that hex digit."""
    return f"vpc-{number:x}{_digest('vpc', account, region, str(number))[:16]}"


def default_vpc_id(account: str, region: str) -> str:
    return vpc_id(account, region, 0)


def _vpc_number(digits: str) -> int:
    return int(digits[0], 16) if len(digits) == 17 else 0


def is_subnet_id(value: str) -> bool:
    return _SUBNET.fullmatch(value) is not None


def subnet_zone(region: str, subnet_id: str) -> str:
    region_zones = zones(region)
    return region_zones[int(subnet_id[-1], 16) % len(region_zones)]


def subnet_vpc(account: str, region: str, subnet_id: str) -> str:
    return vpc_id(account, region, _vpc_number(subnet_id.removeprefix("subnet-")))


def security_group_vpc(account: str, region: str, group_id: str) -> str:
    """The VPC of a well-formed security group id (the first-digit rule of subnets)."""
    return vpc_id(account, region, _vpc_number(group_id.removeprefix("sg-")))


def default_subnets(account: str, region: str) -> list[str]:
    """The default VPC's subnets, one per zone, in zone order."""
    digest = _digest("subnet", account, region)
    return [f"subnet-0{digest[:15]}{index:x}" for index in range(len(zones(region)))]


def default_security_group(account: str, region: str, vpc: str) -> str:
    """The default security group of a VPC (its id starts with the VPC's digit, so it is in that VPC)."""
    return f"sg-{vpc[4]}{_digest('sg', account, region, vpc)[:16]}"


def check_vpc_id(value: str, parameter: str = "VpcIds") -> str:
    if _VPC.fullmatch(value) is None:
        raise ApiError("InvalidParameterValue", f"Invalid VPC id {value} in {parameter}.")
    return value


def check_security_groups(account: str, region: str, group_ids: list[str], vpc: str) -> list[str]:
    """VPC security group ids: well formed, and in ``vpc`` (AWS: InvalidParameterValue)."""
    for group in group_ids:
        match = _SECURITY_GROUP.fullmatch(group)
        if match is None:
            raise ApiError("InvalidParameterValue", f"Invalid security group id: {group}.")
        if security_group_vpc(account, region, group) != vpc:
            raise ApiError("InvalidParameterValue", f"VPC Security group {group} does not exist in VPC {vpc}.")
    return list(dict.fromkeys(group_ids))
