"""PartiQL unnesting and object unpivoting in FROM over SUPER values (jsonb here),
as Redshift's "Querying semistructured data" documents them:

* ``FROM t AS c, c.items AS i [AT idx]``: ``i`` iterates over the elements of the
  array ``c.items`` (any navigation: ``c.doc.items``, ``c.items[0]``), ``idx`` over
  their indexes from 0; an earlier element iterates too (``c.orders o, o.lines l``,
  ``f.arrays AS a, a AS element``).  It becomes
  ``LATERAL jsonb_array_elements(...) AS __ls_unnestN(i)`` (WITH ORDINALITY for AT);
* ``FROM t AS c, UNPIVOT c.obj AS v [AT k]``: ``v`` iterates over the values of the
  object, ``k`` over their attribute names (VARCHAR): ``jsonb_each``.

Lax semantics, Redshift's default: a value that is not an array (not an object for
UNPIVOT), or NULL, or a missing attribute, gives no rows, not an error.  The element
is a SUPER value like a column: ``i``, ``i.price``, ``i[0]``, ``i.price::float`` work
in every clause (navigation reads ``i`` as a column, not a relation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import not_supported, syntax_error
from .from_list import JOIN_WORDS, item_qualifier, name_of, next_alias, parse, render_nodes
from .tokens import Group, Node, Token, identifier_value, quote_ident, words

if TYPE_CHECKING:
    from .expressions import Rewriter


def rewrite_unnesting(rw: "Rewriter", items: list[list[Node]]) -> set[str] | None:
    """Replace the unnesting items (and joined unnestings) in place; None when there is
    none, else the element names PostgreSQL reserves (``array``), which the statement
    must quote."""
    scope = _Scope(rw)
    for index, item in enumerate(items):
        items[index] = scope.joins(item, first=index == 0)
    return scope.reserved if scope.changed else None


class _Scope:
    """The FROM list of one level: the names of its items so far, its elements."""

    def __init__(self, rw: "Rewriter") -> None:
        self.rw = rw
        self.qualifiers: set[str] = set()
        self.elements: set[str] = set()
        self.reserved: set[str] = set()
        self.changed = False

    def is_path(self, sig: list[Node]) -> bool:
        return _is_path(sig, self.qualifiers, self.elements)

    def lateral(self, sig: list[Node], unpivot: bool) -> str:
        path, value_node, key_node = _read(sig, unpivot)
        value = name_of(self.rw, value_node)
        key = name_of(self.rw, key_node) if key_node is not None else None
        names = {identifier_value(n) for n in (value_node, key_node) if n is not None}
        taken = {identifier_value(n) for n in path[1:] if n.kind in ("ident", "qident")}
        if self.rw.relations is not None:  # (None: no navigation to keep apart from these names)
            self.rw.relations = self.rw.relations - names - (taken - self.qualifiers)
        self.elements |= names
        self.reserved |= {name for name in names if quote_ident(name) != name and name.isidentifier()
                          and name in (value, key)}
        self.changed = True
        source = render_nodes(path)
        return _object(self.rw, source, value, key) if unpivot else _array(self.rw, source, value, key)

    def joins(self, item: list[Node], first: bool) -> list[Node]:
        """A FROM item (``c.items i``, ``UNPIVOT c.obj AS v``, unless ``first``) and the items
        joined to it: a path becomes a LATERAL call, joined ``ON true`` when the JOIN has no
        condition (``t c [LEFT] JOIN c.items i [ON cond]``)."""
        bounds = [k for k, n in enumerate(item) if n.kind == "ident" and n.low in JOIN_WORDS]
        starts = [0] + [k + 1 for k in bounds if item[k].low == "join"]
        replacements = []
        for start in starts:
            end = next((k for k in bounds if k >= start), len(item))
            segment = item[start:end]
            sig = words(segment)
            cut = next((k for k, n in enumerate(sig) if n.kind == "ident" and n.low in ("on", "using")), len(sig))
            unpivot = not start and bool(sig) and sig[0].kind == "ident" and sig[0].low == "unpivot"
            if (start or not first) and (unpivot or self.is_path(sig[:cut])):
                condition = "" if not start or cut < len(sig) or _crossed(item, start) else " ON true"
                on_nodes = segment[segment.index(sig[cut]):] if cut < len(sig) else []
                lateral = self.lateral(sig[1:cut] if unpivot else sig[:cut], unpivot)
                replacements.append((start, end, [*parse(f" {lateral}{condition} "), *on_nodes]))
            else:
                name = item_qualifier(segment)
                if name is not None:
                    self.qualifiers.add(name)
        for start, end, nodes in reversed(replacements):
            item = item[:start] + nodes + item[end:]
        return item


def _crossed(item: list[Node], start: int) -> bool:
    """Whether the JOIN before ``item[start]`` is a CROSS or NATURAL one (no ON)."""
    kinds = [n.low for n in words(item[:start])[-3:]]
    return "cross" in kinds or "natural" in kinds


def _is_path(sig: list[Node], qualifiers: set[str], elements: set[str]) -> bool:
    """A path into a SUPER value: rooted at an earlier FROM item's name followed by
    navigation, or an earlier element itself."""
    if not sig or sig[0].kind not in ("ident", "qident"):
        return False
    root = identifier_value(sig[0])
    navigated = len(sig) > 1 and (sig[1].text == "." or isinstance(sig[1], Group) and sig[1].open == "[")
    return root in elements or navigated and root in qualifiers


def _read(sig: list[Node], unpivot: bool) -> tuple[list[Node], Node, Node | None]:
    """(path, element alias, AT alias) of ``path [AS] alias [AT name]``."""
    k = 1
    while k < len(sig):
        if sig[k].text == "." and k + 1 < len(sig) and sig[k + 1].kind in ("ident", "qident"):
            k += 2
        elif isinstance(step := sig[k], Group) and step.open == "[":
            k += 1
        else:
            break
    path = sig[:k]
    if k < len(sig) and sig[k].low == "as":
        k += 1
    if k >= len(sig) or sig[k].kind not in ("ident", "qident") or sig[k].low == "at":
        construct = "UNPIVOT of a SUPER object" if unpivot else "PartiQL unnesting"
        raise not_supported(f"{construct} without AS alias")
    value = sig[k]
    key = None
    if k + 2 < len(sig) + 1 and k + 1 < len(sig):
        if sig[k + 1].low != "at" or k + 2 >= len(sig) or sig[k + 2].kind not in ("ident", "qident"):
            raise syntax_error(sig[k + 1].text)
        key = sig[k + 2]
        if k + 3 < len(sig):
            raise syntax_error(sig[k + 3].text)
    return path, value, key


def _array(rw: "Rewriter", source: str, element: str, index: str | None) -> str:
    values = f"jsonb_array_elements(CASE jsonb_typeof({source}) WHEN 'array' THEN {source} END)"
    alias = next_alias(rw, "unnest")
    if index is None:
        return f"LATERAL {values} AS {alias}({quote_ident(element)})"
    entry = next_alias(rw, "entry")
    return (f"LATERAL (SELECT {entry}.value AS {quote_ident(element)}, ({entry}.ordinality - 1)::integer "
            f"AS {quote_ident(index)} FROM {values} WITH ORDINALITY AS {entry}) AS {alias}")


def _object(rw: "Rewriter", source: str, value: str, key: str | None) -> str:
    alias, entry = next_alias(rw, "unpivot"), next_alias(rw, "entry")
    attribute = f", {entry}.key::varchar AS {quote_ident(key)}" if key else ""
    return (f"LATERAL (SELECT {entry}.value AS {quote_ident(value)}{attribute} FROM jsonb_each(CASE "
            f"jsonb_typeof({source}) WHEN 'object' THEN {source} END) AS {entry}) AS {alias}")


def quote_references(nodes: list[Node], names: set[str]) -> list[Node]:
    """``array`` -> ``"array"`` wherever it names an element (not after a dot)."""
    out: list[Node] = []
    previous: Node | None = None
    for node in nodes:
        if isinstance(node, Group):
            node = Group(node.open, quote_references(node.nodes, names), node.close)
        elif node.kind == "ident" and node.low in names and (previous is None or previous.text != "."):
            node = Token("qident", quote_ident(node.low))
        out.append(node)
        if not node.blank:
            previous = node
    return out
