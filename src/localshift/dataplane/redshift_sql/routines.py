"""CREATE FUNCTION / PROCEDURE and DROP / ALTER PROCEDURE with Redshift's argument rules.

* Argument and RETURNS types are Redshift's (``VARCHAR(MAX)``, ``SUPER``...):
  they become PostgreSQL's, as in a table's columns.
* The body (a dollar-quoted SQL or PL/pgSQL text) is Redshift SQL too: each of
  its statements gets the expression rewrites (``NVL``, ``DATEADD``, ``GETDATE``,
  ``#name`` tables, ``TOP``, type names after ``::``...), a statement with
  Redshift-only forms (CREATE TABLE with DISTKEY, SET query_group, DELETE
  without FROM...) its statement translation, and the variables of a PL/pgSQL
  DECLARE section Redshift's types.  SQL built at run time (EXECUTE 'text')
  reaches the engine as it is, but through ``localshift.owner_reach_text``
  (``_dynamic``): what a superuser may run as the object's owner (owner_reach.py)
  goes through ``localshift.run_as_owner``, with the routine's rights.
* ``NONATOMIC``: the word goes (PostgreSQL's procedures run COMMIT and ROLLBACK when CALLed
  outside a transaction block); each statement of such a body commits as it ends
  (nonatomic_commits.py), and its exception handlers do not re-throw (procedure_handlers.py).
* OUT arguments: a Redshift CALL leaves them out (``CALL p(1)`` for ``p(a IN
  int, r OUT int)``), PostgreSQL's CALL needs a placeholder for each.  Trailing
  OUT arguments become ``INOUT ... DEFAULT NULL``, which a CALL may leave out
  and which CALL still returns in its result row.  Redshift's procedure
  arguments take no DEFAULT, so a defaulted argument is always such an OUT.
* DROP PROCEDURE and ALTER PROCEDURE (RENAME TO, OWNER TO) name a procedure by
  its input arguments (Redshift ignores OUT arguments there): they act on the
  procedure whose arguments start with those and go on only with defaulted
  (former OUT) ones, as SHOW PROCEDURE finds it (``localshift.find_routine``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .admin import user_name
from .errors import do_block, syntax_error
from .nonatomic_commits import BLOCK_WORDS, EXPLICIT_BLOCK, autocommitted
from .procedure_handlers import COMMIT_UNLESS_ATOMIC, redshift_handlers
from .tokens import (Group, Node, Token, identifier_value, inside, quote_ident, quote_literal, raw, render,
                     split_commas, split_statements, temporary_table_names, tokenize, tree, words)
from .types import read_type

if TYPE_CHECKING:
    from .expressions import Rewriter

Statement = Callable[["Rewriter", list[Token]], tuple[str, "bool | None"]]
_MODES = frozenset({"in", "out", "inout", "variadic"})


def create_routine(rw: "Rewriter", nodes: list[Node], sig: list[Node], k: int, statement: Statement) -> str | None:
    """``sig[k]`` is FUNCTION or PROCEDURE; ``statement`` translates one statement of its body.
    None when nothing is Redshift's own."""
    g = next((i for i in range(k + 1, len(sig)) if isinstance(sig[i], Group)), None)
    if g is None:
        return None
    arguments = [words(a) for a in split_commas(inside(sig[g]))]
    out_tail = len(arguments)
    while sig[k].low == "procedure" and out_tail > 0 and _mode(arguments[out_tail - 1]) == "out":
        out_tail -= 1
    texts = [_argument(a, "INOUT" if n >= out_tail else None) for n, a in enumerate(arguments)]
    # still a group: ``schema.name(...)`` is a name, not PartiQL navigation
    replaced: dict[int, Node] = {id(sig[g]): Group("(", [raw(", ".join(texts))], ")")}
    dropped = {id(w) for w in sig[g + 1:] if w.low == "nonatomic" and sig[k].low == "procedure"}
    nonatomic = bool(dropped)
    # PostgreSQL lets no SECURITY DEFINER procedure end a transaction (Redshift's may)
    definer = any(w.low == "security" and v.low == "definer" for w, v in zip(sig[g + 1:], sig[g + 2:]))
    # AWS: a procedure created with SET config options can't COMMIT, ROLLBACK or TRUNCATE
    configured = any(w.low == "set" for w in sig[g + 1:])
    body = next((w for w in sig[g + 1:] if w.kind == "dollar"), None)
    if body is not None:
        replaced[id(body)] = raw(_body(rw, body.text, statement, sig[k].low == "procedure", nonatomic,
                                             definer or configured, configured))
    r = next((i for i in range(g + 1, len(sig)) if sig[i].low == "returns"), None)
    if r is not None and r + 1 < len(sig) and sig[r + 1].low not in ("table", "setof"):
        start = nodes.index(sig[r + 1])
        type_text, end = read_type(nodes, start)
        replaced[id(nodes[start])] = raw(type_text)
        dropped.update(id(n) for n in nodes[start + 1:end])
    out = [replaced.get(id(node), node) for node in nodes if id(node) not in dropped]
    text = render(rw.rewrite(out))
    return None if text.strip() == render(nodes).strip() else text


