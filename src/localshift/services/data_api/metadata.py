"""ListDatabases, ListSchemas, ListTables and DescribeTable: the catalog, read at once.

Each runs a catalog query on the target as its user (a pooled connection, as statements use)
and pages the answer by MaxResults (at most 1000; none or 0: every row at once) with a
NextToken naming the last row returned.  PostgreSQL keeps a catalog per database, so the
schemas, tables and columns of ``Database`` are read by connecting to it; ConnectedDatabase is
accepted and changes nothing.  The engine's own database ``postgres`` is not listed (Redshift
has none), unless it is the one asked about.  A query that takes longer than
``QUERY_SECONDS`` is cancelled (QueryTimeoutException), and so is one the engine stops at the
user's ``statement_timeout`` (a user's default, or the parameter group's); a target that serves no
SQL, or refuses the login, is a DatabaseConnectionException.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from localshift.dataplane.api import SqlConnectionError, SqlError
from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.data_api.backend import DataApiBackend
from localshift.services.data_api.connection_lifecycle import NotServing
from localshift.services.data_api.errors import connection_failed, validation
from localshift.services.data_api.results import CHARACTER_TYPES, REDSHIFT_TYPE_NAMES, UNBOUNDED, precision_and_scale
from localshift.services.data_api.targets import resolve
from localshift.store.paging import decode_marker, encode_marker

QUERY_SECONDS = 30.0

_DATABASES = """
SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND (datname <> 'postgres' OR datname = $1)
  AND datname > $2 ORDER BY datname"""
_SCHEMAS = """
SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND nspname > $2 ORDER BY nspname"""
# Table types as JDBC's getTables names them.
_TABLES = """
SELECT n.nspname, c.relname,
       CASE WHEN n.nspname ~ '^pg_temp_' THEN 'LOCAL TEMPORARY'
            WHEN n.nspname IN ('pg_catalog', 'information_schema') THEN
                 CASE WHEN c.relkind = 'v' THEN 'SYSTEM VIEW' ELSE 'SYSTEM TABLE' END
            WHEN c.relkind = 'v' THEN 'VIEW'
            WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW'
            WHEN c.relkind = 'f' THEN 'EXTERNAL TABLE'
            ELSE 'TABLE' END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname LIKE $1 AND c.relname LIKE $2
  AND (n.nspname !~ '^pg_temp_' OR n.oid = pg_my_temp_schema()) AND (n.nspname, c.relname) > ($3, $4)
ORDER BY n.nspname, c.relname"""
# A late-binding view's columns are not in (Redshift's) pg_attribute: they come from
# pg_get_late_binding_view_cols(), as in the JDBC driver's getColumns (Grafana's column list).
_COLUMNS = """
SELECT * FROM (
  SELECT n.nspname, c.relname, a.attnum::int4 AS attnum, a.attname, t.typname, a.atttypmod, a.attnotnull,
         pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  UNION ALL
  SELECT v.view_schema, v.view_name, v.col_num, v.col_name, t.typname, to_regtypemod(v.col_type), false, NULL
  FROM pg_get_late_binding_view_cols() v(view_schema name, view_name name, col_name name, col_type varchar,
                                         col_num int)
  JOIN pg_type t ON t.oid = to_regtype(v.col_type)
) columns (nspname, relname, attnum, attname, typname, atttypmod, attnotnull, column_default)
WHERE nspname = coalesce($1, nspname) AND relname = coalesce($2, relname)
  AND (nspname, relname, attnum) > ($3, $4, $5::int4)
