"""Events the services record: Redshift's lifecycle events, and why a background job failed.

Every service module records an event through one function::

    events.record(backend, ctx_or_record, event_catalog.CLUSTER_CREATED, cluster=cluster.identifier)

with the arguments the event's message names (event_catalog.py); the account
and region come from the request context or the record, the time from the
service clock.  Events are kept 14 days, as Redshift keeps them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from localshift.services import event_catalog
from localshift.services.common.arns import PARTITION
from localshift.services.common.backend import ServiceBackend
from localshift.store.events import EventRecord, EventRepository

log = logging.getLogger("localshift.lifecycle")

# Why work cut short by a stop of the service is not resumed but failed.
INTERRUPTED = RuntimeError("the service stopped while it ran")
# How long Redshift keeps events (DescribeEvents: "for the past 14 days").
RETENTION = timedelta(days=14)


class Owned(Protocol):
    """Whose the event is: a request context or a resource's record."""

    @property
    def account(self) -> str: ...

    @property
    def region(self) -> str: ...


def message_time(at: datetime) -> str:
    """A time as Redshift's messages write it: 2013-01-22 19:17 UTC."""
    return at.strftime("%Y-%m-%d %H:%M UTC")


def source_arn(source_type: str, region: str, account: str, arguments: dict[str, str]) -> str:
    resource = event_catalog.SOURCE_TYPES[source_type].arn_resource.format(**arguments)
    return f"arn:{PARTITION}:redshift:{region}:{account}:{resource}"


def record(backend: ServiceBackend, owner: Owned, event_id: str, **arguments: str) -> None:
    """Keep event ``event_id`` of the catalogue, its message filled in with ``arguments``."""
    event = event_catalog.BY_ID[event_id]
    now = backend.clock.now()
    message = event.message.format(time=message_time(now), **arguments)
    identifier = arguments[event.source_argument or event.source.argument]
    backend.events.add(EventRecord(
        owner.account, owner.region, event.source_type, identifier, now, event.severity, (event.category,), message,
        event_id, source_arn(event.source_type, owner.region, owner.account, {**arguments, event.source.argument: identifier}),
    ))


def record_failure(
    events: EventRepository, now: datetime, account: str, region: str, source_type: str, identifier: str,
    message: str, error: BaseException, *, event_id: str | None = None, arn: str | None = None,
) -> None:
    """Log a failed job with its traceback, and keep its reason as an ERROR event of the resource, under
    Redshift's id for the failure when it has one."""
    log.error("%s", message, exc_info=error)
    reason = f"{message}: {error}" if str(error) else message
    events.add(EventRecord(account, region, source_type, identifier, now, "ERROR", (event_catalog.MONITORING,),
                           reason, event_id, arn))


def prune(backend: ServiceBackend) -> None:
    """Forget events older than Redshift keeps them."""
    backend.events.prune(backend.clock.now() - RETENTION)
