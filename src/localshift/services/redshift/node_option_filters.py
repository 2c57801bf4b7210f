"""The Filters of DescribeNodeConfigurationOptions: names, operators, value counts and value types.

Name is NodeType (only ``in``), NumberOfNodes (integers 0-200),
EstimatedDiskUtilizationPercent (numbers 0-100) or Mode; operators eq, lt, gt,
le and ge take exactly one value, between two (lower first), in one or more.
Values come as strings on the wire.  Several filters combine with AND.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from localshift.errors import invalid_parameter

if TYPE_CHECKING:
    from localshift.services.redshift.node_options import NodeOption

STANDARD, HIGH_PERFORMANCE = "standard", "high-performance"
MODES = (STANDARD, HIGH_PERFORMANCE)
NODES_RANGE = (0, 200)
PERCENT_RANGE = (0.0, 100.0)
_INTEGER = re.compile(r"\s*\+?\d+\s*")


@dataclass(frozen=True)
class OptionFilter:
    name: str
    operator: str
    values: tuple[Any, ...]

    def matches(self, option: NodeOption) -> bool:
        actual: Any = {
            "NodeType": option.node_type,
            "NumberOfNodes": option.number_of_nodes,
            "EstimatedDiskUtilizationPercent": option.percent,
            "Mode": option.mode,
        }[self.name]
        if actual is None:
            return False  # rows without a Mode match no Mode filter
        return _OPERATORS[self.operator](actual, self.values)


_OPERATORS: dict[str, Callable[[Any, tuple[Any, ...]], bool]] = {
    "eq": lambda a, v: a == v[0],
    "lt": lambda a, v: a < v[0],
    "gt": lambda a, v: a > v[0],
    "le": lambda a, v: a <= v[0],
    "ge": lambda a, v: a >= v[0],
    "in": lambda a, v: a in v,
    "between": lambda a, v: v[0] <= a <= v[1],
}
_ORDERING = ("eq", "lt", "gt", "le", "ge", "in", "between")
# Operators each filter name accepts.
_ALLOWED_OPERATORS = {
    "NodeType": ("in",),
    "NumberOfNodes": _ORDERING,
    "EstimatedDiskUtilizationPercent": _ORDERING,
    "Mode": ("eq", "in"),
}


def _count_rule(operator: str, count: int) -> str | None:
    if operator in ("eq", "lt", "gt", "le", "ge") and count != 1:
        return "exactly one value"
    if operator == "between" and count != 2:
        return "exactly two values"
    if operator == "in" and count < 1:
        return "one or more values"
    return None


def _number_of_nodes(raw: str) -> int:
    if not _INTEGER.fullmatch(raw):
        raise invalid_parameter(f"Filter NumberOfNodes value '{raw}' is not an integer.")
    value = int(raw)
    low, high = NODES_RANGE
    if not low <= value <= high:
        raise invalid_parameter(f"Filter NumberOfNodes value {value} is out of range: values range from {low} to {high}.")
    return value


def _percent(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise invalid_parameter(f"Filter EstimatedDiskUtilizationPercent value '{raw}' is not a number.") from None
    low, high = PERCENT_RANGE
    if not math.isfinite(value) or not low <= value <= high:
        raise invalid_parameter(
            f"Filter EstimatedDiskUtilizationPercent value '{raw}' is out of range: values range from 0 to 100."
        )
    return value


def _mode(raw: str) -> str:
    if raw not in MODES:
        raise invalid_parameter(f"Filter Mode value '{raw}' is not valid. Valid values: {', '.join(MODES)}.")
    return raw


_VALUE_PARSERS: dict[str, Callable[[str], Any]] = {
    "NodeType": lambda raw: raw,
    "NumberOfNodes": _number_of_nodes,
    "EstimatedDiskUtilizationPercent": _percent,
    "Mode": _mode,
}


def parse_filters(raw_filters: list[dict[str, Any]]) -> list[OptionFilter]:
    """Check the Filters parameter and turn each filter's values into typed values."""
    filters: list[OptionFilter] = []
    for raw in raw_filters:
        name, operator, values = raw.get("Name"), raw.get("Operator"), raw.get("Values")
        if name is None:
            raise invalid_parameter("Each filter must have a Name: NodeType, NumberOfNodes, "
                                    "EstimatedDiskUtilizationPercent or Mode.")
        if operator is None:
            raise invalid_parameter(f"Filter {name} must have an Operator: eq, lt, gt, le, ge, in or between.")
        allowed = _ALLOWED_OPERATORS[name]
        if operator not in allowed:
            if name == "NodeType":
                raise invalid_parameter("Filter NodeType supports only the 'in' operator.")
            raise invalid_parameter(f"Filter {name} does not support the '{operator}' operator; use one of: "
                                    f"{', '.join(allowed)}.")
        values = values or []
        rule = _count_rule(operator, len(values))
        if rule is not None:
            raise invalid_parameter(
                f"Filter {name} with operator '{operator}' takes {rule}; {len(values)} given."
            )
        parsed = tuple(_VALUE_PARSERS[name](value) for value in values)
        if operator == "between" and parsed[0] > parsed[1]:
            raise invalid_parameter(
                f"Filter {name} with operator 'between' needs the lower bound first; got {values[0]} and {values[1]}."
            )
        filters.append(OptionFilter(name, operator, parsed))
    return filters
