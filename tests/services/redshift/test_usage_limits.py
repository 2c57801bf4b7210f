"""Usage limits on clusters: AWS's feature / limit type / breach action rules, tags, filters, paging."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, aws_cli, create_available_cluster, wait_for


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def limit(client, feature: str = "spectrum", limit_type: str = "data-scanned", cluster: str = "c1", **extra) -> dict:  # type: ignore[no-untyped-def]
    response = client.create_usage_limit(ClusterIdentifier=cluster, FeatureType=feature, LimitType=limit_type,
                                         Amount=extra.pop("Amount", 10), **extra)
    response.pop("ResponseMetadata")
    return response


def test_create_modify_describe_delete(redshift):
    create_available_cluster(redshift)
    created = limit(redshift, Tags=[{"Key": "team", "Value": "bi"}])
    assert created["ClusterIdentifier"] == "c1" and created["UsageLimitId"]
    # Period and breach action default to monthly and log.
    assert (created["FeatureType"], created["LimitType"], created["Amount"], created["Period"],
            created["BreachAction"]) == ("spectrum", "data-scanned", 10, "monthly", "log")
    assert created["Tags"] == [{"Key": "team", "Value": "bi"}]
    modified = redshift.modify_usage_limit(UsageLimitId=created["UsageLimitId"], Amount=20, BreachAction="disable")
    assert (modified["Amount"], modified["BreachAction"], modified["Period"]) == (20, "disable", "monthly")
    [described] = redshift.describe_usage_limits(UsageLimitId=created["UsageLimitId"])["UsageLimits"]
    assert described == {**created, "Amount": 20, "BreachAction": "disable"}
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:usagelimit:{created['UsageLimitId']}"
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert [t["Tag"]["Key"] for t in redshift.describe_tags(ResourceName=arn)["TaggedResources"]] == ["team", "env"]
    redshift.delete_usage_limit(UsageLimitId=created["UsageLimitId"])
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_usage_limits(UsageLimitId=created["UsageLimitId"])
    assert error_of(excinfo) == ("UsageLimitNotFound", 404)
    assert redshift.describe_tags(ResourceType="usagelimit")["TaggedResources"] == []


@pytest.mark.parametrize("feature, limit_type", [
    ("spectrum", "data-scanned"), ("concurrency-scaling", "time"), ("cross-region-datasharing", "data-scanned"),
    ("extra-compute-for-automatic-optimization", "time"),
])
def test_each_feature_takes_its_limit_type(redshift, feature, limit_type):
    create_available_cluster(redshift)
    assert limit(redshift, feature, limit_type)["LimitType"] == limit_type
    other = "time" if limit_type == "data-scanned" else "data-scanned"
    with pytest.raises(ClientError) as excinfo:
        limit(redshift, feature, other)
    assert error_of(excinfo) == ("InvalidUsageLimit", 400)


@pytest.mark.parametrize("params, expected", [
    ({"Amount": 0}, ("InvalidUsageLimit", 400)),
    ({"Amount": -5}, ("InvalidUsageLimit", 400)),
    ({"cluster": "missing"}, ("ClusterNotFound", 404)),
    ({"Period": "hourly"}, ("InvalidParameterValue", 400)),
    ({"BreachAction": "shout"}, ("InvalidParameterValue", 400)),
    ({"feature": "sorcery"}, ("InvalidParameterValue", 400)),
    ({"Tags": [{"Key": "aws:x", "Value": "v"}]}, ("InvalidTagFault", 400)),
])
def test_create_validates(redshift, params, expected):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        limit(redshift, **params)
    assert error_of(excinfo) == expected


def test_four_limits_per_feature_and_no_two_alike(redshift):
    create_available_cluster(redshift)
    first = limit(redshift, Period="daily", BreachAction="log")
    with pytest.raises(ClientError) as excinfo:
        limit(redshift, Period="daily", BreachAction="log", Amount=99)
    assert error_of(excinfo) == ("UsageLimitAlreadyExists", 400)
    limit(redshift, Period="daily", BreachAction="emit-metric")
    limit(redshift, Period="weekly", BreachAction="disable")
    limit(redshift, Period="monthly", BreachAction="disable")
    with pytest.raises(ClientError) as excinfo:
        limit(redshift, Period="weekly", BreachAction="log")
    assert error_of(excinfo) == ("LimitExceededFault", 400)
    # Another feature has its own four.
    limit(redshift, "concurrency-scaling", "time", Period="weekly", BreachAction="log")
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_usage_limit(UsageLimitId=first["UsageLimitId"], BreachAction="emit-metric")
    assert error_of(excinfo) == ("UsageLimitAlreadyExists", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_usage_limit(UsageLimitId=first["UsageLimitId"], Amount=0)
    assert error_of(excinfo) == ("InvalidUsageLimit", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_usage_limit(UsageLimitId="nope", Amount=5)
    assert error_of(excinfo) == ("UsageLimitNotFound", 404)


def test_describe_filters_and_pages(ls):
    redshift = ls.client(OWNER)
    create_available_cluster(redshift, "c1")
    create_available_cluster(redshift, "c2")
    ids = {}
    for cluster in ("c1", "c2"):
        for feature, limit_type in (("spectrum", "data-scanned"), ("concurrency-scaling", "time")):
            for period in ("daily", "weekly", "monthly"):
                ids[(cluster, feature, period)] = limit(redshift, feature, limit_type, cluster, Period=period,
                                                        Tags=[{"Key": "period", "Value": period}])["UsageLimitId"]
    everything = [u["UsageLimitId"] for page in redshift.get_paginator("describe_usage_limits").paginate(
        PaginationConfig={"PageSize": 20}) for u in page["UsageLimits"]]
    assert everything == list(ids.values())
    of_c2 = redshift.describe_usage_limits(ClusterIdentifier="C2")["UsageLimits"]
    assert [u["UsageLimitId"] for u in of_c2] == [v for k, v in ids.items() if k[0] == "c2"]
    spectrum_c1 = redshift.describe_usage_limits(ClusterIdentifier="c1", FeatureType="spectrum")["UsageLimits"]
    assert {u["Period"] for u in spectrum_c1} == {"daily", "weekly", "monthly"}
    assert all(u["FeatureType"] == "spectrum" and u["ClusterIdentifier"] == "c1" for u in spectrum_c1)
    daily = redshift.describe_usage_limits(TagValues=["daily"])["UsageLimits"]
    assert sorted(u["UsageLimitId"] for u in daily) == sorted(v for k, v in ids.items() if k[2] == "daily")
    # An id of another cluster than the one named: nothing.
    assert redshift.describe_usage_limits(UsageLimitId=ids[("c1", "spectrum", "daily")],
                                          ClusterIdentifier="c2")["UsageLimits"] == []
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_usage_limits(ClusterIdentifier="missing")
    assert error_of(excinfo) == ("ClusterNotFound", 404)
    # Other accounts see none of them.
    stranger = ls.client(STRANGER)
    assert stranger.describe_usage_limits()["UsageLimits"] == []
    with pytest.raises(ClientError) as excinfo:
        stranger.delete_usage_limit(UsageLimitId=ids[("c1", "spectrum", "daily")])
    assert error_of(excinfo) == ("UsageLimitNotFound", 404)


def test_limits_follow_renames_and_go_with_their_cluster(redshift):
    create_available_cluster(redshift)
    created = limit(redshift)
    redshift.modify_cluster(ClusterIdentifier="c1", NewClusterIdentifier="renamed")
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="renamed", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    assert redshift.describe_usage_limits()["UsageLimits"][0]["ClusterIdentifier"] == "renamed"
    redshift.delete_cluster(ClusterIdentifier="renamed", SkipFinalClusterSnapshot=True)
    wait_for(lambda: not redshift.describe_clusters()["Clusters"])
    assert redshift.describe_usage_limits()["UsageLimits"] == []
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_usage_limit(UsageLimitId=created["UsageLimitId"])
    assert error_of(excinfo) == ("UsageLimitNotFound", 404)


def test_aws_cli(ls):
    create_available_cluster(ls.client(OWNER))
    created = aws_cli(ls, "create-usage-limit", "--cluster-identifier", "c1", "--feature-type", "concurrency-scaling",
                      "--limit-type", "time", "--amount", "60", "--period", "weekly", "--breach-action", "emit-metric")
    assert (created["Amount"], created["Period"], created["BreachAction"]) == (60, "weekly", "emit-metric")
    listed = aws_cli(ls, "describe-usage-limits", "--cluster-identifier", "c1")["UsageLimits"]
    assert [u["UsageLimitId"] for u in listed] == [created["UsageLimitId"]]
