"""Resource policies of clusters: put, get, replaced, deleted, gone with their cluster; ARNs and documents checked."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, REGION, aws_cli, create_available_cluster, error_of, make_server, wait_available

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"},
    "Action": "redshift:AuthorizeInboundIntegration", "Condition": {"StringEquals": {"aws:SourceArn": "arn:x"}}}]})


def refused(call, **params) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return error_of(caught)


def test_put_get_replace_delete_on_a_namespace(redshift):
    namespace = create_available_cluster(redshift)["ClusterNamespaceArn"]
    put = redshift.put_resource_policy(ResourceArn=namespace, Policy=POLICY)["ResourcePolicy"]
    assert put == {"ResourceArn": namespace, "Policy": POLICY}
    assert redshift.get_resource_policy(ResourceArn=namespace)["ResourcePolicy"] == put
    replaced = json.dumps({"Version": "2012-10-17", "Statement": []})
    redshift.put_resource_policy(ResourceArn=namespace, Policy=replaced)
    assert redshift.get_resource_policy(ResourceArn=namespace)["ResourcePolicy"]["Policy"] == replaced
    redshift.delete_resource_policy(ResourceArn=namespace)
    assert refused(redshift.get_resource_policy, ResourceArn=namespace)[:2] == ("ResourceNotFoundFault", 404)
    assert refused(redshift.delete_resource_policy, ResourceArn=namespace)[:2] == ("ResourceNotFoundFault", 404)


def test_a_cluster_arn_takes_a_policy_of_its_own_and_deletion_takes_it(redshift):
    create_available_cluster(redshift)
    cluster_arn = f"arn:aws:redshift:{REGION}:{OWNER}:cluster:c1"
    redshift.put_resource_policy(ResourceArn=cluster_arn, Policy=POLICY)
    assert redshift.get_resource_policy(ResourceArn=cluster_arn)["ResourcePolicy"]["Policy"] == POLICY
    redshift.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    redshift.get_waiter("cluster_deleted").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    create_available_cluster(redshift)  # the same name again: no policy comes back with it
    assert refused(redshift.get_resource_policy, ResourceArn=cluster_arn)[:2] == ("ResourceNotFoundFault", 404)


def test_resources_that_are_not_the_callers_are_not_found(ls, redshift):
    namespace = create_available_cluster(redshift)["ClusterNamespaceArn"]
    for arn in (namespace.replace(OWNER, GRANTEE), namespace.replace(REGION, "eu-west-1"),
                f"arn:aws:redshift:{REGION}:{OWNER}:cluster:nope",
                f"arn:aws:redshift:{REGION}:{OWNER}:namespace:00000000-0000-0000-0000-000000000000",
                f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:c1/s1"):
        assert refused(redshift.put_resource_policy, ResourceArn=arn, Policy=POLICY)[:2] == (
            "ResourceNotFoundFault", 404), arn
    # Another account can't read or delete the owner's policy through its ARN.
    redshift.put_resource_policy(ResourceArn=namespace, Policy=POLICY)
    stranger = ls.client(GRANTEE)
    assert refused(stranger.get_resource_policy, ResourceArn=namespace)[:2] == ("ResourceNotFoundFault", 404)
    assert refused(stranger.delete_resource_policy, ResourceArn=namespace)[:2] == ("ResourceNotFoundFault", 404)
    assert refused(redshift.get_resource_policy, ResourceArn="not-an-arn")[:2] == ("InvalidParameterValue", 400)


def test_malformed_policies_are_refused(redshift):
    namespace = create_available_cluster(redshift)["ClusterNamespaceArn"]
    for policy in ("{not json", "[]", '{"Version": "2012-10-17"}'):
        code, status, message = refused(redshift.put_resource_policy, ResourceArn=namespace, Policy=policy)
        assert (code, status) == ("InvalidPolicyFault", 400)
        assert message.startswith("The resource policy isn't valid")
    assert refused(redshift.get_resource_policy, ResourceArn=namespace)[:2] == ("ResourceNotFoundFault", 404)


def test_policies_and_failed_over_zones_survive_a_restart(tmp_path):
    server = make_server(tmp_path).start()
    try:
        redshift = server.client()
        cluster = create_available_cluster(redshift, MultiAZ=True, AvailabilityZone="us-east-1a")
        namespace = cluster["ClusterNamespaceArn"]
        redshift.put_resource_policy(ResourceArn=namespace, Policy=POLICY)
        redshift.failover_primary_compute(ClusterIdentifier="c1")
        wait_available(redshift)
        server.stop()
        server.start()
        redshift = server.client()
        assert redshift.get_resource_policy(ResourceArn=namespace)["ResourcePolicy"]["Policy"] == POLICY
        cluster = wait_available(redshift)
        assert (cluster["AvailabilityZone"], cluster["MultiAZSecondary"]["AvailabilityZone"]) == (
            "us-east-1b", "us-east-1a")
    finally:
        server.close()


def test_the_aws_cli_puts_and_gets_a_policy(ls, redshift):
    namespace = create_available_cluster(redshift)["ClusterNamespaceArn"]
    put = aws_cli(ls, "put-resource-policy", "--resource-arn", namespace, "--policy", POLICY)
    assert put["ResourcePolicy"] == {"ResourceArn": namespace, "Policy": POLICY}
    assert aws_cli(ls, "get-resource-policy", "--resource-arn", namespace)["ResourcePolicy"]["Policy"] == POLICY
    assert aws_cli(ls, "list-recommendations") == {"Recommendations": []}
