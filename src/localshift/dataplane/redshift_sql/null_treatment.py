"""Window functions with IGNORE NULLS / RESPECT NULLS, and NTH_VALUE ... FROM LAST.

PostgreSQL 18 has neither (its window functions always respect NULLs and count from
the first row).  RESPECT NULLS and FROM FIRST are its behaviour: the words are dropped.
The other forms become the catalog's aggregates over the same window, which see
exactly the rows of its frame: ``first_values(x, n, ignore_nulls)`` gathers the frame's
first n values, ``last_values`` its last n, and a picker named after the function picks the
n-th (so that an unaliased column is named ``first_value``, ``lag``... as on Redshift):
* ``FIRST_VALUE(x) IGNORE NULLS OVER w`` -> ``first_value(first_values(x, 1, true) OVER w, 1)``
* ``LAST_VALUE(x) IGNORE NULLS OVER w``  -> ``last_value(last_values(x, 1, true) OVER w, 1)``
* ``NTH_VALUE(x, n) [FROM FIRST|LAST] IGNORE NULLS OVER w``: ``nth_value(..., n, from_last)``
  over either (``FROM LAST`` alone: ``last_values(x, n, false)``);
* ``LAG(x[, n]) IGNORE NULLS OVER (p)``: ``last_values(x, n, true) OVER (p ROWS BETWEEN
  UNBOUNDED PRECEDING AND 1 PRECEDING)``, the n-th non-NULL value before the row;
* ``LEAD(x[, n]) IGNORE NULLS OVER (p)``: ``first_values(x, n, true) OVER (p ROWS BETWEEN
  1 FOLLOWING AND UNBOUNDED FOLLOWING)``.
Redshift writes the option after the arguments (``LAG(x) IGNORE NULLS``); inside them
(``FIRST_VALUE(x IGNORE NULLS)``) is accepted too.  A form with no faithful translation
(LAG/LEAD IGNORE NULLS with an offset of 0 or a default value) fails with 0A000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import not_supported, syntax_error
from .functions import _next
from .tokens import Group, Node, inside, raw, split_commas, words

if TYPE_CHECKING:
    from .expressions import Rewriter

# Words that make the translator look at these calls at all (fastpath): without them the
# calls are PostgreSQL's.
TRIGGER_WORDS = frozenset({"ignore", "respect", "nth_value"})

_LAG_FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
_LEAD_FRAME = "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"


def _null_treatment(nodes: list[Node], k: int) -> tuple[str | None, int]:
    """``IGNORE NULLS`` / ``RESPECT NULLS`` at ``nodes[k]``: ("ignore"|"respect", index after) or (None, k)."""
    if k < len(nodes) and nodes[k].kind == "ident" and nodes[k].low in ("ignore", "respect"):
        after = _next(nodes, k + 1)
        if after < len(nodes) and nodes[after].low == "nulls":
            return nodes[k].low, _next(nodes, after + 1)
    return None, k


def _handler(name: str):
    def handler(rw: "Rewriter", nodes: list[Node], i: int, j: int) -> tuple[list[Node], int]:
        inner = inside(nodes[j])
        significant = words(inner)
        treatment = None
        if len(significant) >= 2 and significant[-1].low == "nulls" \
                and significant[-2].low in ("ignore", "respect"):
            treatment = significant[-2].low
            inner = inner[:inner.index(significant[-2])]
        args = [rw.text(part) for part in split_commas(inner)]
        k = _next(nodes, j + 1)
        from_last = False
        if name == "nth_value" and k < len(nodes) and nodes[k].low == "from":
            edge = _next(nodes, k + 1)
            if edge >= len(nodes) or nodes[edge].low not in ("first", "last"):
                raise syntax_error("from")
            from_last = nodes[edge].low == "last"
            k = _next(nodes, edge + 1)
        after_treatment, k_after = _null_treatment(nodes, k)
        if after_treatment is not None:
            if treatment is not None:
                raise syntax_error(nodes[k].text)
            treatment, k = after_treatment, k_after
        call = f"{name}({', '.join(args)})"
        if treatment != "ignore" and not from_last:
            # PostgreSQL's own behaviour; OVER and its window follow as they are.
            if words(nodes[j + 1:k]):
                return [raw(call + " ")], k  # RESPECT NULLS / FROM FIRST dropped
            return [raw(call)], j + 1
        if k >= len(nodes) or nodes[k].low != "over":
            raise syntax_error(nodes[k].text if k < len(nodes) else name)
        w = _next(nodes, k + 1)
        if w >= len(nodes):
            raise syntax_error("over")
        window = nodes[w]
        spec = rw.text(window.nodes) if isinstance(window, Group) else window.text
        ignore = "true" if treatment == "ignore" else "false"
        if name in ("lag", "lead"):
            if len(args) > 2:
                raise not_supported(f"{name.upper()} with a default value and IGNORE NULLS")
            offset = args[1] if len(args) == 2 else "1"
            if offset.strip() == "0":
                raise not_supported(f"{name.upper()} IGNORE NULLS with an offset of 0")
            if not args:
                raise syntax_error(")")
            frame = _LAG_FRAME if name == "lag" else _LEAD_FRAME
            return [raw(_pick(name, name == "lag", args[0], offset, "true", f"({spec} {frame})"))], w + 1
        if name == "nth_value":
            if len(args) != 2:
                raise syntax_error(")")
            value, n = args
        else:
            if len(args) != 1:
                raise syntax_error(")")
            value, n = args[0], "1"
        over = f"({spec})" if isinstance(window, Group) else spec
        return [raw(_pick(name, from_last or name == "last_value", value, n, ignore, over))], w + 1

    return handler


def _pick(name: str, from_last: bool, value: str, n: str, ignore: str, over: str) -> str:
    """The n-th value of the window frame ``over``, counted from its last or first row, picked by
    the catalog's picker named ``name`` (the column's name)."""
    gathered = (f"localshift.last_values({value}, {n}, {ignore}) OVER {over}" if from_last
                else f"localshift.first_values({value}, {n}, {ignore}) OVER {over}")
    if name == "nth_value":
        return f"localshift.nth_value({gathered}, {n}, {'true' if from_last else 'false'})"
    return f"localshift.{name}({gathered}, {n})"


CALLS = {name: _handler(name) for name in ("first_value", "last_value", "nth_value", "lag", "lead")}
