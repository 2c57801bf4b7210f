"""Keyset paging shared by every list operation.

A marker is the opaque, url-safe encoding of the sort key of the last row
returned.  The next page starts strictly after that key, so rows created or
deleted between pages never cause a duplicate, and a row that existed
throughout is never skipped.  Each page is one indexed range query.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Sequence

from localshift.errors import ApiError


@dataclass(frozen=True)
class SortKey:
    column: str  # an SQL expression over the row
    descending: bool = False


def encode_marker(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_marker(marker: str, width: int) -> list[Any]:
    try:
        padded = marker + "=" * (-len(marker) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != width
        or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values)
    ):
        raise ApiError("InvalidParameterValue", "Invalid marker value.")
    return values


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