# Statements with Redshift-only forms: in a body too they get their translations (a CREATE
# TABLE's DISTKEY, CREATE TABLE #name, SET query_group, DELETE without FROM, MERGE ...).
_STATEMENTS = frozenset({"create", "alter", "drop", "set", "reset", "analyze", "analyse", "lock", "copy",
                         "unload", "delete", "merge", "grant", "revoke", "comment"})
_ENDS_TRANSACTION = frozenset({"commit", "rollback", "truncate"})
_BLOCK_WORDS = BLOCK_WORDS  # (``BEGIN CREATE ...``, ``THEN SET ...``)


def _body(rw: "Rewriter", quoted: str, statement: Statement, procedure: bool, nonatomic: bool,
          definer: bool, configured: bool) -> str:
    """A dollar-quoted routine body with each statement rewritten (``$tag$ ... $tag$``).  In a
    procedure, a TRUNCATE is followed by a COMMIT: Redshift's TRUNCATE commits the transaction it
    runs in, in a stored procedure too (which then goes on in a new one); called inside a
    transaction block, the procedure then fails, as Redshift's does (no COMMIT, ROLLBACK or
    TRUNCATE there).  A TRUNCATE run by EXECUTE 'text' does not commit."""
    tag = quoted[:quoted.index("$", 1) + 1]
    tokens = temporary_table_names(tokenize(quoted[len(tag):-len(tag)], rw.standard_strings))
    if procedure:  # its EXCEPTION blocks with Redshift's meaning
        tokens = redshift_handlers(tokens, nonatomic, not definer)
    relations, rw.relations = rw.relations, None  # no PartiQL navigation: r.a is a record's field
    try:
        pieces, declaring, words = [], False, []
        for piece in split_statements(tokens, keep_blank=True):
            sig = [i for i, t in enumerate(piece) if not t.blank]
            lows = [piece[i].low for i in sig]
            words.append(lows)
            declaring = (declaring or lows[:1] == ["declare"]) and "begin" not in lows
            start = next((n for n, low in enumerate(lows)
                          if low in _STATEMENTS and (n == 0 or lows[n - 1] in _BLOCK_WORDS)), None)
            opens = next((n for n, low in enumerate(lows[:-1]) if low == "start" and lows[n + 1] == "transaction"
                          and (n == 0 or lows[n - 1] in _BLOCK_WORDS)), None)
            if declaring:
                pieces.append(render(rw.rewrite(_declaration(tree(piece)))))
            elif procedure and opens is not None:
                # Redshift's START TRANSACTION in a NONATOMIC procedure opens a block after statements that
                # each committed: here what ran since the last COMMIT is committed (PL/pgSQL has no such statement)
                pieces.append(render(piece[:sig[opens]])
                              + ("NULL" if definer else COMMIT_UNLESS_ATOMIC + EXPLICIT_BLOCK))
            elif start is not None:
                text, _ = statement(rw, piece[sig[start]:])
                if tag in text:  # (a DO block of owner_reach.py's quoting tags) would end the body
                    raise syntax_error(tag)
                rw.relations = None
                pieces.append(render(piece[:sig[start]]) + text)
            else:
                ends = next((n for n, low in enumerate(lows) if low in _ENDS_TRANSACTION
                             and (n == 0 or lows[n - 1] in _BLOCK_WORDS)), None) if procedure else None
                if ends is None:
                    pieces.append(render(rw.rewrite(tree(_dynamic(piece, sig, lows)))))
                    continue
                # called where it may not end the transaction: Redshift's error, naming the statement
                check = f"PERFORM localshift.check_transaction_end('{lows[ends].upper()}', {configured}); "
                text = render(piece[:sig[ends]]) + check + render(rw.rewrite(tree(piece[sig[ends]:])))
                pieces.append(text + ";\nCOMMIT" if lows[ends] == "truncate" and not definer else text)
    finally:
        rw.relations = relations
    if nonatomic and not definer:  # each statement commits as it ends
        pieces = autocommitted(pieces, words)
    return tag + ";".join(pieces) + tag


