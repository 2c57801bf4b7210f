"""String literals assigned to columns: typed, so that a SUPER column stores a SUPER string.

Redshift stores a string literal put into a SUPER column as a string ("Using JSON_PARSE to insert
data into SUPER columns": without JSON_PARSE the value is "a single string"); the engine's SUPER
is ``jsonb``, whose input function reads an untyped literal as JSON text.  A bare string literal
that is a whole value of an INSERT's VALUES rows or of an UPDATE's ``SET column = '...'`` becomes
``'...'::localshift.string_literal``, a type whose assignment casts make a SUPER string of it and
read it with the target type's input function for every other column type, as the untyped literal
was read (catalog/27_super_literals.sql).  Nothing else changes: a literal in an expression, a
SELECT's, a parameter.
"""

from __future__ import annotations

from .tokens import Group, Node, raw, split_commas, words

TYPE = "localshift.string_literal"
# Where an UPDATE's SET list ends.
_SET_ENDS = frozenset({"from", "where", "returning"})


def typed(nodes: list[Node], first: str) -> list[Node]:
    """``nodes`` (an INSERT or an UPDATE, ``first`` its first word) with the bare string literals it
    assigns typed; the same list when it assigns none."""
    sig = words(nodes)
    if first == "insert":
        at = next((k for k, node in enumerate(sig) if node.low == "values"), None)
        return nodes if at is None else _typed_values(nodes, nodes.index(sig[at]) + 1)
    at = next((k for k, node in enumerate(sig) if node.low == "set"), None)
    return nodes if at is None else _typed_set(nodes, nodes.index(sig[at]) + 1)


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


def _typed_set(nodes: list[Node], start: int) -> list[Node]:
    """SET a = '...', b = ... up to FROM, WHERE or RETURNING."""
    end = next((k for k in range(start, len(nodes)) if nodes[k].low in _SET_ENDS), len(nodes))
    return nodes[:start] + _typed_items(nodes[start:end], 2) + nodes[end:]


def _typed_items(nodes: list[Node], at: int) -> list[Node]:
    """Comma-separated items, each typed where its significant node ``at`` is its last and a string
    literal (``'x'`` in a VALUES row, ``a = 'x'`` in a SET list)."""
    out: list[Node] = []
    for number, item in enumerate(split_commas(nodes)):
        if number:
            out.append(raw(","))
        sig = words(item)
        if len(sig) == at + 1 and sig[at].kind == "string" and (at == 0 or sig[1].text == "="):
            literal = sig[at]
            item = [raw(f"{literal.text}::{TYPE}") if node is literal else node for node in item]
        out.extend(item)
    return out
