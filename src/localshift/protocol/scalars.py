"""What every wire protocol needs for scalar values: wire-type bounds, model patterns,
model length and range constraints, timestamps in and out, and values quoted back in messages."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from botocore.model import Shape

# The values each integral wire type can hold (Smithy's integer and long).
WIRE_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# A plain decimal or exponent number, as Query text may carry; what float() would also take beyond
# this (underscores, non-ASCII digits, "nan") is refused.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Infinity")
# Longer timestamp text is no timestamp, whatever it holds.
MAX_TIMESTAMP_TEXT = 64
# Half a character: JSON's \ud800 escape can name one, but it has no UTF-8 form.
UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=None)
def model_pattern(pattern: str) -> re.Pattern[str] | None:
    """A model's ``pattern`` trait compiled once; None when absent.

    Model patterns are Java regular expressions; the few Python cannot compile (Unicode
    classes such as \\p{L}) are not enforced.
    """
    if not pattern:
        return None
    try:
        return re.compile(_end_anchored(pattern))
    except re.error:
        return None


def _end_anchored(pattern: str) -> str:
    r"""Make ``$`` mean the end of the value, as AWS's validators apply it.

    Python's ``$`` (like Java's) also matches before a final newline, so
    ``^[a-z0-9-]+$`` would accept ``"name\n"``; AWS refuses it.  Each
    unescaped ``$`` outside a character class becomes ``\Z``.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


def length_violation(shape: Shape, length: int) -> str | None:
    """The model's length constraint ``length`` breaks, in AWS's words ("have length ..."), or None."""
    return _outside(shape, length, "length")


def range_violation(shape: Shape, number: float) -> str | None:
    """The model's range constraint ``number`` breaks ("have value ..."), or None."""
    return _outside(shape, number, "value")


def _outside(shape: Shape, number: float, what: str) -> str | None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and number < low:
        return f"have {what} greater than or equal to {low}"
    if high is not None and number > high:
        return f"have {what} less than or equal to {high}"
    return None


def timestamp_from_text(text: str, epoch_text: bool) -> datetime:
    """Any ISO 8601 / RFC 3339 form (and, with ``epoch_text``, epoch seconds written as text, as
    some SDKs send on the Query protocol) as an aware UTC datetime.

    ValueError (or OverflowError / OSError for epochs out of range) when it is neither.
    """
    if len(text) > MAX_TIMESTAMP_TEXT:
        raise ValueError(text)
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        if not epoch_text or not NUMBER.fullmatch(text):
            raise
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    return as_utc(value)


def as_utc(value: datetime) -> datetime:
    """The service keeps UTC: a naive value is UTC, never the host's zone.

    Offsets near year 1 or 9999 can leave datetime's range when moved to UTC (OverflowError).
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def iso_timestamp(value: datetime) -> str:
    """UTC with millisecond precision, as Redshift answers: 2013-07-17T22:04:18.947Z."""
    value = as_utc(value)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


def epoch_seconds(value: datetime) -> float:
    """Seconds since the epoch with millisecond precision (the JSON protocol's timestamps)."""
    return round(as_utc(value).timestamp(), 3)


def shown(text: str) -> str:
    """A caller's value as quoted back in a message: long values are cut."""
    return text if len(text) <= 100 else text[:100] + "..."


def printable(text: str) -> str:
    """``text`` with each unpaired surrogate (echoed from a request) replaced by U+FFFD."""
    return UNPAIRED_SURROGATE.sub("\ufffd", text)
