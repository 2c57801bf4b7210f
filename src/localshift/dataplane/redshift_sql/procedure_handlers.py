"""A stored procedure's EXCEPTION blocks with Redshift's meaning, not PostgreSQL's.

PostgreSQL runs a block with an exception handler as a subtransaction: an error rolls back what
the block did, the handler runs, and the error is gone; nor may the block COMMIT (or TRUNCATE,
which commits here as on Redshift).  AWS ("Trapping errors") says otherwise, so each statement of
such a block runs as a block of its own with the block's handler, and what follows the handler
depends on the procedure's mode:

* default (atomic) mode: "when entering the exception-handling block, the current transaction is
  rolled back and a new transaction is created to run the statements in the block.  If the
  statements in the block run without error, the transaction is committed and the exception is
  re-thrown."  The handler starts with a ROLLBACK and ends with a COMMIT and a bare ``RAISE``
  (the error it caught).  Called inside a transaction block (or a Query of several statements,
  PostgreSQL's implicit block), where no procedure may end the transaction, the handler runs and
  re-throws without them (``localshift.atomic_call()``: the front marks such a CALL).  A handled
  block inside another one's statement only re-throws (that statement is a subtransaction,
  which no ROLLBACK may end): the outer handler then runs.  So does the handler of a procedure
  called by such a statement (which counts itself in ``localshift.handled_calls``).
* ``NONATOMIC``: "the error is not re-thrown if it is handled by an exception block", and each
  statement commits as it ends, so what the block did before the failing statement stays; after
  the handler the block is left (an exit handler, the default).
* ``EXCEPTION CONTINUE_HANDLER WHEN OTHERS THEN ...`` (Redshift's): after the handler the
  statement after the failing one runs; ``EXIT_HANDLER`` is the default, said out loud.

A statement that ends a transaction (COMMIT, ROLLBACK, TRUNCATE, START TRANSACTION) is not wrapped: it could not
run inside a subtransaction (an error of one is not handled).  Only a block's own statements
are wrapped: an error inside one of its IF or LOOP statements leaves that whole statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .tokens import Token, render, tokenize

# Words after which a statement starts (PL/pgSQL's: ``BEGIN IF ...``, ``THEN CASE ...``, ``<<l>> LOOP``).
_STATEMENT_FOLLOWS = frozenset({";", "begin", "then", "else", "loop", "exception", ">>", "continue_handler",
                                "exit_handler"})
_CALLS = frozenset({"call"})
_HANDLER_KINDS = frozenset({"continue_handler", "exit_handler"})
_ENDS_TRANSACTION = frozenset({"commit", "rollback", "truncate", "start"})  # (START TRANSACTION commits)


@dataclass
class _Block:
    begin: int  # token indexes
    end: int = -1
    exception: int | None = None
    kind: int | None = None  # the CONTINUE_HANDLER / EXIT_HANDLER word
    statements: list[tuple[int, int]] = field(default_factory=list)  # (first token, its ';')
    whens_at: list[int] = field(default_factory=list)  # the WHEN of each WHEN ... THEN of the handler
    whens: list[int] = field(default_factory=list)  # and its THEN
    current: int | None = None  # where the statement being read started
    awaiting_then: bool = False


def redshift_handlers(tokens: list[Token], nonatomic: bool, ends_transactions: bool = True) -> list[Token]:
    """A procedure body's tokens with its EXCEPTION blocks rewritten as above (``ends_transactions``
    false: a SECURITY DEFINER procedure's, which the engine lets neither roll back nor commit; its
    handlers re-throw, as a nested one's)."""
    blocks = [b for b in _blocks(tokens) if b.exception is not None]
    if not blocks:
        return tokens
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    dropped: set[int] = set()
    for k, block in enumerate(blocks):
        first = block.kind if block.kind is not None else block.exception
        assert first is not None
        continues = block.kind is not None and tokens[block.kind].low == "continue_handler"
        # a handler inside another handled block's statement runs in that statement's subtransaction
        nested = any(o.begin < block.begin and block.end < (o.exception or 0) for o in blocks)
        if continues:
            start, finish, label = "", "", None
        elif nonatomic:
            start, finish, label = "", f" EXIT ls_handled_{k};", f"ls_handled_{k}"
        elif nested or not ends_transactions:
            start, finish, label = "", " RAISE;", None
        else:
            start, finish, label = _ROLLBACK, COMMIT_UNLESS_ATOMIC + "; RAISE;", None
        _wrap(block, tokens, _section(tokens, block, first, start, finish), label, before, after, nonatomic)
        dropped.update(range(block.exception or 0, block.end))
    out: list[Token] = []
    for i, token in enumerate(tokens):
        if i in dropped:
            continue
        out.extend(t for text in before.get(i, ()) for t in tokenize(text))
        out.append(token)
        out.extend(t for text in after.get(i, ()) for t in tokenize(text))
    return out


