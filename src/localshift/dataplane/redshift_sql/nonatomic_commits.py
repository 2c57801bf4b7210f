"""A NONATOMIC procedure commits each statement as it ends, as Redshift's does.

AWS ("Managing transactions"): in NONATOMIC mode the statements of a procedure are committed
automatically, one by one, except between a ``START TRANSACTION`` and the COMMIT or ROLLBACK that
ends it; an error nothing handles then leaves what ran before it.  PostgreSQL's procedures commit
only at a COMMIT or at the end of the call, so after each statement of such a body comes
``IF localshift.autocommits() THEN COMMIT; END IF``: not when the procedure may not end the
transaction (``localshift.atomic_call()``: a CALL in a transaction block, or inside a statement of
a block with an exception handler, a subtransaction), nor after a ``START TRANSACTION`` (which sets
``localshift.explicit_block`` for the transaction's rest).  A statement of a handled block
(procedure_handlers.py) counts itself in ``localshift.handled_calls`` first: nothing it runs
commits, and no COMMIT follows its count's pieces.
"""

from __future__ import annotations

AUTOCOMMIT = "; IF localshift.autocommits() THEN COMMIT; END IF"
EXPLICIT_BLOCK = "; PERFORM set_config('localshift.explicit_block', 'on', true)"
# PL/pgSQL words a statement follows between two semicolons (``BEGIN x``, ``THEN x``, ``LOOP x``).
BLOCK_WORDS = frozenset({"begin", "then", "else", "loop"})


def autocommitted(pieces: list[str], words: list[list[str]]) -> list[str]:
    """A body's statements (``pieces``, its text between semicolons, with the lower-cased words of
    each) with the commit after each that is a statement: not a declaration, the body's end or a
    statement's count (see above)."""
    last = max((k for k, lows in enumerate(words) if lows), default=-1)
    out, declaring = [], False
    for k, (text, lows) in enumerate(zip(pieces, words)):
        starts = [n for n, low in enumerate(lows) if n == 0 or lows[n - 1] in BLOCK_WORDS or lows[n - 1] == ">>"]
        if any(lows[n] == "declare" for n in starts):
            declaring = True
        if declaring and "begin" in lows:
            declaring = False
        counts = any(lows[n:n + 4] == ["perform", "localshift", ".", "handled_call"] for n in starts)
        out.append(text if declaring or not lows or k == last or counts else text + AUTOCOMMIT)
    return out
