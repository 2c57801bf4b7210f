"""Pages of the smaller list operations (usage limits, scheduled actions, endpoints, catalogues, recovery
points, snapshot copy configurations, table restores...).

A nextToken names its list and the position of the last item returned, so a token of one list
is refused by another, and a token is never shorter than the 8 characters the model requires.
A token this service did not issue is InvalidPaginationException where the operation's model names
that error, else ValidationException (which every operation may answer).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

from localshift.errors import ApiError
from localshift.store.paging import decode_marker, encode_marker

T = TypeVar("T")
DEFAULT_PAGE = 100
# The lists whose operations' models name InvalidPaginationException (ListTracks, ListCustomDomainAssociations,
# ListScheduledActions, ListUsageLimits); ListEndpointAccess, ListManagedWorkgroups, ListReservations,
# ListReservationOfferings and ListRecoveryPoints name no such error.  ListSnapshotCopyConfigurations and
# ListTableRestoreStatus name it, but answer ValidationException, as they have since they were served
# (AWS's answer to a forged token is unverified).
_PAGINATION_ERROR_KINDS = frozenset({"tracks", "custom-domains", "scheduled-actions", "usage-limits"})


def _after(token: str | None, kind: str) -> int:
    if token is None:
        return 0
    try:
        token_kind, position = decode_marker(token, (str, int))
    except ApiError:
        token_kind, position = None, 0
    if token_kind != kind:
        code = "InvalidPaginationException" if kind in _PAGINATION_ERROR_KINDS else "ValidationException"
        raise ApiError(code, "The nextToken is not valid.")
    return position


def page(items: Sequence[T], position: Callable[[T], int], p: dict[str, Any], kind: str) -> tuple[list[T], str | None]:
    """The page of ``items`` (in ``position`` order) that ``nextToken`` and ``maxResults`` ask for, and
    the next page's token (None on the last page)."""
    after = _after(p.get("nextToken"), kind)
    remaining = [item for item in items if position(item) > after]
    limit = p.get("maxResults", DEFAULT_PAGE)
    chosen = remaining[:limit]
    return chosen, encode_marker([kind, position(chosen[-1])]) if len(remaining) > limit else None