# Called where the engine lets no procedure end the transaction, the handler neither rolls back
# nor commits (see above).
_ROLLBACK = " IF NOT localshift.atomic_call() THEN ROLLBACK; END IF;"
COMMIT_UNLESS_ATOMIC = " IF NOT localshift.atomic_call() THEN COMMIT; END IF"


def _section(tokens: list[Token], block: _Block, first: int, start: str, finish: str) -> str:
    """The handlers of ``block`` (``WHEN ... THEN statements``, the CONTINUE_HANDLER /
    EXIT_HANDLER word left out), each beginning with ``start`` and ending with ``finish``."""
    parts = []
    for i in range(first + 1, block.end):
        if tokens[i].low == "when" and i in block.whens_at:
            parts.append(finish if parts and block.whens_at.index(i) else "")
        # on one line, so that the lines PL/pgSQL counts (in errors, SVL_STORED_PROC_MESSAGES) stay the body's
        parts.append(" " if tokens[i].blank else tokens[i].text)
        if i in block.whens:
            parts.append(start)
    parts.append(finish)
    return "".join(parts)


def _wrap(block: _Block, tokens: list[Token], section: str, label: str | None,
          before: dict[int, list[str]], after: dict[int, list[str]], counted: bool) -> None:
    """Each statement of ``block`` as ``BEGIN statement; EXCEPTION <section> END;``; with
    ``label`` (an exit handler) inside a block of that name the handler leaves; ``counted`` (a
    NONATOMIC procedure's, whose statements commit: nonatomic_commits.py), each counting itself in
    ``localshift.handled_calls`` (one holding a CALL always does)."""
    wrapped = [(s, e) for s, e in block.statements if not _holds(tokens, s, e, _ENDS_TRANSACTION)]
    if not wrapped:
        return
    for s, e in wrapped:
        # a procedure it calls runs in a subtransaction, which it may not end: localshift.atomic_call() knows
        calls = counted or _holds(tokens, s, e, _CALLS)
        before.setdefault(s, []).append("BEGIN PERFORM localshift.handled_call(1); " if calls else "BEGIN ")
        after.setdefault(e, []).append((" PERFORM localshift.handled_call(-1);" if calls else "")
                                       + f" EXCEPTION {section} END;")
    if label:
        before.setdefault(block.statements[0][0], []).insert(0, f"<<{label}>> BEGIN ")
        after.setdefault(block.statements[-1][1], []).append(" END;")


def _holds(tokens: list[Token], start: int, end: int, first_words: frozenset[str]) -> bool:
    """Whether the statement ``tokens[start:end]`` is, or holds, one starting with one of ``first_words``."""
    prev = ";"
    for token in tokens[start:end]:
        if not token.blank:
            if token.low in first_words and prev in _STATEMENT_FOLLOWS:
                return True
            prev = token.low
    return False


def _blocks(tokens: list[Token]) -> list[_Block]:
    """The BEGIN ... END blocks of a body, with their statements and EXCEPTION sections."""
    blocks: list[_Block] = []
    stack: list[_Block | None] = []  # None: an IF, LOOP or CASE (which END closes too)
    prev: str | None = ";"
    skip = -1
    declaring = False  # a nested block's DECLARE section: its ';' end no statement
    sig = [i for i, t in enumerate(tokens) if not t.blank]
    for n, i in enumerate(sig):
        token = tokens[i]
        low = token.low
        if i == skip:
            prev = low
            continue
        top = stack[-1] if stack else None
        at_start = prev in _STATEMENT_FOLLOWS
        if top is not None and top.exception is None and top.current is None and low != ";":
            top.current = i
        if low == "declare" and at_start:
            declaring = True
        elif low == ";" and declaring:
            pass
        elif low == ";" and top is not None and top.exception is None and top.current is not None:
            top.statements.append((top.current, i))
            top.current = None
        elif low == "begin" and at_start:
            declaring = False
            stack.append(_Block(i))
            blocks.append(stack[-1])  # type: ignore[arg-type]
        elif low in ("if", "case", "loop") and prev != "end" and (low != "if" or at_start):
            stack.append(None)
        elif low == "end" and stack:
            closed = stack.pop()
            if closed is not None:
                closed.end = i
            following = tokens[sig[n + 1]].low if n + 1 < len(sig) else None
            if following in ("if", "loop", "case"):
                skip = sig[n + 1]
        elif low == "exception" and at_start and top is not None and top.exception is None:
            top.exception = i
            following = tokens[sig[n + 1]].low if n + 1 < len(sig) else None
            if following in _HANDLER_KINDS:
                top.kind = sig[n + 1]
        elif top is not None and top.exception is not None:
            if low == "when" and at_start:
                top.whens_at.append(i)
                top.awaiting_then = True
            elif low == "then" and top.awaiting_then:
                top.whens.append(i)
                top.awaiting_then = False
        prev = low
    return [b for b in blocks if b.end >= 0]
