"""Rewrites of SUPER's constructors: calls the catalog cannot define as functions.

* ``ARRAY(v1, v2, ...)`` is a keyword call to PostgreSQL (its ``ARRAY(subquery)``):
  ``localshift."array"(jsonb_build_array(...))``, each value as the SUPER value it makes (a NULL
  a JSON null, a date or time an error, as in Redshift: the catalog's ``super_element``); the
  identity function ``"array"`` names the result column as Redshift does.  ``ARRAY(SELECT ...)``
  keeps PostgreSQL's meaning.
* ``OBJECT(k1, v1, ...)`` -> ``localshift."object"(jsonb_build_object(k1, value1, ...))``, the
  values as ARRAY's.
* ``OBJECT_TRANSFORM(input [KEEP path, ...] [SET path, value, ...])`` -> the catalog's
  ``localshift.object_transform(input, keep paths, set paths, values)``, the values gathered
  by ``jsonb_build_array``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import TranslationError, syntax_error
from .tokens import Node, inside, raw, split_commas, words

if TYPE_CHECKING:
    from .expressions import Rewriter

_SUBQUERY_WORDS = frozenset({"select", "with", "values"})


def array(rw: "Rewriter", nodes: list[Node], i: int, j: int) -> tuple[list[Node], int]:
    inner = inside(nodes[j])
    first = words(inner)[:1]
    if first and first[0].kind == "ident" and first[0].low in _SUBQUERY_WORDS:
        return [nodes[i], raw(f"({rw.text(inner)})")], j + 1
    values = [_element(rw.text(part), "ARRAY") for part in split_commas(inner)]
    return [raw(f'localshift."array"(jsonb_build_array({", ".join(values)}))')], j + 1


def object_(rw: "Rewriter", nodes: list[Node], i: int, j: int) -> tuple[list[Node], int]:
    values = [rw.text(part) for part in split_commas(inside(nodes[j]))]
    if len(values) % 2:
        raise TranslationError("function object requires an even number of arguments "
                               "(key, value pairs)", "42883")
    pairs = [value if k % 2 == 0 else _element(value, "OBJECT") for k, value in enumerate(values)]
    return [raw(f'localshift."object"(jsonb_build_object({", ".join(pairs)}))')], j + 1


def _element(value: str, constructor: str) -> str:
    return f"localshift.super_element({value}, '{constructor}')"


def object_transform(rw: "Rewriter", nodes: list[Node], i: int, j: int) -> tuple[list[Node], int]:
    inner = inside(nodes[j])
    clauses: dict[str, list[Node]] = {}
    current, start = "input", 0
    for k, node in enumerate(inner):
        if node.kind == "ident" and node.low in ("keep", "set"):
            if node.low in clauses or node.low == current or (node.low == "keep" and current == "set"):
                raise syntax_error(node.text)
            clauses[current] = inner[start:k]
            current, start = node.low, k + 1
    clauses[current] = inner[start:]
    if not words(clauses["input"]) or len(split_commas(clauses["input"])) != 1:
        raise syntax_error(nodes[j].text)
    source = rw.text(clauses["input"])
    keep = [rw.text(p) for p in split_commas(clauses.get("keep", []))]
    assignments = [rw.text(p) for p in split_commas(clauses.get("set", []))]
    if "keep" in clauses and not keep or "set" in clauses and not assignments:
        raise syntax_error(")")
    if len(assignments) % 2:
        raise TranslationError("OBJECT_TRANSFORM's SET takes path, value pairs", "42601")
    keep_paths = f"ARRAY[{', '.join(keep)}]::text[]" if "keep" in clauses else "NULL::text[]"
    set_paths = f"ARRAY[{', '.join(assignments[0::2])}]::text[]"
    set_values = f"jsonb_build_array({', '.join(assignments[1::2])})"
    return [raw(f"localshift.object_transform({source}, {keep_paths}, {set_paths}, {set_values})")], j + 1


CALLS = {
    "array": array,
    "object": object_,
    "object_transform": object_transform,
}
