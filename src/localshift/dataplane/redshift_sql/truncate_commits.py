"""Redshift's TRUNCATE commits the transaction it runs in (AWS: "The TRUNCATE command commits
the transaction in which it is run"); PostgreSQL's is transactional.  The session sends COMMITs
of its own around a TRUNCATE that runs in a transaction block, and hides their answers:

* a Query or a Parse (or the Bind of a prepared statement) holding a TRUNCATE, sent while the
  session is in a block: a ``COMMIT`` Query before it (``COMMIT_QUERY``); the TRUNCATE then
  runs and commits on its own, and the session is idle after it;
* a simple Query of several statements with a TRUNCATE in a block (one the Query opens, or the
  session's): the TRUNCATE becomes ``COMMIT; BEGIN; TRUNCATE t; COMMIT`` in the text
  (``commits_in_query``): the work before it is committed, and what follows runs outside the
  block, as the rest of a Query does (``BEGIN; INSERT ...; TRUNCATE t; ROLLBACK``: the ROLLBACK
  finds no block, warns, and undoes only what the Query did after the TRUNCATE).
"""

from __future__ import annotations

import re

from .command_tags import first_words
from .framing import LENGTH

# A statement starting with TRUNCATE (after blanks and comments; possessive: see session.py).
TRUNCATE = re.compile(rb"(?:\A|;)(?:\s++|--[^\n\r]*+[\n\r]?|/\*.*?\*/)*+truncate\b", re.IGNORECASE | re.DOTALL)
COMMIT_QUERY = b"Q" + LENGTH.pack(11) + b"COMMIT\0"
_OPENS = frozenset({b"begin", b"start"})
_CLOSES = frozenset({b"commit", b"end", b"rollback", b"abort"})
_AROUND = (b"COMMIT", b"BEGIN", None, b"COMMIT")  # None: the TRUNCATE itself


def commits_in_query(texts: tuple[bytes, ...], sent: tuple[bytes, ...],
                     in_block: bool) -> list[tuple[bytes, bytes | None]] | None:
    """The statements to send for a Query of ``texts`` (as the client wrote them; ``sent``: as
    translated, one each), each with the client's text it stands for (None: the session's own);
    None when no TRUNCATE runs in a block there.  ``in_block``: the session is in one as the
    Query starts."""
    if len(texts) != len(sent):
        return None
    out: list[tuple[bytes, bytes | None]] = []
    changed = False
    for text, statement in zip(texts, sent):
        first, second = first_words(text)
        if first == b"truncate" and in_block:
            out += [(statement, text) if own is None else (own, None) for own in _AROUND]
            in_block, changed = False, True
            continue
        out.append((statement, text))
        if first in _OPENS:
            in_block = True
        elif first in _CLOSES and second not in (b"to", b"prepared"):  # ROLLBACK TO savepoint stays in it
            in_block = False
    return out if changed else None