ORDER BY nspname, relname, attnum"""


def _rows(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any], sql: str, values: list[Any],
          limit: int | None) -> list[tuple]:
    """Rows of a catalog query on the request's target (``limit + 1`` at most, to tell if more follow)."""
    target = resolve(backend, ctx, p)
    try:
        session = backend.connections.borrow(target)
    except NotServing as reason:
        raise connection_failed(f"Connection to the database failed: {reason}") from None
    except SqlConnectionError as reason:
        raise connection_failed(f"FATAL: {reason}") from None
    got: list[tuple] = []
    timed_out = threading.Event()

    def time_out() -> None:
        timed_out.set()
        session.cancel()

    timer = threading.Timer(QUERY_SECONDS, time_out)
    timer.start()
    try:
        session.run(sql + ("" if limit is None else f" LIMIT {limit + 1}"),
                    [None if v is None else str(v) for v in values], lambda _, rows: got.extend(rows))
    except SqlError as error:
        if error.cancelled and timed_out.is_set():
            raise ApiError("QueryTimeoutException", f"The catalog query took more than {QUERY_SECONDS:g} seconds.") from None
        if error.cancelled:
            raise ApiError("QueryTimeoutException", "The catalog query was stopped before it finished (the user's "
                           f"statement_timeout, or a cancel): {error.message}") from None
        raise validation(f"ERROR: {error.message}") from None
    except SqlConnectionError as reason:
        raise connection_failed(str(reason)) from None
    finally:
        timer.cancel()
        backend.connections.give_back(target, session)
    return got


def _limit(p: dict[str, Any]) -> int | None:
    return p.get("MaxResults") or None


def _after(p: dict[str, Any], kinds: tuple[type, ...], first: tuple[Any, ...]) -> list[Any]:
    token = p.get("NextToken")
    if token is None:
        return list(first)
    try:
        return decode_marker(token, kinds)
    except ApiError:
        raise validation("The NextToken is not valid.") from None


def _paged(rows: list[tuple], limit: int | None, key: Callable[[tuple], list[Any]]) -> tuple[list[tuple], str | None]:
    if limit is None or len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_marker(key(rows[limit - 1]))


def list_databases(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    (after,) = _after(p, (str,), ("",))
    limit = _limit(p)
    rows, token = _paged(_rows(backend, ctx, p, _DATABASES, [p["Database"], after], limit), limit, lambda r: [r[0]])
    return {"Databases": [row[0] for row in rows], "NextToken": token}


def list_schemas(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    (after,) = _after(p, (str,), ("",))
    limit = _limit(p)
    rows = _rows(backend, ctx, p, _SCHEMAS, [p.get("SchemaPattern") or "%", after], limit)
    rows, token = _paged(rows, limit, lambda r: [r[0]])
    return {"Schemas": [row[0] for row in rows], "NextToken": token}


def list_tables(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    schema_after, table_after = _after(p, (str, str), ("", ""))
    limit = _limit(p)
    rows = _rows(backend, ctx, p, _TABLES,
                 [p.get("SchemaPattern") or "%", p.get("TablePattern") or "%", schema_after, table_after], limit)
    rows, token = _paged(rows, limit, lambda r: [r[0], r[1]])
    return {"Tables": [{"schema": s, "name": n, "type": t} for s, n, t in rows], "NextToken": token}


def describe_table(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    schema_after, table_after, column_after = _after(p, (str, str, int), ("", "", 0))
    limit = _limit(p)
    rows = _rows(backend, ctx, p, _COLUMNS,
                 [p.get("Schema"), p.get("Table"), schema_after, table_after, column_after], limit)
    rows, token = _paged(rows, limit, lambda r: [r[0], r[1], r[2]])
    return {"TableName": p.get("Table"), "ColumnList": [_column(row) for row in rows], "NextToken": token}


def _column(row: tuple) -> dict[str, Any]:
    schema, table, _, name, type_name, modifier, not_null, default = row
    precision, scale = precision_and_scale(type_name, modifier)
    character = type_name in CHARACTER_TYPES
    return {
        "name": name, "typeName": REDSHIFT_TYPE_NAMES.get(type_name, type_name), "precision": precision,
        "scale": scale, "length": precision if character or precision == UNBOUNDED else 0,
        "nullable": 0 if not_null else 1, "isCaseSensitive": character, "isSigned": type_name in ("int2", "int4", "int8", "float4", "float8", "numeric"),
        "isCurrency": type_name == "money", "schemaName": schema, "tableName": table, "columnDefault": default,
    }


OPERATIONS = {
    "ListDatabases": list_databases,
    "ListSchemas": list_schemas,
    "ListTables": list_tables,
    "DescribeTable": describe_table,
}
