"""DECIMAL arithmetic with Redshift's result precision and scale.

Redshift types ``+``, ``-``, ``*`` and ``/`` of two DECIMALs by its own rules ("Computations with
numeric values", p1/s1 and p2/s2 the operands' precision and scale, 38 digits at most):

* ``+``, ``-``: scale ``max(s1, s2)``, precision ``max(p1 - s1, p2 - s2) + 1 + scale``;
* ``*``: scale ``s1 + s2``, precision ``p1 + p2 + 1``;
* ``/``: scale ``max(4, s1 + p2 - s2 + 1)``, precision ``p1 - s1 + s2 + scale``

(two DECIMAL(8,2) divide to DECIMAL(17,9)).  PostgreSQL's operators return an unconstrained
NUMERIC, so a client reading the column's type modifier (RowDescription: JDBC's getPrecision /
getScale, redshift_connector's description) and a table made by CREATE TABLE AS saw no precision or
scale, and its division gives at least 16 significant digits (``2.00 / 3.00`` is
``0.66666666666666666667`` where Redshift's has 9 digits after the point).

The translator reads text, not the catalog: where both operands declare their DECIMAL type
(``x::decimal(8,2)``, ``CAST(x AS DECIMAL(8,2))``, the last of an operand's casts; a result of
this rewrite), the operation is cast to ``numeric(p, s)``, and a division is the catalog's
``localshift.decimal_divide(a, b, s)``, the quotient rounded to that scale (29_math.sql).  A
chain is typed step by step, as the operators bind (``a * b + c``: the product, then the sum).
An operand whose type the text does not declare (a column, a literal, an integer), or a result
past 38 digits, leaves the operation to PostgreSQL (docs/sql.md).  An unaliased select-list item
keeps PostgreSQL's name for an operation, ``?column?`` (a cast would name it ``numeric``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .navigation import whole_select_item
from .tokens import Group, Node, raw
from .types import DECIMAL_DEFAULT, DECIMAL_MAX_PRECISION, read_type

_OPERATORS = frozenset({"+", "-", "*", "/"})
# What binds tighter than each operator, before its left operand or after its right one.
_TIGHTER_BEFORE = {"*": frozenset({"*", "/", "%", "^"}), "/": frozenset({"*", "/", "%", "^"}),
                   "+": frozenset({"+", "-", "*", "/", "%", "^"}), "-": frozenset({"+", "-", "*", "/", "%", "^"})}
_TIGHTER_AFTER = {"*": frozenset({"^"}), "/": frozenset({"^"}),
                  "+": frozenset({"*", "/", "%", "^"}), "-": frozenset({"*", "/", "%", "^"})}
# Words that start no operand (``CASE ... END::decimal(8,2)``: the cast is the CASE's).
_NOT_OPERANDS = frozenset({"end", "select", "case", "when", "then", "else", "and", "or", "not", "is", "in",
                           "like", "ilike", "between", "from", "where", "on", "as", "distinct", "all", "by",
                           "having", "interval", "array", "exists", "any", "some", "null"})


@dataclass(slots=True)
class _Item:
    nodes: list[Node]
    decimal: tuple[int, int] | None = None  # the DECIMAL (p, s) an operand declares
    operator: str | None = None
    start: int = 0  # the span of ``nodes`` in the node list read (whole_select_item)
    end: int = 0


def typed_arithmetic(nodes: list[Node]) -> list[Node]:
    """``nodes`` with each operation of two DECIMAL operands that declare their types cast to
    Redshift's result type; the same list when there is none."""
    if not any(node.kind == "op" and node.text in _OPERATORS for node in nodes):
        return nodes
    items = _items(nodes)
    if not _combine(items):
        return nodes
    out: list[Node] = []
    for item in items:
        out.extend(item.nodes)
        if item.decimal is not None and item.operator == "typed":
            following = next((nodes[j] for j in range(item.end, len(nodes)) if not nodes[j].blank), None)
            if whole_select_item(nodes, item.start, following):
                out.append(raw(' AS "?column?"'))
    return out


def declared_decimal(nodes: list[Node]) -> tuple[int, int] | None:
    """The DECIMAL (p, s) that ``nodes`` declare as a whole (an operand and its casts, ``CAST(x AS
    DECIMAL(p, s))``, an operation of such operands); None when they declare none."""
    items = _items(nodes)
    _combine(items)
    significant = [item for item in items if not (len(item.nodes) == 1 and item.nodes[0].blank)]
    return significant[0].decimal if len(significant) == 1 else None


def _items(nodes: list[Node]) -> list[_Item]:
    """Operands (with the DECIMAL type they declare), operators and the nodes between."""
    items: list[_Item] = []
    k = 0
    while k < len(nodes):
        node = nodes[k]
        operand = None if node.blank else _operand(nodes, k)
        if operand is not None:
            end, decimal = operand
            items.append(_Item(nodes[k:end], decimal, None, k, end))
            k = end
            continue
        operator = node.text if node.kind == "op" else None
        items.append(_Item([node], None, operator, k, k + 1))
        k += 1
    return items


