"""Translation errors, and how the engine reports them to the client.

A statement the translator refuses is replaced by one that makes the *engine*
raise the error: the client then gets it at the right place in its message
stream (also in pipelined extended-protocol batches) and an open transaction is
aborted exactly as Redshift aborts it.  ``localshift.raise_error`` is a
PL/pgSQL function installed in every database (catalog/10_translation.sql);
the front drops the PL/pgSQL CONTEXT line it adds (see ``redshift_error``).
"""

from __future__ import annotations

import re


class TranslationError(Exception):
    """A statement the translator cannot turn into PostgreSQL, with the SQLSTATE
    the client gets (0A000 feature_not_supported unless said otherwise)."""

    def __init__(self, message: str, sqlstate: str = "0A000", detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail


def not_supported(construct: str) -> TranslationError:
    return TranslationError(f"{construct} is not supported by localshift")


def syntax_error(near: str) -> TranslationError:
    return TranslationError(f'syntax error at or near "{near}"', "42601")


def error_statement(error: TranslationError, parameter_count: int) -> str:
    """SQL that makes the engine raise ``error``.  Parameters of the original
    statement are passed along so that a Bind with values still matches."""
    from .tokens import quote_literal

    params = "".join(f", ${n}::text" for n in range(1, parameter_count + 1))
    detail = quote_literal(error.detail) if error.detail else "NULL"
    return (f"SELECT localshift.raise_error({quote_literal(error.sqlstate)}, "
            f"{quote_literal(error.message)}, {detail}{params})")


_DO_TAG = "$localshift$"


def do_block(body: str, tag: str = _DO_TAG, declare: str = "",
             raise_again: str = "localshift.raise_error(SQLSTATE, SQLERRM, ls_detail)",
             errors: str = "OTHERS") -> str:
    """A DO block running ``body`` (PL/pgSQL statements, with the variables ``declare`` declares),
    quoted with ``tag`` (another than the default when ``body`` may hold a DO block of its own).
    Its ``errors`` (PL/pgSQL's OTHERS leaves out query_canceled) are raised again through
    ``raise_again`` (raise_error), so that the client sees them without the PL/pgSQL context,
    query and position fields (see ``redshift_error``)."""
    if tag in body:
        raise syntax_error(tag)
    return (f"DO {tag}DECLARE ls_detail text; {declare}BEGIN {body} "
            f"EXCEPTION WHEN {errors} THEN GET STACKED DIAGNOSTICS ls_detail = PG_EXCEPTION_DETAIL; "
            f"PERFORM {raise_again}; END{tag}")


# A failed REFRESH MATERIALIZED VIEW's error names the view under this schema (its table field: the
# view's oid; catalog/42_materialized_views.sql, localshift.raise_refresh_error), for the query history
# to record the failure; the client gets the error without both fields.
FAILED_REFRESH = b"slocalshift_failed_refresh"


_REFRESH = re.compile(rb"\s*refresh\s+materialized\s+view\s", re.IGNORECASE)


def failed_refresh(text: bytes, msg: bytes) -> int | None:
    """The view of a failed REFRESH MATERIALIZED VIEW (the statement ``text``) its ErrorResponse
    tells of, if it does (a user calling raise_refresh_error by hand records nothing)."""
    if FAILED_REFRESH not in msg or not _REFRESH.match(text):
        return None
    fields = msg[5:-1].split(b"\0")
    table = next((f[1:] for f in fields if f[:1] == b"t"), b"")
    return int(table) if FAILED_REFRESH in fields and table.isdigit() else None


# Errors raised inside localshift's own functions carry their PL/pgSQL context;
# users cannot create functions in schema localshift.
RAISE_CONTEXT = b"localshift."

# PostgreSQL errors whose wording differs from Redshift's in ways clients and
# tests match on: (SQLSTATE, message pattern) -> (SQLSTATE, message, detail).
# Redshift is PostgreSQL 8.0 underneath ("relation", not "table"), reports
# serialization failures as error 1023, and words the identity error its way.
# A name in another database (``otherdb.public.t``, ``otherdb.public.t.col``) fails as on a
# Redshift cluster without cross-database queries (each database is an engine database of
# its own here, and the engine has no foreign data wrapper).
_REDSHIFT_ERRORS = [
    # statement_timeout: Redshift names the query it stopped (its STL_QUERY.query).
    (b"57014", re.compile(rb"canceling statement due to statement timeout"),
     None, rb"Query (%(query)s) canceled on user's request", None),
    (b"428C9", re.compile(rb'cannot insert a non-DEFAULT value into column "[^"]*"'),
     b"0A000", b"cannot set an identity column to a value", None),
    (b"42501", re.compile(rb"permission denied for (?:table|view|materialized view|sequence) (.*)"),
     None, rb"permission denied for relation \1", None),
    (b"40001", re.compile(rb"could not serialize access .*"),
     None, b"1023", b"Serializable isolation violation on a table in Redshift"),
    # MERGE: a target row that several source rows match (Redshift's usage notes).
    (b"21000", re.compile(rb"MERGE command cannot affect row a second time"),
     None, b"Found multiple matches to update the same tuple.", None),
    (b"0A000", re.compile(rb'cross-database references are not implemented: "?([^."]*)[.].*'),
     None, rb'cross-database reference to database "\1" is not supported', None),
    # ALTER DATABASE <the current one> RENAME TO: Redshift's words (its ALTER DATABASE page), PostgreSQL 8.0's.
    (b"0A000", re.compile(rb"current database cannot be renamed"), None, b"current database may not be renamed", None),
]


def redshift_error(msg: bytes, query_id: int = -1) -> bytes | None:
    """An ErrorResponse as Redshift words it, without the CONTEXT (and internal query)
    fields PL/pgSQL adds inside localshift's functions; None when it needs no change.
    ``query_id``: the failed statement's id in the query history."""
    fields = [f for f in msg[5:-1].split(b"\0") if f]
    code = next((f[1:] for f in fields if f[:1] == b"C"), b"")
    changed = False
    for state, pattern, new_state, new_message, detail in _REDSHIFT_ERRORS:
        if code != state:
            continue
        for k, field in enumerate(fields):
            if field[:1] == b"M" and pattern.fullmatch(field[1:]):
                fields[k] = b"M" + pattern.sub(new_message.replace(b"%(query)s", b"%d" % query_id), field[1:])
                fields = [f for f in fields if f[:1] not in b"DH"]  # PostgreSQL's detail and hint
                if detail:
                    fields.append(b"D" + detail)
                if new_state:
                    fields = [b"C" + new_state if f[:1] == b"C" else f for f in fields]
                changed = True
    if FAILED_REFRESH in fields:  # the view's fields are the query history's (failed_refresh)
        fields = [f for f in fields if f[:1] not in b"st"]
        changed = True
    if RAISE_CONTEXT in msg and any(f[:1] == b"W" and RAISE_CONTEXT in f for f in fields):
        # also the query a function of ours ran by EXECUTE (a late-binding view's), and
        # the position in it
        fields = [f for f in fields if f[:1] not in b"Wqp"]
        changed = True
    if not changed:
        return None
    body = b"\0".join(fields) + b"\0\0"
    return msg[:1] + (len(body) + 4).to_bytes(4, "big") + body
