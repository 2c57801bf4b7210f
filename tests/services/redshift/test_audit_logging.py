"""EnableLogging, DisableLogging, DescribeLoggingStatus as the API sees them (no data plane).
The logs themselves: tests/e2e/test_cluster_engine.py."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, aws_cli, create_available_cluster, error_of


def status(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_a_cluster_that_never_logged_answers_logging_disabled(redshift):
    create_available_cluster(redshift)
    assert status(redshift.describe_logging_status(ClusterIdentifier="c1")) == {"LoggingEnabled": False}
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_logging_status(ClusterIdentifier="nope")
    assert error_of(excinfo) == ("ClusterNotFound", 404, "Cluster nope not found.")


def test_logging_to_a_bucket_then_disabled(redshift):
    create_available_cluster(redshift)
    enabled = status(redshift.enable_logging(ClusterIdentifier="c1", BucketName="audit-logs",
                                             S3KeyPrefix="redshift/prod"))
    assert enabled == {"LoggingEnabled": True, "BucketName": "audit-logs", "S3KeyPrefix": "redshift/prod",
                       "LogDestinationType": "s3"}
    assert status(redshift.describe_logging_status(ClusterIdentifier="c1")) == enabled
    disabled = status(redshift.disable_logging(ClusterIdentifier="c1"))
    assert disabled == {"LoggingEnabled": False}
    assert status(redshift.describe_logging_status(ClusterIdentifier="c1")) == {"LoggingEnabled": False}


def test_logging_to_cloudwatch_with_exports(redshift):
    create_available_cluster(redshift)
    enabled = status(redshift.enable_logging(ClusterIdentifier="c1", LogDestinationType="cloudwatch",
                                             LogExports=["userlog", "connectionlog"]))
    assert enabled == {"LoggingEnabled": True, "LogDestinationType": "cloudwatch",
                       "LogExports": ["connectionlog", "userlog"]}


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "InvalidParameterValue"),
        ({"BucketName": "Not_A_Bucket"}, "InvalidS3BucketNameFault"),
        ({"BucketName": "ab"}, "InvalidS3BucketNameFault"),
        ({"BucketName": "192.168.1.1"}, "InvalidS3BucketNameFault"),
        ({"BucketName": "good-bucket", "S3KeyPrefix": "has space"}, "InvalidS3KeyPrefixFault"),
        ({"BucketName": "good-bucket", "S3KeyPrefix": "a/../b"}, "InvalidS3KeyPrefixFault"),
        ({"BucketName": "good-bucket", "S3KeyPrefix": "quote'"}, "InvalidS3KeyPrefixFault"),
        # Into another account's logs: AWSLogs/<account>/ is where each account's logs go.
        ({"BucketName": "good-bucket", "S3KeyPrefix": "AWSLogs/222222222222"}, "InvalidS3KeyPrefixFault"),
        ({"BucketName": "good-bucket", "S3KeyPrefix": "team/awslogs//222222222222/x"}, "InvalidS3KeyPrefixFault"),
        ({"BucketName": "good-bucket", "S3KeyPrefix": "AWSLogs/x"}, "InvalidS3KeyPrefixFault"),
        ({"BucketName": "good-bucket", "LogExports": ["querylog"]}, "InvalidParameterValue"),
        ({"LogDestinationType": "cloudwatch"}, "InvalidParameterValue"),
        ({"LogDestinationType": "cloudwatch", "LogExports": ["userlog"], "BucketName": "good-bucket"},
         "InvalidParameterCombination"),
    ],
)
def test_enable_logging_validates_like_aws(redshift, params, code):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.enable_logging(ClusterIdentifier="c1", **params)
    assert error_of(excinfo)[:2] == (code, 400)
    assert status(redshift.describe_logging_status(ClusterIdentifier="c1")) == {"LoggingEnabled": False}


def test_a_prefix_may_lead_into_the_accounts_own_logs(redshift):
    create_available_cluster(redshift)
    for prefix in (f"AWSLogs/{OWNER}", f"/team/AWSLogs/{OWNER}/nested/", "AWSLogs", "/"):
        enabled = redshift.enable_logging(ClusterIdentifier="c1", BucketName="audit-logs", S3KeyPrefix=prefix)
        assert enabled["S3KeyPrefix"] == prefix


def test_logging_cannot_change_while_a_cluster_is_created(redshift):
    redshift.create_cluster(ClusterIdentifier="c1", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword="Passw0rd1")
    with pytest.raises(ClientError) as excinfo:
        redshift.enable_logging(ClusterIdentifier="c1", BucketName="audit-logs")
    assert error_of(excinfo)[:2] == ("InvalidClusterState", 400)


def test_the_aws_cli_reads_the_logging_status(ls):
    create_available_cluster(ls.client(OWNER))
    assert aws_cli(ls, "describe-logging-status", "--cluster-identifier", "c1") == {"LoggingEnabled": False}
    aws_cli(ls, "enable-logging", "--cluster-identifier", "c1", "--bucket-name", "audit-logs")
    assert aws_cli(ls, "describe-logging-status", "--cluster-identifier", "c1")["BucketName"] == "audit-logs"
