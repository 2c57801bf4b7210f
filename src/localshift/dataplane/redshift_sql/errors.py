"""Translation errors, and how the engine reports them to the client.

A statement the translator refuses is replaced by one that makes the *engine*
raise the error: the client then gets it at the right place in its message
stream (also in pipelined extended-protocol batches) and an open transaction is
aborted exactly as Redshift aborts it.  ``localshift.raise_error`` is a
PL/pgSQL function installed in every database (catalog/10_translation.sql);
the front drops the PL/pgSQL CONTEXT line it adds (see ``clean_error``).
"""

from __future__ import annotations


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


def do_block(body: str) -> str:
    """A DO block running ``body`` (PL/pgSQL statements).  Its errors are raised
    again through raise_error, so that the client sees them without the
    PL/pgSQL context, query and position fields (see ``clean_error``)."""
    if _DO_TAG in body:
        raise syntax_error(_DO_TAG)
    return (f"DO {_DO_TAG}DECLARE ls_detail text; BEGIN {body} "
            "EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS ls_detail = PG_EXCEPTION_DETAIL; "
            f"PERFORM localshift.raise_error(SQLSTATE, SQLERRM, ls_detail); END{_DO_TAG}")


# Errors raised inside localshift's own functions carry their PL/pgSQL context;
# users cannot create functions in schema localshift.
RAISE_CONTEXT = b"localshift."


def clean_error(msg: bytes) -> bytes:
    """An ErrorResponse without the CONTEXT field PL/pgSQL adds to errors raised in
    localshift's functions (Redshift's errors have no such line)."""
    fields = msg[5:-1].split(b"\0")
    kept = [f for f in fields if f and not (f[:1] == b"W" and RAISE_CONTEXT in f)]
    body = b"\0".join(kept) + b"\0\0"
    return msg[:1] + (len(body) + 4).to_bytes(4, "big") + body
