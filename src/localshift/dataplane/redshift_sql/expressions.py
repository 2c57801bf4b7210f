"""The expression rewriter: walks a statement's nodes and turns Redshift
syntax into PostgreSQL's, group by group.

First, in each node list, FROM items PostgreSQL lacks (PIVOT/UNPIVOT, PartiQL
unnesting: ``from_items``).  Then what it changes, wherever it appears:
* calls of Redshift functions (``functions``, ``aggregates``, ``super_functions``,
  ``null_treatment``), and calls of functions the
  engine's catalog defines in schema ``localshift`` (qualified by name);
* bare words: SYSDATE, CURRENT_USER_ID, CURRENT_AWS_ACCOUNT, CURRENT_NAMESPACE, APPROXIMATE;
* Redshift type names after ``::`` and in CAST (a cast to SUPER a call: ``super_casts``);
* delimited identifiers, folded to lower case as Redshift folds them;
* ``4WHEN``: a number glued to a keyword (Redshift's lexer splits it);
* ``pg_class`` / ``pg_attribute`` / ``pg_attrdef`` / ``pg_default_acl`` when a
  statement reads the columns only Redshift's catalog has (``reldiststyle``,
  ``attencodingtype``, ``defacluser``...), and ``pg_constraint`` always:
  they become the ``localshift`` views that add the columns or drop the rows;
then the query-level rewrites of each SELECT (``queries``).
"""

from __future__ import annotations

from . import aggregates, functions, null_treatment, super_functions
from .errors import not_supported
from .from_items import rewrite_from_items
from .from_list import KEYWORDS as FROM_KEYWORDS
from .decimal_arithmetic import typed_arithmetic
from .navigation import navigate
from .queries import rewrite_selects
from .series_case import hoist_series
from .super_casts import is_super, wrap_operand
from .tokens import Group, Node, Token, raw, render, strip, words
from .types import read_type
from .window_frames import FRAMED, PARTITION_ONLY, check_frame

# Function calls (and call-like syntax) the translator rewrites, by name.
CALLS = {**functions.CALLS, **super_functions.CALLS, **null_treatment.CALLS, **aggregates.CALLS}

# Columns only Redshift's catalog tables have -> the relation that gets a
# localshift view adding them.
REDSHIFT_CATALOG_COLUMNS = {
    "reldiststyle": "pg_class", "relcreationtime": "pg_class",
    "attencodingtype": "pg_attribute", "attisdistkey": "pg_attribute",
    "attsortkeyord": "pg_attribute",
    # not a column: a statement that reads late-binding views' columns from this function
    # (AWS's JDBC driver's getColumns) expects them absent from pg_attribute, as in Redshift
    "pg_get_late_binding_view_cols": "pg_attribute",
    "adsrc": "pg_attrdef",
    "defacluser": "pg_default_acl",
    "procpid": "pg_stat_activity", "current_query": "pg_stat_activity", "transaction": "pg_locks",
}
# Catalog functions whose Redshift answers clients also call by their pg_catalog names
# (sqlalchemy-redshift's reflection: pg_catalog.pg_get_viewdef, a late-binding view's text;
# pg_catalog.pg_get_constraintdef, a foreign key without NOT ENFORCED): the catalog's take over
# those calls too.  Other calls qualified with pg_catalog stay PostgreSQL's.
QUALIFIED_CATALOG_CALLS = frozenset({"pg_get_viewdef", "pg_get_constraintdef"})
# Catalog tables with rows Redshift's catalog does not have, read from the localshift view
# wherever a statement names them: pg_constraint (PostgreSQL 18 records NOT NULL as a constraint),
# pg_class (IDENTITY columns' sequences), pg_namespace (the schema of localshift's catalog),
# pg_database (the engine's internal database); and pg_type, which lacks rows Redshift's has (SUPER, VARBYTE).
REDSHIFT_CATALOG_ROWS = frozenset({"pg_constraint", "pg_class", "pg_namespace", "pg_database", "pg_type"})
REDSHIFT_CATALOG_RELATIONS = frozenset({*REDSHIFT_CATALOG_COLUMNS.values(), *REDSHIFT_CATALOG_ROWS})
# What precedes a relation the catalog views replace (an alias or a column of that name stays).
_RELATION_INTRODUCERS = frozenset({"from", "join", ",", "only", "update", "into", "using"})
# The words that make a statement read those views.
REDSHIFT_CATALOG_WORDS = frozenset({*REDSHIFT_CATALOG_COLUMNS, *REDSHIFT_CATALOG_ROWS})

