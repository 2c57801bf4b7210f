"""Statement results: typed fields and column metadata as the Data API gives them, kept in files.

Fields follow AWS's JDBC-to-Data-API mapping: integers (int2, int4, int8) are ``longValue``,
floating point (float4, float8) ``doubleValue``, booleans ``booleanValue``, binary
(varbyte) ``blobValue``, NULL ``isNull``, and everything else, numeric and the date/time
types included, ``stringValue`` in the engine's text (a ``timestamp`` as Java prints one,
with at least one fractional digit: ``2022-02-22 00:00:00.0``; a float that is NaN or
infinite, which JSON cannot carry, as its text).  Column metadata names types as Redshift
does (int4, varchar, numeric, bpchar, timestamp...; varbyte and super for what the engine
keeps as bytea and jsonb) with JDBC's precision and scale.

A result is one line per row: the row's fields as JSON (JSON format) or as CSV (CSV format).
Up to ``INLINE_BYTES`` of lines stay with the statement in the store; a larger result is a file
under the data dir (0600).  Pages hold about ``PAGE_BYTES`` of lines; a part of a statement keeps
where each page starts.  The limits are AWS's: 64 KB per row ("Packet for query is too large")
and 500 MB per result ("Database response exceeded size limit"; AWS's troubleshooting page states
500 MB, its earlier versions 100 MB).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

from localshift.dataplane.api import Column

PAGE_BYTES = 1024 * 1024
# A result this small is kept in the store with its statement, not in a file of its own: creating a
# file can cost more than the whole statement (0.4-0.7 ms on an ext4 disk, docs/benchmarks.md).
INLINE_BYTES = 4096
MAX_ROW_BYTES = 64 * 1024
MAX_RESULT_BYTES = 500 * 1024 * 1024
ROW_TOO_LARGE = "Packet for query is too large: a row of the result exceeds the Data API's 64 KB."
RESULT_TOO_LARGE = "Database response exceeded size limit: the result exceeds the Data API's 500 MB."
# localshift's own failure (AWS documents none): the result's file could not be written.
RESULT_NOT_KEPT = "The result could not be kept"

# PostgreSQL's names for the types Redshift names otherwise (the SQL translator keeps Redshift's
# VARBYTE as bytea and SUPER as jsonb).
REDSHIFT_TYPE_NAMES = {"bytea": "varbyte", "jsonb": "super"}
# JDBC's precision and scale of fixed-size types.
_FIXED = {
    "int2": (5, 0), "int4": (10, 0), "int8": (19, 0), "float4": (8, 8), "float8": (17, 17), "bool": (1, 0),
    "date": (13, 0), "time": (15, 6), "timetz": (21, 6), "timestamp": (29, 6), "timestamptz": (35, 6),
    "oid": (10, 0),
}
# The character types, whose columns are case-sensitive.  No other type's are, an unbounded one's neither
# (AWS's DescribeTable example: information_schema's character_data, 2147483647 long, isCaseSensitive false).
CHARACTER_TYPES = frozenset({"varchar", "bpchar", "text", "char", "name"})
_SIGNED = {"int2", "int4", "int8", "float4", "float8", "numeric", "money"}
UNBOUNDED = 2147483647
VARCHAR_MAX = 65535
VARBYTE_DEFAULT = 64000


class ResultTooLarge(Exception):
    """A row or the whole result passes the Data API's limits; the message is AWS's."""


def precision_and_scale(type_name: str, modifier: int) -> tuple[int, int]:
    if type_name in _FIXED:
        return _FIXED[type_name]
    if type_name == "numeric":
        return ((modifier - 4) >> 16 & 0xFFFF, (modifier - 4) & 0xFFFF) if modifier >= 4 else (0, 0)
    if type_name in ("varchar", "bpchar"):
        return (modifier - 4, 0) if modifier >= 4 else (VARCHAR_MAX, 0)
    if type_name in ("bytea", "varbyte"):
        return VARBYTE_DEFAULT, 0
    return UNBOUNDED, 0


def column_metadata(column: Column) -> dict[str, Any]:
    """ColumnMetadata of a result column."""
    precision, scale = precision_and_scale(column.type_name, column.type_modifier)
    return {
        "name": column.name, "label": column.name, "typeName": REDSHIFT_TYPE_NAMES.get(column.type_name, column.type_name),
        "precision": precision, "scale": scale, "nullable": 0 if column.not_null else 1,
        "isCaseSensitive": column.type_name in CHARACTER_TYPES, "isSigned": column.type_name in _SIGNED,
        "isCurrency": column.type_name == "money", "schemaName": column.schema, "tableName": column.table,
        "length": 0,
    }


def _java_timestamp(text: str) -> str:
    """A timestamp as java.sql.Timestamp prints it: at least one fractional digit."""
    return text if "." in text or not text[:1].isdigit() else text + ".0"


def _converters(columns: Sequence[Column]) -> list[Callable[[Any], Any] | None]:
    return [_java_timestamp if column.type_name == "timestamp" else None for column in columns]


def field(value: Any) -> dict[str, Any]:
    """The Field a value is: blobs as base64 text (stored so; decoded back when served)."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value} if math.isfinite(value) else {"stringValue": _float_text(value)}
    if isinstance(value, bytes):
        return {"blobValue": base64.b64encode(value).decode()}
    return {"stringValue": value}


