"""DescribeEvents and DescribeEventCategories: the events services/events.py kept, and the catalogue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from localshift.errors import invalid_combination, invalid_parameter
from localshift.services import event_catalog
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.store.events import EventFilter, EventRecord
from localshift.store.paging import decode_marker, encode_marker

# DescribeEvents' window when the request names none: the past hour ("Duration: Default: 60").
DEFAULT_MINUTES = 60
# DescribeEventCategories lists the source types in this order.
_LISTED_TYPES = ("cluster", "cluster-parameter-group", "cluster-security-group", "cluster-snapshot")


def _source_type(value: str) -> str:
    if value not in event_catalog.SOURCE_TYPES:
        raise invalid_parameter(
            f"Invalid source type: {value}. Valid values: {', '.join(event_catalog.SOURCE_TYPES)}.")
    return value


def _event_view(event: EventRecord) -> dict[str, Any]:
    return {
        "SourceIdentifier": event.source_identifier,
        "SourceType": event.source_type,
        "Message": event.message,
        "EventCategories": list(event.categories),
        "Severity": event.severity,
        "Date": event.date,
        "EventId": event.event_id,
    }


def describe_events(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    source_type = _source_type(p["SourceType"]) if "SourceType" in p else None
    if "SourceIdentifier" in p and source_type is None:
        raise invalid_combination("SourceType must be given with SourceIdentifier.")
    duration = p.get("Duration")
    if duration is not None and duration < 0:
        raise invalid_parameter(f"Duration {duration} is not valid: give a number of minutes, 0 or more.")
    # StartTime and EndTime bound the window; without StartTime it is the Duration (60 minutes) before
    # the request, or the 60 minutes before EndTime.
    end = p.get("EndTime", ctx.now)
    if "StartTime" in p:
        start = p["StartTime"]
    elif duration is not None:
        start = ctx.now - timedelta(minutes=duration)
    else:
        start = end - timedelta(minutes=DEFAULT_MINUTES)
    if start > end:
        raise invalid_combination("StartTime must be earlier than or equal to EndTime.")
    flt = EventFilter(ctx.account, ctx.region, start, end, source_type, p.get("SourceIdentifier"))
    rows = backend.events.page(flt, after, limit + 1)
    result: dict[str, Any] = {"Events": [_event_view(event) for event in rows[:limit]]}
    if len(rows) > limit:
        result["Marker"] = encode_marker([rows[limit - 1].row_id])
    return result


def describe_event_categories(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    wanted = _source_type(p["SourceType"]) if "SourceType" in p else None
    return {
        "EventCategoriesMapList": [
            {
                "SourceType": source_type,
                "Events": [
                    {
                        "EventId": event.event_id,
                        "EventCategories": [event.category],
                        "EventDescription": event.description,
                        "Severity": event.severity,
                    }
                    for event in event_catalog.CATALOG
                    if event.source_type == source_type
                ],
            }
            for source_type in _LISTED_TYPES
            if wanted in (None, source_type)
        ]
    }


OPERATIONS = {"DescribeEvents": describe_events, "DescribeEventCategories": describe_event_categories}