def _combine(items: list[_Item]) -> bool:
    """Replace each typed operation of ``items`` by one typed operand, as the operators bind; whether
    any was."""
    changed = False
    while True:
        for k, item in enumerate(items):
            if item.operator not in _OPERATORS:
                continue
            left, right = _neighbour(items, k, -1), _neighbour(items, k, 1)
            if left is None or right is None:
                continue
            first, second = items[left], items[right]
            if first.decimal is None or second.decimal is None:
                continue
            before, after = _neighbour(items, left, -1), _neighbour(items, right, 1)
            operator = item.operator
            if before is not None and items[before].operator in _TIGHTER_BEFORE[operator] \
                    or after is not None and items[after].operator in _TIGHTER_AFTER[operator]:
                continue
            result = _result(operator, first.decimal, second.decimal)
            if result is None:
                continue
            items[left:right + 1] = [_Item(_typed(operator, first.nodes, second.nodes, result), result, "typed",
                                           first.start, second.end)]
            changed = True
            break
        else:
            return changed


def _neighbour(items: list[_Item], k: int, step: int) -> int | None:
    k += step
    while 0 <= k < len(items) and len(items[k].nodes) == 1 and items[k].nodes[0].blank:
        k += step
    return k if 0 <= k < len(items) else None


def _result(operator: str, first: tuple[int, int], second: tuple[int, int]) -> tuple[int, int] | None:
    """Redshift's (precision, scale) of ``first operator second``; None past 38 digits (left to
    PostgreSQL)."""
    (p1, s1), (p2, s2) = first, second
    if operator in ("+", "-"):
        scale = max(s1, s2)
        precision = max(p1 - s1, p2 - s2) + 1 + scale
    elif operator == "*":
        scale, precision = s1 + s2, p1 + p2 + 1
    else:
        scale = max(4, s1 + p2 - s2 + 1)
        precision = p1 - s1 + s2 + scale
    return (precision, scale) if precision <= DECIMAL_MAX_PRECISION else None


def _typed(operator: str, first: list[Node], second: list[Node], result: tuple[int, int]) -> list[Node]:
    """``CAST(first operator second AS numeric(p, s))``; a division through decimal_divide.  The
    operator is raw text, so that the rewriter, walking the group, finds no operation to type again."""
    precision, scale = result
    if operator == "/":
        inner: list[Node] = [raw("localshift.decimal_divide"),
                             Group("(", [*first, raw(", "), *second, raw(f", {scale}")], ")")]
    else:
        inner = [*first, raw(f" {operator} "), *second]
    return [raw("CAST"), Group("(", [*inner, raw(f" AS numeric({precision}, {scale})")], ")")]


def _operand(nodes: list[Node], k: int) -> tuple[int, tuple[int, int] | None] | None:
    """(index after it, the DECIMAL it declares) of the operand at ``nodes[k]``: a literal, a
    parameter, a parenthesized expression, a name (qualified or not), a call or ``CAST(...)``, with
    the casts that follow it; None when no operand starts there."""
    node = nodes[k]
    decimal = None
    if node.kind in ("number", "string", "param"):
        end = k + 1
    elif isinstance(node, Group) and node.open == "(":
        end, decimal = k + 1, declared_decimal(node.nodes)
    elif node.kind in ("ident", "qident") and node.low not in _NOT_OPERANDS:
        end = k + 1
        while end + 1 < len(nodes) and nodes[end].text == "." and nodes[end + 1].kind in ("ident", "qident"):
            end += 2
        if end < len(nodes) and isinstance(call := nodes[end], Group) and call.open == "(":
            end += 1
            if end == k + 2 and node.low == "cast":
                decimal = _cast_type(call.nodes)
    else:
        return None
    while (at := _next(nodes, end)) < len(nodes) and nodes[at].kind == "punct" and nodes[at].text == "::":
        type_at = _next(nodes, at + 1)
        if type_at >= len(nodes):
            break
        decimal, end = _decimal(nodes, type_at)
    return end, decimal


def _cast_type(inside: list[Node]) -> tuple[int, int] | None:
    """The DECIMAL of ``CAST(x AS type)``'s type."""
    as_at = [k for k, node in enumerate(inside) if node.kind == "ident" and node.low == "as"]
    if not as_at:
        return None
    type_at = _next(inside, as_at[-1] + 1)
    if type_at >= len(inside):
        return None
    decimal, end = _decimal(inside, type_at)
    return decimal if all(node.blank for node in inside[end:]) else None


def _decimal(nodes: list[Node], k: int) -> tuple[tuple[int, int] | None, int]:
    """(the DECIMAL (p, s) of the type at ``nodes[k]``, or None for another type; index after it)."""
    try:
        type_text, end = read_type(nodes, k)
    except Exception:  # noqa: BLE001 - the engine reports a bad type where it stands
        return None, k + 1
    if nodes[k].low not in ("decimal", "numeric") or "(" not in type_text:
        return None, end
    modifiers = [m.strip() for m in type_text[type_text.index("(") + 1:type_text.rindex(")")].split(",")]
    if not all(m.isdigit() for m in modifiers):
        return None, end
    precision = int(modifiers[0])
    scale = int(modifiers[1]) if len(modifiers) == 2 else int(DECIMAL_DEFAULT[1])
    return (precision, scale), end


def _next(nodes: list[Node], k: int) -> int:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return k

