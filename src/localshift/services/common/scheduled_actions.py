"""What both services' scheduled actions share: storing a new one under the account's quota, and
changing one in one transaction (its window checked, its next run worked out again).  Each service
keeps its own parameters, checks and errors (Redshift's CamelCase operations, Serverless's
camelCase ones)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Protocol, TypeVar

from localshift.errors import ApiError
from localshift.services.common import schedules
from localshift.store.database import DuplicateError
from localshift.store.resources import ResourceRepository


class ScheduledAction(Protocol):
    """A scheduled action record of either service, as the repository and the scheduler see it."""

    account: str
    region: str
    name: str
    row_id: int
    start_time: datetime | None
    end_time: datetime | None
    enabled: bool
    next_run: datetime | None


A = TypeVar("A", bound=ScheduledAction)


def insert(repository: ResourceRepository[A], action: A, quota: int, duplicate: ApiError,
           quota_exceeded: ApiError, check: Callable[[], object] = lambda: None) -> None:
    """Store a new action, after ``check`` (in the same transaction): ``duplicate`` when its name
    is taken, ``quota_exceeded`` when the account and region have ``quota`` actions already."""
    with repository.db.transaction():
        check()
        if repository.get(action.account, action.region, action.name) is not None:
            raise duplicate
        if repository.count(action.account, action.region) >= quota:
            raise quota_exceeded
        try:
            repository.insert(action)
        except DuplicateError:
            raise duplicate from None


def modify(repository: ResourceRepository[A], find: Callable[[], A], apply: Callable[[A], None],
           p: dict[str, Any], window: tuple[str, str, str], window_error: ApiError,
           next_due: Callable[[A], datetime | None]) -> A:
    """Change the action ``find`` returns: ``apply`` the service's own changes, then the start time,
    end time and enabled flag (``window``: their names in ``p``; ``window_error`` when the start
    is no longer before the end), then the next run."""

    def change(action: A) -> None:
        apply(action)
        if not schedules.update_window(action, p, *window):
            raise window_error
        action.next_run = next_due(action)

    with repository.db.transaction():
        changed = repository.mutate(find().row_id, change)
    assert changed is not None  # found in this very transaction
    return changed
