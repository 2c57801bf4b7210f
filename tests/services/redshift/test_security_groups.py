"""Cluster security groups: what AWS answers accounts that are VPC by default (every account today)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

VPC_BY_DEFAULT = "VPC-by-Default customers cannot use cluster security groups"


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_making_or_listing_them_is_refused(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster_security_group(ClusterSecurityGroupName="sg1", Description="d")
    assert error_of(excinfo) == ("InvalidParameterValue", 400, VPC_BY_DEFAULT)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_security_groups()
    assert error_of(excinfo) == ("InvalidParameterValue", 400, VPC_BY_DEFAULT)
    with pytest.raises(ClientError) as excinfo:
        list(redshift.get_paginator("describe_cluster_security_groups").paginate())
    assert error_of(excinfo)[0] == "InvalidParameterValue"


@pytest.mark.parametrize("call", [
    lambda c: c.describe_cluster_security_groups(ClusterSecurityGroupName="sg1"),
    lambda c: c.delete_cluster_security_group(ClusterSecurityGroupName="sg1"),
    lambda c: c.authorize_cluster_security_group_ingress(ClusterSecurityGroupName="sg1", CIDRIP="10.0.0.0/16"),
    lambda c: c.revoke_cluster_security_group_ingress(ClusterSecurityGroupName="sg1", CIDRIP="10.0.0.0/16"),
    lambda c: c.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin",
                               MasterUserPassword="Passw0rd1", ClusterSecurityGroups=["sg1"]),
])
def test_a_named_group_does_not_exist(redshift, call):
    with pytest.raises(ClientError) as excinfo:
        call(redshift)
    assert error_of(excinfo) == ("ClusterSecurityGroupNotFound", 404,
                                 "The cluster security group name does not refer to an existing cluster security group.")
    assert redshift.describe_clusters()["Clusters"] == []
