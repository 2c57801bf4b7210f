"""Statements Redshift runs outside a transaction block only, which PostgreSQL runs in one:
``ALTER TABLE t ALTER [COLUMN] c TYPE varchar(n)`` ("You can't alter columns within a transaction
block (BEGIN ... END)", AWS's ALTER TABLE page).  The session refuses such a statement when the
transaction block it would run in is open (``SqlSession.block``, or a BEGIN before it in the same
simple Query); the engine runs the refusal instead (translator.refusal), so the block fails as
Redshift's does and the client sees the error where it would."""

from __future__ import annotations

import re

from .errors import TranslationError
from .storage_full import block_after
from .translator import statement_texts

# The statement's leading blanks and comments, ALTER TABLE, then (anywhere after the name) an
# ALTER [COLUMN] name [SET DATA] TYPE action.  Possessive: no backtracking over the blanks.
_ALTERS_TYPE = re.compile(
    rb"\A(?:\s++|--[^\n\r]*+[\n\r]?|/\*.*?\*/)*+alter\s+table\s.*?"
    rb"\balter\s+(?:column\s+)?(?:\"(?:[^\"]|\"\")*\"|[^\s\"]+)\s+(?:set\s+data\s+)?type\b",
    re.IGNORECASE | re.DOTALL)
_NAMES_TYPE = re.compile(rb"type", re.IGNORECASE)  # a cheap look first: most statements name no TYPE
# Redshift's words for its statements refused in a block (VACUUM's, say); 25001 active_sql_transaction.
IN_BLOCK = TranslationError("ALTER TABLE ALTER COLUMN cannot run inside a transaction block", "25001")


def refused_in_block(block: bool, text: bytes, standard_strings: bool) -> TranslationError | None:
    """The error for ``text`` (a Query's text or a Parse's statement) when a block is open before it
    (``block``) or one of its statements opens one before an ALTER COLUMN ... TYPE."""
    if _NAMES_TYPE.search(text) is None:
        return None
    for statement in statement_texts(text, standard_strings):
        if block and _ALTERS_TYPE.search(statement):
            return IN_BLOCK
        block = block_after(block, (statement,))
    return None
