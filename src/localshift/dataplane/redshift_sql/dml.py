"""DML with Redshift's grammar: MERGE, and DELETE without FROM.

``DELETE t WHERE ...``: Redshift's FROM is optional; PostgreSQL's is not.

Redshift's MERGE is PostgreSQL's with fewer forms: one WHEN MATCHED THEN
{UPDATE SET ... | DELETE} and one WHEN NOT MATCHED THEN INSERT, with no
condition on a WHEN clause, no DO NOTHING, no BY SOURCE / BY TARGET and no
RETURNING; those are syntax errors here as on Redshift.

Its simplified mode, ``MERGE INTO target USING source ON cond REMOVE
DUPLICATES``, replaces every target row that matches a source row by the
source rows (the duplicates a target holds for one key go with it) and inserts
the source rows that match none: the target's matching rows are deleted and
every source row is inserted, in one statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import syntax_error
from .tokens import Node, raw, render, strip

if TYPE_CHECKING:
    from .expressions import Rewriter


def merge(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """``MERGE ... REMOVE DUPLICATES`` -> a DELETE and an INSERT; other MERGEs are checked
    against Redshift's grammar and run as they are (None)."""
    lows = [w.low for w in sig]
    if lows[-2:] == ["remove", "duplicates"]:
        return _remove_duplicates(rw, nodes, sig, lows)
    for k, low in enumerate(lows):
        if low == "when" and (lows[k + 1:k + 2] == ["matched"] or lows[k + 1:k + 3] == ["not", "matched"]):
            then = k + (3 if lows[k + 1] == "not" else 2)  # WHEN [NOT] MATCHED THEN
            if lows[then:then + 1] != ["then"]:
                raise syntax_error(sig[then].text if then < len(sig) else "matched")  # AND cond, BY SOURCE
            if lows[then + 1:then + 2] == ["do"]:
                raise syntax_error(sig[then + 1].text)  # DO NOTHING
        elif low == "returning":
            raise syntax_error(sig[k].text)
    return None


def delete(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """``DELETE [FROM] t ...``: FROM put in where it was left out."""
    if len(sig) < 2 or sig[1].low == "from":
        return None
    k = nodes.index(sig[1])
    return render(rw.rewrite(nodes[:k] + [raw("FROM ")] + nodes[k:]))


def _remove_duplicates(rw: "Rewriter", nodes: list[Node], sig: list[Node], lows: list[str]) -> str:
    if lows[1:2] != ["into"] or "using" not in lows:
        raise syntax_error(sig[1].text if len(sig) > 1 else "merge")
    using = lows.index("using")
    on = next((k for k in range(using + 1, len(lows)) if lows[k] == "on"), None)
    if on is None or on + 1 >= len(sig) - 2 or "when" in lows:
        raise syntax_error("remove")
    target = _span(nodes, sig, 2, using)
    source = rw.text(_span(nodes, sig, using + 1, on))
    condition = rw.text(_span(nodes, sig, on + 1, len(sig) - 2))
    name, alias = _name_and_alias(target)
    target_text = rw.text(name) + (" " + render(alias) if alias else "")
    return (f"WITH __ls_replaced AS (DELETE FROM {target_text} USING {source} WHERE {condition} RETURNING 1) "
            f"INSERT INTO {rw.text(name)} SELECT * FROM {source}")


def _span(nodes: list[Node], sig: list[Node], start: int, end: int) -> list[Node]:
    """The nodes from the significant node ``start`` up to (not including) ``end``."""
    if start >= end:
        raise syntax_error(sig[min(start, len(sig) - 1)].text)
    return nodes[nodes.index(sig[start]):nodes.index(sig[end - 1]) + 1]


def _name_and_alias(target: list[Node]) -> tuple[list[Node], list[Node]]:
    """``[schema.]table [[AS] alias]``: the name's nodes, and the alias's (AS kept)."""
    target = strip(target)
    k = 0
    while k + 2 < len(target) and target[k + 1].text == ".":
        k += 2
    return target[:k + 1], strip(target[k + 1:])
