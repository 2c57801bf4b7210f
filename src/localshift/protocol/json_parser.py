"""AWS JSON protocol request bodies -> plain Python values, driven by the model.

The body is one JSON object; the operation's input shape says what each member
is, so no operation has parsing code of its own.  Two kinds of bad input, as
AWS's JSON services tell them apart:

* a body that is not JSON, or a value of the wrong JSON type (a string where
  the model has an integer): ``SerializationException``;
* a well-typed value that breaks a model constraint (a required member
  missing, an enum, a length, a range, a pattern): ``ValidationException``,
  listing every violation in AWS's words ("1 validation error detected: Value
  null at 'namespaceName' failed to satisfy constraint: Member must not be null").

Members the model does not know are ignored, and ``null`` counts as absent.
Timestamps arrive as epoch seconds (what SDKs send); ISO 8601 text is accepted too.
"""

from __future__ import annotations

import base64
import builtins
import binascii
import json
import math
from datetime import datetime, timezone
from typing import Any

from botocore.model import OperationModel, Shape

from localshift.errors import ApiError
from localshift.protocol.scalars import (
    UNPAIRED_SURROGATE,
    WIRE_BOUNDS,
    length_violation,
    model_pattern,
    printable,
    range_violation,
    shown,
    timestamp_from_text,
)


def parse_request(operation: OperationModel, body: bytes) -> dict[str, Any]:
    """Parse one request body into the operation's input structure."""
    document = _load(body)
    shape = operation.input_shape
    if shape is None:
        return {}
    violations: list[str] = []
    result = _Reader(violations).structure(shape, document, "")
    if violations:
        count = len(violations)
        raise ApiError(
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(violations),
        )
    return result


def _load(body: bytes) -> Any:
    if not body.strip():
        return {}  # SDKs send "{}" for empty input; an empty body means the same
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _serialization("The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _serialization("The request body must be a JSON object.")
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _serialization(message: str) -> ApiError:
    return ApiError("SerializationException", message)


def _type_error(path: str, expected: str, value: Any) -> ApiError:
    found = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")
    return _serialization(f"Expected {expected} at '{path}', found {found}.")


class _Reader:
    def __init__(self, violations: list[str]) -> None:
        self.violations = violations

    def violation(self, shape: Shape, path: str, value: Any, constraint: str) -> None:
        # AWS quotes the value back, except for sensitive members (passwords, user names).
        if value is None:
            quoted = "Value null"
        elif shape.metadata.get("sensitive"):
            quoted = "Value"
        else:
            text = printable(value) if isinstance(value, str) else json.dumps(value)
            quoted = f"Value '{shown(text)}'"
        self.violations.append(f"{quoted} at '{path}' failed to satisfy constraint: Member must {constraint}")

    def value(self, shape: Shape, value: Any, path: str) -> Any:
        reader = getattr(self, shape.type_name, None)
        if reader is None:
            raise _serialization(f"Unsupported member type {shape.type_name} at '{path}'.")
        return reader(shape, value, path)

    def structure(self, shape: Shape, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _type_error(path or "(body)", "an object", value)
        result: dict[str, Any] = {}
        prefix = f"{path}." if path else ""
        for name, member in shape.members.items():
            raw = value.get(member.serialization.get("name", name))
            if raw is not None:
                result[name] = self.value(member, raw, prefix + name)
        for name in shape.required_members:
            if name not in result:
                self.violation(shape.members[name], prefix + name, None, "not be null")
        return result

    def list(self, shape: Shape, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise _type_error(path, "an array", value)
        self.length(shape, len(value), value, path)
        # AWS names list items '<member>.<position>.member'; a null item is a violation (no handler
        # expects a hole in a list).
        items = []
        for index, item in enumerate(value, start=1):
            item_path = f"{path}.{index}.member"
            if item is None:
                self.violation(shape.member, item_path, None, "not be null")
            else:
                items.append(self.value(shape.member, item, item_path))
        return items

    def map(self, shape: Shape, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _type_error(path, "an object", value)
        self.length(shape, len(value), value, path)
        return {
            self.value(shape.key, key, f"{path}.{key}.key"): self.value(shape.value, item, f"{path}.{key}.value")
            for key, item in value.items()
            if item is not None
        }

    def string(self, shape: Shape, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise _type_error(path, "a string", value)
        if UNPAIRED_SURROGATE.search(value):
            # JSON's \ud800 escape can name half a character; such text cannot be stored or sent back.
            self.violation(shape, path, value, "be valid Unicode text (it has an unpaired surrogate)")
            return value
        if shape.enum and value not in shape.enum:
            self.violation(shape, path, value, f"satisfy enum value set: [{', '.join(shape.enum)}]")
        self.length(shape, len(value), value, path)
        if len(value) > shape.metadata.get("max", len(value)):
            # A value already too long is not also matched against the pattern: some model patterns
            # (WorkgroupNameString's leading '.*', CatalogNameString's nested stars) backtrack for
            # minutes on a long value, and parsing holds the event loop every request waits on.
            return value
        pattern = shape.metadata.get("pattern")
        checker = model_pattern(pattern or "")
        if checker is not None and not checker.search(value):
            self.violation(shape, path, value, f"satisfy regular expression pattern: {pattern}")
        return value

    def boolean(self, shape: Shape, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise _type_error(path, "a boolean", value)
        return value

    def integer(self, shape: Shape, value: Any, path: str) -> int:
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not integral:
            raise _type_error(path, f"an {shape.type_name}", value)
        number = int(value)
        low, high = WIRE_BOUNDS[shape.type_name]
        if not low <= number <= high:
            raise _serialization(f"Numeric value {number} at '{path}' is out of range of {shape.type_name}.")
        self.range(shape, number, path)
        return number

    long = integer

    def double(self, shape: Shape, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, "a number", value)
        number = float(value)
        if math.isinf(number):
            raise _serialization(f"Numeric value at '{path}' is out of range of {shape.type_name}.")
        self.range(shape, number, path)
        return number

    float = double

    def timestamp(self, shape: Shape, value: Any, path: str) -> datetime:
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return datetime.fromtimestamp(value, tz=timezone.utc)
            if isinstance(value, str):
                return timestamp_from_text(value, epoch_text=False)
        except (ValueError, OverflowError, OSError):
            pass
        raise _serialization(f"Expected a timestamp (epoch seconds) at '{path}'.")

    def blob(self, shape: Shape, value: Any, path: str) -> bytes:
        if not isinstance(value, str):
            raise _type_error(path, "base64 text", value)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _serialization(f"Expected base64 text at '{path}'.") from None

    def length(self, shape: Shape, length: int, value: Any, path: str) -> None:
        violated = length_violation(shape, length)
        if violated:
            self.violation(shape, path, value, violated)

    def range(self, shape: Shape, number: builtins.float, path: str) -> None:  # this class names a parser "float"
        violated = range_violation(shape, number)
        if violated:
            self.violation(shape, path, number, violated)
