"""What both services' scheduled actions share when they run: finding the due ones, and running
one's operation as its account would, a failure kept as an event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Callable, Protocol, TypeVar

from localshift.services.common.backend import ServiceBackend
from localshift.services.context import RequestContext
from localshift.services.events import record_failure


class DueAction(Protocol):
    account: str
    region: str
    name: str
    enabled: bool
    next_run: datetime | None


A = TypeVar("A", bound=DueAction)


def run_due(backend: ServiceBackend, actions: list[A], run: Callable[[A, datetime], None]) -> None:
    """Run every enabled action whose next invocation has come (missed invocations run once)."""
    now = backend.clock.now()
    for action in actions:
        if action.enabled and action.next_run is not None and action.next_run <= now:
            run(action, now)


def attempt(
    backend: ServiceBackend, action: DueAction, now: datetime, work: Callable[[RequestContext], Any],
    source_type: str, identifier: str, message: str,
) -> str | None:
    """Call ``work`` as the action's account at ``now``; None when it succeeded, else why it failed
    (kept as an ERROR event of the ``source_type`` resource ``identifier``)."""
    ctx = RequestContext(action.account, action.region, str(uuid.uuid4()), now)
    try:
        work(ctx)
    except Exception as error:
        record_failure(backend.events, now, action.account, action.region, source_type, identifier, message, error)
        return str(getattr(error, "message", error))
    return None
