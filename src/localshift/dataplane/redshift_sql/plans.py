"""EXPLAIN [VERBOSE] query: the engine's plan in the shape of Redshift's (``XN Seq Scan on t``,
``XN Hash Join DS_DIST_NONE``, a sorted result merged on the leader), made by
``localshift.explain_plan`` (catalog/38_explain.sql) from the translated query.

Redshift explains SELECT, SELECT INTO, CREATE TABLE AS, INSERT, UPDATE and DELETE; PostgreSQL's
own forms (``EXPLAIN (options)``, ``EXPLAIN ANALYZE``) and a query with bind parameters (which a
query passed as text cannot take) run as PostgreSQL runs them, as does an EXPLAIN of anything else
(the engine's error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .tokens import Node, Token, quote_literal, render, tokenize

if TYPE_CHECKING:
    from .expressions import Rewriter

_EXPLAINED = frozenset({"select", "with", "insert", "update", "delete", "create", "values"})


def explain(rw: "Rewriter", nodes: list[Node], sig: list[Node],
            statement: Callable[["Rewriter", list[Token]], tuple[str, bool | None]]) -> str | None:
    """``statement``: the translator's, which translates the query explained."""
    verbose = len(sig) > 1 and sig[1].low == "verbose"
    query = sig[1 + verbose] if len(sig) > 1 + verbose else None
    if query is None or query.low not in _EXPLAINED or any(
            node.kind == "param" for node in _flat(nodes)):
        return None
    text, _ = statement(rw, tokenize(render(nodes[nodes.index(query):]), rw.standard_strings))
    return (f"SELECT * FROM localshift.explain_plan({quote_literal(text)}, "
            f"{'true' if verbose else 'false'})")


def _flat(nodes: list[Node]):
    for node in nodes:
        if node.kind == "group":
            yield from _flat(node.nodes)
        else:
            yield node
