"""Redshift SQL text -> the SQL the engine runs.

``translate`` is a pure function of the statement text (and of the session's
enable_case_sensitive_identifier and standard_conforming_strings), cached by
text in one bounded LRU shared by every connection.  Text the fast path (``fastpath``) finds nothing in is not
tokenized at all; text whose only need is the string literals its INSERTs and UPDATEs assign
(``string_literals``) is tokenized and those typed, without the rewriter's walk.  A statement that cannot be translated becomes one that makes
the engine raise the error (``errors.error_statement``): the whole query text
is refused, nothing of it runs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from . import (admin, alter, authorization, copy_unload, ddl, dml, from_items, maintenance, owner_reach, plans, routines,
               settings, show, string_literals, users, view_ddl)
from .errors import TranslationError, do_block, error_statement, not_supported
from .expressions import REDSHIFT_CATALOG_WORDS, Rewriter
from .fastpath import assigns_literals, redshift_constructs
from .install import ENGINE_FUNCTIONS
from .navigation import relation_names
from .tokens import (Node, Token, identifier_value, quote_literal, render, split_statements, temporary_table_names,
                     tokenize, tree, words)
from .truncate_commits import TRUNCATE

CACHE_SIZE = 4096
CACHE_TEXT_LIMIT = 16384  # longer statements are translated each time, not kept


@dataclass(frozen=True, slots=True)
class Translation:
    sql: str                      # what the engine runs
    case_sensitive: bool | None   # the session's new enable_case_sensitive_identifier, if set
    refused: bool = False         # ``sql`` raises the error of a statement that cannot run


# Translation's fields, UTF-8 (the SQL None: the text as it is), and whether a statement of the
# text is a TRUNCATE, which commits the transaction block it runs in (truncate_commits.py).
WireTranslation = tuple["bytes | None", "bool | None", bool, bool]
_TRUNCATE_AS_IT_IS: WireTranslation = (None, None, False, True)


def translate(sql: str, case_sensitive: bool = False, standard_strings: bool = False) -> Translation | None:
    """None when the engine can run ``sql`` as it is."""
    if len(sql) > CACHE_TEXT_LIMIT:
        return _translate(sql, case_sensitive, standard_strings)
    return _cached(sql, case_sensitive, standard_strings)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached(sql: str, case_sensitive: bool, standard_strings: bool) -> Translation | None:
    return _translate(sql, case_sensitive, standard_strings)


def translate_bytes(sql: bytes, case_sensitive: bool = False,
                    standard_strings: bool = False) -> WireTranslation | None:
    """``translate`` for the wire: UTF-8 in and out, cached by the bytes
    themselves (no decoding when a statement comes again)."""
    if len(sql) > CACHE_TEXT_LIMIT:
        return _translate_bytes(sql, case_sensitive, standard_strings)
    return _cached_bytes(sql, case_sensitive, standard_strings)


def _translate_bytes(sql: bytes, case_sensitive: bool, standard_strings: bool) -> WireTranslation | None:
    try:
        text = sql.decode("utf-8")
    except UnicodeDecodeError as e:
        # Refused, never sent as it is: the engine would read it in the session's client_encoding
        # (LATIN1, say, set by the client), so no refusal of the translator's would apply to it.
        bad = " ".join(f"0x{byte:02x}" for byte in sql[e.start:e.end])
        error = TranslationError(f'invalid byte sequence for encoding "UTF8": {bad}', "22021")
        return refusal(error, sql), None, True, False
    # TRUNCATE is one of the fast path's statement words: text it lets through holds none.
    if not redshift_constructs(text) and not assigns_literals(text):
        return None
    result = _translate(text, case_sensitive, standard_strings)
    commits = TRUNCATE.search(sql) is not None
    if result is None:
        return _TRUNCATE_AS_IT_IS if commits else None
    return result.sql.encode("utf-8"), result.case_sensitive, result.refused, commits


_cached_bytes = functools.lru_cache(maxsize=CACHE_SIZE)(_translate_bytes)


def refusal(error: TranslationError, sql: bytes) -> bytes:
    """What the engine runs instead of ``sql`` to raise ``error`` (a Bind of its parameters still matches)."""
    return error_statement(error, _parameter_count(re.findall(rb"\$(\d+)", sql))).encode("utf-8")


@functools.lru_cache(maxsize=CACHE_SIZE)
def statement_texts(sql: bytes, standard_strings: bool = False) -> tuple[bytes, ...]:
    """The statements of a simple Query's text, each as sent (the query history records
    them one by one); the whole text when it cannot be read."""
    try:
        statements = split_statements(tokenize(sql.decode("utf-8"), standard_strings, as_sent=True))
    except (UnicodeDecodeError, TranslationError):
        return (sql,)
    return tuple(render(statement).strip().encode("utf-8") for statement in statements)


def _translate(sql: str, case_sensitive: bool, standard_strings: bool) -> Translation | None:
    if redshift_constructs(sql):
        return _rewritten(sql, case_sensitive, standard_strings)
    if assigns_literals(sql):  # and nothing else: the literals typed, without the rewriter's walk
        return _typed_literals(sql, case_sensitive, standard_strings)
    return None


def _typed_literals(sql: str, case_sensitive: bool, standard_strings: bool) -> Translation | None:
    """``sql`` with the string literals its INSERTs and UPDATEs assign typed (string_literals.py)."""
    try:
        # (an unbalanced parenthesis is the tree's error: INSERT ... VALUES ('a' must be refused too)
        statements = [tree(statement) for statement in split_statements(tokenize(sql, standard_strings))]
    except TranslationError:
        return _rewritten(sql, case_sensitive, standard_strings)  # refused as the translator refuses it
    out, changed = [], False
    for nodes in statements:
        sig = words(nodes)
        first = sig[0].low if sig else ""
        typed = string_literals.typed(nodes, first) if first in ("insert", "update") else nodes
        changed = changed or typed is not nodes
        out.append(render(typed).strip())
    return Translation(";\n".join(out), None) if changed else None


def _rewritten(sql: str, case_sensitive: bool, standard_strings: bool) -> Translation | None:
    """``sql`` translated (None: unchanged), past the fast path."""
    tokens: list[Token] = []
    try:
        tokens = tokenize(sql, standard_strings)
        named = temporary_table_names(tokens) if "#" in sql else tokens
        hashed, tokens = named is not tokens, named  # #name made "#name": the text changed
        statements = split_statements(tokens)
        catalog_views = any(t.kind == "ident" and t.low in REDSHIFT_CATALOG_WORDS for t in tokens)
        rw = Rewriter(ENGINE_FUNCTIONS, case_sensitive, catalog_views, standard_strings)
        rw.may_reshape = from_items.may_reshape(sql)
        rw.may_hoist_series = any(t.kind == "ident" and t.low == "generate_series" for t in tokens)
        rw.may_type_decimals = any(t.kind == "ident" and t.low in ("decimal", "numeric") for t in tokens)
        out, changed, sensitivity = [], hashed, None
        for statement in statements:
            text, new_sensitivity = _statement(rw, statement)
            original = render(statement).strip()
            changed = changed or text != original
            if new_sensitivity is not None:
                sensitivity = rw.case_sensitive = new_sensitivity
            out.append(text)
    except TranslationError as e:
        parameters = _parameter_count(t.text[1:] for t in tokens if t.kind == "param")
        return Translation(error_statement(e, parameters), None, refused=True)
    if not changed and sensitivity is None:
        return None
    return Translation(";\n".join(out), sensitivity)


# The most parameters a Bind can pass (its count is 16 bits): a refusal passes no more along, so
# ``$999999999`` in a refused statement costs no billion-parameter error statement (it took the
# front's loop, which serves every cluster, 23 s for ``$9999999``).
MAX_PARAMETERS = 65535


def _parameter_count(numbers: Iterable[str | bytes]) -> int:
    """The highest of the numbers of ``$n`` parameters, at most MAX_PARAMETERS."""
    return min(max((int(n) if len(n) < 6 else MAX_PARAMETERS for n in numbers), default=0), MAX_PARAMETERS)


def _statement(rw: Rewriter, tokens: list[Token]) -> tuple[str, bool | None]:
    """A client's statement, or one of a routine's body, translated: an ALTER, DROP, COMMENT, GRANT or
    REVOKE a superuser may run as the object's owner goes through localshift.run_as_owner
    (owner_reach.py; in a body, for a superuser running it with a superuser's rights)."""
    text, sensitivity, sig = _translated(rw, tokens)
    return owner_reach.as_owner(sig, text), sensitivity


def _translated(rw: Rewriter, tokens: list[Token]) -> tuple[str, bool | None, list[Node]]:
    """A statement translated, and its words."""
    nodes = tree(tokens)
    # Leading/trailing blanks are dropped so that unchanged statements compare equal.
    while nodes and nodes[0].blank:
        nodes = nodes[1:]
    while nodes and nodes[-1].blank:
        nodes = nodes[:-1]
    sig = words(nodes)
    first = sig[0].low if sig else ""
    navigable = first in _NAVIGABLE and (first != "create" or _created(sig)[0] in _CREATED_WITH_QUERIES)
    rw.relations = relation_names(tokens) if navigable else None
    if rw.relations is not None and any(name.startswith(("pg_", "information_schema", "svv_", "stl_",
                                                          "stv_", "svl_", "sys_")) for name in rw.relations):
        # Catalog queries never navigate SUPER values; their arrays (indkey[0]) are PostgreSQL's.
        rw.relations = None
    if rw.may_reshape:
        from_items.prepare(rw, tokens)
    if first in ("insert", "update", "merge"):
        nodes = string_literals.typed(nodes, first)
    handler = _HANDLERS.get(first)
    if handler is not None:
        result = handler(rw, nodes, sig)
        if isinstance(result, tuple):
            text, sensitivity = result
            return text, sensitivity, sig
        if result is not None:
            return result.strip(), None, sig
    return render(rw.rewrite(nodes)).strip(), None, sig


def _created(sig: list[Node]) -> tuple[str, int]:
    """What ``CREATE [OR REPLACE] [TEMP ...] what`` creates, and the index of that word."""
    k = 3 if [w.low for w in sig[1:3]] == ["or", "replace"] else 1
    while k < len(sig) and sig[k].low in ("local", "global", "temp", "temporary", "unlogged"):
        k += 1
    return (sig[k].low if k < len(sig) else ""), k


def _create(rw: Rewriter, nodes: list[Node], sig: list[Node]) -> str | None:
    what, k = _created(sig)
    if what == "table":
        return ddl.create_table(rw, nodes, sig, k)
    if what == "view":
        return view_ddl.create_view(rw, nodes, sig)
    if what == "materialized" and [w.low for w in sig[k + 1:k + 2]] == ["view"]:
        return view_ddl.create_materialized_view(rw, nodes, sig, k + 1)
    if what == "user":
        return users.create_user(rw, sig)
    if what == "role":
        return admin.create_role(rw, sig)
    if what == "group":
        return admin.create_group(rw, nodes, sig)
    if what == "schema" or what == "external":
        return admin.create_schema(rw, nodes, sig)
    if what == "database":
        return admin.create_database(rw, nodes, sig)
    if what in ("function", "procedure") and any(
            w.low == "language" and i + 1 < len(sig) and sig[i + 1].low.startswith("plpython")
            for i, w in enumerate(sig)):
        raise not_supported("Python user-defined functions (LANGUAGE plpythonu)")
    if what in ("function", "procedure"):
        return routines.create_routine(rw, nodes, sig, k, _statement)
    if what in _NOT_SUPPORTED_OBJECTS:
        raise not_supported(f"CREATE {_NOT_SUPPORTED_OBJECTS[what]}")
    if what in ("index", "unique") and "concurrently" in [w.low for w in sig[k + 1:k + 3]]:
        # The engine refuses CREATE INDEX at the statement's end (catalog/45_postgresql_only_commands.sql),
        # after CONCURRENTLY has committed the index (which every write then keeps up to date): so here,
        # in the engine's words.  It runs only as a client's own statement, never in a DO block or routine.
        raise TranslationError(f'SQL command "{render(nodes).strip()}" not supported on Redshift tables.')
    return None


# Statements whose expressions may navigate into SUPER values.
_NAVIGABLE = frozenset({"select", "with", "insert", "update", "delete", "merge", "values", "create",
                        "explain"})
# What a CREATE whose query or column defaults may navigate creates.  Elsewhere a dotted name
# is an object's (``CREATE OPERATOR ... (PROCEDURE = s.fn)``, ``CREATE SEQUENCE ... OWNED BY
# s.t.c``, a function's ``RETURNS SETOF s.t``; a routine's body statements get their own verdict).
_CREATED_WITH_QUERIES = frozenset({"table", "view", "materialized"})
_NOT_SUPPORTED_OBJECTS = {
    "library": "LIBRARY", "model": "MODEL (Redshift ML)", "datashare": "DATASHARE",
    "masking": "MASKING POLICY", "rls": "RLS POLICY", "identity": "IDENTITY PROVIDER",
}


def _alter(rw: Rewriter, nodes: list[Node], sig: list[Node]) -> str | None:
    what = sig[1].low if len(sig) > 1 else ""
    if what == "table":
        return alter.alter_table(rw, nodes, sig, 1)
    if what == "materialized" and len(sig) > 2 and sig[2].low == "view":
        return alter.alter_materialized_view(rw, nodes, sig, 2)
    if what == "user":
        return users.alter_user(rw, sig)
    if what == "schema":
        return admin.alter_schema(rw, nodes, sig)
    if what == "default":
        return admin.alter_default_privileges(rw, nodes, sig)
    if what == "procedure":
        return routines.alter_procedure(sig)
    if what == "database":
        admin.refuse_postgresql_database_options(sig)
        if [w.low for w in sig[3:6]] == ["connection", "limit", "unlimited"] and len(sig) == 6:
            return f"{admin.render_words(sig[:5])} -1"
    if what == "database" and any(w.low == "isolation" for w in sig):
        # The isolation level is accepted: the database must exist.
        return do_block(f"IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = "
                        f"{_literal_name(sig[2])}) THEN RAISE EXCEPTION USING ERRCODE = '3D000', "
                        f"MESSAGE = 'database ' || {_literal_name(sig[2])} || ' does not exist'; END IF;")
    if what in _NOT_SUPPORTED_OBJECTS:
        raise not_supported(f"ALTER {_NOT_SUPPORTED_OBJECTS[what]}")
    return None


def _desc(rw: Rewriter, nodes: list[Node], sig: list[Node]) -> str | None:
    """DESC DATASHARE / DESC IDENTITY PROVIDER (Redshift's only DESC statements): refused by name,
    as their CREATE and ALTER are; anything else is the engine's syntax error."""
    what = sig[1].low if len(sig) > 1 else ""
    if what in _NOT_SUPPORTED_OBJECTS:
        raise not_supported(f"DESC {_NOT_SUPPORTED_OBJECTS[what]}")
    return None


def _literal_name(node: Node) -> str:
    return quote_literal(identifier_value(node))


def _drop(rw: Rewriter, nodes: list[Node], sig: list[Node]) -> str | None:
    what = sig[1].low if len(sig) > 1 else ""
    if what == "role":
        return admin.drop_role(rw, sig)
    if what == "user":
        return users.drop_user(sig)
    if what == "procedure":
        return routines.drop_procedure(sig)
    if what in _NOT_SUPPORTED_OBJECTS:
        raise not_supported(f"DROP {_NOT_SUPPORTED_OBJECTS[what]}")
    return None


def _set(rw: Rewriter, nodes: list[Node], sig: list[Node]):
    session_user = authorization.set_session_authorization(sig)
    if session_user is not None:
        return session_user, None
    text, sensitivity = settings.set_statement(sig, nodes)
    return (text if text is not None else render(nodes)), sensitivity


def _reset(rw: Rewriter, nodes: list[Node], sig: list[Node]):
    session_user = authorization.reset_session_authorization(sig)
    if session_user is not None:
        return session_user, None
    text, sensitivity = settings.reset_statement(sig)
    return (text if text is not None else render(nodes)), sensitivity


_HANDLERS = {
    "create": _create,
    "alter": _alter,
    "drop": _drop,
    "grant": lambda rw, nodes, sig: admin.grant_or_revoke(rw, nodes, sig),
    "revoke": lambda rw, nodes, sig: admin.grant_or_revoke(rw, nodes, sig),
    "set": _set,
    "reset": _reset,
    "show": lambda rw, nodes, sig: show.show(sig, rw.case_sensitive),
    "vacuum": lambda rw, nodes, sig: maintenance.vacuum(rw, nodes, sig),
    "analyze": lambda rw, nodes, sig: maintenance.analyze(rw, nodes, sig),
    "analyse": lambda rw, nodes, sig: maintenance.analyze(rw, nodes, sig),
    "cancel": lambda rw, nodes, sig: maintenance.cancel(rw, sig),
    "lock": lambda rw, nodes, sig: maintenance.lock(rw, nodes),
    "refresh": lambda rw, nodes, sig: view_ddl.refresh_materialized_view(rw, sig),
    "copy": lambda rw, nodes, sig: copy_unload.copy(rw, nodes, sig),
    "unload": lambda rw, nodes, sig: copy_unload.unload(rw, nodes, sig),
    "merge": lambda rw, nodes, sig: dml.merge(rw, nodes, sig),
    "delete": lambda rw, nodes, sig: dml.delete(rw, nodes, sig),
    "explain": lambda rw, nodes, sig: plans.explain(rw, nodes, sig, _statement),
    "desc": _desc,
}
