"""Parameter group families and their parameters, as data (what DescribeDefaultClusterParameters shows).

The parameters, descriptions, data types and allowed values are those AWS reports
(DescribeClusterParameters output published by AWS users; the Management Guide's
"Default parameter values" table).  AWS reports every parameter with ApplyType
``static``: a change reaches a cluster's databases at its next reboot (only the
dynamic properties of wlm_json_configuration apply at once, wlm.py).

``redshift-2.0`` is the family of the default parameter group new and restored
clusters get since January 2025 (``default.redshift-2.0``, whose ``require_ssl`` is
``true``); ``redshift-1.0`` is the older family, still accepted on every cluster.
``max_cursor_result_set_size`` is deprecated: only the old family still lists it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localshift.errors import invalid_parameter
from localshift.services.redshift import wlm

DEFAULT_FAMILY = "redshift-2.0"
FAMILIES = ("redshift-1.0", "redshift-2.0")
DEFAULT_PREFIX = "default."


def default_group_name(family: str) -> str:
    return DEFAULT_PREFIX + family


DEFAULT_GROUP = default_group_name(DEFAULT_FAMILY)
DEFAULT_GROUPS = tuple(default_group_name(family) for family in FAMILIES)


@dataclass(frozen=True)
class ParameterDefinition:
    name: str
    default: str
    description: str
    data_type: str  # boolean | integer | string
    allowed_values: str | None = None  # as AWS shows it: "true,false", "0-10", "0,100-2147483647"

    def shape(self, value: str, source: str) -> dict[str, object]:
        """The Parameter shape of this parameter holding ``value``."""
        parameter: dict[str, object] = {
            "ParameterName": self.name,
            "ParameterValue": value,
            "Description": self.description,
            "Source": source,
            "DataType": self.data_type,
            "ApplyType": "static",
            "IsModifiable": True,
        }
        if self.allowed_values is not None:
            parameter["AllowedValues"] = self.allowed_values
        return parameter


_BOOLEAN = "true,false"
_COMMON = [
    ParameterDefinition("auto_analyze", "true", "Use auto analyze", "boolean", _BOOLEAN),
    ParameterDefinition("auto_mv", "true", "Enable AutoMV", "boolean", _BOOLEAN),
    ParameterDefinition("datestyle", "ISO, MDY", "Sets the display format for date and time values.", "string"),
    ParameterDefinition(
        "enable_case_sensitive_identifier", "false",
        "Preserve case sensitivity for database identifiers such as table or column names in parser",
        "boolean", _BOOLEAN,
    ),
    ParameterDefinition("enable_user_activity_logging", "false", "parameter for audit logging purpose", "boolean",
                        _BOOLEAN),
    ParameterDefinition("extra_float_digits", "0", "Sets the number of digits displayed for floating-point values",
                        "integer", "-15-2"),
    ParameterDefinition("max_concurrency_scaling_clusters", "1",
                        "The maximum concurrency scaling clusters can be used.", "integer", "0-10"),
    ParameterDefinition(
        "query_group", "default",
        "This parameter applies a user-defined label to a group of queries that are run during the same session..",
        "string",
    ),
    ParameterDefinition("require_ssl", "false", "require ssl for all databaseconnections", "boolean", _BOOLEAN),
    ParameterDefinition("search_path", "$user, public",
                        "Sets the schema search order for names that are not schema-qualified.", "string"),
    ParameterDefinition("statement_timeout", "0",
                        "Aborts any statement that takes over the specified number of milliseconds.", "integer",
                        "0,100-2147483647"),
    ParameterDefinition("use_fips_ssl", "false", "Use fips ssl library", "boolean", _BOOLEAN),
    ParameterDefinition("wlm_json_configuration", wlm.DEFAULT, "wlm json configuration", "string"),
]
_CURSOR_SIZE = ParameterDefinition("max_cursor_result_set_size", "default", "Sets the max cursor result set size",
                                   "integer", "0-14400000")


def _family(definitions: list[ParameterDefinition], **defaults: str) -> dict[str, ParameterDefinition]:
    """Definitions in name order (as AWS lists them), with family-specific defaults."""
    out = {}
    for definition in sorted(definitions, key=lambda d: d.name):
        if definition.name in defaults:
            definition = ParameterDefinition(definition.name, defaults[definition.name], definition.description,
                                             definition.data_type, definition.allowed_values)
        out[definition.name] = definition
    return out


CATALOG: dict[str, dict[str, ParameterDefinition]] = {
    "redshift-1.0": _family([*_COMMON, _CURSOR_SIZE]),
    # Since January 10, 2025 new default groups require SSL.
    "redshift-2.0": _family(_COMMON, require_ssl="true"),
}


def defaults(family: str) -> dict[str, str]:
    return {name: definition.default for name, definition in CATALOG[family].items()}


# --- values -------------------------------------------------------------------------

_RANGE = re.compile(r"(-?\d+)-(-?\d+)")
_INTEGER = re.compile(r"-?\d+")
_DATE_STYLES = {"iso", "postgres", "sql", "german"}
_DATE_ORDERS = {"mdy", "dmy", "ymd"}
_SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*|\$user")
_QUOTED = re.compile(r'"[^"]+"')
MAX_VALUE_LENGTH = 8000  # wlm_json_configuration's documented maximum, the longest of all


def check_value(definition: ParameterDefinition, value: str) -> str:
    """The value as the group stores it, or InvalidParameterValue naming what is allowed."""
    if len(value) > MAX_VALUE_LENGTH or any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in value):
        raise _invalid(definition, value)
    if definition.data_type == "boolean":
        if value.lower() not in ("true", "false"):
            raise _invalid(definition, value)
        return value.lower()
    if definition.data_type == "integer":
        if definition.name == "max_cursor_result_set_size" and value.lower() == "default":
            return "default"
        if not _INTEGER.fullmatch(value.strip()) or not _in_ranges(int(value), definition.allowed_values or ""):
            raise _invalid(definition, value)
        return str(int(value))
    return _STRING_CHECKS.get(definition.name, _any_text)(definition, value)


def _in_ranges(number: int, allowed: str) -> bool:
    for part in allowed.split(","):
        match = _RANGE.fullmatch(part)
        low, high = (int(match.group(1)), int(match.group(2))) if match else (int(part), int(part))
        if low <= number <= high:
            return True
    return False


def _invalid(definition: ParameterDefinition, value: str) -> Exception:
    allowed = f" Allowed values: {definition.allowed_values}." if definition.allowed_values else ""
    shown = value if len(value) <= 64 else value[:61] + "..."
    return invalid_parameter(f"Invalid value '{shown}' for parameter {definition.name}.{allowed}")


def _datestyle(definition: ParameterDefinition, value: str) -> str:
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 2 or parts[0].lower() not in _DATE_STYLES or parts[1].lower() not in _DATE_ORDERS:
        raise invalid_parameter(
            f"Invalid value '{value}' for parameter datestyle: use a format (ISO, Postgres, SQL, German) "
            "and an order (MDY, DMY, YMD), for example 'ISO, MDY'."
        )
    return f"{parts[0]}, {parts[1]}"


def _search_path(definition: ParameterDefinition, value: str) -> str:
    """Schema names (a quoted one keeps its case), comma-separated; kept as written, spaced evenly."""
    schemas = [part.strip() for part in value.split(",")]
    if not all((_QUOTED.fullmatch(schema) or _SCHEMA.fullmatch(schema)) and len(schema) <= 127 for schema in schemas):
        raise invalid_parameter(
            f"Invalid value '{value}' for parameter search_path: use a comma-separated list of schema names."
        )
    return ", ".join(schemas)


def _wlm(definition: ParameterDefinition, value: str) -> str:
    wlm.parse(value)
    return value


def _any_text(definition: ParameterDefinition, value: str) -> str:
    return value


_STRING_CHECKS = {"datestyle": _datestyle, "search_path": _search_path, "wlm_json_configuration": _wlm}