# SYSDATE is the start of the current transaction, without time zone.
_BARE_WORDS = {
    "sysdate": "LOCALTIMESTAMP",
    "current_user_id": "CAST((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) AS integer)",
    # Read once per statement (a subquery), not once per row (catalog/24_system.sql reads a file).
    "current_aws_account": "(SELECT pg_catalog.current_aws_account())",
    "current_namespace": "(SELECT pg_catalog.current_namespace())",
}
# Where a name followed by a parenthesis is a relation and its columns, not a call
# (``INSERT INTO object (a, b)``, ``CREATE TABLE IF NOT EXISTS convert (...)``, ``ANALYZE log (a)``,
# ``WITH RECURSIVE log (n) AS (...)``).
_RELATION_WITH_COLUMNS = frozenset({"into", "table", "exists", "references", "view", "analyze", "verbose",
                                    "recursive"})


class Rewriter:
    def __init__(self, engine_functions: frozenset[str], case_sensitive: bool = False,
                 catalog_views: bool = False, standard_strings: bool = False) -> None:
        self.engine_functions = engine_functions
        self.case_sensitive = case_sensitive
        self.catalog_views = catalog_views
        self.standard_strings = standard_strings  # the session's standard_conforming_strings
        # The statement's relation names, when PartiQL navigation applies to it.
        self.relations: frozenset[str] | None = None
        # PIVOT/UNPIVOT and PartiQL unnesting (from_items): whether the text may hold them,
        # whether the statement does, its CTEs' columns, derived tables named so far.
        self.may_reshape = False
        # generate_series in a CASE (series_case.py): only a text that calls it is searched for one.
        self.may_hoist_series = False
        # DECIMAL arithmetic (decimal_arithmetic.py): only a text naming DECIMAL or NUMERIC declares one.
        self.may_type_decimals = False
        self.reshapes: frozenset[str] = frozenset()
        self.ctes: dict[str, list[str] | None] = {}
        self.generated = 0

    def function_name(self, name: str) -> str:
        return f"localshift.{name}" if name in self.engine_functions else name

    def text(self, nodes: list[Node]) -> str:
        return render(strip(self.rewrite(nodes)))

    def rewrite(self, nodes: list[Node]) -> list[Node]:
        if self.reshapes:
            nodes = rewrite_from_items(self, nodes)
        if self.may_type_decimals:
            nodes = typed_arithmetic(nodes)
        out: list[Node] = []
        prev: Node | None = None  # last significant node emitted
        i, n = 0, len(nodes)
        while i < n:
            node = nodes[i]
            kind = node.kind
            if isinstance(node, Group):
                if node.open == "(" and [w.text for w in words(node.nodes)] == ["+"]:
                    # Redshift's Oracle-style outer join (WHERE a.id = b.id(+)): not rewritten into a
                    # LEFT JOIN, refused by name rather than with PostgreSQL's syntax error.
                    raise not_supported("The Oracle-style outer join operator (+)")
                node = Group(node.open, self.rewrite(node.nodes), node.close)
            elif kind == "ident" and node.low == "case" and self.may_hoist_series \
                    and (hoisted := hoist_series(nodes, i)):
                nodes = [*nodes[:i], *hoisted[0], *nodes[hoisted[1] + 1:]]
                n = len(nodes)
                continue
            elif kind == "ident":
                j = _next(nodes, i + 1)
                following = nodes[j] if j < n else None
                qualified = prev is not None and prev.text == "."
                if self.catalog_views and node.low in REDSHIFT_CATALOG_RELATIONS \
                        and (following is None or following.kind != "group"):
                    node = self._catalog_view(node, out, qualified, following)
                elif qualified and node.low in QUALIFIED_CATALOG_CALLS and following is not None \
                        and following.kind == "group" and following.open == "(" \
                        and (schema := _qualifier(out)) is not None and out[schema].low == "pg_catalog":
                    del out[schema:]
                    node = raw(f"localshift.{node.text}")
                elif following is not None and following.kind == "group" and following.open == "(" \
                        and not qualified:
                    handler = CALLS.get(node.low)
                    relation = _names_relation(prev, nodes, j)
                    if (node.low in FRAMED or node.low in PARTITION_ONLY) and not relation:
                        check_frame(nodes, i, j)
                    if handler is not None and not relation:
                        replacement, i = handler(self, nodes, i, j)
                        out.extend(replacement)
                        prev = replacement[-1] if replacement else prev
                        continue
                    if node.low in self.engine_functions and not relation:
                        node = raw(f"localshift.{node.text}")
                elif not qualified and self.relations is not None and i + 1 < n and (
                        nodes[i + 1].text == "."
                        or isinstance(next_node := nodes[i + 1], Group) and next_node.open == "[") \
                        and (prev is None or prev.low != "collate"):  # COLLATE pg_catalog."C": a collation
                    navigation = navigate(self, nodes, i)
                    if navigation is not None:
                        out.extend(navigation[0])
                        prev, i = out[-1], navigation[1]
                        continue
                elif not qualified and (prev is None or prev.low != "as") \
                        and (following is None or following.text != "."):
                    bare = _BARE_WORDS.get(node.low)
                    if bare is not None:
                        node = raw(bare)
                    elif node.low in ("numeric", "decimal") and following is not None \
                            and following.kind == "string":
                        # A typed literal is a cast of the string: NUMERIC '3.7' is DECIMAL(18,0).
                        node = raw(read_type(nodes, i)[0])
                    elif node.low == "approximate" and following is not None \
                            and following.low in ("count", "percentile_disc"):
                        # PostgreSQL's exact answers are within Redshift's error bounds.
                        i = j
                        continue
            elif kind == "qident" and not self.case_sensitive:
                folded = _fold(node.text)
                if folded != node.text:
                    node = Token("qident", folded)
            elif kind == "number":
                if i + 1 < n and nodes[i + 1].kind in ("ident", "qident"):
                    out.append(node)  # "4WHEN": Redshift's lexer ends the number here
                    node = raw(" ")
            elif kind == "punct" and node.text == "::":
                j = _next(nodes, i + 1)
                if j < n:
                    type_text, end = read_type(nodes, j)
                    if is_super(nodes[j]) and type_text == "jsonb" and wrap_operand(out):
                        prev = out[-1]  # x::SUPER -> localshift."super"(x): a string is a SUPER string
                        i = end
                        continue
                    out.append(node)
                    out.extend(nodes[i + 1:j])
                    out.append(raw(type_text))
                    prev = out[-1]
                    i = end
                    continue
            out.append(node)
            if not node.blank:
                prev = node
            i += 1
        return rewrite_selects(self, out)

    @staticmethod
    def _catalog_view(node: Node, out: list[Node], qualified: bool, following: Node | None) -> Node:
        """``pg_class`` or ``pg_catalog.pg_class`` where a FROM list names a relation ->
        ``localshift.redshift_pg_class`` (a name of its own: a ``relname = 'pg_class'`` lookup finds
        the catalog's relation alone), aliased ``pg_class`` when no alias follows, so that
        ``pg_class.relname`` still names its columns (and ``pg_catalog.pg_class.relname`` becomes it)."""
        sig = [k for k in range(len(out)) if not out[k].blank]
        if qualified and (len(sig) < 2 or out[sig[-2]].low != "pg_catalog"):
            return node
        if following is not None and following.text == ".":
            if qualified:
                del out[sig[-2]:]  # pg_catalog.pg_class.relname -> pg_class.relname
            return node
        before = sig[-3 if qualified else -1] if len(sig) >= (3 if qualified else 1) else None
        if before is None or out[before].low not in _RELATION_INTRODUCERS:
            return node  # an alias (``FROM pg_catalog.pg_class AS pg_class``), a column, a table's name
        if qualified:
            del out[sig[-2]:]
        aliased = following is not None and (following.kind == "qident" or (
            following.kind == "ident" and (following.low == "as" or following.low not in FROM_KEYWORDS)))
        return raw(f"localshift.redshift_{node.low}" + ("" if aliased else f" AS {node.low}"))


