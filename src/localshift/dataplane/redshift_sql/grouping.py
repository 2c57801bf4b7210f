"""Select-list forms of Redshift's grouping and projection that PostgreSQL 18 lacks:

* ``GROUP BY ALL``: Redshift groups by every item of the select list that is not
  aggregated; PostgreSQL 18 reads ``ALL`` as the set quantifier of a grouping list
  (``GROUP BY ALL a, b``) and has no bare form.  It becomes ``GROUP BY`` the ordinals of
  those items (``GROUP BY ()`` when every item is aggregated: one group, as without
  GROUP BY).  Over ``SELECT *`` the items are not known here: ``0A000``.
* ``SELECT * EXCLUDE col, ...``: the columns of ``*`` are not known to the translator
  (it reads text, not the catalog), so it fails with ``0A000`` naming the construct.
"""

from __future__ import annotations

import re

from .errors import not_supported
from .tokens import Group, Node, raw, words

# Redshift's aggregate functions (and PostgreSQL's, which Redshift lacks but a statement may call).
AGGREGATES = frozenset({
    "count", "sum", "avg", "min", "max", "listagg", "median", "percentile_cont", "percentile_disc",
    "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "bit_and", "bit_or",
    "bool_and", "bool_or", "any_value", "every", "array_agg", "string_agg", "json_agg", "jsonb_agg",
    "json_object_agg", "jsonb_object_agg", "xmlagg", "corr", "covar_pop", "covar_samp", "regr_avgx",
    "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy",
    "regr_syy", "mode", "range_agg", "range_intersect_agg", "hll", "hll_create_sketch",
    "hll_combine", "ratio_to_report"})
# Text the other rewrites made (``localshift.avg(sum(x), ...)``): an aggregate call or a window in it.
_AGGREGATED_TEXT = re.compile(
    r"(?<![\w$])(?:" + "|".join(sorted(AGGREGATES)) + r")\s*\(|(?<![\w$])over(?![\w$])", re.IGNORECASE)


def refuse_exclude(items: list[list[Node]]) -> None:
    """``SELECT * EXCLUDE ...`` / ``SELECT t.* EXCLUDE (...)``: refused (no alias can follow ``*``;
    ``a * exclude`` multiplies by a column named so)."""
    for item in items:
        sig = words(item)
        for k in range(len(sig) - 1):
            if sig[k].text == "*" and (k == 0 or sig[k - 1].text == ".") and sig[k + 1].kind == "ident" \
                    and sig[k + 1].low == "exclude":
                raise not_supported("SELECT * EXCLUDE")


def group_by_all(nodes: list[Node], group: int, end: int, items: list[list[Node]]) -> None:
    """``GROUP BY ALL`` (``group`` the index of GROUP, the clause ending at ``end``) becomes the
    ordinals of the select list's items that are not aggregated, in place."""
    sig = [i for i in range(group + 1, end) if not nodes[i].blank]
    if len(sig) != 2 or nodes[sig[0]].low != "by" or nodes[sig[1]].low != "all":
        return  # a grouping list (``GROUP BY ALL a, b`` is PostgreSQL's and means ``GROUP BY a, b``)
    ordinals = []
    for number, item in enumerate(items, 1):
        item_words = words(item)
        if item_words and item_words[-1].text == "*":
            raise not_supported("GROUP BY ALL with SELECT *")
        if not _aggregated(item):
            ordinals.append(str(number))
    nodes[sig[1]] = raw(", ".join(ordinals) if ordinals else "()")


def _aggregated(nodes: list[Node]) -> bool:
    sig = words(nodes)
    for k, node in enumerate(sig):
        if node.kind == "group":
            if _aggregated(node.nodes):
                return True
            continue
        following = sig[k + 1] if k + 1 < len(sig) else None
        called = isinstance(following, Group) and following.open == "("
        if node.kind == "ident":
            if node.low == "over" or node.low in AGGREGATES and called:
                return True
        # (a call the rewrites qualified, ``localshift.sum(x)``, is its name's raw text before the call)
        elif node.kind == "raw" and (_AGGREGATED_TEXT.search(node.text)
                                     or called and node.text.rpartition(".")[2].lower() in AGGREGATES):
            return True
    return False
