"""AVG and SUM: Redshift's result types.

AVG becomes the catalog's ``avg(sum(x), count(x), sample)`` (BIGINT for integers, the argument's
scale for DECIMAL, DOUBLE PRECISION for floats); SUM is the catalog's ``localshift.sum``.

Redshift types the SUM and the AVG of a DECIMAL(p,s) as DECIMAL(38,s) ("SUM function", "AVG
function": "the default precision for a ... result with a NUMERIC or DECIMAL argument is 38; the
scale of the result is the same as the scale of the argument").  PostgreSQL's aggregates return an
unconstrained NUMERIC, so a client reading the result's type modifier (RowDescription: JDBC's
getPrecision/getScale, redshift_connector's description) and a table made by CREATE TABLE AS see
no precision or scale.  The translator reads text, not the catalog: where the argument's own text
declares its DECIMAL type (``x::decimal(10,2)``, ``CAST(x AS DECIMAL(10,2))``, ``x::decimal``: 18
digits, scale 0, an operation of such operands: ``a::decimal(8,2) * b::decimal(8,2)`` has scale 4)
the call is cast to ``numeric(38, s)``.  A column's declared type is not known here: the engine's
aggregates return no type modifier, whatever their argument's, so a column's scale cannot reach
the result without the catalog (docs/sql.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .decimal_arithmetic import declared_decimal
from .tokens import Group, Node, raw, split_commas, words
from .types import DECIMAL_MAX_PRECISION

if TYPE_CHECKING:
    from .expressions import Rewriter


def avg(rw, nodes, i, j):
    """AVG([DISTINCT|ALL] x) [FILTER (...)] [OVER ...]: the catalog's avg(sum(x), count(x),
    sample), which gives Redshift's result type (BIGINT for integers, the argument's scale
    for DECIMAL). The sample is a NULL of x's own type (an aggregate that takes no row):
    PostgreSQL sums BIGINT and DECIMAL alike as NUMERIC, so the sum alone cannot tell
    which type to return.  x is summed through localshift.sum_argument: a REAL as DOUBLE
    PRECISION, as Redshift sums it."""
    distinct, args = _quantified(nodes[j].nodes)
    if len(args) != 1:
        return [raw(f"avg({', '.join(rw.text(a) for a in args)})")], j + 1  # PostgreSQL's error
    value = rw.text(args[0])
    row_filter, over, end = _clauses(rw, nodes, j)
    clauses = row_filter + over
    sample = f"min({value}) FILTER (WHERE false){over}"
    summed = f"sum({distinct}localshift.sum_argument({value})){clauses}"
    return [raw(_typed(f"avg({summed}, count({distinct}{value}){clauses}, {sample})", args[0]))], end


def sum_(rw, nodes, i, j):
    """SUM(...) [FILTER (...)] [OVER ...]: the catalog's localshift.sum, cast to numeric(38, s)
    when its argument declares a DECIMAL(p, s)."""
    distinct, args = _quantified(nodes[j].nodes)
    scale = _declared_scale(args[0]) if len(args) == 1 else None
    call = raw(f"localshift.{nodes[i].text}")
    if scale is None:  # FILTER and OVER are rewritten where they stand
        return [call, Group("(", rw.rewrite(nodes[j].nodes), ")")], j + 1
    row_filter, over, end = _clauses(rw, nodes, j)
    return [raw(f"CAST({call.text}({distinct}{rw.text(args[0])}){row_filter}{over} "
                f"AS numeric({DECIMAL_MAX_PRECISION}, {scale}))")], end


CALLS = {"avg": avg, "sum": sum_}


def _quantified(inner: list[Node]) -> tuple[str, list[list[Node]]]:
    """An aggregate's DISTINCT (or ALL) and its arguments."""
    significant = words(inner)
    distinct = ""
    if significant and significant[0].kind == "ident" and significant[0].low in ("distinct", "all"):
        distinct = "DISTINCT " if significant[0].low == "distinct" else ""
        inner = inner[inner.index(significant[0]) + 1:]
    return distinct, split_commas(inner)


def _clauses(rw: "Rewriter", nodes: list[Node], j: int) -> tuple[str, str, int]:
    """The FILTER and OVER clauses after the argument group at ``j``, rewritten, and the index
    after them."""
    row_filter, over, end = "", "", j + 1
    k = _next(nodes, end)
    if k + 1 < len(nodes) and nodes[k].low == "filter" and isinstance(where := nodes[_next(nodes, k + 1)], Group):
        end = _next(nodes, k + 1) + 1
        row_filter = f" FILTER ({rw.text(where.nodes)})"
        k = _next(nodes, end)
    if k + 1 < len(nodes) and nodes[k].low == "over":
        w = _next(nodes, k + 1)
        window = nodes[w]
        over = f" OVER ({rw.text(window.nodes)})" if isinstance(window, Group) else f" OVER {window.text}"
        end = w + 1
    return row_filter, over, end


def _typed(call: str, argument: list[Node]) -> str:
    scale = _declared_scale(argument)
    return call if scale is None else f"CAST({call} AS numeric({DECIMAL_MAX_PRECISION}, {scale}))"


def _declared_scale(argument: list[Node]) -> int | None:
    """The scale of the DECIMAL type ``argument`` declares as a whole (``CAST(x AS decimal(p, s))``,
    an operand and its casts, the last to ``decimal(p, s)``, an operation of such operands:
    decimal_arithmetic.py); None when it declares none (``a + b::decimal(8, 2)``)."""
    decimal = declared_decimal(argument)
    return None if decimal is None else decimal[1]


def _next(nodes: list[Node], k: int) -> int:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return k
