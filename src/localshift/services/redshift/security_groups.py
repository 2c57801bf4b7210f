"""Cluster security groups, as AWS answers them for accounts created today.

Cluster security groups controlled access to clusters on the EC2-Classic platform, which AWS
retired in 2022; every account now is "VPC by default", and Redshift refuses to make or list
them for such an account with ``InvalidParameterValue`` "VPC-by-Default customers cannot use
cluster security groups" (the answer AWS gives today).  No cluster security group can exist, so
an operation naming one (and CreateCluster, RestoreFromClusterSnapshot or ModifyCluster given
``ClusterSecurityGroups``) answers ``ClusterSecurityGroupNotFound`` first, as suites expect.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend

VPC_BY_DEFAULT = "VPC-by-Default customers cannot use cluster security groups"


def not_found() -> ApiError:
    # AWS's wording (the fault's documentation, and what suites written against AWS match).
    return ApiError("ClusterSecurityGroupNotFound",
                    "The cluster security group name does not refer to an existing cluster security group.")


def check_cluster_security_groups(names: list[str]) -> None:
    if names:
        raise not_found()


def create_cluster_security_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    raise invalid_parameter(VPC_BY_DEFAULT)


def describe_cluster_security_groups(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("ClusterSecurityGroupName") is not None:
        raise not_found()
    raise invalid_parameter(VPC_BY_DEFAULT)


def named_group_operation(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Delete, AuthorizeIngress and RevokeIngress name a group, which cannot exist."""
    raise not_found()


OPERATIONS = {
    "CreateClusterSecurityGroup": create_cluster_security_group,
    "DescribeClusterSecurityGroups": describe_cluster_security_groups,
    "DeleteClusterSecurityGroup": named_group_operation,
    "AuthorizeClusterSecurityGroupIngress": named_group_operation,
    "RevokeClusterSecurityGroupIngress": named_group_operation,
}
