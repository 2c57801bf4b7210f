"""CREATE VIEW (late-binding ones: WITH NO SCHEMA BINDING) and CREATE MATERIALIZED VIEW with
Redshift's clauses; their attributes travel to the engine's event triggers in marker comments
(ddl.py).  REFRESH MATERIALIZED VIEW, which queries do not wait for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ddl import TableAttributes, attribute_marker, comment_marker, name_end, qualified_name
from .errors import do_block, syntax_error
from .tokens import Node, quote_literal, render, strip

if TYPE_CHECKING:
    from .expressions import Rewriter


def create_view(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """CREATE [OR REPLACE] VIEW name [(columns)] AS query [WITH NO SCHEMA BINDING]."""
    lows = [w.low for w in sig]
    if lows[-4:] != ["with", "no", "schema", "binding"]:
        return rw.text(nodes)
    # A late-binding view: Redshift checks its tables only when queried, so they need not
    # exist yet.  The engine gets a view of no columns carrying a marker with the query; its
    # event triggers record the view and bind it to the query's columns whenever the tables
    # it names are created or changed (catalog/39_late_binding.sql).
    v = lows.index("view")
    k = v + 1
    while k < len(sig) and sig[k].low != "as" and sig[k].kind != "group":
        k += 1
    name_nodes = rw.rewrite(sig[v + 1:k])
    _, _, name_text = qualified_name(name_nodes)
    # The name as the engine keeps it (delimited names keep their case when identifiers are case sensitive).
    schema, name = ([None] + [n.text[1:-1].replace('""', '"') if n.kind == "qident" else n.low
                              for n in name_nodes if n.text != "."])[-2:]
    columns = ""
    if k < len(sig) and sig[k].kind == "group":
        columns = rw.text([sig[k]])
        k += 1
    if k >= len(sig) - 4 or sig[k].low != "as":
        raise syntax_error(sig[k].text if k < len(sig) - 4 else "with")
    query = rw.text(nodes[nodes.index(sig[k]) + 1:nodes.index(sig[-4])])
    head = rw.text(nodes[:nodes.index(sig[v]) + 1])
    marker = comment_marker("late_binding", {"schema": schema, "name": name, "replace": lows[1] == "or",
                                             "columns": columns, "query": query, "text": render(strip(nodes)) + ";"})
    return f"{head} {name_text} AS SELECT {marker}"


def create_materialized_view(rw: "Rewriter", nodes: list[Node], sig: list[Node], v: int) -> str:
    """CREATE MATERIALIZED VIEW name [BACKUP ..] [table attributes] [AUTO REFRESH YES|NO] AS query.
    ``sig[v]`` is the word VIEW.  Besides the table attributes, the marker records AUTO REFRESH
    (SVV_MV_INFO's autorefresh) and the statement as written: Redshift's PG_VIEWS and
    INFORMATION_SCHEMA.VIEWS show a materialized view's CREATE statement as its definition."""
    head = render(nodes[:nodes.index(sig[v]) + 1])
    name_start = v + 1
    k = name_end(sig, name_start)
    schema, name, name_text = qualified_name(rw.rewrite(sig[name_start:k]))
    attributes = TableAttributes()
    auto_refresh = False
    while k < len(sig) and sig[k].low != "as":
        if sig[k].low == "auto" and k + 2 < len(sig) and sig[k + 1].low == "refresh":
            auto_refresh = auto_refresh_value(sig[k + 2])
            k += 3  # AUTO REFRESH: recorded, and read by the autorefresh job (mv_autorefresh.py)
        else:
            after = attributes.read(sig, k)
            if after == k:
                raise syntax_error(sig[k].text)
            k = after
    if k >= len(sig):
        raise syntax_error("end of input")
    attrs = {**attributes.finish(), "auto_refresh": auto_refresh, "definition": render(strip(nodes)) + ";"}
    query = rw.text(nodes[nodes.index(sig[k]) + 1:])
    return f"{head} {name_text} AS {query}{attribute_marker(schema, name, attrs)}"


def auto_refresh_value(word: Node) -> bool:
    """AUTO REFRESH YES | NO."""
    if word.low not in ("yes", "no"):
        raise syntax_error(word.text)
    return word.low == "yes"


def refresh_materialized_view(rw: "Rewriter", sig: list[Node]) -> str | None:
    """REFRESH MATERIALIZED VIEW name [RESTRICT | CASCADE].  Redshift's queries read a view's old rows while it refreshes;
    the engine's plain REFRESH locks them out until it commits, its REFRESH CONCURRENTLY does not (it
    needs a unique index on the view's rows): the catalog's statement for the view
    (localshift.mv_refresh_statement, a call of localshift.refresh_mv, catalog/42_materialized_views.sql)
    runs either, or refuses an Unrefreshable view, in a DO block (command_tags.py gives the client
    REFRESH MATERIALIZED VIEW's tag).  Other forms are PostgreSQL's.
    Redshift records a failed refresh in SVL_MV_REFRESH_STATUS: its error is raised again naming the
    view (localshift.raise_refresh_error), for the query history to record it (errors.failed_refresh)."""
    if [w.low for w in sig[1:3]] != ["materialized", "view"] or len(sig) < 4:
        return None
    end = name_end(sig, 3)
    # RESTRICT (the default): the view alone; CASCADE: the materialized views it is built on first.
    if end != len(sig) - (sig[-1].low in ("restrict", "cascade")):
        return None
    _, _, name_text = qualified_name(rw.rewrite(sig[3:end]))
    cascade = ", true" if sig[-1].low == "cascade" else ""
    return do_block(f"ls_view := {quote_literal(name_text)}::regclass;"
                    f" EXECUTE localshift.mv_refresh_statement(ls_view{cascade});", declare="ls_view regclass; ",
                    raise_again="localshift.raise_refresh_error(ls_view, SQLSTATE, SQLERRM, ls_detail)",
                    errors="OTHERS OR query_canceled")  # a cancelled refresh (statement_timeout too) is recorded