def _dynamic(piece: list[Token], sig: list[int], lows: list[str]) -> list[Token]:
    """``EXECUTE text [INTO ...] [USING ...]`` as ``EXECUTE localshift.owner_reach_text(text) ...``: a
    statement the translator never sees, which ``localshift.owner_reach_text`` runs through
    ``localshift.run_as_owner`` when it is one owner_reach.py would (a superuser's procedure dropping the
    master user's table by dynamic SQL); the piece as it is when it runs no EXECUTE statement."""
    start = next((n for n, low in enumerate(lows) if low == "execute" and (n == 0 or lows[n - 1] in _BLOCK_WORDS)),
                 None)
    if start is None or start + 1 >= len(sig):
        return piece
    depth, end = 0, sig[-1] + 1
    for n in range(start + 1, len(sig)):
        text = piece[sig[n]].text
        depth += (text in ("(", "[")) - (text in (")", "]"))
        if depth == 0 and lows[n] in ("into", "using"):
            end = sig[n - 1] + 1
            break
    call = tokenize("localshift.owner_reach_text(")
    return piece[:sig[start + 1]] + call + piece[sig[start + 1]:end] + [Token("close", ")")] + piece[end:]


def _declaration(nodes: list[Node]) -> list[Node]:
    """``[DECLARE] name [CONSTANT] type ...`` with the type translated."""
    sig = [i for i, n in enumerate(nodes) if not n.blank]
    k = 1 if sig and nodes[sig[0]].low == "declare" else 0
    if k + 1 >= len(sig) or nodes[sig[k]].kind not in ("ident", "qident"):
        return nodes
    k += 2 if nodes[sig[k + 1]].low == "constant" else 1
    if k >= len(sig) or nodes[sig[k]].kind != "ident" or nodes[sig[k]].low in ("alias", "cursor", "record"):
        return nodes
    type_text, end = read_type(nodes, sig[k])
    return nodes[:sig[k]] + [raw(type_text)] + nodes[end:]


def _argument(argument: list[Node], mode: str | None) -> str:
    """``[mode] [name] type`` with the type translated; ``mode``: INOUT for a trailing OUT
    argument of a procedure (which then gets DEFAULT NULL)."""
    name, type_nodes = argument_name_and_type(argument)
    if not type_nodes:
        raise syntax_error(render(argument) or ")")
    type_text, end = read_type(type_nodes, 0)
    rest = _text(type_nodes[end:])  # DEFAULT ... of a function's argument
    written = _mode(argument) if any(n.low in _MODES for n in argument[:2]) else None
    return " ".join(filter(None, [mode or (written or "").upper(), render(name), type_text, rest,
                                  "DEFAULT NULL" if mode else ""]))


