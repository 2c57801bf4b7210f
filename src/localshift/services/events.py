"""Events the services record: why a background job failed, kept for a later DescribeEvents."""

from __future__ import annotations

import logging
from datetime import datetime

from localshift.store.events import EventRecord, EventRepository

log = logging.getLogger("localshift.lifecycle")

# Why work cut short by a stop of the service is not resumed but failed.
INTERRUPTED = RuntimeError("the service stopped while it ran")


def record_failure(
    events: EventRepository, now: datetime, account: str, region: str, source_type: str, identifier: str,
    message: str, error: BaseException,
) -> None:
    """Log a failed job with its traceback, and keep its reason as an ERROR event of the resource."""
    log.error("%s", message, exc_info=error)
    reason = f"{message}: {error}" if str(error) else message
    events.add(EventRecord(account, region, source_type, identifier, now, "ERROR", "Monitoring", reason))
