"""FROM items PostgreSQL lacks: PIVOT / UNPIVOT (``pivot``) and PartiQL
unnesting and object unpivoting over SUPER values (``unnest``).

``statement_reshapes`` tells whether a statement may hold one (checked once per
translated statement); ``rewrite_from_items`` then runs at the start of every
node list the rewriter walks, before anything in it is rewritten: it finds the
FROM lists of that level and replaces each such item by PostgreSQL (a derived
table or a LATERAL call), as tokens the rewriter then walks like any other (so
that the aggregates, navigation and functions inside get their usual rewrites).
The names of the derived tables it makes are added to the statement's relations
(so that ``__ls_src.red`` is not read as navigation into a column); the aliases of
unnested elements are taken out of them (``i.price`` navigates into the element).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .tokens import Group, Node, Token, identifier_value, raw, render, split_commas, tokenize, tree, words

if TYPE_CHECKING:
    from .expressions import Rewriter

OPERATORS = frozenset({"pivot", "unpivot"})
# Words that end a FROM list at its level.
_FROM_END = frozenset({"where", "group", "having", "order", "limit", "offset", "fetch", "for", "union",
                       "intersect", "except", "minus", "window", "qualify", "returning", "into"})
JOIN_WORDS = frozenset({"join", "inner", "left", "right", "full", "outer", "cross", "natural"})
# Words that are no alias after a FROM item.
KEYWORDS = _FROM_END | JOIN_WORDS | OPERATORS | frozenset({"on", "using", "at", "as", "lateral", "include",
                                                            "exclude", "tablesample"})


_COMMA_PATH = re.compile(r',\s*[\w"$]+\s*[.\[]')
_JOIN_PATH = re.compile(r'(?i:join)\s+[\w"$]+\s*[.\[]')


def may_reshape(sql: str) -> bool:
    """Whether a text may hold such FROM items at all (cheap: it runs on every translated text)."""
    low = sql.lower()
    return "pivot" in low or ("." in sql or "[" in sql) and (
        _COMMA_PATH.search(sql) is not None or "join" in low and _JOIN_PATH.search(sql) is not None)


def prepare(rw: "Rewriter", tokens: list[Token]) -> None:
    """Set up the rewriter for one statement of a text ``may_reshape`` accepted."""
    rw.reshapes = rw.relations is not None and statement_reshapes(tokens, rw.relations)
    rw.ctes = {}


def statement_reshapes(tokens: list[Token], relations: frozenset[str]) -> bool:
    """Whether a statement names PIVOT or UNPIVOT, or a FROM item that may be a
    path into a SUPER value (``, c.items`` or ``JOIN c.items`` with ``c`` a relation)."""
    previous = None
    for k, tok in enumerate(tokens):
        if tok.kind == "ident" and tok.low in OPERATORS:
            return True
        if tok.blank:
            continue
        if previous is not None and (previous.text == "," or previous.low == "join") \
                and tok.kind in ("ident", "qident") and identifier_value(tok) in relations:
            following = next((t for t in tokens[k + 1:] if not t.blank), None)
            if following is not None and following.text in (".", "["):
                return True
        previous = tok
    return False


def rewrite_from_items(rw: "Rewriter", nodes: list[Node]) -> list[Node]:
    from . import pivot, unnest

    sig = [i for i, n in enumerate(nodes) if not n.blank]
    if not any(nodes[i].kind == "ident" and nodes[i].low == "from" for i in sig):
        return nodes
    pivot.record_ctes(rw, nodes)
    out: list[Node] = []
    reserved: set[str] = set()
    i = 0
    while i < len(nodes):
        node = nodes[i]
        out.append(node)
        i += 1
        if node.kind != "ident" or node.low != "from":
            continue
        end = i
        while end < len(nodes) and not (nodes[end].kind == "ident" and nodes[end].low in _FROM_END):
            end += 1
        region = nodes[i:end]
        star = select_list_has_star(out, len(out) - 1)
        items = split_commas(region)
        pivoted = pivot.rewrite_operators(rw, items, star)
        unnested = unnest.rewrite_unnesting(rw, items)
        if unnested:
            reserved |= unnested
        if pivoted or unnested is not None:
            for k, item in enumerate(items):
                if k:
                    out.append(Token("punct", ","))
                out.extend(item)
            out.append(raw(" "))
            i = end
    return unnest.quote_references(out, reserved) if reserved else out


def parse(text: str) -> list[Node]:
    """Nodes of SQL text the rewriter still has to walk."""
    return tree(tokenize(text))


def item_qualifier(item: list[Node]) -> str | None:
    """The name that qualifies the columns of a FROM item (``t``, ``s.t``, ``t [AS] a``,
    ``(subquery) [AS] a``), None when it has none."""
    sig = words(item)
    while sig and sig[0].kind == "ident" and sig[0].low in ("lateral", "only"):
        sig = sig[1:]
    cut = next((k for k, n in enumerate(sig) if n.kind == "ident" and n.low in ("on", "using")), len(sig))
    sig = sig[:cut]
    if sig and isinstance(sig[-1], Group) and len(sig) >= 2 and sig[-2].kind in ("ident", "qident"):
        sig = sig[:-1]  # alias (column, ...)
    if len(sig) >= 2 and sig[-2].kind == "ident" and sig[-2].low == "as":
        return identifier_value(sig[-1])
    if sig and sig[-1].kind in ("ident", "qident"):
        return identifier_value(sig[-1])
    return None


def select_columns(group: Group) -> list[str] | None:
    """The output column names of a parenthesized SELECT, None when they cannot be
    read from its text (``*``, VALUES, a WITH inside)."""
    from .queries import select_item_name

    sig = words(group.nodes)
    if not sig or sig[0].low != "select":
        return None
    k = 1
    while k < len(sig) and sig[k].low in ("distinct", "all"):
        k += 1
    if k < len(sig) and sig[k].low == "top":
        k += 2
    start = group.nodes.index(sig[k]) if k < len(sig) else len(group.nodes)
    end = next((i for i in range(start, len(group.nodes)) if group.nodes[i].kind == "ident"
                and group.nodes[i].low in ("from", "union", "intersect", "except", "minus", "where",
                                           "group", "order", "limit")), len(group.nodes))
    names = []
    for item in split_commas(group.nodes[start:end]):
        item_sig = words(item)
        if not item_sig or item_sig[-1].text == "*":
            return None
        names.append(select_item_name(item))
    return names


def select_list_has_star(nodes: list[Node], from_index: int) -> bool:
    """Whether the SELECT whose FROM is at ``nodes[from_index]`` selects ``*`` or ``x.*``."""
    start = next((i for i in range(from_index - 1, -1, -1) if nodes[i].kind == "ident"
                  and nodes[i].low == "select"), None)
    if start is None:
        return True
    return any(words(item)[-1:] and words(item)[-1].text == "*"
               for item in split_commas(nodes[start + 1:from_index]))


def render_nodes(nodes: list[Node]) -> str:
    """Nodes as text: ``words`` of a list are joined by spaces, a span keeps its own."""
    if any(n.blank for n in nodes):
        return render(nodes).strip()
    parts: list[str] = []
    for k, node in enumerate(nodes):
        if k and not (node.text in (".", "::") or nodes[k - 1].text in (".", "::")
                      or isinstance(node, Group) and (node.open == "[" or nodes[k - 1].kind == "ident")):
            parts.append(" ")
        parts.append(node.text)
    return "".join(parts)


def next_alias(rw: "Rewriter", prefix: str) -> str:
    """A name for a derived table of localshift's, known to navigation as a relation."""
    rw.generated += 1
    name = f"__ls_{prefix}{rw.generated}"
    rw.relations = rw.relations | {name}
    return name