def drop_procedure(sig: list[Node]) -> str | None:
    """DROP PROCEDURE [IF EXISTS] name(argument types) [CASCADE | RESTRICT]: the procedure
    localshift.find_routine finds (catalog/15_show.sql; SHOW PROCEDURE finds it so too)."""
    lows = [w.low for w in sig]
    k = 4 if lows[2:4] == ["if", "exists"] else 2
    g = len(sig) - (2 if lows[-1] in ("cascade", "restrict") else 1)
    if g <= k or not isinstance(group := sig[g], Group):
        return None  # no argument list: PostgreSQL finds the only procedure of that name
    found = _found_procedure(sig[k:g], group)
    if k == 4:  # IF EXISTS: none is no error (one of several is)
        found = f"BEGIN {found} EXCEPTION WHEN undefined_function THEN RETURN; END;"
    cascade = " CASCADE" if lows[-1] == "cascade" else ""
    return do_block(f"DECLARE found oid; BEGIN {found} "
                    f"EXECUTE 'DROP PROCEDURE ' || found::regprocedure::text || {quote_literal(cascade)}; END;")


def alter_procedure(sig: list[Node]) -> str | None:
    """ALTER PROCEDURE name(argument types) {RENAME TO new | OWNER TO user}: the procedure found
    as DROP PROCEDURE finds it (its input arguments; Redshift ignores OUT arguments there too)."""
    groups = [(k, node) for k, node in enumerate(sig) if k > 2 and isinstance(node, Group)]
    if not groups:
        return None  # no argument list: PostgreSQL finds the only procedure of that name
    g, group = groups[0]
    if [w.low for w in sig[g + 1:g + 3]] not in (["rename", "to"], ["owner", "to"]) or len(sig) != g + 4:
        return None  # PostgreSQL's other actions
    target = sig[g + 3]
    if sig[g + 1].low == "rename":
        action = f" RENAME TO {quote_ident(identifier_value(target))}"
    else:
        keyword = target.low in ("current_user", "session_user")
        action = f" OWNER TO {target.text.upper() if keyword else quote_ident(user_name(target))}"
    return do_block(f"DECLARE found oid; BEGIN {_found_procedure(sig[2:g], group)} "
                    f"EXECUTE 'ALTER PROCEDURE ' || found::regprocedure::text || {quote_literal(action)}; END;")


def _found_procedure(name: list[Node], group: Group) -> str:
    """PL/pgSQL setting ``found`` to the procedure ``[schema.]name`` whose input arguments are
    ``group``'s."""
    names = [quote_literal(identifier_value(n)) for n in name if n.text != "."]
    if not names or len(names) > 2:
        raise syntax_error(name[0].text)
    schema = names[0] if len(names) == 2 else "NULL"
    return f"found := localshift.find_routine({schema}, {names[-1]}, {argument_types(group, outs=False)}, 'p');"


def argument_types(group: Group, outs: bool = True) -> str:
    """The types of a routine's arguments ``([argname] [argmode] argtype, ...)`` as a regtype[]
    (for localshift.find_routine), those of OUT arguments only with ``outs``."""
    types = []
    for argument in map(words, split_commas(group.nodes)):
        if argument and (outs or _mode(argument) != "out"):
            type_nodes = argument_name_and_type(argument)[1]
            if not type_nodes:
                raise syntax_error(argument[-1].text)
            types.append(quote_literal(read_type(type_nodes, 0)[0]))
    return f"ARRAY[{', '.join(types)}]::regtype[]"


def _mode(argument: list[Node]) -> str:
    """IN, OUT, INOUT or VARIADIC: first (``OUT r int``) or after the name (``r OUT int``)."""
    for node in argument[:2]:
        if node.kind == "ident" and node.low in _MODES:
            return node.low
    return "in"


def argument_name_and_type(argument: list[Node]) -> tuple[list[Node], list[Node]]:
    """(name, type) nodes of an argument's significant nodes, its mode left out."""
    rest = [n for n in argument[:2] if not (n.kind == "ident" and n.low in _MODES)] + argument[2:]
    if len(rest) >= 2 and rest[0].kind in ("ident", "qident") and not isinstance(rest[1], Group) \
            and rest[1].text != "." and rest[1].low not in _TYPE_SECOND_WORDS:
        return rest[:1], rest[1:]
    return [], rest


# Second words of type names (``double precision``): no argument name before them.
_TYPE_SECOND_WORDS = frozenset({"precision", "varying", "with", "without"})


def _text(nodes: list[Node]) -> str:
    return " ".join(n.text for n in nodes)
