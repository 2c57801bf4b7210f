"""Event notification subscriptions: validation, changes, tags, paging (nothing is published: no SNS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, aws_cli, create_available_cluster, create_available_snapshot

TOPIC = f"arn:aws:sns:us-east-1:{OWNER}:redshift-events"


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def subscribe(client, name: str = "ops", **extra) -> dict:  # type: ignore[no-untyped-def]
    return client.create_event_subscription(SubscriptionName=name, SnsTopicArn=extra.pop("SnsTopicArn", TOPIC),
                                            **extra)["EventSubscription"]


def test_create_modify_describe_delete(redshift):
    create_available_cluster(redshift)
    created = subscribe(redshift, "Ops", SourceType="cluster", SourceIds=["C1"], EventCategories=["monitoring"],
                        Severity="ERROR", Tags=[{"Key": "team", "Value": "dba"}])
    assert (created["CustomerAwsId"], created["CustSubscriptionId"], created["SnsTopicArn"]) == (OWNER, "ops", TOPIC)
    assert (created["Status"], created["Enabled"], created["Severity"]) == ("active", True, "ERROR")
    assert (created["SourceType"], created["SourceIdsList"], created["EventCategoriesList"]) == (
        "cluster", ["C1"], ["monitoring"])
    assert created["Tags"] == [{"Key": "team", "Value": "dba"}]
    assert created["SubscriptionCreationTime"]
    modified = redshift.modify_event_subscription(SubscriptionName="ops", Enabled=False, Severity="INFO",
                                                  EventCategories=["security", "pending"])["EventSubscription"]
    assert (modified["Enabled"], modified["Severity"], modified["EventCategoriesList"]) == (
        False, "INFO", ["security", "pending"])
    assert modified["SourceIdsList"] == ["C1"]
    # Another kind of source: ids of the old kind no longer apply.
    create_available_snapshot(redshift, "s1")
    changed = redshift.modify_event_subscription(SubscriptionName="ops", SourceType="cluster-snapshot")[
        "EventSubscription"]
    assert (changed["SourceType"], changed.get("SourceIdsList", [])) == ("cluster-snapshot", [])
    changed = redshift.modify_event_subscription(SubscriptionName="ops", SourceIds=["s1"])["EventSubscription"]
    assert changed["SourceIdsList"] == ["s1"]
    [described] = redshift.describe_event_subscriptions(SubscriptionName="OPS")["EventSubscriptionsList"]
    assert described == changed
    redshift.delete_event_subscription(SubscriptionName="ops")
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_event_subscriptions(SubscriptionName="ops")
    assert error_of(excinfo) == ("SubscriptionNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_event_subscription(SubscriptionName="ops")
    assert error_of(excinfo) == ("SubscriptionNotFound", 404)


@pytest.mark.parametrize("params, expected", [
    ({"SnsTopicArn": "not-an-arn"}, ("SNSInvalidTopic", 400)),
    ({"SnsTopicArn": "arn:aws:sqs:us-east-1:111111111111:queue"}, ("SNSInvalidTopic", 400)),
    ({"SnsTopicArn": "arn:aws:sns:us-east-1:1111:topic"}, ("SNSInvalidTopic", 400)),
    ({"name": "1starts-with-digit"}, ("InvalidParameterValue", 400)),
    ({"name": "two--hyphens"}, ("InvalidParameterValue", 400)),
    ({"SourceType": "db-instance"}, ("InvalidParameterValue", 400)),
    ({"SourceIds": ["c1"]}, ("InvalidParameterCombination", 400)),
    ({"SourceType": "cluster", "SourceIds": ["missing"]}, ("SourceNotFound", 404)),
    ({"SourceType": "cluster-snapshot", "SourceIds": ["missing"]}, ("SourceNotFound", 404)),
    ({"SourceType": "cluster-security-group", "SourceIds": ["default"]}, ("SourceNotFound", 404)),
    ({"EventCategories": ["monitoring", "gossip"]}, ("SubscriptionCategoryNotFound", 404)),
    ({"Severity": "WARNING"}, ("SubscriptionSeverityNotFound", 404)),
    ({"Severity": "error"}, ("SubscriptionSeverityNotFound", 404)),
    ({"Tags": [{"Key": "aws:x", "Value": "v"}]}, ("InvalidTagFault", 400)),
])
def test_create_validates(redshift, params, expected):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        subscribe(redshift, params.pop("name", "ops"), **params)
    assert error_of(excinfo) == expected
    assert redshift.describe_event_subscriptions()["EventSubscriptionsList"] == []


def test_modify_validates_and_keeps_what_it_had(redshift):
    subscribe(redshift, Severity="INFO")
    for params, expected in [({"SnsTopicArn": "bad"}, "SNSInvalidTopic"), ({"Severity": "LOUD"}, "SubscriptionSeverityNotFound"),
                             ({"EventCategories": ["x"]}, "SubscriptionCategoryNotFound")]:
        with pytest.raises(ClientError) as excinfo:
            redshift.modify_event_subscription(SubscriptionName="ops", **params)
        assert error_of(excinfo)[0] == expected
    assert redshift.describe_event_subscriptions()["EventSubscriptionsList"][0]["Severity"] == "INFO"
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_event_subscription(SubscriptionName="nope", Enabled=False)
    assert error_of(excinfo) == ("SubscriptionNotFound", 404)


def test_duplicates_quota_paging_and_tags(ls):
    redshift = ls.client(OWNER)
    for i in range(20):
        subscribe(redshift, f"s{i:02d}", Tags=[{"Key": "even", "Value": str(i % 2 == 0)}])
    with pytest.raises(ClientError) as excinfo:
        subscribe(redshift, "s00")
    assert error_of(excinfo) == ("SubscriptionAlreadyExist", 400)
    with pytest.raises(ClientError) as excinfo:
        subscribe(redshift, "s20")
    assert error_of(excinfo) == ("EventSubscriptionQuotaExceeded", 400)
    pages = list(redshift.get_paginator("describe_event_subscriptions").paginate(PaginationConfig={"PageSize": 20}))
    assert [s["CustSubscriptionId"] for p in pages for s in p["EventSubscriptionsList"]] == [f"s{i:02d}" for i in range(20)]
    even = redshift.describe_event_subscriptions(TagValues=["True"])["EventSubscriptionsList"]
    assert [s["CustSubscriptionId"] for s in even] == [f"s{i:02d}" for i in range(0, 20, 2)]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:eventsubscription:s01"
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert redshift.describe_event_subscriptions(TagKeys=["k"])["EventSubscriptionsList"][0]["CustSubscriptionId"] == "s01"
    # Each account has its own subscriptions.
    stranger = ls.client(STRANGER)
    assert stranger.describe_event_subscriptions()["EventSubscriptionsList"] == []
    assert subscribe(stranger, "s00")["CustomerAwsId"] == STRANGER


def test_aws_cli(ls):
    aws_cli(ls, "create-event-subscription", "--subscription-name", "cli", "--sns-topic-arn", TOPIC,
            "--source-type", "cluster", "--severity", "ERROR", "--no-enabled")
    [listed] = aws_cli(ls, "describe-event-subscriptions")["EventSubscriptionsList"]
    assert (listed["CustSubscriptionId"], listed["Enabled"], listed["SourceType"]) == ("cli", False, "cluster")
