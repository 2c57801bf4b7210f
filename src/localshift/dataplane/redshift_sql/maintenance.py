"""VACUUM, ANALYZE, ANALYZE COMPRESSION, CANCEL and LOCK with Redshift's syntax.

PostgreSQL has no sort order to restore and no compression to choose: VACUUM
becomes PostgreSQL's plain VACUUM (it reclaims deleted rows, Redshift's DELETE
phase), ANALYZE PostgreSQL's ANALYZE, and ANALYZE COMPRESSION reports the
encodings Redshift chooses by default for each column's type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import TranslationError, do_block, syntax_error
from .tokens import Node, quote_literal

if TYPE_CHECKING:
    from .expressions import Rewriter

_VACUUM_MODES = ("full", "sort", "delete", "reindex", "recluster")


def vacuum(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """VACUUM [FULL | SORT ONLY | DELETE ONLY | REINDEX | RECLUSTER] [table] [TO n PERCENT] [BOOST].
    PostgreSQL's own forms (ANALYZE, VERBOSE, FREEZE, options in parentheses) pass through."""
    lows = [w.low for w in sig]
    if len(sig) > 1 and (lows[1] in ("analyze", "analyse", "verbose", "freeze") or sig[1].kind == "group"):
        return None
    k = 1
    if k < len(sig) and lows[k] in _VACUUM_MODES:
        if lows[k] in ("sort", "delete"):
            if lows[k + 1:k + 2] != ["only"]:
                raise syntax_error(sig[k].text)
            k += 1
        k += 1
    table_start = k
    while k < len(sig) and lows[k] not in ("to", "boost"):
        k += 1
    table = nodes[nodes.index(sig[table_start]):nodes.index(sig[k - 1]) + 1] if k > table_start else []
    if lows[k:k + 1] == ["to"]:
        if k + 2 >= len(sig) or sig[k + 1].kind != "number" or lows[k + 2] != "percent":
            raise syntax_error(sig[k].text)
        if not 0 <= float(sig[k + 1].text) <= 100:
            raise TranslationError("threshold percent must be between 0 and 100", "22023")
        k += 3
    if lows[k:k + 1] == ["boost"]:
        k += 1
    if k != len(sig):
        raise syntax_error(sig[k].text)
    return "VACUUM" + (" " + rw.text(table) if table else "")


def analyze(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """ANALYZE [VERBOSE] [table [(columns)]] [PREDICATE COLUMNS | ALL COLUMNS]."""
    lows = [w.low for w in sig]
    if lows[1:2] == ["compression"]:
        return analyze_compression(rw, sig)
    if lows[-2:] in (["predicate", "columns"], ["all", "columns"]):
        nodes = nodes[:nodes.index(sig[-2])]
    return rw.text(nodes)


def analyze_compression(rw: "Rewriter", sig: list[Node]) -> str:
    """ANALYZE COMPRESSION [table [(columns)]] [COMPROWS n]: columns table, column,
    encoding, est_reduction_pct, as Redshift reports them."""
    lows = [w.low for w in sig]
    end = len(sig)
    if "comprows" in lows:
        c = lows.index("comprows")
        if c + 2 != len(sig) or sig[c + 1].kind != "number":
            raise syntax_error("comprows")
        end = c
    table = sig[2:end]
    columns = "NULL"
    if table and table[-1].kind == "group":
        names = [quote_literal(rw.text([n])) for n in table[-1].nodes if n.kind in ("ident", "qident")]
        columns = f"ARRAY[{', '.join(names)}]::text[]"
        table = table[:-1]
    relation = f"{quote_literal(rw.text(table))}::regclass" if table else "NULL"
    return f"SELECT * FROM localshift.analyze_compression({relation}, {columns})"


def cancel(rw: "Rewriter", sig: list[Node]) -> str:
    """CANCEL pid ['message']."""
    if len(sig) not in (2, 3) or sig[1].kind != "number":
        raise syntax_error(sig[1].text if len(sig) > 1 else "cancel")
    return f"SELECT pg_cancel_backend({int(sig[1].text)})"


def lock(rw: "Rewriter", nodes: list[Node]) -> str:
    """LOCK [TABLE] t [, ...]: Redshift allows it outside a transaction block (the
    lock then ends with the statement); PostgreSQL does inside a DO block."""
    return do_block(rw.text(nodes) + ";")
