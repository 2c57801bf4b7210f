"""A CALL sent where no procedure may end the transaction is marked for the engine.

Redshift's exception handler, in a procedure of the default mode, rolls the transaction back,
runs, commits and re-throws the error (procedure_handlers.py); called inside a transaction block
no procedure may COMMIT or ROLLBACK, so there the handler does neither.  PL/pgSQL cannot tell
the two apart, but it can read its query's text (``current_query()``): the front, which knows
whether the session is in a block, adds a comment to a CALL sent inside one, or in a Query of
several statements (the engine's implicit block), which ``localshift.atomic_call()`` finds.
"""

from __future__ import annotations

import re

MARK = b"\n/* localshift: atomic call */"
# A statement starting with CALL (after blanks and comments; possessive: see session.py).
_CALL = re.compile(rb"(?:\A|;)(?:\s++|--[^\n\r]*+[\n\r]?|/\*.*?\*/)*+call\b", re.IGNORECASE | re.DOTALL)


def marked(text: bytes, sent: bytes | None, in_block: bool, several: bool) -> bytes | None:
    """What to send for ``text`` (``sent``: its translation, None when it goes as it is): with
    the mark when it holds a CALL that runs in a block (``in_block``: the session is in one as it
    starts; ``several``: a Query of several statements)."""
    if not (in_block or several) or _CALL.search(text) is None:
        return sent
    return (text if sent is None else sent) + MARK
