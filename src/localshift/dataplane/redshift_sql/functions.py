"""Rewrites of Redshift function calls and function-like syntax.

Each handler gets the rewriter, the node list, the index of the function name
and the index of its argument group; it returns the replacement nodes and the
index after what it consumed (OVER / WITHIN GROUP clauses included).
Functions the engine provides (catalog SQL files, schema ``localshift``) are
not here: ``expressions`` qualifies those calls by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .errors import TranslationError, not_supported, syntax_error
from .settings import setting_call
from .super_casts import cast_expression
from .tokens import Group, Node, raw, render, split_commas, tokenize, tree, words
from .types import read_type

if TYPE_CHECKING:
    from .expressions import Rewriter

Handler = Callable[["Rewriter", list[Node], int, int], tuple[list[Node], int]]

# Redshift's date and time part names and abbreviations -> PostgreSQL's unit names.
DATE_PARTS = {}
for _canonical, _names in {
    "millennium": "millennium millennia millenniums mil mils",
    "century": "century centuries c cent cents",
    "decade": "decade decades dec decs",
    "epoch": "epoch",
    "year": "year years y yr yrs",
    "quarter": "quarter quarters qtr qtrs",
    "month": "month months mon mons",
    "week": "week weeks w",
    "dow": "dayofweek dow dw weekday",
    "doy": "dayofyear doy dy yearday",
    "day": "day days d",
    "hour": "hour hours h hr hrs",
    "minute": "minute minutes m min mins",
    "second": "second seconds s sec secs",
    "milliseconds": ("millisecond milliseconds ms msec msecs msecond mseconds millisec millisecs"
                    " millisecon"),
    "microseconds": "microsecond microseconds microsec microsecs usecond useconds us usec usecs",
    "timezone": "timezone",
    "timezone_hour": "timezone_hour",
    "timezone_minute": "timezone_minute",
}.items():
    for _name in _names.split():
        DATE_PARTS[_name] = _canonical


def date_part(nodes: list[Node]) -> str | None:
    """The PostgreSQL unit of a date-part argument written bare (``day``), quoted
    (``'day'``) or double-quoted; None when the argument is an expression."""
    significant = words(nodes)
    if len(significant) != 1:
        return None
    tok = significant[0]
    if tok.kind == "ident" or tok.kind == "qident":
        name = tok.text.strip('"').lower()
    elif tok.kind == "string" and tok.text.startswith("'"):
        name = tok.text[1:-1].lower()
    else:
        return None
    part = DATE_PARTS.get(name)
    if part is None:
        raise TranslationError(f'unit "{name}" not recognized', "22023")
    return part


def _args(rw: "Rewriter", group: Group) -> list[str]:
    return [rw.text(a) for a in split_commas(group.nodes)]


def _next(nodes: list[Node], k: int) -> int:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return k


def _call(name: str, args: list[str]) -> list[Node]:
    return [raw(f"{name}({', '.join(args)})")]


def nvl(rw, nodes, i, j):
    # NVL(a, b, ...) is COALESCE: Redshift accepts any number of arguments.
    return _call("coalesce", _args(rw, nodes[j])), j + 1


def decode(rw, nodes, i, j):
    args = _args(rw, nodes[j])
    if len(args) < 3:  # PostgreSQL's own decode(text, format)
        return _call(nodes[i].text, args), j + 1
    expr, rest = args[0], args[1:]
    # Redshift: when both the expression and a search value are NULL, DECODE
    # returns that search's result (IS NOT DISTINCT FROM, not =).
    parts = ["CASE"]
    for search, result in zip(rest[0::2], rest[1::2]):
        parts.append(f"WHEN ({expr}) IS NOT DISTINCT FROM ({search}) THEN {result}")
    if len(rest) % 2:
        parts.append(f"ELSE {rest[-1]}")
    parts.append("END")
    return [raw(" ".join(parts))], j + 1


# Redshift's LISTAGG fails past the maximum VARCHAR (the catalog's listagg(result, limit)).
LISTAGG_LIMIT = 65535


def listagg(rw, nodes, i, j):
    """LISTAGG([DISTINCT] expr [, delimiter]) [WITHIN GROUP (ORDER BY ...)] [OVER (...)]: the
    aggregate, its result checked against Redshift's limit."""
    inner = nodes[j].nodes
    distinct = ""
    first = words(inner)[0] if words(inner) else None
    if first is not None and first.kind == "ident" and first.low == "distinct":
        distinct = "DISTINCT "
        inner = inner[inner.index(first) + 1:]
    args = _args(rw, Group("(", inner, ")"))
    if not args or len(args) > 2:
        raise TranslationError("function listagg requires 1 or 2 arguments", "42883")
    # With DISTINCT the value is passed as it is (the catalog's listagg takes any
    # type), so that ORDER BY the same expression is allowed and sorts by value.
    value = args[0] if distinct else f"CAST({args[0]} AS varchar)"
    delimiter = args[1] if len(args) == 2 else "''"
    k = _next(nodes, j + 1)
    order = ""
    if k < len(nodes) and nodes[k].low == "within":
        g = _next(nodes, _next(nodes, k + 1) + 1)
        if nodes[_next(nodes, k + 1)].low != "group" or not isinstance(nodes[g], Group):
            raise syntax_error(nodes[k].text)
        order = rw.text(nodes[g].nodes)
        k = _next(nodes, g + 1)
        j = g
    if k < len(nodes) and nodes[k].low == "over":
        window = nodes[_next(nodes, k + 1)]
        if not isinstance(window, Group):
            raise syntax_error("over")
        if distinct:
            raise not_supported("LISTAGG(DISTINCT ...) as a window function")
        # PostgreSQL has no ORDER BY inside a window aggregate's arguments: the
        # window's own ORDER BY over the whole partition feeds rows in that order.
        spec = rw.text(window.nodes)
        if order:
            spec = f"{spec} {order} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
        return [raw(f"listagg(listagg({value}, {delimiter}) OVER ({spec.strip()}), {LISTAGG_LIMIT})")], \
            nodes.index(window, k) + 1
    order_clause = f" {order}" if order else ""
    if distinct and order:
        # PostgreSQL: with DISTINCT, the ORDER BY must be the aggregated value itself.
        items = _order_items(order)
        if len(items) != 1 or items[0][0] != args[0]:
            raise not_supported("LISTAGG(DISTINCT x) ordered by something other than x")
        order_clause = f" ORDER BY {value}{items[0][1]}"
    return [raw(f"listagg(listagg({distinct}{value}, {delimiter}{order_clause}), {LISTAGG_LIMIT})")], j + 1


