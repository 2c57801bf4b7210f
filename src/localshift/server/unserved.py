"""Why localshift does not serve an operation of a service it serves: one short reason each, as data.

The request path answers such an operation with its protocol's "not served" error
(``InvalidAction`` on Query, ``UnknownOperationException`` on JSON) carrying this reason,
and docs/coverage.md lists them (``python -m localshift.tools.coverage``).
tests/test_coverage.py checks that every operation of a registered service is either
served or has a reason here, and that no reason is kept for an operation now served.
"""

from __future__ import annotations

# Reasons shared by several operations.
BUILDING = "not built yet: planned in issue #13 and being built"
DATA_SHARING = "datashares (sharing live data between clusters and accounts) are not emulated"
INTEGRATIONS = "zero-ETL integrations need Aurora, RDS, DynamoDB or S3 event sources, which localshift does not emulate"
IDENTITY_CENTER = "IAM Identity Center is not emulated"
GLUE = "the AWS Glue Data Catalog (lakehouse registration) is not emulated"
RESERVED_EXCHANGE = "reserved-node exchanges move DC1/DS2 reservations, node types AWS no longer offers"
RESOURCE_POLICIES = "provisioned resource policies authorize zero-ETL integrations, which are not emulated"

REDSHIFT: dict[str, str] = {
    "AcceptReservedNodeExchange": RESERVED_EXCHANGE,
    "AssociateDataShareConsumer": DATA_SHARING,
    "AuthorizeDataShare": DATA_SHARING,
    "CancelResize": BUILDING,
    "CreateClusterParameterGroup": BUILDING,
    "CreateIntegration": INTEGRATIONS,
    "CreateRedshiftIdcApplication": IDENTITY_CENTER,
    "DeauthorizeDataShare": DATA_SHARING,
    "DeleteClusterParameterGroup": BUILDING,
    "DeleteIntegration": INTEGRATIONS,
    "DeleteRedshiftIdcApplication": IDENTITY_CENTER,
    "DeleteResourcePolicy": RESOURCE_POLICIES,
    "DeregisterNamespace": GLUE,
    "DescribeAccountAttributes": BUILDING,
    "DescribeClusterDbRevisions": BUILDING,
    "DescribeClusterParameterGroups": BUILDING,
    "DescribeClusterParameters": BUILDING,
    "DescribeClusterTracks": BUILDING,
    "DescribeClusterVersions": BUILDING,
    "DescribeDataShares": DATA_SHARING,
    "DescribeDataSharesForConsumer": DATA_SHARING,
    "DescribeDataSharesForProducer": DATA_SHARING,
    "DescribeDefaultClusterParameters": BUILDING,
    "DescribeInboundIntegrations": INTEGRATIONS,
    "DescribeIntegrations": INTEGRATIONS,
    "DescribeLoggingStatus": BUILDING,
    "DescribeOrderableClusterOptions": BUILDING,
    "DescribeRedshiftIdcApplications": IDENTITY_CENTER,
    "DescribeReservedNodeExchangeStatus": RESERVED_EXCHANGE,
    "DescribeReservedNodeOfferings": BUILDING,
    "DescribeReservedNodes": BUILDING,
    "DescribeResize": BUILDING,
    "DisableLogging": BUILDING,
    "DisassociateDataShareConsumer": DATA_SHARING,
    "EnableLogging": BUILDING,
    "FailoverPrimaryCompute": "a Multi-AZ failover moves compute between availability zones; localshift runs one engine per cluster",
    "GetClusterCredentials": BUILDING,
    "GetClusterCredentialsWithIAM": BUILDING,
    "GetIdentityCenterAuthToken": IDENTITY_CENTER,
    "GetReservedNodeExchangeConfigurationOptions": RESERVED_EXCHANGE,
    "GetReservedNodeExchangeOfferings": RESERVED_EXCHANGE,
    "GetResourcePolicy": RESOURCE_POLICIES,
    "ListRecommendations": "Redshift Advisor's recommendations come from AWS's analysis of a fleet's workload",
    "ModifyAquaConfiguration": BUILDING,
    "ModifyClusterDbRevision": BUILDING,
    "ModifyClusterIamRoles": BUILDING,
    "ModifyClusterMaintenance": BUILDING,
    "ModifyClusterParameterGroup": BUILDING,
    "ModifyIntegration": INTEGRATIONS,
    "ModifyLakehouseConfiguration": GLUE,
    "ModifyRedshiftIdcApplication": IDENTITY_CENTER,
    "PurchaseReservedNodeOffering": BUILDING,
    "PutResourcePolicy": RESOURCE_POLICIES,
    "RebootCluster": BUILDING,
    "RegisterNamespace": GLUE,
    "RejectDataShare": DATA_SHARING,
    "ResetClusterParameterGroup": BUILDING,
    "ResizeCluster": BUILDING,
    "RotateEncryptionKey": BUILDING,
}

SERVERLESS: dict[str, str] = {
    "GetCredentials": BUILDING,
    "GetIdentityCenterAuthToken": IDENTITY_CENTER,
    "UpdateLakehouseConfiguration": GLUE,
}
