"""Reading FROM lists for ``from_items``: the names of FROM items, the columns a
subquery selects, and the SQL text the rewrites put in their place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .select_aliases import select_item_name
from .tokens import Group, Node, identifier_value, render, split_commas, tokenize, tree, words

if TYPE_CHECKING:
    from .expressions import Rewriter

OPERATORS = frozenset({"pivot", "unpivot"})
# Words that end a FROM list at its level.
FROM_END = frozenset({"where", "group", "having", "order", "limit", "offset", "fetch", "for", "union",
                      "intersect", "except", "minus", "window", "qualify", "returning", "into"})
JOIN_WORDS = frozenset({"join", "inner", "left", "right", "full", "outer", "cross", "natural"})
# Words that are no alias after a FROM item.
KEYWORDS = FROM_END | JOIN_WORDS | OPERATORS | frozenset({"on", "using", "at", "as", "lateral", "include",
                                                           "exclude", "tablesample"})


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


def name_of(rw: "Rewriter", node: Node) -> str:
    """The name an identifier gives a column: delimited names keep their case when
    identifiers are case sensitive (enable_case_sensitive_identifier)."""
    if rw.case_sensitive and node.kind == "qident":
        return node.text[1:-1].replace('""', '"')
    return identifier_value(node)


def select_columns(rw: "Rewriter", group: Group) -> list[str] | None:
    """The output column names of a parenthesized SELECT, None when they cannot be
    read from its text (``*``, VALUES, a WITH inside)."""
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
        names.append(name_of(rw, item_sig[-1]) if item_sig[-1].kind == "qident" else select_item_name(item))
    return names


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
    if rw.relations is not None:  # (None: no navigation in the statement)
        rw.relations = rw.relations | {name}
    return name

