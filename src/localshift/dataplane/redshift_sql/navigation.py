"""PartiQL navigation into SUPER values (jsonb here): ``c.orders[0].id``.

A dotted name whose first part is not a relation of the statement (a FROM,
JOIN, UPDATE, INTO or USING item, its alias, a CTE) starts with a column; what
follows the column is navigation: ``data.items[0].name`` becomes
``(data -> 'items' -> 0 -> 'name')``.  Attribute names fold to lower case as
Redshift folds them (unless identifiers are case sensitive).  The common
cases of use get Redshift's answers:
* a cast to a scalar type reads the value as text first (``->>``), so that
  ``data.name::varchar`` is ``x``, not the JSON ``"x"``;
* a comparison with a literal compares JSON values (``to_jsonb(literal)``):
  a string equals only a string, a number only a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tokens import Group, Node, Token, identifier_value, quote_literal, raw, string_value

if TYPE_CHECKING:
    from .expressions import Rewriter

_RELATION_BEFORE = frozenset({"from", "join", "update", "into", "using", "only", "table", "view", "on",
                              "like", "references", "delete",  # DELETE [FROM] t
                              "inherits", "of"})  # PostgreSQL's INHERITS (s.t), PARTITION OF s.t, IS OF (s.typ)
_FROM_LIST_END = frozenset({"where", "group", "order", "having", "limit", "on", "union", "intersect",
                            "except", "minus", "window", "qualify", "set", "values", "returning",
                            "select", "offset", "fetch", "for"})
# Words that start a list of relations, each of which may take an alias (``t x``,
# ``(subquery) s``): FROM, JOIN, DELETE's and MERGE's USING, UPDATE and INTO targets.
_LIST_START = frozenset({"from", "join", "using", "update", "into"})
# Names that qualify columns without being FROM items.
_IMPLICIT = frozenset({"excluded", "new", "old"})
_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})
_JSON_TYPES = frozenset({"jsonb", "json", "super"})
# What may follow a select list's item (after it, its alias).
_SELECT_ITEM_END = frozenset({",", "from", "into", "where", "group", "having", "order", "limit", "offset",
                              "qualify", "window", "union", "intersect", "except", "minus", ";"})
# Words that start a clause: the last one before a name says which clause the name is in.
_CLAUSES = frozenset({"select", "from", "where", "group", "by", "having", "order", "limit", "offset", "on",
                      "set", "values", "returning", "qualify", "window", "using", "join", "union", "intersect",
                      "except", "minus", "when", "then", "else", "case", "partition"})


# Words between a keyword and the relation it names.
_BEFORE_A_NAME = frozenset({"if", "not", "exists", "only", "lateral"})


def relation_names(tokens: list[Token]) -> frozenset[str]:
    """The names that qualify columns in a statement: relations and their aliases."""
    names = set(_IMPLICIT)
    sig = [t for t in tokens if not t.blank]
    depth = 0
    from_depths: set[int] = set()
    # Depths in a JOIN's (or MERGE's) ON condition: columns, navigation (``t.data.x``); a comma
    # at that depth starts the next FROM item.
    condition_depths: set[int] = set()
    expect = False  # the next name is a relation
    for k, tok in enumerate(sig):
        low = tok.low
        if tok.kind == "open":
            depth += 1
            continue
        if tok.kind == "close":
            from_depths.discard(depth)
            condition_depths.discard(depth)
            depth -= 1
            continue
        if tok.kind == "ident" and low == "on" and depth in from_depths:
            from_depths.discard(depth)
            condition_depths.add(depth)
            expect = False
            continue
        if tok.kind == "ident" and low in _RELATION_BEFORE:
            expect = True
            if low in _LIST_START:
                from_depths.add(depth)
            continue
        if expect and tok.kind == "ident" and low in _BEFORE_A_NAME:
            continue  # CREATE TABLE IF NOT EXISTS name, FROM ONLY name
        if tok.kind == "ident" and low in _FROM_LIST_END:
            from_depths.discard(depth)
            condition_depths.discard(depth)
        if tok.text == "," and (depth in from_depths or depth in condition_depths):
            condition_depths.discard(depth)
            from_depths.add(depth)
            expect = True
            continue
        if tok.kind in ("ident", "qident") and (expect or _is_alias(sig, k, depth, from_depths)):
            names.add(identifier_value(tok))
            expect = expect and k + 1 < len(sig) and sig[k + 1].text == "."
        elif tok.kind == "ident" and low == "as" and k + 2 < len(sig) and sig[k + 1].kind in (
                "ident", "qident") and sig[k + 2].kind == "open" and k > 0 and sig[k - 1].kind in (
                "ident", "qident"):
            names.add(identifier_value(sig[k - 1]))  # WITH name AS (...)
        elif tok.text != ".":
            expect = False
    return frozenset(names)


def _is_alias(sig: list[Token], k: int, depth: int, from_depths: set[int]) -> bool:
    """An alias of a FROM item: ``t AS x``, ``t x``, ``(subquery) x``."""
    if depth not in from_depths or k == 0:
        return False
    prev = sig[k - 1]
    if prev.kind == "ident" and prev.low == "as":
        return True
    return prev.kind in ("ident", "qident", "close") and prev.low not in _RELATION_BEFORE \
        and (k < 2 or sig[k - 2].text != "::")


def navigate(rw: "Rewriter", nodes: list[Node], i: int) -> tuple[list[Node], int] | None:
    """The navigation starting at ``nodes[i]`` (an identifier), or None when it
    is a plain column reference."""
    if nodes[i].low == "array":
        return None  # ARRAY[...], PostgreSQL's array constructor
    parts: list[Node] = [nodes[i]]
    j = i + 1
    while j < len(nodes):
        node = nodes[j]
        if node.text == "." and j + 1 < len(nodes) and nodes[j + 1].kind in ("ident", "qident"):
            parts.append(nodes[j + 1])
            j += 2
        elif isinstance(node, Group) and node.open == "[":
            if any(n.text == ":" for n in node.nodes):
                return None  # x[m:n]: a PostgreSQL array slice (PartiQL has none)
            parts.append(node)
            j += 1
        else:
            break
    call, _ = _next_significant(nodes, j)  # ``pg_catalog.pg_get_viewdef (c.oid, true)``: a call too
    if j < len(nodes) and (isinstance(call, Group) and call.open == "(" or nodes[j].text == "."):
        return None  # a function call, or ``t.*``
    if rw.relations is None:  # (the rewriter navigates only in statements that name their relations)
        return None
    column = _column_length(parts, rw.relations)
    steps = parts[column:]
    if not steps:
        return None
    column_text = ".".join(rw.text([p]) for p in parts[:column])
    keys = [_key(rw, step) for step in steps]
    following, after = _next_significant(nodes, j)
    if following is not None and following.text == "::" and after < len(nodes):
        type_word = _next_significant(nodes, after + 1)[0]
        if type_word is not None and type_word.low not in _JSON_TYPES:
            return [raw(f"({column_text} -> {' -> '.join(keys[:-1])} ->> {keys[-1]})"
                        if len(keys) > 1 else f"({column_text} ->> {keys[0]})")], j
    out: list[Node] = [raw(f"({column_text} -> {' -> '.join(keys)})")]
    if not isinstance(steps[-1], Group) and whole_select_item(nodes, i, following):
        out.append(raw(f" AS {_column_name(rw, steps[-1])}"))
        return out, j
    if following is not None and following.text in _COMPARISONS:
        literal, end = _next_significant(nodes, after + 1)
        if literal is not None and literal.kind in ("string", "number"):
            value = f"{quote_literal(string_value(literal))}::text" if literal.kind == "string" \
                else literal.text
            out += nodes[j:end] + [raw(f"to_jsonb({value})")]
            return out, end + 1
    return out, j


def whole_select_item(nodes: list[Node], i: int, following: Node | None) -> bool:
    """Is the navigation from ``nodes[i]`` up to ``following`` a whole item of a select list,
    without an alias?  Redshift names its column after the last attribute (``SELECT
    s.attributename`` gives a column ``attributename``), where PostgreSQL would name it
    ``?column?``: two of them in a CREATE TABLE AS or a view would collide."""
    if following is not None and following.low not in _SELECT_ITEM_END:
        return False
    before = [node for node in nodes[:i] if not node.blank]
    if not before or before[-1].low not in (",", "select", "distinct", "all"):
        return False
    if any(node.low == "qualify" for node in nodes[i:]):
        return False  # QUALIFY's rewrite (queries.py) names the items of the select list itself
    return next((node.low for node in reversed(before) if node.low in _CLAUSES), None) == "select"


def _column_name(rw: "Rewriter", step: Node) -> str:
    name = step.text[1:-1].replace('""', '"') if step.kind == "qident" and rw.case_sensitive \
        else identifier_value(step)
    return '"' + name.replace('"', '""') + '"'


def _column_length(parts: list[Node], relations: frozenset[str]) -> int:
    """How many leading parts name the column (1 unless qualified by a relation)."""
    names = []
    for p in parts:
        if p.kind == "group":
            break
        names.append(identifier_value(p))
    length = 1
    for n, name in enumerate(names[:3]):
        if name in relations and n + 1 < len(names):
            length = n + 2  # [database.][schema.]relation.column
    return length


def _key(rw: "Rewriter", step: Node) -> str:
    if isinstance(step, Group):
        return f"({rw.text(step.nodes)})"
    if step.kind == "qident" and rw.case_sensitive:
        return quote_literal(step.text[1:-1].replace('""', '"'))
    return quote_literal(identifier_value(step))


def _next_significant(nodes: list[Node], k: int) -> tuple[Node | None, int]:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return (nodes[k], k) if k < len(nodes) else (None, k)
