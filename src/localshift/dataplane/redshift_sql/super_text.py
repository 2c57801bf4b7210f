"""SUPER and VARBYTE values in result rows as Redshift prints them.

The engine keeps SUPER as ``jsonb``, whose output puts a blank after every comma and
colon between elements (``{"a": 1, "b": [1, 2]}``); Redshift prints a SUPER value as
``JSON_SERIALIZE`` does, without them (``{"a":1,"b":[1,2]}``), and clients show that
text (psql, redshift_connector, JDBC's ``getString``).  The engine keeps VARBYTE as ``bytea``,
whose text is hex after ``\\x`` (``\\x616263``); Redshift prints the hex digits alone
("VARBYTE type": ``616263``), which redshift_connector and Redshift's JDBC driver decode.
The session finds the ``jsonb`` and ``bytea`` columns of each result in its RowDescription
(``result_columns``) and rewrites their values in DataRow messages (``compact_row``): the
blanks out of SUPER values (strings keep theirs), the prefix off VARBYTE values sent as text
(a value in binary format is its bytes: left alone).  Only a session that has described
such a column reads DataRows whole, and only while such a result may be coming (session.py).

In the extended protocol the rows of an Execute follow no RowDescription of their own: a
``ResultShape`` is what the session knows of a prepared statement's columns, filled when
the engine answers a Describe of the statement or of a portal bound to it, and shared by
its portals; which of a portal's result columns come in binary format its Bind says.
"""

from __future__ import annotations

import re
import struct

_JSONB = (3802).to_bytes(4, "big")
_BYTEA = (17).to_bytes(4, "big")
_HEX_PREFIX = b"\\x"
# After a field's name: table oid (4), column number (2), type oid (4), type length (2),
# type modifier (4), format code (2).
_TYPE_AT, _FORMAT_AT, _FIELD_REST = 6, 16, 18
_TEXT_FORMAT = b"\0\0"
# A JSON string as jsonb prints it (a quote or a backslash inside is escaped): split out, kept as it is.
_STRING = re.compile(rb'("[^"\\]*+(?:\\.[^"\\]*+)*+")')
_SHORT = struct.Struct("!H").unpack_from
_INT = struct.Struct("!i").unpack_from
_BINARY_JSONB = b"\x01"  # jsonb's binary format: a version byte, then the text


class ResultShape:
    """The ``jsonb`` and ``bytea`` columns (their positions, in order) of a prepared statement's
    result, and which of them are ``bytea``."""

    __slots__ = ("columns", "varbytes")

    def __init__(self, columns: tuple[int, ...] = (), varbytes: frozenset[int] = frozenset()) -> None:
        self.columns = columns
        self.varbytes = varbytes


_NONE: tuple[tuple[int, ...], frozenset[int]] = ((), frozenset())


def result_columns(data: bytes, pos: int, length: int) -> tuple[tuple[int, ...], frozenset[int]]:
    """The positions of the ``jsonb`` fields and of the ``bytea`` fields in text format of the
    RowDescription at ``data[pos:pos + length]`` (all of them), and those of the latter."""
    end = pos + length
    if data.find(_JSONB, pos + 7, end) < 0 and data.find(_BYTEA, pos + 7, end) < 0:  # the common case
        return _NONE
    columns, varbytes = [], []
    field = pos + 7
    for index in range(int.from_bytes(data[pos + 5:pos + 7], "big")):
        rest = data.index(0, field) + 1
        type_oid = data[rest + _TYPE_AT:rest + _TYPE_AT + 4]
        if type_oid == _JSONB:
            columns.append(index)
        elif type_oid == _BYTEA and data[rest + _FORMAT_AT:rest + _FIELD_REST] == _TEXT_FORMAT:
            columns.append(index)
            varbytes.append(index)
        field = rest + _FIELD_REST
    return tuple(columns), frozenset(varbytes)


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


def result_formats(data: bytes, at: int, end: int) -> bytes:
    """The result format codes (two bytes each) of the Bind message ending at ``end`` whose
    statement name starts after ``at`` (the end of its portal name): its parameters' format codes
    and values are skipped to them.  Empty when there are none or all are text (0)."""
    at = data.index(0, at + 1) + 1
    at += 2 + 2 * _SHORT(data, at)[0]
    for _ in range(_SHORT(data, at)[0]):
        size = _INT(data, at + 2)[0]
        at += 4 + size if size > 0 else 4
    return data[at + 4:end] if data.find(1, at + 4, end) >= 0 else b""


def _binary(formats: bytes, index: int) -> bool:
    """Whether column ``index`` comes in binary format: one code for all columns, or one each."""
    return formats[1 if len(formats) == 2 else 2 * index + 1] == 1 if formats else False


def compact_row(data: bytes, pos: int, length: int, shape: ResultShape, formats: bytes = b"") -> bytes | None:
    """The DataRow at ``data[pos:pos + length]`` with the SUPER values of ``shape`` compact and
    its VARBYTE values sent as text as Redshift prints them (``formats``: the result format codes
    of the row's Bind, ``result_formats``); None when nothing changes (forwarded as it is)."""
    columns, varbytes = shape.columns, shape.varbytes
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
        if index in varbytes:
            if size >= 2 and data[value_at:value_at + 2] == _HEX_PREFIX and not _binary(formats, index):
                pieces += (data[start:value_at - 4], (size - 2).to_bytes(4, "big"))
                start = value_at + 2
        elif data.find(b" ", value_at, at) >= 0:
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
