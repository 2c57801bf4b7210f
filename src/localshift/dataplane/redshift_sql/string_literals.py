"""String literals assigned to columns: typed, so that a SUPER column stores a SUPER string.

Redshift stores a string literal put into a SUPER column as a string ("Using JSON_PARSE to insert
data into SUPER columns": without JSON_PARSE the value is "a single string"); the engine's SUPER
is ``jsonb``, whose input function reads an untyped literal as JSON text.  A bare string literal
that is a whole value it assigns becomes ``'...'::localshift.string_literal``, a type whose
assignment casts make a SUPER string of it and read it with the target type's input function for
every other column type, as the untyped literal was read (catalog/27_super_literals.sql): the
items of an INSERT's VALUES rows, of an ``INSERT ... SELECT``'s select list, of an UPDATE's
``SET column = '...'``, and of a MERGE's ``WHEN MATCHED THEN UPDATE SET`` and ``WHEN NOT MATCHED
THEN INSERT VALUES``.  The engine reads a bare literal of an INSERT's SELECT list with the target
column's type as it does a VALUES row's.  A SELECT that compares, groups or sorts its rows
(DISTINCT, GROUP BY, ORDER BY, UNION ...) keeps its literals untyped (the type has no operators):
the engine resolves them as TEXT there, which a SUPER column takes as a string (27_super.sql's
assignment cast).  A literal anywhere else is untouched: in an expression, a nested SELECT, a
parameter.
"""

from __future__ import annotations

from .tokens import Group, Node, raw, split_commas, words

TYPE = "localshift.string_literal"
# Where an UPDATE's SET list ends (a MERGE's, at its next WHEN).
_SET_ENDS = frozenset({"from", "where", "returning"})
_MERGE_SET_ENDS = frozenset({"when"})
# Where a SELECT list ends; and the words of a SELECT that compares its rows, whose literals stay
# untyped (``localshift.string_literal`` has no equality or ordering).
_SELECT_LIST_ENDS = frozenset({"from", "where", "group", "having", "order", "limit", "offset", "window",
                               "qualify", "union", "intersect", "except", "minus", "into", "fetch"})
_COMPARING = frozenset({"distinct", "group", "order", "union", "intersect", "except", "minus", "top"})


def typed(nodes: list[Node], first: str) -> list[Node]:
    """``nodes`` (an INSERT, an UPDATE or a MERGE, ``first`` its first word) with the bare string
    literals it assigns typed; the same list when it assigns none."""
    sig = words(nodes)
    if first == "merge":
        return _typed_merge(nodes, sig)
    if first == "insert":
        at = next((k for k, node in enumerate(sig) if node.low in ("values", "select")), None)
        if at is None:
            return nodes
        start = nodes.index(sig[at]) + 1
        return _typed_values(nodes, start) if sig[at].low == "values" else _typed_select(nodes, sig[at:], start)
    at = next((k for k, node in enumerate(sig) if node.low == "set"), None)
    return nodes if at is None else _typed_set(nodes, nodes.index(sig[at]) + 1, _SET_ENDS)


def _typed_merge(nodes: list[Node], sig: list[Node]) -> list[Node]:
    """MERGE: its WHEN MATCHED THEN UPDATE SET items and its WHEN NOT MATCHED THEN INSERT's VALUES
    row (Redshift's MERGE has one of each at most)."""
    lows = [node.low for node in sig]
    for k in range(len(sig) - 1):
        if lows[k] == "then" and lows[k + 1] == "update" and lows[k + 2:k + 3] == ["set"]:
            nodes = _typed_set(nodes, nodes.index(sig[k + 2]) + 1, _MERGE_SET_ENDS)
        elif lows[k] == "then" and lows[k + 1] == "insert":
            at = next((j for j in range(k + 2, len(sig)) if lows[j] in ("values", "when")), None)
            if at is not None and lows[at] == "values":
                nodes = _typed_values(nodes, nodes.index(sig[at]) + 1)
    return nodes


def _typed_select(nodes: list[Node], sig: list[Node], start: int) -> list[Node]:
    """``INSERT ... SELECT 'x', ...``: the select list's bare literals, when the SELECT does not
    compare its rows."""
    if any(node.low in _COMPARING for node in sig):
        return nodes
    end = next((k for k in range(start, len(nodes)) if nodes[k].low in _SELECT_LIST_ENDS), len(nodes))
    return nodes[:start] + _typed_items(nodes[start:end], 0, aliased=True) + nodes[end:]


def _typed_values(nodes: list[Node], start: int) -> list[Node]:
    """VALUES (...), (...): each row's bare literals, up to what follows the rows."""
    out = nodes[:start]
    k = start
    while k < len(nodes):
        node = nodes[k]
        if isinstance(node, Group) and node.open == "(":
            out.append(Group("(", _typed_items(node.nodes, 0), ")"))
        elif node.blank or node.text == ",":
            out.append(node)
        else:
            break
        k += 1
    return out + nodes[k:]


def _typed_set(nodes: list[Node], start: int, ends: frozenset[str]) -> list[Node]:
    """SET a = '...', b = ... up to one of ``ends``."""
    end = next((k for k in range(start, len(nodes)) if nodes[k].low in ends), len(nodes))
    return nodes[:start] + _typed_items(nodes[start:end], 2) + nodes[end:]


def _typed_items(nodes: list[Node], at: int, aliased: bool = False) -> list[Node]:
    """Comma-separated items, each typed where its significant node ``at`` is its last and a string
    literal (``'x'`` in a VALUES row, ``a = 'x'`` in a SET list); ``aliased``: or followed by an
    alias (``'x' [AS] name`` in a select list)."""
    out: list[Node] = []
    for number, item in enumerate(split_commas(nodes)):
        if number:
            out.append(raw(","))
        sig = words(item)
        if aliased and len(sig) > 1 and _alias(sig[1:]):
            sig = sig[:1]
        if len(sig) == at + 1 and sig[at].kind == "string" and (at == 0 or sig[1].text == "="):
            literal = sig[at]
            item = [raw(f"{literal.text}::{TYPE}") if node is literal else node for node in item]
        out.extend(item)
    return out


def _alias(nodes: list[Node]) -> bool:
    """``[AS] name``."""
    if len(nodes) == 2 and nodes[0].low == "as":
        nodes = nodes[1:]
    return len(nodes) == 1 and nodes[0].kind in ("ident", "qident")
