"""PIVOT and UNPIVOT in FROM, as Redshift documents them (FROM clause, "PIVOT and
UNPIVOT examples"):

``src PIVOT (agg(expr) [[AS] a] FOR col IN (v1 [[AS] n1], ...)) [alias]`` becomes a
derived table grouped by the input's other columns (the implicit columns)::

    (SELECT other, agg(expr) FILTER (WHERE col IS NOT DISTINCT FROM v1) AS n1_a, ...
     FROM src GROUP BY other) alias

(NULL in the IN list matches NULL, as in Redshift; COUNT gives 0 where no row
matches, the others NULL).  Column names: the IN alias, else the constant itself
(``prop``, ``1``, ``null``), else ``?column?``; an aggregate alias is appended
after an underscore.

``src UNPIVOT [INCLUDE|EXCLUDE NULLS] (value FOR name IN (c1 [[AS] n1], ...)) [alias]``
becomes the input's other columns beside a LATERAL VALUES of (name, value) pairs;
EXCLUDE NULLS (the default) drops the pairs whose value is NULL.  The name column
is VARCHAR, the value column the IN columns' common type.

The implicit columns are read from the input's text: a subquery's select list or a
CTE's.  Over a table they cannot be: PIVOT groups by the table's whole rows with the
pivoted columns set to NULL (``_pivot_rows``), UNPIVOT keeps every column of the
table; either is refused when the query selects ``*`` (the pivoted or IN columns
would show).  PIVOT over a subquery or CTE selecting ``*`` is refused (its rows
have no named type to rebuild them with).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .errors import TranslationError, not_supported, syntax_error
from .from_list import (JOIN_WORDS, KEYWORDS, OPERATORS, item_qualifier, name_of, next_alias, parse,
                        render_nodes, select_columns)
from .tokens import (Group, Node, identifier_value, quote_ident, quote_literal, split_commas, string_value,
                     words)

if TYPE_CHECKING:
    from .expressions import Rewriter

_AGGREGATES = frozenset({"count", "sum", "min", "max", "avg"})
_CONSTANT_WORDS = frozenset({"null", "true", "false"})


def record_ctes(rw: "Rewriter", nodes: list[Node]) -> None:
    """Remember the column names of the CTEs a WITH at this level defines."""
    sig = words(nodes)
    if not sig or sig[0].low != "with":
        return
    k = 2 if len(sig) > 1 and sig[1].low == "recursive" else 1
    while k + 2 < len(sig) and sig[k].kind in ("ident", "qident"):
        name = identifier_value(sig[k])
        k += 1
        columns = None
        if isinstance(group := sig[k], Group):  # name (a, b) AS (...)
            columns = [name_of(rw, n) for n in words(group.nodes) if n.text != ","]
            k += 1
        if k + 1 >= len(sig) or sig[k].low != "as" or not isinstance(query := sig[k + 1], Group):
            return
        rw.ctes[name] = columns if columns is not None else select_columns(rw, query)
        k += 2
        if k >= len(sig) or sig[k].text != ",":
            return
        k += 1


def rewrite_operators(rw: "Rewriter", items: list[list[Node]], selects_star: bool) -> bool:
    """Replace PIVOT/UNPIVOT items in place; whether any was."""
    changed = False
    for index, item in enumerate(items):
        sig = words(item)
        at = next((k for k in range(1, len(sig)) if _is_operator(sig, k)), None)
        if at is None:
            continue
        operator = sig[at].low
        source = sig[:at]
        source_text = render_nodes(item[:item.index(sig[at])])
        if any(n.kind == "ident" and n.low in JOIN_WORDS for n in source):
            raise TranslationError(f"{operator.upper()} cannot be applied to a JOIN expression", "0A000")
        if any(_is_operator(source, j) for j in range(1, len(source))):
            raise TranslationError(f"{operator.upper()} cannot be applied to a PIVOT or UNPIVOT expression",
                                   "0A000")
        k = at + 1
        include_nulls = False
        if operator == "unpivot" and k + 1 < len(sig) and sig[k].low in ("include", "exclude") \
                and sig[k + 1].low == "nulls":
            include_nulls = sig[k].low == "include"
            k += 2
        if k >= len(sig) or not isinstance(body := sig[k], Group) or body.open != "(":
            raise syntax_error(sig[k].text if k < len(sig) else operator)
        k += 1
        alias = None
        if k < len(sig) and sig[k].low == "as":
            k += 1
        if k < len(sig) and sig[k].kind in ("ident", "qident") and sig[k].low not in KEYWORDS:
            alias = sig[k]
            k += 1
        if k < len(sig) and _is_operator(sig, k):
            raise TranslationError(f"{sig[k].low.upper()} cannot be applied to a PIVOT or UNPIVOT expression",
                                   "0A000")
        columns = _source_columns(rw, source)
        if operator == "pivot":
            derived = _pivot(rw, source, source_text, body, columns, selects_star)
        else:
            derived = _unpivot(rw, source, source_text, body, columns, include_nulls, selects_star)
        name = render_nodes([alias]) if alias is not None else next_alias(rw, operator)
        rest = item[item.index(sig[k]):] if k < len(sig) else []
        items[index] = [*parse(f" ({derived}) AS {name} "), *rest]
        changed = True
    return changed


def _is_operator(sig: list[Node], k: int) -> bool:
    """``PIVOT (`` / ``UNPIVOT [INCLUDE|EXCLUDE NULLS] (`` at ``sig[k]`` (not a column named pivot)."""
    node = sig[k]
    if node.kind != "ident" or node.low not in OPERATORS or sig[k - 1].text == ".":
        return False
    following = sig[k + 1] if k + 1 < len(sig) else None
    return isinstance(following, Group) and following.open == "(" or node.low == "unpivot" \
        and following is not None and following.low in ("include", "exclude")


def _source_columns(rw: "Rewriter", source: list[Node]) -> list[str] | None:
    if source and isinstance(source[0], Group):
        return select_columns(rw, source[0])
    if len(source) in (1, 2, 3) and source[0].kind in ("ident", "qident") and (
            len(source) == 1 or source[1].kind in ("ident", "qident") or source[1].low == "as"):
        return rw.ctes.get(identifier_value(source[0]))
    return None


def _pivot(rw: "Rewriter", source: list[Node], source_text: str, body: Group, columns: list[str] | None,
           selects_star: bool) -> str:
    sig = words(body.nodes)
    if len(sig) < 2 or sig[0].kind != "ident" or not isinstance(sig[1], Group):
        raise TranslationError("PIVOT aggregate must be a call of COUNT, SUM, MIN, MAX or AVG", "0A000")
    function, arguments = sig[0], sig[1]
    if function.low not in _AGGREGATES:
        raise TranslationError(f"PIVOT does not support the aggregate function {function.low}; "
                               "use COUNT, SUM, MIN, MAX or AVG", "0A000")
    k = 2
    aggregate_alias = None
    if k < len(sig) and sig[k].low == "as":
        k += 1
    if k < len(sig) and sig[k].kind in ("ident", "qident") and sig[k].low != "for":
        aggregate_alias = name_of(rw, sig[k])
        k += 1
    if k >= len(sig) or sig[k].low != "for":
        raise TranslationError("PIVOT aggregate must be a call of COUNT, SUM, MIN, MAX or AVG, "
                               "without an expression around it", "0A000")
    column, values = _for_in(sig[k + 1:], "PIVOT")
    used = _referenced(rw, arguments.nodes) | {name_of(rw, column[-1])}
    aggregate = render_nodes([function, arguments])
    for_column = render_nodes(column)
    outputs = []
    for value in values:
        expression, name = _pivot_value(rw, value)
        if aggregate_alias is not None:
            name = f"{name}_{aggregate_alias}"
        outputs.append(f"{aggregate} FILTER (WHERE {for_column} IS NOT DISTINCT FROM {expression}) "
                       f"AS {quote_ident(name)}")
    if columns is None:
        return _pivot_rows(rw, source, source_text, used, outputs, selects_star)
    implicit = [quote_ident(c) for c in columns if c not in used]
    group_by = f" GROUP BY {', '.join(implicit)}" if implicit else ""
    return f"SELECT {', '.join(implicit + outputs)} FROM {source_text}{group_by}"


def _pivot_rows(rw: "Rewriter", source: list[Node], source_text: str, used: set[str], outputs: list[str],
                selects_star: bool) -> str:
    """PIVOT over an input whose columns the text does not name (a table): the groups are
    its whole rows with the FOR and aggregated columns set to NULL
    (``jsonb_populate_record(row, '{"col": null}')``), expanded again outside.  Those two
    columns then show (as NULL), so a query selecting ``*`` over it is refused."""
    if selects_star:
        raise not_supported("SELECT * over PIVOT of a table or a SELECT * (name the input's columns in a "
                            "subquery: FROM (SELECT ...) PIVOT (...))")
    if isinstance(source[0], Group) or identifier_value(source[0]) in rw.ctes:
        # its rows have no type of their own to rebuild them with
        raise not_supported("PIVOT over a subquery or CTE selecting * (name its columns: "
                            "FROM (SELECT a, b ...) PIVOT (...))")
    qualifier, from_source = _qualified(rw, source, source_text)
    key = next_alias(rw, "key")
    nulls = quote_literal(json.dumps(dict.fromkeys(sorted(used))))
    return (f"SELECT ({key}).*, {', '.join(outputs)} FROM (SELECT jsonb_populate_record({qualifier}, "
            f"{nulls}::jsonb) AS {key}, {qualifier}.* FROM {from_source}) AS {qualifier} GROUP BY {key}")


def _qualified(rw: "Rewriter", source: list[Node], source_text: str) -> tuple[str, str]:
    """(the name that qualifies the input's columns, the input's text, named if it was not)."""
    qualifier = item_qualifier(source) if not isinstance(source[0], Group) else None
    if qualifier is None:
        qualifier = next_alias(rw, "src")
        return qualifier, f"{source_text} AS {qualifier}"
    return quote_ident(qualifier), source_text


def _pivot_value(rw: "Rewriter", value: list[Node]) -> tuple[str, str]:
    """(expression, column name) of a PIVOT IN value."""
    sig = words(value)
    alias = None
    if len(sig) >= 2 and sig[-1].kind in ("ident", "qident") and sig[-1].low not in _CONSTANT_WORDS and (
            sig[-2].low == "as" or sig[-2].kind in ("string", "number", "dollar")
            or sig[-2].low in _CONSTANT_WORDS):
        alias = name_of(rw, sig[-1])
        sig = sig[:-2] if sig[-2].low == "as" else sig[:-1]
    if not sig:
        raise syntax_error(value[-1].text if value else ")")
    if len(sig) == 1 and (sig[0].kind == "qident" or sig[0].kind == "ident"
                          and sig[0].low not in _CONSTANT_WORDS):
        raise TranslationError("PIVOT IN list values cannot be column references", "0A000")
    if any(isinstance(n, Group) and words(n.nodes)[:1] and words(n.nodes)[0].low == "select" for n in sig):
        raise TranslationError("PIVOT IN list values cannot be subqueries", "0A000")
    if alias is None:
        alias = _constant_name(sig)
        if not rw.case_sensitive:
            alias = alias.lower()
    return render_nodes(sig), alias


def _constant_name(sig: list[Node]) -> str:
    if len(sig) == 1:
        node = sig[0]
        if node.kind in ("string", "dollar"):
            return string_value(node)
        if node.kind == "number" or node.kind == "ident":
            return node.text
    if len(sig) == 2 and sig[0].text in ("-", "+") and sig[1].kind == "number":
        return sig[0].text + sig[1].text if sig[0].text == "-" else sig[1].text
    return "?column?"


def _unpivot(rw: "Rewriter", source: list[Node], source_text: str, body: Group, columns: list[str] | None,
             include_nulls: bool, selects_star: bool) -> str:
    sig = words(body.nodes)
    if not sig or sig[0].kind not in ("ident", "qident"):
        raise syntax_error(sig[0].text if sig else ")")
    value_name = name_of(rw, sig[0])
    if len(sig) < 2 or sig[1].low != "for":
        raise syntax_error(sig[1].text if len(sig) > 1 else ")")
    name_column, entries = _for_in(sig[2:], "UNPIVOT")
    if len(name_column) != 1:
        raise syntax_error(render_nodes(name_column))
    name_name = name_of(rw, name_column[0])
    pairs, used = [], set()
    for entry in entries:
        entry_sig = words(entry)
        reference = entry_sig
        label = None
        if len(entry_sig) >= 2 and entry_sig[-2].low == "as" or len(entry_sig) == 2:
            label_node = entry_sig[-1]
            label = string_value(label_node) if label_node.kind == "string" else name_of(rw, label_node)
            reference = entry_sig[:-2] if entry_sig[-2].low == "as" else entry_sig[:-1]
        if not reference or reference[-1].kind not in ("ident", "qident") or any(
                n.text != "." and n.kind not in ("ident", "qident") for n in reference):
            raise TranslationError("UNPIVOT IN list must contain only input table column references", "0A000")
        column = name_of(rw, reference[-1])
        used.add(column)
        pairs.append(f"({quote_literal(label if label is not None else column)}::varchar, "
                     f"{render_nodes(reference)})")
    pair_alias = next_alias(rw, "unpivot")
    value, name = quote_ident(value_name), quote_ident(name_name)
    if columns is not None:
        kept = ", ".join(quote_ident(c) for c in columns if c not in used)
        from_source = source_text
    else:
        if selects_star:
            raise not_supported("SELECT * over UNPIVOT of a table or a SELECT * (name the input's columns in "
                                "a subquery: FROM (SELECT ...) UNPIVOT (...))")
        qualifier, from_source = _qualified(rw, source, source_text)
        kept = f"{qualifier}.*"
    selected = ", ".join(part for part in (kept, f"{pair_alias}.{name}", f"{pair_alias}.{value}") if part)
    where = "" if include_nulls else f" WHERE {pair_alias}.{value} IS NOT NULL"
    return (f"SELECT {selected} FROM {from_source} CROSS JOIN LATERAL (VALUES {', '.join(pairs)}) "
            f"AS {pair_alias}({name}, {value}){where}")


def _for_in(sig: list[Node], operator: str) -> tuple[list[Node], list[list[Node]]]:
    """``column IN (entries)`` after FOR: (column nodes, entries)."""
    at = next((k for k, n in enumerate(sig) if n.kind == "ident" and n.low == "in"), None)
    if at is None or at == 0 or at + 1 >= len(sig) or not isinstance(group := sig[at + 1], Group):
        raise syntax_error(sig[-1].text if sig else operator)
    if at + 2 < len(sig):
        raise syntax_error(sig[at + 2].text)
    entries = split_commas(group.nodes)
    if not entries:
        raise syntax_error(")")
    return sig[:at], entries


def _referenced(rw: "Rewriter", nodes: list[Node]) -> set[str]:
    """The column names an aggregate's arguments read (``x`` and ``t.x`` give ``x``)."""
    names: set[str] = set()
    sig = words(nodes)
    for k, node in enumerate(sig):
        if isinstance(node, Group):
            names |= _referenced(rw, node.nodes)
        elif node.kind in ("ident", "qident") and not (k + 1 < len(sig) and (
                sig[k + 1].text == "." or isinstance(sig[k + 1], Group))):
            names.add(name_of(rw, node))
    return names
