"""Why localshift does not serve an operation of a service it serves: one short reason each, as data.

The request path answers such an operation with its protocol's "not served" error
(``InvalidAction`` on Query, ``UnknownOperationException`` on JSON) carrying this reason,
and docs/coverage.md lists them (``python -m localshift.tools.coverage``).
tests/test_coverage.py checks that every operation of a registered service is either
served or has a reason here, and that no reason is kept for an operation now served.
"""

from __future__ import annotations

# Reasons shared by several operations.
DATA_SHARING = "datashares (sharing live data between clusters and accounts) are not emulated"
INTEGRATIONS = "zero-ETL integrations need Aurora, RDS, DynamoDB or S3 event sources, which localshift does not emulate"
IDENTITY_CENTER = "IAM Identity Center is not emulated"
GLUE = "the AWS Glue Data Catalog (lakehouse registration) is not emulated"

REDSHIFT: dict[str, str] = {
    "AssociateDataShareConsumer": DATA_SHARING,
    "AuthorizeDataShare": DATA_SHARING,
    "CreateIntegration": INTEGRATIONS,
    "CreateRedshiftIdcApplication": IDENTITY_CENTER,
    "DeauthorizeDataShare": DATA_SHARING,
    "DeleteIntegration": INTEGRATIONS,
    "DeleteRedshiftIdcApplication": IDENTITY_CENTER,
    "DeregisterNamespace": GLUE,
    "DescribeDataShares": DATA_SHARING,
    "DescribeDataSharesForConsumer": DATA_SHARING,
    "DescribeDataSharesForProducer": DATA_SHARING,
    "DescribeInboundIntegrations": INTEGRATIONS,
    "DescribeIntegrations": INTEGRATIONS,
    "DescribeRedshiftIdcApplications": IDENTITY_CENTER,
    "DisassociateDataShareConsumer": DATA_SHARING,
    "GetIdentityCenterAuthToken": IDENTITY_CENTER,
    "ModifyIntegration": INTEGRATIONS,
    "ModifyLakehouseConfiguration": GLUE,
    "ModifyRedshiftIdcApplication": IDENTITY_CENTER,
    "RegisterNamespace": GLUE,
    "RejectDataShare": DATA_SHARING,
}

SERVERLESS: dict[str, str] = {
    "GetIdentityCenterAuthToken": IDENTITY_CENTER,
    "UpdateLakehouseConfiguration": GLUE,
}

# STS: GetCallerIdentity is served; credentials are configured, not issued.
TEMPORARY_CREDENTIALS = ("temporary credentials are not issued: configure access keys (LOCALSHIFT_CREDENTIALS), "
                         "each for a user or a role")
STS: dict[str, str] = {
    "AssumeRole": TEMPORARY_CREDENTIALS,
    "AssumeRoleWithSAML": TEMPORARY_CREDENTIALS,
    "AssumeRoleWithWebIdentity": TEMPORARY_CREDENTIALS,
    "AssumeRoot": TEMPORARY_CREDENTIALS,
    "DecodeAuthorizationMessage": "no request is refused by an IAM policy, so there is no message to decode",
    "GetAccessKeyInfo": "access keys belong to the accounts they are configured for (LOCALSHIFT_CREDENTIALS)",
    "GetDelegatedAccessToken": TEMPORARY_CREDENTIALS,
    "GetFederationToken": TEMPORARY_CREDENTIALS,
    "GetSessionToken": TEMPORARY_CREDENTIALS,
    "GetWebIdentityToken": TEMPORARY_CREDENTIALS,
}