def _order_items(order: str) -> list[tuple[str, str]]:
    """``ORDER BY a DESC, b`` -> [("a", " DESC"), ("b", "")]."""
    nodes = tree(tokenize(order))
    sig = words(nodes)
    items = []
    for part in split_commas(nodes[nodes.index(sig[2]):] if len(sig) > 2 else []):
        psig = words(part)
        modifiers = ""
        while psig and psig[-1].kind == "ident" and psig[-1].low in ("asc", "desc", "nulls", "first", "last"):
            modifiers = " " + psig.pop().text + modifiers
        items.append((render(psig), modifiers))
    return items


def _with_date_part(name: str) -> Handler:
    """DATEADD/DATEDIFF/DATE_PART/DATE_TRUNC: the first argument may be a bare word."""

    def handler(rw, nodes, i, j):
        parts = split_commas(nodes[j].nodes)
        if not parts:
            return _call(name, []), j + 1
        unit = date_part(parts[0])
        first = f"'{unit}'" if unit else rw.text(parts[0])
        return _call(rw.function_name(name), [first] + [rw.text(p) for p in parts[1:]]), j + 1

    return handler


def extract(rw, nodes, i, j):
    """EXTRACT(part FROM x): Redshift returns an integer holding only that part
    (seconds without their fraction, milliseconds without the seconds...)."""
    inner = nodes[j].nodes
    significant = words(inner)
    if len(significant) < 3 or significant[1].low != "from":
        raise syntax_error(nodes[j].text)
    unit = date_part([significant[0]])
    source = rw.text(inner[inner.index(significant[1]) + 1:])
    if unit == "epoch":
        return [raw(f"date_part('epoch', {source})")], j + 1
    # The catalog's localshift.date_part(part, value): an integer, and a column named date_part.
    return [raw(f"localshift.date_part('{unit}', {source})")], j + 1


def concat(rw, nodes, i, j):
    args = _args(rw, nodes[j])
    if len(args) != 2:
        raise TranslationError("function concat requires 2 arguments", "42883")
    # Redshift's CONCAT is the || operator: NULL if either argument is NULL
    # (PostgreSQL's concat() skips NULLs; the catalog's concat(text, text) does not).
    return _call("concat", [f"CAST({args[0]} AS varchar)", f"CAST({args[1]} AS varchar)"]), j + 1