def _float_text(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def csv_text(value: Any) -> str:
    """A value in a CSV record: NULL is empty, booleans true/false, blobs base64."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return _float_text(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


class ResultWriter:
    """Takes one result as rows arrive, page by page, within the limits: in memory while it is
    at most INLINE_BYTES (``inline``, its text, once closed), else written to ``path``."""

    def __init__(self, path: Path, columns: Sequence[Column], csv_format: bool) -> None:
        self.path = path
        self.csv = csv_format
        self.converters = _converters(columns)
        self.rows = 0
        self.bytes = 0
        self.pages: list[list[int]] = [[0, 0]]
        self.inline: str | None = None
        self._page_bytes = 0
        self._held: list[bytes] = []
        self._file: BinaryIO | None = None

    def add(self, rows: list[tuple]) -> None:
        lines = []
        for row in rows:
            values = [value if convert is None or value is None else convert(value)
                      for value, convert in zip(row, self.converters)]
            line = (self._csv_line(values) if self.csv else
                    json.dumps([field(v) for v in values], ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            if len(line) > MAX_ROW_BYTES:
                raise ResultTooLarge(ROW_TOO_LARGE)
            if self._page_bytes >= PAGE_BYTES:
                self.pages.append([self.bytes, self.rows])
                self._page_bytes = 0
            self.bytes += len(line)
            self._page_bytes += len(line)
            self.rows += 1
            lines.append(line)
        if self.bytes > MAX_RESULT_BYTES:
            raise ResultTooLarge(RESULT_TOO_LARGE)
        if self._file is None and self.bytes <= INLINE_BYTES:
            self._held += lines
            return
        if self._file is None:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._file = os.fdopen(fd, "wb", buffering=1 << 20)
            lines = self._held + lines
            self._held = []
        self._file.write(b"".join(lines))

    @staticmethod
    def _csv_line(values: list[Any]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([csv_text(v) for v in values])
        return out.getvalue()

    def close(self) -> None:
        if self._file is None:
            self.inline = b"".join(self._held).decode()
        else:
            self._file.close()

    def discard(self) -> None:
        self._held = []
        if self._file is not None:
            with contextlib.suppress(OSError):  # what could not be written (a full disk) is thrown away anyway
                self._file.close()
            self.path.unlink(missing_ok=True)


def read_page(path: Path, pages: list[list[int]], index: int, total_bytes: int) -> bytes:
    """The lines of page ``index`` of a result."""
    start = pages[index][0]
    end = pages[index + 1][0] if index + 1 < len(pages) else total_bytes
    with open(path, "rb") as result:
        result.seek(start)
        data = result.read(end - start)
    if len(data) != end - start:
        raise FileNotFoundError(path)  # cut short: the machine crashed before the file reached the disk
    return data


def json_records(page: bytes, blob_columns: Sequence[int]) -> list[list[dict[str, Any]]]:
    records = json.loads(b"[" + page.rstrip(b"\n").replace(b"\n", b",") + b"]") if page else []
    for index in blob_columns:
        for row in records:
            cell = row[index]
            if "blobValue" in cell:
                cell["blobValue"] = base64.b64decode(cell["blobValue"])
    return records
