"""Query-level rewrites, applied to each SELECT of a node list (subqueries are
handled when their own group is rewritten):

* ``SELECT TOP n`` -> ``LIMIT n``;
* lateral column aliases: an alias reused later in the same SELECT list, in
  WHERE, HAVING or QUALIFY is replaced by the expression it names (Redshift resolves
  them; redshift_connector's and sqlalchemy-redshift's catalog queries rely on it;
  select_aliases.py finds and substitutes them);
* ``QUALIFY cond`` -> a subquery computing ``cond`` beside the select list,
  filtered outside;
* ``MINUS`` -> ``EXCEPT``; ``WHERE 1 AND ...`` -> ``WHERE true AND ...``;
* ``GROUP BY ALL`` and ``SELECT * EXCLUDE`` (grouping.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import not_supported, syntax_error
from .grouping import group_by_all, refuse_exclude
from .select_aliases import alias, default_name, mentions, substitute
from .tokens import Node, Token, identifier_value, quote_ident, raw, render, split_commas, strip, words

if TYPE_CHECKING:
    from .expressions import Rewriter

_TRIGGERS = frozenset({"select", "minus", "where", "and", "or", "having"})
_SET_OPERATORS = frozenset({"union", "intersect", "except", "minus"})
_CLAUSES = frozenset({"from", "into", "where", "group", "having", "qualify", "window", "order",
                      "limit", "offset", "fetch", "for"})
_NEEDS_BY = frozenset({"group", "order"})
_BOOLEAN_CONTEXT = frozenset({"where", "and", "or", "not", "having"})
_BOOLEAN_END = frozenset({"and", "or", "group", "order", "limit", "having", "qualify", "union",
                          "intersect", "except", "minus", "offset", "window", "then"})
_QUALIFY = "__ls_qualify"


def rewrite_selects(rw: "Rewriter", nodes: list[Node]) -> list[Node]:
    if not any(n.kind == "ident" and n.low in _TRIGGERS for n in nodes):
        return nodes
    nodes = _booleans(nodes)
    blocks = _blocks(nodes)
    for index in range(len(blocks) - 1, -1, -1):
        start, end, followed = blocks[index]
        nodes[start:end] = _SelectBlock(rw, nodes[start:end]).rewrite(followed, preceded=index > 0)
    return nodes


def _booleans(nodes: list[Node]) -> list[Node]:
    """``WHERE 1`` / ``AND 1``: Redshift accepts a number where a condition goes;
    MINUS is EXCEPT."""
    sig = [i for i, n in enumerate(nodes) if not n.blank]
    for pos, i in enumerate(sig):
        node = nodes[i]
        if node.kind == "ident" and node.low == "minus" and pos + 1 < len(sig):
            after = nodes[sig[pos + 1]]
            if after.low in ("select", "all", "distinct") or after.kind == "group":
                nodes[i] = raw("EXCEPT")
        elif node.kind == "number" and pos > 0 and nodes[sig[pos - 1]].low in _BOOLEAN_CONTEXT \
                and not _ends_between(nodes, sig, pos - 1):
            if pos + 1 == len(sig) or nodes[sig[pos + 1]].low in _BOOLEAN_END:
                nodes[i] = raw("true" if float(node.text) else "false")
    return nodes


def _ends_between(nodes: list[Node], sig: list[int], pos: int) -> bool:
    """Whether the AND at ``sig[pos]`` is the one of ``x BETWEEN a AND b``."""
    if nodes[sig[pos]].low != "and":
        return False
    for k in range(pos - 1, -1, -1):
        low = nodes[sig[k]].low
        if low == "between":
            return True
        if low in _BOOLEAN_CONTEXT:
            return False
    return False


def _blocks(nodes: list[Node]) -> list[tuple[int, int, bool]]:
    """(start, end, followed by a set operator) of each SELECT at this level."""
    blocks: list[tuple[int, int, bool]] = []
    start = None
    for i, node in enumerate(nodes):
        if node.kind != "ident":
            continue
        if node.low == "select" and start is None:
            start = i
        elif node.low in _SET_OPERATORS and start is not None:
            blocks.append((start, i, True))
            start = None
    if start is not None:
        blocks.append((start, len(nodes), False))
    return blocks


class _SelectBlock:
    """One ``SELECT ...`` up to the end of its level or a set operator."""

    def __init__(self, rw: "Rewriter", nodes: list[Node]) -> None:
        self.rw = rw
        self.nodes = nodes
        sig = [i for i, n in enumerate(nodes) if not n.blank]
        self.top: str | None = None
        k = 1
        while k < len(sig):
            word = nodes[sig[k]]
            if word.low in ("distinct", "all"):
                k += 1
                if word.low == "distinct" and k < len(sig) and nodes[sig[k]].low == "on":
                    k += 2
            elif word.low == "top" and k + 1 < len(sig) and nodes[sig[k + 1]].kind in ("number", "param", "group"):
                self.top = nodes[sig[k + 1]].text
                for idx in (sig[k], sig[k + 1]):
                    nodes[idx] = raw("")
                k += 2
            else:
                break
        # the head: SELECT [DISTINCT [ON (...)] | ALL]; TOP n is taken out
        self.head_end = sig[k - 1] + 1 if k - 1 < len(sig) else len(nodes)
        self.clauses: dict[str, int] = {}
        for pos in range(k, len(sig)):
            word = nodes[sig[pos]]
            if word.kind != "ident" or word.low not in _CLAUSES or word.low in self.clauses:
                continue
            if word.low in _NEEDS_BY and (pos + 1 >= len(sig) or nodes[sig[pos + 1]].low != "by"):
                continue
            self.clauses[word.low] = sig[pos]
        self.items_end = min(self.clauses.values(), default=len(nodes))

    # -- the whole block ---------------------------------------------------------
    def rewrite(self, followed_by_set_operator: bool, preceded: bool = False) -> list[Node]:
        """``preceded``: the block follows a set operator (it is a later branch)."""
        items = split_commas(self.nodes[self.head_end:self.items_end])
        refuse_exclude(items)
        if "group" in self.clauses:
            group_by_all(self.nodes, self.clauses["group"], self._clause_end("group"), items)
        aliases = self._resolve_aliases(items)
        if "qualify" in self.clauses:
            return self._qualify(items, aliases)
        for clause in ("where", "having"):  # AWS's HAVING example: ``sum(pricepaid) as pp ... having pp > 800000``
            if aliases and clause in self.clauses:
                start = self.clauses[clause] + 1
                end = self._clause_end(clause)
                self.nodes[start:end] = substitute(self.nodes[start:end], aliases)
        if "into" in self.clauses:
            self._temporary_into()
        # no items: ``SELECT INTO v ...`` (PL/pgSQL) keeps its spacing
        body = (self._join_items(items) or self.nodes[self.head_end:self.items_end]) + self.nodes[self.items_end:]
        head = self.nodes[:self.head_end]
        if self.top is None:
            return head + body
        if preceded and not followed_by_set_operator:
            return self._last_branch_top(head, items)
        if "limit" in self.clauses:
            raise syntax_error("limit")  # TOP and LIMIT together
        text = render(head + body).rstrip()
        if followed_by_set_operator:
            return [raw(f"({text} LIMIT {self.top}) ")]
        return [raw(f"{text} LIMIT {self.top}")]

    def _temporary_into(self) -> None:
        """``SELECT ... INTO #name``: Redshift makes a table whose name starts with # a temporary
        table, as CREATE TABLE #name does (the lexer has made ``#name`` the name ``"#name"``)."""
        after = [i for i in range(self.clauses["into"] + 1, len(self.nodes)) if not self.nodes[i].blank]
        if after and self.nodes[after[0]].text.startswith('"#'):
            self.nodes.insert(after[0], raw("TEMPORARY "))

    def _last_branch_top(self, head: list[Node], items: list[list[Node]]) -> list[Node]:
        """``... UNION SELECT TOP n x FROM t ORDER BY 1 LIMIT 5``: TOP limits its own branch, as in
        any other branch; the ORDER BY / LIMIT / OFFSET / FETCH after the last branch belong to the
        whole set operation (``... UNION (SELECT x FROM t LIMIT n) ORDER BY 1 LIMIT 5``)."""
        cut = min((self.clauses[c] for c in ("order", "limit", "offset", "fetch") if c in self.clauses),
                  default=len(self.nodes))
        branch = render(head + self._join_items(items) + self.nodes[self.items_end:cut]).rstrip()
        return [raw(f"({branch} LIMIT {self.top}) ")] + self.nodes[cut:]

    def _clause_end(self, name: str) -> int:
        start = self.clauses[name]
        return min((i for i in self.clauses.values() if i > start), default=len(self.nodes))

    def _join_items(self, items: list[list[Node]]) -> list[Node]:
        out: list[Node] = []
        for k, item in enumerate(items):
            if k:
                out.append(Token("punct", ","))
            out.extend(item)
        return out

    # -- lateral column aliases ------------------------------------------------------
    def _resolve_aliases(self, items: list[list[Node]]) -> dict[str, str]:
        """Replace references to earlier aliases inside later items; return every
        alias -> expression text (for WHERE, HAVING and QUALIFY)."""
        aliases: dict[str, str] = {}
        for k, item in enumerate(items):
            if aliases:
                items[k] = item = substitute(item, aliases)
            named = alias(item)
            if named is None:
                continue
            name, expr = named
            expr_text = render(strip(expr))
            if mentions(expr, name):
                # ``lower(email) AS email``: the name is a column of the source;
                # Redshift resolves later uses to that column, not to the alias.
                aliases.pop(name, None)
                continue
            aliases[name] = expr_text
        return aliases

    # -- QUALIFY ---------------------------------------------------------------------
    def _qualify(self, items: list[list[Node]], aliases: dict[str, str]) -> list[Node]:
        start = self.clauses["qualify"]
        end = self._clause_end("qualify")
        condition = render(strip(substitute(self.nodes[start + 1:end], aliases)))
        if "where" in self.clauses and aliases:
            w_start, w_end = self.clauses["where"] + 1, self._clause_end("where")
            self.nodes[w_start:w_end] = substitute(self.nodes[w_start:w_end], aliases)
        head_words = [n.low for n in words(self.nodes[:self.head_end])]
        distinct = render(strip(self.nodes[1:self.head_end])) if len(head_words) > 1 else ""
        inner, outer, names = [], [], {}
        rows: dict[str, str] = {}  # qualifier of a star item -> its whole-row column
        relations = None
        for k, item in enumerate(items, 1):
            sig = words(item)
            if len(sig) == 1 and sig[0].text == "*" or (
                    len(sig) == 3 and sig[1].text == "." and sig[2].text == "*"):
                if len(sig) == 3:
                    qualifiers = [render([sig[0]])]
                else:
                    relations = relations if relations is not None else self._relations()
                    qualifiers = relations
                for q, qualifier in enumerate(qualifiers, 1):
                    inner.append(f"{qualifier} AS __ls_row{k}_{q}")
                    outer.append(f"(__ls_row{k}_{q}).*")
                    rows[qualifier.strip('"').lower()] = f"__ls_row{k}_{q}"
                continue
            named = alias(item)
            expr_nodes = named[1] if named else item
            expr = render(strip(expr_nodes))
            name = named[0] if named else default_name(expr_nodes)
            inner.append(f"{expr} AS __ls_col{k}")
            outer.append(f"__ls_col{k} AS {quote_ident(name)}")
            names[expr.lower()] = name
            names.setdefault(name, name)
        from_part = render(self.nodes[self.items_end:start]).strip()
        tail = self.nodes[end:]
        if "order" in self.clauses:
            tail = self._outer_order(tail, names, rows)
        tail_text = render(tail).strip()
        top = f" LIMIT {self.top}" if self.top else ""
        inner_sql = (f"SELECT {', '.join(inner)}, ({condition}) AS {_QUALIFY} {from_part}")
        sql = (f"SELECT {distinct + ' ' if distinct else ''}{', '.join(outer)} "
               f"FROM ({inner_sql}) AS __ls_qualified WHERE {_QUALIFY} {tail_text}{top}")
        return [raw(sql.rstrip() + " ")]

    def _relations(self) -> list[str]:
        """The names that qualify the columns of each FROM item (for ``*``)."""
        if "from" not in self.clauses:
            raise not_supported("QUALIFY with SELECT * without FROM")
        start = self.clauses["from"] + 1
        region = self.nodes[start:self._clause_end("from")]
        names: list[str] = []
        for part in split_commas(region):
            sig = words(part)
            if any(n.low in ("using", "natural") for n in sig):
                raise not_supported("QUALIFY with SELECT * over a join with USING or NATURAL")
            # Each FROM item or joined item: relation [AS] alias, up to JOIN / ON.
            segment: list[Node] | None = []
            for node in sig + [Token("ident", "join")]:
                if node.kind == "ident" and node.low in ("join", "on"):
                    if segment:
                        names.append(_relation_name(segment))
                    segment = [] if node.low == "join" else None
                elif segment is not None and node.low not in ("inner", "left", "right", "full",
                                                              "outer", "cross", "lateral"):
                    segment.append(node)
                elif segment is None and node.low == "join":
                    segment = []
        return names

    def _outer_order(self, tail: list[Node], names: dict[str, str], rows: dict[str, str]) -> list[Node]:
        """ORDER BY after QUALIFY runs outside: it may name output columns, or
        columns of a relation the select list takes whole (``t.*``)."""
        by = next(i for i, n in enumerate(tail) if n.low == "by")
        stop = next((i for i, n in enumerate(tail) if i > by and n.kind == "ident"
                     and n.low in ("limit", "offset", "fetch", "for")), len(tail))
        parts = []
        for part in split_commas(tail[by + 1:stop]):
            psig = words(part)
            modifiers: list[str] = []
            while psig and psig[-1].kind == "ident" and psig[-1].low in ("asc", "desc", "first", "last",
                                                                          "nulls"):
                modifiers.insert(0, psig.pop().text)
            expr = render(psig)
            key = expr.lower()
            if key in names:
                expr = quote_ident(names[key])
            elif len(psig) == 3 and psig[1].text == "." and identifier_value(psig[0]) in rows:
                expr = f"({rows[identifier_value(psig[0])]}).{psig[2].text}"
            elif len(psig) == 3 and psig[1].text == "." and identifier_value(psig[2]) in names:
                expr = quote_ident(identifier_value(psig[2]))
            elif len(psig) == 1 and psig[0].kind in ("ident", "qident") and rows:
                pass  # a column of a relation taken whole: an output column
            elif not (len(psig) == 1 and psig[0].kind == "number"):
                raise not_supported(f"QUALIFY with ORDER BY {expr} (not an output column)")
            parts.append(" ".join([expr] + modifiers))
        return [raw("ORDER BY " + ", ".join(parts) + " ")] + tail[stop:]


def _relation_name(segment: list[Node]) -> str:
    """The qualifier of a FROM item: its alias, else its (last) name."""
    if len(segment) >= 2 and segment[-2].low == "as":
        return segment[-1].text
    if len(segment) >= 2 and segment[-1].kind in ("ident", "qident") and segment[-2].text != ".":
        return segment[-1].text
    if segment and segment[-1].kind in ("ident", "qident"):
        return segment[-1].text
    raise not_supported("QUALIFY with SELECT * over a FROM item without a name")
