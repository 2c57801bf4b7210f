"""Redshift's rule for the frames of aggregate window functions.

AWS's window function syntax: "If an ORDER BY clause is used for an aggregate function, an
explicit frame clause is required."  Redshift refuses ``SUM(x) OVER (ORDER BY y)``, where
PostgreSQL would run it with its default frame (RANGE UNBOUNDED PRECEDING, a running total):
a statement that works on localshift would fail on Redshift, so it fails here too.  Ranking
functions, LAG and LEAD take no frame and are not concerned.  MEDIAN's OVER clause takes
PARTITION BY only (AWS: ``MEDIAN(x) OVER ([PARTITION BY ...])``), where PostgreSQL would run a
running median over an ORDER BY; PERCENTILE_CONT/DISC, LISTAGG and RATIO_TO_REPORT are checked
by their handlers.
"""

from __future__ import annotations

from .errors import TranslationError
from .tokens import Group, Node, words

# The aggregate window functions a frame applies to.
FRAMED = frozenset({"avg", "count", "max", "min", "sum", "stddev", "stddev_samp", "stddev_pop", "variance",
                    "var_samp", "var_pop", "first_value", "last_value", "nth_value"})
_FRAME_WORDS = frozenset({"rows", "range", "groups"})
PARTITION_ONLY = frozenset({"median"})
# What may stand between the call and OVER (null_treatment.py's forms).
_NULL_TREATMENT = frozenset({"ignore", "respect", "nulls", "from", "first", "last"})


def check_frame(nodes: list[Node], i: int, j: int) -> None:
    """The call ``nodes[i](nodes[j])`` of a function of FRAMED: refused when an OVER clause
    follows with an ORDER BY and no frame; of PARTITION_ONLY: with an ORDER BY or a frame."""
    k = _next(nodes, j + 1)
    while k < len(nodes) and nodes[k].low in _NULL_TREATMENT:  # FIRST_VALUE(x) IGNORE NULLS OVER (...)
        k = _next(nodes, k + 1)
    if k >= len(nodes) or nodes[k].low != "over":
        return
    k = _next(nodes, k + 1)
    window = nodes[k] if k < len(nodes) else None
    if not isinstance(window, Group):
        return  # OVER name: a named window (PostgreSQL reports what it makes of it)
    lows = {node.low for node in words(window.nodes)}
    if nodes[i].low in PARTITION_ONLY:
        if "order" in lows or not lows.isdisjoint(_FRAME_WORDS):
            raise TranslationError(f"{nodes[i].low.upper()} allows only PARTITION BY in its OVER clause", "42601")
        return
    if "order" in lows and lows.isdisjoint(_FRAME_WORDS):
        raise TranslationError("Aggregate window functions with an ORDER BY clause require a frame clause",
                               "0A000")


def _next(nodes: list[Node], k: int) -> int:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return k
