"""What a CALL's procedures raise, for SVL_STORED_PROC_MESSAGES and SYS_PROCEDURE_MESSAGES.

Redshift records the messages of a stored procedure's RAISE statements (INFO, NOTICE, WARNING
and EXCEPTION reach this front as the engine's NoticeResponse and ErrorResponse) with the CALL's
query id, even when the call fails.  A message is a RAISE's when the innermost line of its
context is a PL/pgSQL function's ``line N at RAISE``; the catalog's own functions (schema
``localshift``, which raise the errors of refused statements) are not the user's procedures.
"""

from __future__ import annotations

import re
import time
from typing import NamedTuple

from .command_tags import first_words

_RAISE = re.compile(rb"\APL/pgSQL function (?!localshift\.)\S.*? line (\d+) at RAISE\Z")
# Redshift's log levels, by the engine's (non-localized) severity.
LEVELS = {b"LOG": "LOG", b"INFO": "INFO", b"NOTICE": "NOTICE", b"WARNING": "WARNING", b"ERROR": "EXCEPTION"}


class ProcedureMessage(NamedTuple):
    time: float
    level: str  # LOG | INFO | NOTICE | WARNING | EXCEPTION
    text: str
    line: int


def is_call(text: bytes) -> bool:
    return first_words(text)[0] == b"call"


def raised_message(msg: bytes) -> ProcedureMessage | None:
    """A NoticeResponse's or ErrorResponse's message when a procedure's RAISE raised it (an error
    of a statement the procedure ran is no message of its own)."""
    fields = {field[:1]: field[1:] for field in msg[5:-1].split(b"\0") if field}
    where = _RAISE.match(fields.get(b"W", b"").split(b"\n", 1)[0])
    level = LEVELS.get(fields.get(b"V", b""))
    if where is None or level is None:
        return None
    return ProcedureMessage(time.time(), level, fields.get(b"M", b"").decode("utf-8", "replace"), int(where.group(1)))

