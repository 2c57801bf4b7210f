"""FROM items PostgreSQL lacks: PIVOT / UNPIVOT (``pivot``) and PartiQL
unnesting and object unpivoting over SUPER values (``unnest``).

``statement_reshapes`` tells whether a statement may hold one (checked once per
translated statement); ``rewrite_from_items`` then runs at the start of every
node list the rewriter walks, before anything in it is rewritten: it finds the
FROM lists of that level and replaces each such item by PostgreSQL (a derived
table or a LATERAL call), as tokens the rewriter then walks like any other (so
that the aggregates, navigation and functions inside get their usual rewrites).
The names of the derived tables it makes are added to the statement's relations
(so that ``__ls_src.red`` is not read as navigation into a column); the aliases of
unnested elements are taken out of them (``i.price`` navigates into the element).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import pivot, unnest
from .from_list import FROM_END, OPERATORS
from .tokens import Node, Token, identifier_value, raw, split_commas, words

if TYPE_CHECKING:
    from .expressions import Rewriter

_COMMA_PATH = re.compile(r',\s*[\w"$]+\s*[.\[]')
_JOIN_PATH = re.compile(r'(?i:join)\s+[\w"$]+\s*[.\[]')


def may_reshape(sql: str) -> bool:
    """Whether a text may hold such FROM items at all (cheap: it runs on every translated text)."""
    low = sql.lower()
    return "pivot" in low or ("." in sql or "[" in sql) and (
        _COMMA_PATH.search(sql) is not None or "join" in low and _JOIN_PATH.search(sql) is not None)


def prepare(rw: "Rewriter", tokens: list[Token]) -> None:
    """Set up the rewriter for one statement of a text ``may_reshape`` accepted."""
    rw.reshapes = statement_reshapes(tokens, rw.relations) if rw.relations is not None else frozenset()
    rw.ctes = {}


def statement_reshapes(tokens: list[Token], relations: frozenset[str]) -> frozenset[str]:
    """What a statement may hold: ``pivot`` when it names PIVOT or UNPIVOT, ``unnest`` when
    a FROM item may be a path into a SUPER value (``, c.items`` or ``JOIN c.items`` with
    ``c`` a relation; UNPIVOT may be PartiQL's too)."""
    kinds: set[str] = set()
    previous = None
    for k, tok in enumerate(tokens):
        if tok.blank:
            continue
        if tok.kind == "ident" and tok.low in OPERATORS:
            kinds.add("pivot")
            if tok.low == "unpivot":
                kinds.add("unnest")
        elif previous is not None and (previous.text == "," or previous.low == "join") \
                and tok.kind in ("ident", "qident") and identifier_value(tok) in relations:
            following = next((t for t in tokens[k + 1:] if not t.blank), None)
            if following is not None and following.text in (".", "["):
                kinds.add("unnest")
        previous = tok
    return frozenset(kinds)


def rewrite_from_items(rw: "Rewriter", nodes: list[Node]) -> list[Node]:
    if not any(n.kind == "ident" and n.low == "from" for n in nodes):
        return nodes
    pivot.record_ctes(rw, nodes)
    out: list[Node] = []
    reserved: set[str] = set()
    i = 0
    while i < len(nodes):
        node = nodes[i]
        out.append(node)
        i += 1
        if node.kind != "ident" or node.low != "from":
            continue
        end = i
        while end < len(nodes) and not (nodes[end].kind == "ident" and nodes[end].low in FROM_END):
            end += 1
        items = split_commas(nodes[i:end])
        pivoted = "pivot" in rw.reshapes and pivot.rewrite_operators(
            rw, items, select_list_has_star(out, len(out) - 1))
        unnested = unnest.rewrite_unnesting(rw, items) if "unnest" in rw.reshapes else None
        if unnested:
            reserved |= unnested
        if pivoted or unnested is not None:
            for k, item in enumerate(items):
                if k:
                    out.append(Token("punct", ","))
                out.extend(item)
            out.append(raw(" "))
            i = end
    return unnest.quote_references(out, reserved) if reserved else out


def select_list_has_star(nodes: list[Node], from_index: int) -> bool:
    """Whether the SELECT whose FROM is at ``nodes[from_index]`` selects ``*`` or ``x.*``."""
    start = next((i for i in range(from_index - 1, -1, -1) if nodes[i].kind == "ident"
                  and nodes[i].low == "select"), None)
    if start is None:
        return True
    return any(words(item)[-1:] and words(item)[-1].text == "*"
               for item in split_commas(nodes[start + 1:from_index]))
