"""SET / RESET / SHOW of Redshift's session configuration parameters.

Parameters PostgreSQL also has (search_path, statement_timeout, timezone,
datestyle, extra_float_digits...) pass through unchanged.  Redshift-only ones
live in the engine as custom settings under the ``redshift.`` prefix, whose
defaults the installer writes with ALTER SYSTEM; SET/RESET/SHOW address them
there, so they are transactional and per session exactly like PostgreSQL's,
with no state in the front.  ``enable_case_sensitive_identifier`` also changes
how the translator folds quoted identifiers (``Translation.case_sensitive``).
SHOW ALL lists the parameters of Redshift's configuration reference, not the
engine's settings.
CURRENT_SETTING and SET_CONFIG name the Redshift-only ones as SET does (``setting_call``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import not_supported, syntax_error
from .tokens import Group, Node, quote_literal, raw, render, split_commas, string_value, strip, words

if TYPE_CHECKING:
    from .expressions import Rewriter

# Redshift-only session parameters and their defaults (Redshift's
# configuration reference).  Accepted and shown by SHOW; only
# enable_case_sensitive_identifier changes what localshift does.
REDSHIFT_SETTINGS = {
    "analyze_threshold_percent": "10",
    "cast_super_null_on_error": "on",
    "datashare_break_glass_session_var": "",  # no default: a one-time value Redshift hands out
    "default_array_search_null_handling": "false",
    "default_geometry_encoding": "2",
    "describe_field_name_in_uppercase": "off",
    "downcase_delimited_identifier": "on",
    "enable_case_sensitive_identifier": "false",
    "enable_case_sensitive_super_attribute": "false",
    "enable_numeric_rounding": "on",
    "enable_result_cache_for_session": "on",
    "enable_spectrum_oid": "true",
    "enable_vacuum_boost": "false",
    "error_on_nondeterministic_update": "false",
    "interval_forbid_composite_literals": "error",
    "json_parse_dedupe_duplicate_keys": "false",
    "json_parse_truncate_strings": "off",
    "json_serialization_enable": "false",
    "json_serialization_parse_nested_strings": "false",
    "max_concurrency_scaling_clusters": "1",
    "max_cursor_result_set_size": "0",
    "mv_enable_aqmv_for_session": "true",
    "navigate_super_null_on_error": "on",
    "parse_super_null_on_error": "off",
    "pg_federation_repeatable_read": "true",
    "query_group": "default",  # STL_QUERY.label shows "default" when unset
    "spectrum_enable_pseudo_columns": "true",
    "spectrum_query_maxerror": "-1",
    "stored_proc_log_min_messages": "LOG",
    "use_fips_ssl": "false",
    "wlm_query_slot_count": "1",
}
PREFIX = "redshift."
# Redshift's own names for PostgreSQL settings.  ``readonly`` is what AWS's JDBC driver sets
# for Connection.setReadOnly (``SET readonly=1`` / ``=0``): the session's transactions become
# read only, which PostgreSQL's default_transaction_read_only is (1 and 0 read as on and off).
ALIASES = {"readonly": "default_transaction_read_only"}
CASE_SENSITIVE = "enable_case_sensitive_identifier"
# The parameters of Redshift's configuration reference that are PostgreSQL's too.
POSTGRESQL_SETTINGS = ("datestyle", "extra_float_digits", "search_path", "statement_timeout", "timezone")
_TRUE = {"true", "on", "1", "yes", "t"}


def set_statement(sig: list[Node], nodes: list[Node]) -> tuple[str | None, bool | None]:
    """SET [SESSION | LOCAL] name {TO | =} value.  Returns (PostgreSQL text or None
    when unchanged, new case sensitivity or None)."""
    k = 1
    if len(sig) > k and sig[k].low in ("session", "local") and len(sig) > k + 1 \
            and sig[k + 1].low not in ("to", "="):
        k += 1
    if len(sig) <= k:
        raise syntax_error("set")
    name = sig[k].low
    if name in ALIASES:
        return f"{render(nodes[:nodes.index(sig[k])])}{ALIASES[name]}{render(nodes[nodes.index(sig[k]) + 1:])}", None
    if name not in REDSHIFT_SETTINGS:
        return None, None
    value_nodes = nodes[nodes.index(sig[k]) + 1:]
    value_words = words(value_nodes)
    if not value_words or value_words[0].low not in ("to", "="):
        raise syntax_error(sig[k].text)
    value = render(strip(value_nodes[value_nodes.index(value_words[0]) + 1:]))
    head = render(nodes[:nodes.index(sig[k])])
    case_sensitive = None
    if name == CASE_SENSITIVE:
        raw_value = value.strip("'").lower()
        case_sensitive = False if raw_value == "default" else raw_value in _TRUE
    return f"{head}{PREFIX}{name} TO {value}", case_sensitive


def reset_statement(sig: list[Node]) -> tuple[str | None, bool | None]:
    if len(sig) != 2:
        raise syntax_error("reset")
    name = sig[1].low
    if name == "all":
        return None, False
    if name in ALIASES:
        return f"RESET {ALIASES[name]}", None
    if name not in REDSHIFT_SETTINGS:
        return None, None
    return f"RESET {PREFIX}{name}", False if name == CASE_SENSITIVE else None


def setting_call(rw: "Rewriter", nodes: list[Node], i: int, j: int) -> tuple[list[Node], int]:
    """CURRENT_SETTING('name' [, error_if_undefined]) / SET_CONFIG('name', value, is_local) of a
    Redshift-only parameter or an alias (AWS's example: ``SET_CONFIG('query_group', 'test', true)``):
    its name in the engine.  Others (PostgreSQL's, session context variables such as
    ``'app.username'``) the engine has as they are.  CURRENT_SETTING's second argument is Redshift's
    ``error_if_undefined`` (FALSE: NULL for an undefined variable), the opposite of PostgreSQL's
    ``missing_ok``."""
    group = nodes[j]
    parts = split_commas(group.nodes) if isinstance(group, Group) else []
    args = [rw.text(part) for part in parts]
    first = words(parts[0]) if parts else []
    if len(first) == 1 and first[0].kind in ("string", "dollar"):
        name = string_value(first[0]).lower()
        if name == CASE_SENSITIVE and nodes[i].low == "set_config":
            # The translator folds identifiers by it (Translation.case_sensitive), which a function
            # changing it inside a query could not tell; SET does.
            raise not_supported(f"SET_CONFIG of {CASE_SENSITIVE} (use SET)")
        if name in ALIASES:
            args[0] = quote_literal(ALIASES[name])
        elif name in REDSHIFT_SETTINGS:
            args[0] = quote_literal(PREFIX + name)
    if nodes[i].low == "current_setting" and len(args) == 2:
        args[1] = f"NOT ({args[1]})"
    return [raw(f"{nodes[i].text}({', '.join(args)})")], j + 1


def show_setting(sig: list[Node]) -> str | None:
    if [w.low for w in sig] == ["show", "all"]:
        return _SHOW_ALL
    if len(sig) == 2 and sig[1].low in ALIASES:
        return f"SELECT current_setting({quote_literal(ALIASES[sig[1].low])}) AS {sig[1].low}"
    if len(sig) != 2 or sig[1].low not in REDSHIFT_SETTINGS:
        return None
    name = sig[1].low
    return f"SELECT current_setting({quote_literal(PREFIX + name)}) AS {name}"


def _show_all() -> str:
    """SHOW ALL: Redshift's parameters (its configuration reference), ``name | setting`` by name, not
    the engine's few hundred."""
    rows = ", ".join(f"({quote_literal(name)}, current_setting("
                     f"{quote_literal(name if name in POSTGRESQL_SETTINGS else PREFIX + name)}))"
                     for name in sorted([*POSTGRESQL_SETTINGS, *REDSHIFT_SETTINGS]))
    return f"SELECT name, setting FROM (VALUES {rows}) AS parameters (name, setting) ORDER BY name"


_SHOW_ALL = _show_all()
