"""FailoverPrimaryCompute: a Multi-AZ cluster swaps its primary and secondary zones through modifying."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import create_available_cluster, error_of, wait_available


def refused(call, **params) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return error_of(caught)


def test_failover_swaps_the_zones(redshift):
    cluster = create_available_cluster(redshift, MultiAZ=True, AvailabilityZone="us-east-1b")
    assert cluster["MultiAZ"] == "Enabled"
    assert cluster["AvailabilityZone"] == "us-east-1b"
    assert cluster["MultiAZSecondary"]["AvailabilityZone"] == "us-east-1c"
    assert cluster["MultiAZSecondary"]["ClusterNodes"] == cluster["ClusterNodes"]
    answered = redshift.failover_primary_compute(ClusterIdentifier="c1")["Cluster"]
    assert answered["ClusterStatus"] == "modifying"
    assert (answered["AvailabilityZone"], answered["MultiAZSecondary"]["AvailabilityZone"]) == (
        "us-east-1c", "us-east-1b")
    after = wait_available(redshift)
    assert (after["AvailabilityZone"], after["MultiAZSecondary"]["AvailabilityZone"]) == ("us-east-1c", "us-east-1b")
    redshift.failover_primary_compute(ClusterIdentifier="c1")
    back = wait_available(redshift)
    assert (back["AvailabilityZone"], back["MultiAZSecondary"]["AvailabilityZone"]) == ("us-east-1b", "us-east-1c")


def test_single_az_clusters_have_no_secondary_and_refuse(redshift):
    cluster = create_available_cluster(redshift)
    assert cluster["MultiAZ"] == "Disabled" and "MultiAZSecondary" not in cluster
    code, status, message = refused(redshift.failover_primary_compute, ClusterIdentifier="c1")
    assert (code, status) == ("UnsupportedOperation", 400) and "Multi-AZ" in message
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "available"


def test_a_cluster_not_available_or_missing_is_refused(redshift):
    create_available_cluster(redshift, MultiAZ=True)
    redshift.pause_cluster(ClusterIdentifier="c1")  # pausing, then paused: neither is available
    assert refused(redshift.failover_primary_compute, ClusterIdentifier="c1")[:2] == ("InvalidClusterState", 400)
    assert refused(redshift.failover_primary_compute, ClusterIdentifier="nope")[:2] == ("ClusterNotFound", 404)