def as_double_precision(rw, nodes, i, j):
    """STDDEV, VARIANCE and their kin: Redshift returns DOUBLE PRECISION whatever the argument's
    type; PostgreSQL's give NUMERIC for integers and decimals, so the argument is cast."""
    parts = split_commas(nodes[j].nodes)
    if len(parts) != 1:
        return _call(nodes[i].text, _args(rw, nodes[j])), j + 1  # the engine reports it
    argument = parts[0]
    quantifier = words(argument)[:1]
    if quantifier and quantifier[0].low in ("distinct", "all"):
        argument = argument[argument.index(quantifier[0]) + 1:]
        prefix = f"{quantifier[0].text} "
    else:
        prefix = ""
    return _call(nodes[i].text, [f"{prefix}CAST({rw.text(argument)} AS double precision)"]), j + 1


def _ranking(result_type: str) -> Handler:
    """RANK() and DENSE_RANK() OVER (...) return INTEGER on Redshift, NTILE(n) OVER (...) BIGINT
    (PostgreSQL: BIGINT and INTEGER): the whole call, OVER clause included, is cast, so the result
    column keeps the function's name.  Without OVER the call stays (the engine reports it)."""

    def handler(rw, nodes, i, j):
        call = f"{nodes[i].text}({', '.join(_args(rw, nodes[j]))})"
        k = _next(nodes, j + 1)
        w = _next(nodes, k + 1)
        if w >= len(nodes) or nodes[k].low != "over":
            return [raw(call)], j + 1
        window = nodes[w]
        over = f"OVER ({rw.text(window.nodes)})" if window.kind == "group" else f"OVER {window.text}"
        return [raw(f"CAST({call} {over} AS {result_type})")], w + 1

    return handler


def ratio_to_report(rw, nodes, i, j):
    args = _args(rw, nodes[j])
    k = _next(nodes, j + 1)
    if len(args) != 1 or k >= len(nodes) or nodes[k].low != "over":
        raise syntax_error("ratio_to_report")
    w = _next(nodes, k + 1)
    window = rw.text(nodes[w].nodes)
    if " order " in f" {window.lower()} ":
        raise TranslationError("ORDER BY is not allowed in the OVER clause of RATIO_TO_REPORT",
                               "42601")
    if any(node.low in ("rows", "range", "groups") for node in words(nodes[w].nodes)):  # a running ratio
        raise TranslationError("RATIO_TO_REPORT allows only PARTITION BY in its OVER clause", "42601")
    value = args[0]
    return _call("ratio_to_report", [f"CAST({value} AS double precision)", f"sum({value}) OVER ({window})"]), w + 1


def _percentile(name: str) -> Handler:
    """PERCENTILE_CONT/DISC(fraction) WITHIN GROUP (ORDER BY x [ASC|DESC]) [OVER (PARTITION BY ...)]:
    the catalog's percentile function of the partition's (or group's) sorted values.
    PERCENTILE_DISC without OVER stays PostgreSQL's ordered-set aggregate, which returns
    what Redshift's does; PostgreSQL's PERCENTILE_CONT returns DOUBLE PRECISION whatever
    the argument, so PERCENTILE_CONT always takes the catalog's."""

    def handler(rw, nodes, i, j):
        fraction = rw.text(nodes[j].nodes)
        k = _next(nodes, j + 1)
        if k >= len(nodes) or nodes[k].low != "within":
            return _call(name, [fraction]), j + 1
        g = _next(nodes, _next(nodes, k + 1) + 1)
        if nodes[_next(nodes, k + 1)].low != "group" or g >= len(nodes) or not isinstance(nodes[g], Group):
            raise syntax_error(nodes[k].text)
        order = rw.text(nodes[g].nodes)
        o = _next(nodes, g + 1)
        windowed = o < len(nodes) and nodes[o].low == "over"
        if not windowed and name == "percentile_disc":
            return [raw(f"{name}({fraction}) WITHIN GROUP ({order})")], g + 1
        over, end = "", g + 1
        if windowed:
            window = nodes[_next(nodes, o + 1)]
            if not isinstance(window, Group):
                raise syntax_error("over")
            if any(w.low in ("order", "rows", "range", "groups") for w in words(window.nodes)):
                raise TranslationError(f"{name.upper()} allows only PARTITION BY in its OVER clause", "42601")
            over, end = f" OVER ({rw.text(window.nodes)})", nodes.index(window, o) + 1
        items = _order_items(order)
        if len(items) != 1:
            raise syntax_error(order)
        value, modifiers = items[0]
        descending = "true" if "desc" in modifiers.lower().split() else "false"
        sorted_values = f"localshift.sorted_values({value}){over}"
        return [raw(f"{name}({sorted_values}, {fraction}, {descending})")], end

    return handler


