"""AWS Query protocol requests -> plain Python values, driven by the model.

A request is a flat mapping of dotted keys (``TagKeys.TagKey.1=owner``) to
strings.  The operation's input shape says how those keys nest, so no
operation has parsing code of its own.  Checks that the model can express
(required members, enums, numeric ranges, length bounds, types) are made
here and raise the error AWS gives for them.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any, Mapping

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from localshift.errors import ApiError
from localshift.protocol.scalars import (
    NUMBER,
    WIRE_BOUNDS,
    length_violation,
    model_pattern,
    range_violation,
    shown,
    timestamp_from_text,
)


def parse_request(operation: OperationModel, params: Mapping[str, str]) -> dict[str, Any]:
    """Parse the flat form parameters of one request into the input structure."""
    shape = operation.input_shape
    if shape is None:
        return {}
    plan = _plan(operation.service_model.service_name, shape)
    assert isinstance(plan, _StructurePlan)
    return plan.top_level(_Form(params))


# No Query model nests deeper than this; keys with more dots cannot name a member.
_MAX_KEY_DEPTH = 32
_INTEGER = re.compile(r"[+-]?[0-9]+")


class _Form(Mapping[str, str]):
    """The flat parameters, plus an index of every dotted prefix they contain.

    Asking "is anything sent under ``Tags.Tag.7.``?" is then a set lookup, so a
    request with many list items parses in linear time, not quadratic.
    """

    def __init__(self, params: Mapping[str, str]) -> None:
        self._params = params
        self._parents: set[str] = set()
        for key in params:
            position = key.find(".")
            depth = 0
            while position != -1 and depth < _MAX_KEY_DEPTH:
                self._parents.add(key[:position])
                position = key.find(".", position + 1)
                depth += 1

    def __getitem__(self, key: str) -> str:
        return self._params[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def has_children(self, key: str) -> bool:
        return key in self._parents


# A plan parses the value sent under one key (None when nothing was sent there).  Plans are
# made once per shape from the model and kept: a request is then parsed by a walk of plain
# objects, not of the model's metadata.
class _Plan:
    def parse(self, params: _Form, key: str) -> Any:
        raise NotImplementedError


_PLANS: dict[tuple[str, str, str], _Plan] = {}


def _plan(service: str, shape: Shape) -> _Plan:
    key = (service, shape.type_name, shape.name)
    plan = _PLANS.get(key)
    if plan is None:
        if isinstance(shape, StructureShape):
            plan = _StructurePlan(service, shape)
        elif isinstance(shape, ListShape):
            plan = _ListPlan(service, shape)
        elif isinstance(shape, MapShape):
            plan = _MapPlan(service, shape)
        else:
            plan = _ScalarPlan(shape)
        _PLANS[key] = plan
    return plan


class _StructurePlan(_Plan):
    def __init__(self, service: str, shape: StructureShape) -> None:
        self.service, self.shape = service, shape
        self.wire_names = {name: member.serialization.get("name", name) for name, member in shape.members.items()}
        self.required = [(name, self.wire_names[name]) for name in shape.required_members]
        # (member name, wire name, plan), made on first use so that recursive shapes compile.
        self._members: list[tuple[str, str, _Plan]] | None = None
        self._by_wire_name: dict[str, tuple[str, _Plan]] = {}

    def members(self) -> list[tuple[str, str, _Plan]]:
        if self._members is None:
            self._members = [
                (name, self.wire_names[name], _plan(self.service, member)) for name, member in self.shape.members.items()
            ]
            self._by_wire_name = {wire: (name, plan) for name, wire, plan in self._members}
        return self._members

    def parse(self, params: _Form, key: str) -> dict[str, Any] | None:
        if not params.has_children(key):
            return None
        return self.fill(params, key + ".", [(name, key + "." + wire, plan) for name, wire, plan in self.members()])

    def top_level(self, params: _Form) -> dict[str, Any]:
        """The whole request: only the members whose wire name starts a key sent are looked at."""
        self.members()
        sent = {key.partition(".")[0] for key in params}
        present = [(name, wire, plan) for wire, (name, plan) in self._by_wire_name.items() if wire in sent]
        return self.fill(params, "", present)

    def fill(self, params: _Form, prefix: str, members: list[tuple[str, str, _Plan]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, key, plan in members:
            value = plan.parse(params, key)
            if value is not None:
                result[name] = value
        for name, wire in self.required:
            if name not in result:
                # AWS names the wire key the caller should have sent.
                raise ApiError("MissingParameter", f"The request must contain the parameter {prefix}{wire}")
        return result


class _ListPlan(_Plan):
    def __init__(self, service: str, shape: ListShape) -> None:
        self.service, self.shape = service, shape
        self.flattened = bool(shape.serialization.get("flattened"))
        self.member_name = shape.member.serialization.get("name", "member")

    def parse(self, params: _Form, key: str) -> list[Any] | None:
        item_parent = key if self.flattened else f"{key}.{self.member_name}"
        if not params.has_children(item_parent):
            # botocore sends an empty list as the bare key with an empty value.
            return [] if params.get(key) == "" else None
        member = _plan(self.service, self.shape.member)
        item_prefix = item_parent + "."
        items: list[Any] = []
        index = 1
        while True:
            item = member.parse(params, f"{item_prefix}{index}")
            if item is None:
                break
            items.append(item)
            index += 1
        _check_length(self.shape, len(items), key)
        return items


class _MapPlan(_Plan):
    def __init__(self, service: str, shape: MapShape) -> None:
        self.service, self.shape = service, shape
        self.entry = "" if shape.serialization.get("flattened") else "entry."
        self.key_name = shape.key.serialization.get("name", "key")
        self.value_name = shape.value.serialization.get("name", "value")

    def parse(self, params: _Form, key: str) -> dict[str, Any] | None:
        value_plan = _plan(self.service, self.shape.value)
        result: dict[str, Any] = {}
        index = 1
        while f"{key}.{self.entry}{index}.{self.key_name}" in params:
            base = f"{key}.{self.entry}{index}."
            result[params[base + self.key_name]] = value_plan.parse(params, base + self.value_name)
            index += 1
        return result or None


class _ScalarPlan(_Plan):
    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def parse(self, params: _Form, key: str) -> Any:
        raw = params.get(key)
        return None if raw is None else parse_scalar(self.shape, raw, key)


def parse_scalar(shape: Shape, raw: str, key: str) -> Any:
    type_name = shape.type_name
    if type_name == "string":
        enum = shape.enum
        if enum and raw not in enum:
            raise ApiError(
                "InvalidParameterValue",
                f"Invalid value '{shown(raw)}' for {key}. Valid values: {', '.join(enum)}.",
            )
        _check_length(shape, len(raw), key)
        checker = model_pattern(shape.metadata.get("pattern", ""))
        if checker is not None and not checker.search(raw):
            raise ApiError("InvalidParameterValue", f"Value '{shown(raw)}' for parameter {key} does not match {checker.pattern}.")
        return raw
    if type_name in ("integer", "long"):
        text = raw.strip()
        # int() alone would take "1_000", non-ASCII digits and values no wire type can hold.
        low, high = WIRE_BOUNDS[type_name]
        if len(text) > 25 or not _INTEGER.fullmatch(text) or not low <= int(text) <= high:
            raise _type_error(raw, key, f"an {type_name} from {low} to {high}")
        value = int(text)
        _check_range(shape, value, key)
        return value
    if type_name == "boolean":
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise _type_error(raw, key, "a boolean (true or false)")
        return lowered == "true"
    if type_name in ("double", "float"):
        text = raw.strip()
        if len(text) > 400 or not NUMBER.fullmatch(text):
            raise _type_error(raw, key, "a number")
        return float(text)
    if type_name == "timestamp":
        return parse_timestamp(raw, key)
    if type_name == "blob":
        try:
            return base64.b64decode(raw, validate=True)
        except ValueError:
            raise _type_error(raw, key, "base64 data") from None
    raise ApiError("InvalidParameterValue", f"Unsupported parameter {key}.")


def parse_timestamp(raw: str, key: str) -> datetime:
    """Accept any ISO 8601 / RFC 3339 form, and epoch seconds as some SDKs send."""
    try:
        return timestamp_from_text(raw, epoch_text=True)
    except (ValueError, OverflowError, OSError):
        raise _type_error(raw, key, "an ISO 8601 timestamp") from None


def _type_error(raw: str, key: str, expected: str) -> ApiError:
    return ApiError(
        "InvalidParameterValue", f"Value '{shown(raw)}' for parameter {key} is invalid: expected {expected}."
    )


def _check_length(shape: Shape, length: int, key: str) -> None:
    violated = length_violation(shape, length)
    if violated:
        raise ApiError("InvalidParameterValue", f"Parameter {key} must {violated}.")


def _check_range(shape: Shape, value: float, key: str) -> None:
    violated = range_violation(shape, value)
    if violated:
        raise ApiError("InvalidParameterValue", f"Value {value} for parameter {key} must {violated}.")
