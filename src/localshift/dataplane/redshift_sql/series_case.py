"""``generate_series`` in the results of a CASE.

Redshift evaluates a set-returning function where a CASE picks it, per row (AWS's JDBC
driver's getProcedureColumns and getFunctionColumns on their catalog path select
``CASE WHEN (proallargtypes IS NULL) THEN generate_series(lo, hi)-1 ELSE
generate_series(lo, hi+1)-1 END``); PostgreSQL refuses a set-returning function inside CASE.
When every result of a searched CASE is ``generate_series(...)`` followed by the same text,
the CASE moves into the arguments: ``generate_series(CASE WHEN c THEN lo ... END, CASE WHEN c
THEN hi ... END) <text>``, the series the row's branch names."""

from __future__ import annotations

from .from_list import parse
from .tokens import Group, Node, render, split_commas, strip, words

_CLAUSE_WORDS = ("when", "then", "else", "end")


def hoist_series(nodes: list[Node], start: int) -> tuple[list[Node], int] | None:
    """For the CASE at ``nodes[start]``: the nodes that replace it up to its END (the index
    returned), or None when it is not such a CASE."""
    clauses: list[tuple[str, list[Node]]] = []
    depth, k = 0, start + 1
    current: list[Node] = []
    keyword = "case"
    while k < len(nodes):
        node = nodes[k]
        word = node.low if node.kind == "ident" else ""
        if word == "case":
            depth += 1
        elif word == "end" and depth:
            depth -= 1
        elif depth == 0 and word in _CLAUSE_WORDS:
            clauses.append((keyword, current))
            if word == "end":
                break
            keyword, current = word, []
            k += 1
            continue
        current.append(node)
        k += 1
    else:
        return None
    if words(clauses[0][1]) or len(clauses) < 4 or clauses[-1][0] != "else":
        return None  # a simple CASE (CASE x WHEN ...), or no ELSE: left to the engine
    conditions = [render(strip(body)) for word, body in clauses if word == "when"]
    calls = [_series_call(body) for word, body in clauses if word in ("then", "else")]
    if any(call is None for call in calls):
        return None
    arguments = [call[0] for call in calls if call]
    tails = {call[1] for call in calls if call}
    if len(tails) != 1 or len({len(a) for a in arguments}) != 1:
        return None
    picked = []
    for position in range(len(arguments[0])):
        branches = " ".join(f"WHEN {c} THEN {a[position]}" for c, a in zip(conditions, arguments))
        picked.append(f"CASE {branches} ELSE {arguments[-1][position]} END")
    return parse(f"generate_series({', '.join(picked)}){tails.pop()}"), k


def _series_call(body: list[Node]) -> tuple[list[str], str] | None:
    """``generate_series(a, b) <tail>`` -> ([a, b], tail)."""
    body = strip(body)
    sig = [k for k, node in enumerate(body) if not node.blank]
    if len(sig) < 2 or body[sig[0]].low != "generate_series":
        return None
    group = body[sig[1]]
    if not isinstance(group, Group) or group.open != "(":
        return None
    return [render(strip(part)) for part in split_commas(group.nodes)], render(body[sig[1] + 1:])