def cast(rw, nodes, i, j):
    """CAST(x AS type): Redshift type names."""
    inner = nodes[j].nodes
    as_index = None
    for k, node in enumerate(inner):
        if node.kind == "ident" and node.low == "as":
            as_index = k
    if as_index is None:
        raise syntax_error(nodes[j].text)
    k = _next(inner, as_index + 1)
    type_text, end = read_type(inner, k)
    if words(inner[end:]):
        raise syntax_error(words(inner[end:])[0].text)
    value = rw.text(inner[:as_index])
    return [raw(cast_expression(nodes[i].text, value, inner[k], type_text))], j + 1


def convert(rw, nodes, i, j):
    """CONVERT(type, expression): Redshift's CAST with the type first.  PostgreSQL's own
    convert(bytes, source_encoding, target_encoding) has three arguments and stays."""
    parts = split_commas(nodes[j].nodes)
    if len(parts) != 2:
        return _call(nodes[i].text, [rw.text(p) for p in parts]), j + 1
    type_nodes = parts[0]
    first = _next(type_nodes, 0)
    if first >= len(type_nodes):
        raise syntax_error(",")
    type_text, end = read_type(type_nodes, first)
    if words(type_nodes[end:]):
        raise syntax_error(words(type_nodes[end:])[0].text)
    return [raw(cast_expression("CAST", rw.text(parts[1]), type_nodes[first], type_text))], j + 1


def grouping_id(rw, nodes, i, j):
    """GROUPING_ID(expr, ...): AWS's "GROUPING function, or its alias GROUPING_ID" (PostgreSQL has
    GROUPING alone)."""
    return _call("grouping", _args(rw, nodes[j])), j + 1


def hll_sketch(rw, nodes, i, j):
    """HLL_CREATE_SKETCH, HLL_CARDINALITY, HLL_COMBINE, HLL_COMBINE_SKETCHES: HLLSKETCH values, a
    type localshift has not (HLL(x) itself is the catalog's aggregate)."""
    raise not_supported(f"{nodes[i].text.upper()} (HLLSKETCH values)")


def collate(rw, nodes, i, j):
    """COLLATE(string, 'case_sensitive' | 'case_insensitive'): Redshift's function form of a
    collation.  Case-sensitive is the engine's own comparison, so the string is returned as it
    is; the engine has no case-insensitive collation (no ICU), so that one is refused."""
    parts = split_commas(nodes[j].nodes)
    names = [t.text[1:-1].lower() for t in words(parts[1]) if t.kind == "string"] if len(parts) == 2 else []
    if len(parts) != 2 or len(words(parts[1])) != 1 or names not in (["case_sensitive"], ["case_insensitive"]):
        raise TranslationError("COLLATE takes a string and 'case_sensitive' or 'case_insensitive'", "42601")
    if names == ["case_insensitive"]:
        raise not_supported("COLLATE CASE_INSENSITIVE")
    return [raw(f"({rw.text(parts[0])})")], j + 1


CALLS: dict[str, Handler] = {
    "nvl": nvl,
    # ISNULL(a, b): an undocumented synonym Redshift accepts; AWS's JDBC driver's getColumns
    # query sizes a late-binding view's varchar columns with isnull(nullif(...), '0').
    "isnull": nvl,
    "decode": decode,
    "listagg": listagg,
    # The catalog's functions, named as Redshift names their result columns.
    "dateadd": _with_date_part("date_add"),
    "datediff": _with_date_part("date_diff"),
    "date_part": _with_date_part("pgdate_part"),
    # DATEPART: an undocumented synonym Redshift accepts (AWS's amazon-redshift-utils uses it).
    "datepart": _with_date_part("pgdate_part"),
    "date_trunc": _with_date_part("date_trunc"),
    "pgdate_part": _with_date_part("pgdate_part"),
    "extract": extract,
    "concat": concat,
    "ratio_to_report": ratio_to_report,
    "rank": _ranking("integer"),
    "dense_rank": _ranking("integer"),
    "ntile": _ranking("bigint"),
    **dict.fromkeys(("stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"), as_double_precision),
    "percentile_cont": _percentile("percentile_cont"),
    "percentile_disc": _percentile("percentile_disc"),
    "cast": cast,
    "convert": convert,
    "collate": collate,
    "current_setting": setting_call,
    "grouping_id": grouping_id,
    **dict.fromkeys(("hll_create_sketch", "hll_cardinality", "hll_combine", "hll_combine_sketches"), hll_sketch),
    "set_config": setting_call,
}

