"""Select items' names and lateral column aliases: the name a select item gives its column, the
alias it declares, and references to aliases replaced by the expressions they name (Redshift
resolves an alias reused later in the same SELECT list, in WHERE, HAVING or QUALIFY)."""

from __future__ import annotations

from .errors import TranslationError
from .tokens import Group, Node, Token, identifier_value, raw, render, tokenize, tree, words

# Words that end an expression: a final word that is one of these is no alias.
_NOT_ALIASES = frozenset({"end", "null", "true", "false", "distinct", "all", "current_date",
                          "current_timestamp", "current_user", "session_user", "localtimestamp",
                          "localtime", "current_time", "user", "asc", "desc", "first", "last"})


def select_item_name(item: list[Node]) -> str:
    """The output column name of a select item (``*`` aside)."""
    named = alias(item)
    return named[0] if named else default_name(item)


def alias(item: list[Node]) -> tuple[str, list[Node]] | None:
    """(alias, expression nodes) of a select item ``expr [AS] alias``."""
    sig = [(i, n) for i, n in enumerate(item) if not n.blank]
    if len(sig) < 2:
        return None
    last_i, last = sig[-1]
    if last.kind not in ("ident", "qident") or last.low in _NOT_ALIASES:
        return None
    before_i, before = sig[-2]
    if before.kind == "ident" and before.low == "as":
        return identifier_value(last), item[:before_i]
    if before.text in (".", "::") or before.kind == "op" or before.kind == "ident" and before.low in (
            "distinct", "all", "select", "then", "else", "when", "and", "or", "not", "is", "in",
            "like", "ilike", "between", "case", "interval"):
        return None
    return identifier_value(last), item[:last_i]


def mentions(nodes: list[Node], name: str) -> bool:
    for node in nodes:
        if node.kind == "group":
            if mentions(node.nodes, name):
                return True
        elif node.kind == "raw":
            # an expression another rewrite already rendered (``regexp_replace(data_type, ...)``
            # in AWS's JDBC driver's ``CAST(CASE regexp_replace(data_type, ...) ...) AS DATA_TYPE``)
            if mentions(tree(tokenize(node.text)), name):
                return True
        elif node.kind in ("ident", "qident") and identifier_value(node) == name:
            return True
    return False


def substitute(nodes: list[Node], aliases: dict[str, str]) -> list[Node]:
    """Replace unqualified references to aliases with their expressions (not
    inside subqueries, which have their own scope), also inside a call the translator has
    already written out (``DATEDIFF(s, start_time, getdate())``, an alias as an argument)."""
    out: list[Node] = []
    prev: Node | None = None
    for i, node in enumerate(nodes):
        if node.kind == "group":
            first = words(node.nodes)[:1]
            if not (first and first[0].low in ("select", "with")):
                node = Group(node.open, substitute(node.nodes, aliases), node.close)
        elif node.kind == "raw" and any(name in node.text.lower() for name in aliases):
            node = _substitute_in_text(node, aliases)
        elif node.kind in ("ident", "qident") and (prev is None or prev.low not in (".", "as", "::")):
            name = identifier_value(node)
            if name in aliases:
                nxt = next((n for n in nodes[i + 1:] if not n.blank), None)
                if nxt is None or not (nxt.text == "." or nxt.kind == "group" and nxt.open == "("):
                    node = raw(f"({aliases[name]})")
        out.append(node)
        if not node.blank:
            prev = node
    return out


def _substitute_in_text(node: Token, aliases: dict[str, str]) -> Token:
    """The aliases in a translated call's text (the engine's SQL, standard_conforming_strings
    off, which ``tokenize`` reads); a piece of a call (an opening without its closing
    parenthesis) has no whole argument to substitute in and stays."""
    try:
        nodes = tree(tokenize(node.text))
    except TranslationError:
        return node
    return raw(render(substitute(nodes, aliases)))


def default_name(nodes: list[Node]) -> str:
    """The column name PostgreSQL gives an unnamed select item (the common cases)."""
    sig = words(nodes)
    if not sig:
        return "?column?"
    if sig[-1].kind in ("ident", "qident") and (len(sig) == 1 or sig[-2].text == "."):
        return identifier_value(sig[-1])
    if sig[0].kind == "ident" and len(sig) >= 2 and sig[1].kind == "group":
        return sig[0].low
    if sig[0].kind == "ident" and sig[0].low == "case":
        return "case"
    if len(sig) >= 3 and sig[-2].text == "::":
        return default_name(sig[:-2])
    return "?column?"
