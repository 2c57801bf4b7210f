"""Casts to SUPER: ``x::SUPER``, ``CAST(x AS SUPER)``, ``CONVERT(SUPER, x)``.

Redshift makes a string cast to SUPER a SUPER string (``'abc'::SUPER`` is ``"abc"``,
``'5'::SUPER`` is ``"5"``; JSON_PARSE is what parses JSON text), where PostgreSQL's cast of
text to jsonb parses the text.  The cast becomes a call of the catalog's
``localshift."super"`` (catalog/27_super_casts.sql), whose overloads make a string a SUPER
string and cast anything else to jsonb as before (numbers and booleans the SUPER scalars
they make).  For ``::`` the operand is what PostgreSQL's grammar binds the cast to: the
primary expression just before it (a literal, a column, a call, a parenthesized expression,
a CASE ... END, with its subscripts and the casts chained before this one).
"""

from __future__ import annotations

from .tokens import Group, Node, raw, render

# Words after which a parenthesis opens an expression, not a call's arguments.
_NOT_CALLS = frozenset({
    "select", "where", "and", "or", "not", "when", "then", "else", "in", "on", "by", "having", "returning",
    "case", "is", "as", "distinct", "all", "any", "some", "from", "join", "values", "set", "limit", "offset",
    "using", "between", "like", "ilike", "similar", "return", "with", "union", "intersect", "except", "into",
    "minus", "top", "over", "filter", "within"})
# Type names that make a typed literal of the string after them (``DATE '2024-01-01'``).
_TYPED_LITERALS = frozenset({"date", "time", "timestamp", "timestamptz", "timetz", "interval", "boolean",
                             "bool", "integer", "int", "bigint", "smallint", "numeric", "decimal", "real",
                             "varchar", "char", "text", "json", "jsonb"})


def is_super(type_word: Node) -> bool:
    """Does the type name starting at ``type_word`` name SUPER?"""
    return type_word.kind == "ident" and type_word.low == "super"


def super_call(value: str) -> str:
    return f'localshift."super"({value})'


def cast_expression(keyword: str, value: str, type_word: Node, type_text: str) -> str:
    """``CAST(value AS type)`` (``keyword`` as written), a call for a cast to SUPER."""
    if is_super(type_word) and type_text == "jsonb":
        return super_call(value)
    return f"{keyword}({value} AS {type_text})"


def wrap_operand(out: list[Node]) -> bool:
    """Replace the operand of a ``::SUPER`` about to be written after ``out`` with the call of
    ``localshift."super"`` on it.  False (nothing changed) when no operand is found."""
    start = _operand_start(out)
    if start is None:
        return False
    operand = render(out[start:])
    del out[start:]
    out.append(raw(super_call(operand)))
    return True


def _operand_start(out: list[Node]) -> int | None:
    k = _previous(out, len(out))
    while k is not None:
        node = out[k]
        if isinstance(node, Group) and node.open == "[":  # a subscript: its base comes before it
            k = _previous(out, k)
            continue
        start: int | None
        if isinstance(node, Group):
            start = k
            name = _previous(out, k)
            if name is not None and _is_call_name(out[name]):
                start = _qualified_start(out, name)
        elif node.kind in ("ident", "qident"):
            start = _case_start(out, k) if node.low == "end" else _qualified_start(out, k)
            if start is None:
                return None
        elif node.kind in ("string", "dollar"):
            start = k
            typed = _previous(out, k)
            if typed is not None and out[typed].low in _TYPED_LITERALS:
                start = typed
        elif node.kind in ("number", "param", "raw"):
            start = k
        else:
            return None
        cast = _previous(out, start)
        if cast is None or out[cast].text != "::":
            return start
        k = _previous(out, cast)  # x::int::SUPER: the operand is x::int
    return None


def _is_call_name(node: Node) -> bool:
    if node.kind in ("ident", "qident"):
        return node.low not in _NOT_CALLS
    return node.kind == "raw" and (node.text[-1:].isalnum() or node.text[-1:] in ('"', "_"))


def _qualified_start(out: list[Node], k: int) -> int:
    """The first part of the dotted name ending at ``out[k]`` (``s.t.c``, ``localshift.f``)."""
    while (dot := _previous(out, k)) is not None and out[dot].text == "." \
            and (part := _previous(out, dot)) is not None and out[part].kind in ("ident", "qident", "raw"):
        k = part
    return k


def _case_start(out: list[Node], end: int) -> int | None:
    """The CASE that the END at ``out[end]`` closes."""
    depth = 0
    k: int | None = end
    while k is not None:
        word = out[k].low if out[k].kind == "ident" else ""
        if word == "end":
            depth += 1
        elif word == "case":
            depth -= 1
            if depth == 0:
                return k
        k = _previous(out, k)
    return None


def _previous(out: list[Node], k: int) -> int | None:
    k -= 1
    while k >= 0 and out[k].blank:
        k -= 1
    return k if k >= 0 else None
