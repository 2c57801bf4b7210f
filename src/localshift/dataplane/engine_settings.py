"""An engine's cluster-wide defaults: parameter group values, and what audit logging needs logged.

Parameter values become every new session's defaults with ``ALTER ROLE ALL SET``:
below what a user sets for a role (``ALTER USER ... SET``) or a session (``SET``), as
in Redshift, and above postgresql.conf, so engine set-up that writes defaults there
never overrides them.  They are kept in the engine's catalog, so they travel with its
snapshots (a restore applies its new cluster's values over them).  Parameters
PostgreSQL has (datestyle, extra_float_digits, search_path, statement_timeout) set
PostgreSQL's own; the others are custom settings under ``redshift.``, where the SQL
layer's SHOW and SET find Redshift-only parameters.  The internal role keeps
PostgreSQL's defaults for the ones that would change what it does.

Audit logging sets the engine's own log settings (ALTER SYSTEM, then a reload): every
connection, disconnection and statement is logged with a prefix audit_logs.py reads.

The cluster's facts (its account, namespace id and default IAM role: CURRENT_AWS_ACCOUNT,
CURRENT_NAMESPACE, DEFAULT_IAM_ROLE()) are written with ALTER SYSTEM too, as ``localshift.*``
settings that the catalog reads from the configuration files (pg_file_settings, through
functions of the internal role's: catalog/24_system.sql), never from a session's values, which
any user may SET.  Only a superuser writes those files, and they hold for every database.
"""

from __future__ import annotations

from typing import Collection, Mapping

import psycopg
from psycopg import sql

from .api import ClusterFacts
from .roles import ADMIN_SEARCH_PATH, ADMIN_USER

NATIVE = ("datestyle", "extra_float_digits", "search_path", "statement_timeout")
# Also changes how the SQL front reads quoted identifiers (the wire front starts sessions with it).
CASE_SENSITIVE = "enable_case_sensitive_identifier"
# The wire front refuses plain-text startups when it is true.
REQUIRE_SSL = "require_ssl"
CUSTOM_PREFIX = "redshift."
# The internal role's own values: a user's statement_timeout or search_path must not reach backups.
_INTERNAL = {"statement_timeout": sql.Literal("0"), "search_path": sql.SQL(ADMIN_SEARCH_PATH)}

# What audit_logs.py parses: a marker, then the fields it needs.  %q: nothing for
# processes that serve no session (checkpointer and the like).
LOG_LINE_PREFIX = "%qLSAUDIT|%m|%p|%c|%x|%u|%d|%r| "
_LOG_SETTINGS = ("log_connections", "log_disconnections", "log_statement", "log_line_prefix", "log_timezone")


def setting_name(parameter: str) -> sql.Composable:
    name = parameter if parameter in NATIVE else CUSTOM_PREFIX + parameter
    return sql.Identifier(*name.split("."))


def _value(parameter: str, value: str) -> sql.Composable:
    if parameter == "search_path":
        # A list setting: one identifier per schema ("$user" included); unquoted names fold to lowercase.
        schemas = [part.strip() for part in value.split(",") if part.strip()]
        return sql.SQL(", ").join(
            sql.Identifier(schema.strip('"') if schema.startswith('"') or schema == "$user" else schema.lower())
            for schema in schemas)
    return sql.Literal(value)


def apply_settings(conn: psycopg.Connection, settings: Mapping[str, str]) -> None:
    """Make ``settings`` (Redshift parameter names and values) the defaults of new sessions."""
    with conn.transaction():
        for parameter, value in settings.items():
            conn.execute(sql.SQL("ALTER ROLE ALL SET {} = {}").format(setting_name(parameter),
                                                                      _value(parameter, value)))
        for name, internal in _INTERNAL.items():
            conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(sql.Identifier(ADMIN_USER),
                                                                     sql.Identifier(name), internal))


def set_cluster_facts(conn: psycopg.Connection, facts: ClusterFacts) -> None:
    """Write the facts the catalog's CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE and DEFAULT_IAM_ROLE() read
    (no reload: the catalog reads the files, not the settings sessions have)."""
    values = {"aws_account": facts.account, "namespace": facts.namespace, "default_iam_role": facts.default_iam_role}
    for name, value in values.items():
        setting = sql.Identifier("localshift", name)
        if value is None:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(setting))
        else:
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(setting, sql.Literal(value)))


def set_audit_logging(conn: psycopg.Connection, log_types: Collection[str]) -> None:
    """Log what ``log_types`` need (nothing: PostgreSQL's defaults again), effective at once."""
    if log_types:
        values = {
            "log_connections": "on", "log_disconnections": "on",
            # Statements only for the user activity log (the user log compares the engine's roles).
            "log_statement": "all" if "useractivitylog" in log_types else "none",
            "log_line_prefix": LOG_LINE_PREFIX, "log_timezone": "UTC",
        }
        for name, value in values.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
    else:
        for name in _LOG_SETTINGS:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(name)))
    conn.execute("SELECT pg_reload_conf()")
