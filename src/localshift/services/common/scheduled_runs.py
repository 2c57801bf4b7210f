"""What both services' scheduled actions share when they run: finding the due ones, and running
one's operation as its account would, a failure kept as an event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Callable, Protocol, TypeVar

from localshift.services.common.backend import ServiceBackend
from localshift.services.context import RequestContext
from localshift.services.events import record_failure
from localshift.store.resources import ResourceRepository


class DueAction(Protocol):
    account: str
    region: str
    name: str
    enabled: bool
    next_run: datetime | None
    row_id: int


A = TypeVar("A", bound=DueAction)


def run_due(
    backend: ServiceBackend, repository: ResourceRepository[A], run: Callable[[A, datetime], None],
    next_due: Callable[[A, datetime], datetime | None], clock_moved_back: bool,
) -> None:
    """Run every enabled action whose next invocation has come (missed invocations run once).
    ``clock_moved_back``: time travel moved the clock back since the last tick, so an action's next
    run, counted from the later clock, is brought back to its schedule's next invocation from now."""
    now = backend.clock.now()
    for action in repository.everything():
        if clock_moved_back and action.next_run is not None and action.next_run > now:
            rewound = _rewind(repository, action, next_due(action, now))
            if rewound is None:  # deleted meanwhile
                continue
            action = rewound
        if action.enabled and action.next_run is not None and action.next_run <= now:
            run(action, now)


def _rewind(repository: ResourceRepository[A], action: A, due: datetime | None) -> A | None:
    """The action with its next run at ``due`` when that is earlier (None: it is gone)."""
    if due is None or action.next_run is None or due >= action.next_run:
        return action

    def change(a: A) -> None:
        if a.next_run is not None and due < a.next_run:
            a.next_run = due

    return repository.mutate(action.row_id, change)


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