def _qualifier(out: list[Node]) -> int | None:
    """Where the name before the last ``.`` emitted starts (``pg_catalog`` of ``pg_catalog.``)."""
    sig = [k for k in range(len(out)) if not out[k].blank]
    return sig[-2] if len(sig) >= 2 else None


def _fold(text: str) -> str:
    """Redshift folds the ASCII letters of delimited identifiers to lower case."""
    body = text[1:-1]
    lowered = "".join(c.lower() if "A" <= c <= "Z" else c for c in body)
    return f'"{lowered}"'


def _names_relation(prev: Node | None, nodes: list[Node], j: int) -> bool:
    """Is the name before the parenthesis ``nodes[j]`` a relation and its columns?  After one of
    ``_RELATION_WITH_COLUMNS``, or a common table expression's name (``WITH log (a) AS (...)``,
    ``..., power (b) AS MATERIALIZED (...)``), where a call would be followed by an alias."""
    if prev is not None and prev.low in _RELATION_WITH_COLUMNS:
        return True
    k = _next(nodes, j + 1)
    if k >= len(nodes) or nodes[k].low != "as":
        return False
    k = _next(nodes, k + 1)
    return k < len(nodes) and (nodes[k].kind == "group" or nodes[k].low in ("materialized", "not"))


def _next(nodes: list[Node], k: int) -> int:
    while k < len(nodes) and nodes[k].blank:
        k += 1
    return k
