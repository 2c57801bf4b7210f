"""Event notification subscriptions: Create/Modify/Delete/DescribeEventSubscriptions.

Subscriptions are validated and stored; there is no SNS here, so nothing is ever published to
the topic (the events themselves are kept, for DescribeEvents).  A well-formed topic ARN is
taken as existing and the subscription's Status is ``active``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import EventSubscriptionRecord
from localshift.services.redshift.views import tags_view

QUOTA = 20
CATEGORIES = ("configuration", "management", "monitoring", "security", "pending")
SEVERITIES = ("ERROR", "INFO")
_SNS_TOPIC = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?")


# SourceType -> whether a source id names an existing source.  No cluster security group can
# exist (security_groups.py); parameter groups and scheduled actions are checked in form only.
SOURCES: dict[str, Callable[[RedshiftBackend, RequestContext, str], bool]] = {
    "cluster": lambda backend, ctx, name: backend.clusters.get(ctx.account, ctx.region, name.lower()) is not None,
    "cluster-snapshot": lambda backend, ctx, name: backend.snapshots.get(ctx.account, ctx.region, name.lower()) is not None,
    "cluster-security-group": lambda backend, ctx, name: False,
    "cluster-parameter-group": lambda backend, ctx, name: bool(name),
    "scheduled-action": lambda backend, ctx, name: bool(name),
}


def not_found(name: str) -> ApiError:
    return ApiError("SubscriptionNotFound", f"Event subscription {name} not found.")


def _apply(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any], subscription: EventSubscriptionRecord) -> None:
    """Set what the request gives on a subscription, checking each value as AWS does."""
    if "SnsTopicArn" in p:
        if not _SNS_TOPIC.fullmatch(p["SnsTopicArn"]):
            raise ApiError("SNSInvalidTopic", f"The SNS topic ARN {p['SnsTopicArn']} is not valid.")
        subscription.sns_topic_arn = p["SnsTopicArn"]
    if "SourceType" in p:
        if p["SourceType"] not in SOURCES:
            raise invalid_parameter(f"Invalid SourceType {p['SourceType']}. Valid values: {', '.join(SOURCES)}.")
        if p["SourceType"] != subscription.source_type:
            subscription.source_ids = []  # ids of another kind of source no longer apply
        subscription.source_type = p["SourceType"]
    if "SourceIds" in p:
        if p["SourceIds"] and subscription.source_type is None:
            raise invalid_combination("SourceIds can only be given with a SourceType.")
        exists = SOURCES[subscription.source_type] if subscription.source_type else None
        for source in p["SourceIds"]:
            if exists is not None and not exists(backend, ctx, source):
                raise ApiError("SourceNotFound", f"The source {source} of type {subscription.source_type} was not found.")
        subscription.source_ids = list(dict.fromkeys(p["SourceIds"]))
    if "EventCategories" in p:
        for category in p["EventCategories"]:
            if category not in CATEGORIES:
                raise ApiError("SubscriptionCategoryNotFound",
                               f"The event category {category} does not exist. Valid values: {', '.join(CATEGORIES)}.")
        subscription.event_categories = list(dict.fromkeys(p["EventCategories"]))
    if "Severity" in p:
        if p["Severity"] not in SEVERITIES:
            raise ApiError("SubscriptionSeverityNotFound",
                           f"The severity {p['Severity']} does not exist. Valid values: ERROR, INFO.")
        subscription.severity = p["Severity"]
    subscription.enabled = p.get("Enabled", subscription.enabled)


def view(subscription: EventSubscriptionRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "CustomerAwsId": subscription.account,
        "CustSubscriptionId": subscription.name,
        "SnsTopicArn": subscription.sns_topic_arn,
        "Status": "active",
        "SubscriptionCreationTime": subscription.created,
        "SourceType": subscription.source_type,
        "SourceIdsList": subscription.source_ids,
        "EventCategoriesList": subscription.event_categories,
        "Severity": subscription.severity,
        "Enabled": subscription.enabled,
        "Tags": tags_view(tags),
    }


def _render(backend: RedshiftBackend, subscription: EventSubscriptionRecord) -> dict[str, Any]:
    return {"EventSubscription": named_resources.render(backend, [subscription], view)[0]}


def create_event_subscription(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = validation.identifier(p["SubscriptionName"], "SubscriptionName", 255)
    tags = validation.tag_list(p.get("Tags", []))
    subscription = EventSubscriptionRecord(ctx.account, ctx.region, name, "", ctx.now)
    _apply(backend, ctx, p, subscription)
    named_resources.insert_tagged(
        backend, backend.event_subscriptions, subscription, tags,
        ApiError("SubscriptionAlreadyExist", f"Event subscription {name} already exists."),
        (QUOTA, ApiError("EventSubscriptionQuotaExceeded", f"An account can have at most {QUOTA} event subscriptions.")))
    return _render(backend, subscription)


def modify_event_subscription(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["SubscriptionName"]
    with backend.db.transaction():
        found = named_resources.find(backend.event_subscriptions, ctx, name.lower(), not_found(name))
        subscription = backend.event_subscriptions.mutate(found.row_id, lambda s: _apply(backend, ctx, p, s))
    assert subscription is not None  # found in this very transaction
    return _render(backend, subscription)


def delete_event_subscription(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["SubscriptionName"]
    with backend.db.transaction():
        subscription = named_resources.find(backend.event_subscriptions, ctx, name.lower(), not_found(name))
        named_resources.delete_tagged(backend, backend.event_subscriptions, subscription)
    return {}


def describe_event_subscriptions(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("SubscriptionName")
    return named_resources.describe(backend, ctx, p, backend.event_subscriptions,
                                    name.lower() if name is not None else None, not_found(name or ""), view,
                                    "EventSubscriptionsList")


OPERATIONS = {
    "CreateEventSubscription": create_event_subscription,
    "ModifyEventSubscription": modify_event_subscription,
    "DeleteEventSubscription": delete_event_subscription,
    "DescribeEventSubscriptions": describe_event_subscriptions,
}
