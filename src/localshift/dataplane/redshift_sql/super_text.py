"""SUPER values in result rows as Redshift prints them: compact JSON.

The engine keeps SUPER as ``jsonb``, whose output puts a blank after every comma and
colon between elements (``{"a": 1, "b": [1, 2]}``); Redshift prints a SUPER value as
``JSON_SERIALIZE`` does, without them (``{"a":1,"b":[1,2]}``), and clients show that
text (psql, redshift_connector, JDBC's ``getString``).  The session finds the ``jsonb``
columns of each result in its RowDescription (``super_columns``) and takes the blanks out
of their values in DataRow messages (``compact_row``); strings keep theirs.  Only a
session that has described a ``jsonb`` column reads DataRows whole, and only while such a
result may be coming (session.py).

In the extended protocol the rows of an Execute follow no RowDescription of their own: a
``ResultShape`` is what the session knows of a prepared statement's columns, filled when
the engine answers a Describe of the statement or of a portal bound to it, and shared by
its portals.
"""

from __future__ import annotations

import re

_JSONB = (3802).to_bytes(4, "big")
# After a field's name: table oid (4), column number (2), type oid (4), type length (2),
# type modifier (4), format code (2).
_TYPE_AT, _FIELD_REST = 6, 18
# A JSON string as jsonb prints it (a quote or a backslash inside is escaped): split out, kept as it is.
_STRING = re.compile(rb'("[^"\\]*+(?:\\.[^"\\]*+)*+")')
_BINARY_JSONB = b"\x01"  # jsonb's binary format: a version byte, then the text


class ResultShape:
    """The ``jsonb`` columns (their positions) of a prepared statement's result."""

    __slots__ = ("columns",)

    def __init__(self, columns: tuple[int, ...] = ()) -> None:
        self.columns = columns


def super_columns(data: bytes, pos: int, length: int) -> tuple[int, ...]:
    """The positions of the ``jsonb`` fields of the RowDescription at ``data[pos:pos + length]``."""
    end = pos + length
    if data.find(_JSONB, pos + 7, end) < 0:  # no field of type jsonb (the common case)
        return ()
    columns = []
    field = pos + 7
    for index in range(int.from_bytes(data[pos + 5:pos + 7], "big")):
        rest = data.index(0, field) + 1
        if data[rest + _TYPE_AT:rest + _TYPE_AT + 4] == _JSONB:
            columns.append(index)
        field = rest + _FIELD_REST
    return tuple(columns)


def compact(value: bytes) -> bytes:
    """A ``jsonb`` value's text (or binary form) without the blanks between elements."""
    if value[:1] == _BINARY_JSONB:
        return _BINARY_JSONB + compact(value[1:])
    if b'"' not in value:
        return _between_elements(value)
    parts = _STRING.split(value)  # outside strings, a string, outside, ...
    parts[::2] = map(_between_elements, parts[::2])
    return b"".join(parts)


def _between_elements(text: bytes) -> bytes:
    """Text outside strings: the blank after each comma and colon goes (jsonb prints one there)."""
    return text.replace(b", ", b",").replace(b": ", b":")


def compact_row(data: bytes, pos: int, length: int, columns: tuple[int, ...]) -> bytes | None:
    """The DataRow at ``data[pos:pos + length]`` with the values of ``columns`` compact; None when
    nothing changes (forwarded as it is)."""
    pieces: list[bytes] = []
    count = int.from_bytes(data[pos + 5:pos + 7], "big")
    at, start = pos + 7, pos
    wanted = iter(columns)
    column = next(wanted, count)
    for index in range(count):
        size = int.from_bytes(data[at:at + 4], "big", signed=True)
        value_at = at + 4
        at = value_at + max(size, 0)
        if index != column:
            continue
        column = next(wanted, count)
        if data.find(b" ", value_at, at) >= 0:
            value = compact(data[value_at:at])
            pieces += (data[start:value_at - 4], len(value).to_bytes(4, "big"), value)
            start = at
        if column >= count:
            break
    if not pieces:
        return None
    pieces.append(data[start:pos + length])
    body = b"".join(pieces)[5:]
    return b"D" + (len(body) + 4).to_bytes(4, "big") + body
