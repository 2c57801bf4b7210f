"""localshift.tools.moto_suite: the adaptation of moto's Redshift tests to inputs AWS accepts today."""

from __future__ import annotations

import pytest

from localshift.tools.moto_suite import adapt


@pytest.mark.parametrize(("moto", "adapted"), [
    ('NodeType="ds2.xlarge"', 'NodeType="dc2.large"'),  # retired node types
    ('NodeType="ds2.8xlarge"', 'NodeType="dc2.8xlarge"'),
    ('assert cluster["NodeType"] == "dc1.large"', 'assert cluster["NodeType"] == "dc2.large"'),
    ('NodeType="single-node"', 'NodeType="dc2.large"'),  # a cluster type as node type
    ('MasterUsername="user"', 'MasterUsername="awsuser"'),  # a reserved word
    ('MasterUserPassword="password"', 'MasterUserPassword="Passw0rd1"'),
    ('DBName="test-db"', 'DBName="testdb"'),
    ('ClusterIdentifier="my_cluster"', 'ClusterIdentifier="my-cluster"'),  # identifiers with underscores
    ('ClusterSecurityGroupName="security_group1"', 'ClusterSecurityGroupName="security-group1"'),
    # What may hold underscores keeps them.
    ('DBName="my_db"', 'DBName="my_db"'),
    ('DbUser="some_user"', 'DbUser="some_user"'),
    ('{"Key": "tag_key", "Value": "tag_value"}', '{"Key": "tag_key", "Value": "tag_value"}'),
    ('Description="security_group_description"', 'Description="security_group_description"'),
    ('get_waiter("cluster_restored")', 'get_waiter("cluster_restored")'),
])
def test_adapt_replaces_only_inputs_aws_refuses(moto, adapted):
    assert adapt(moto) == adapted
