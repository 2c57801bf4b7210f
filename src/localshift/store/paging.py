"""Keyset paging shared by every list operation.

A marker is the opaque, url-safe encoding of the sort key of the last row
returned.  The next page starts strictly after that key, so rows created or
deleted between pages never cause a duplicate, and a row that existed
throughout is never skipped.  Each page is one indexed range query.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, TypeVar

from localshift.errors import ApiError


@dataclass(frozen=True)
class SortKey:
    column: str  # an SQL expression over the row
    descending: bool = False
    kind: type = str  # what the column holds (str, int or float): a marker must carry exactly that


# SQLite's integers are signed 64-bit; a larger Python int cannot even be bound.
_INT64 = (-(2**63), 2**63 - 1)


def encode_marker(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_marker(marker: str, kinds: Sequence[type]) -> list[Any]:
    """The values of a marker this service issued, one of each kind; InvalidParameterValue for anything else.

    Markers are opaque to clients, so a marker that does not decode to exactly the
    values of the keys it pages over (a huge integer, a float for an integer, text
    that is not Unicode, garbage) was not issued here.
    """
    try:
        padded = marker + "=" * (-len(marker) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")), parse_constant=_not_json)
    except (ValueError, RecursionError):
        values = None
    if not isinstance(values, list) or len(values) != len(kinds) or not all(map(_is_a, values, kinds)):
        raise ApiError("InvalidParameterValue", "Invalid marker value.")
    return values


def _not_json(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity


def _is_a(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int) and kind in (int, float):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, float) and kind is float:
        return math.isfinite(value)
    if isinstance(value, str) and kind is str:
        try:
            value.encode("utf-8")  # a lone surrogate cannot be stored or compared
        except UnicodeEncodeError:
            return False
        return True
    return False


def after_clause(keys: Sequence[SortKey], values: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL that selects the rows strictly after ``values`` in ``keys`` order."""
    alternatives: list[str] = []
    args: list[Any] = []
    for index, key in enumerate(keys):
        terms = [f"{k.column} = ?" for k in keys[:index]]
        terms.append(f"{key.column} {'<' if key.descending else '>'} ?")
        alternatives.append("(" + " AND ".join(terms) + ")")
        args.extend(values[: index + 1])
    return "(" + " OR ".join(alternatives) + ")", args


def order_clause(keys: Sequence[SortKey]) -> str:
    return ", ".join(f"{k.column} {'DESC' if k.descending else 'ASC'}" for k in keys)


T = TypeVar("T")


def page_of(items: Sequence[T], key: Callable[[T], str], marker: str | None, limit: int) -> tuple[list[T], str | None]:
    """A page of a fixed list held in memory (catalogues) in ``key`` order: the marker is the position
    the next page starts at (None on the last page)."""
    ordered = sorted(items, key=key)
    start = max(decode_marker(marker, (int,))[0], 0) if marker else 0
    page = ordered[start:start + limit]
    return page, encode_marker([start + limit]) if len(ordered) > start + limit else None


class _Stored(Protocol):
    row_id: int


S = TypeVar("S", bound=_Stored)


def page_after(records: Sequence[S], marker: str | None, limit: int) -> tuple[list[S], str | None]:
    """One page of ``records`` (in row-id order, filtered already) after a marker's row id, and the
    next page's marker: for the small lists kept in memory (the resources table's kinds).  The
    marker holds the row id in fixed width (some models want tokens of 8 characters or more)."""
    after = 0
    if marker:
        position = decode_marker(marker, (str,))[0]
        if not (len(position) == _POSITION_WIDTH and position.isascii() and position.isdigit()):
            raise ApiError("InvalidParameterValue", "Invalid marker value.")
        after = int(position)
    rest = [record for record in records if record.row_id > after]
    page = rest[:limit]
    return page, encode_marker([f"{page[-1].row_id:0{_POSITION_WIDTH}d}"]) if len(rest) > limit else None


_POSITION_WIDTH = 12
