"""Statements refused while a cluster's storage is full: Redshift's ``Disk Full``.

The data plane measures each engine's data against its storage quota (storage_quota.py); while it
is past the quota, the wire front refuses the statements that store more before they reach the
engine, with the error a Redshift cluster whose disks are full gives (``XX000 Disk Full``, code
1016).  The quota is the front's to enforce, not the engine's: PostgreSQL has none, and whatever
the internal role set in the engine (read-only defaults, triggers) a user could set back.

Refused: INSERT, UPDATE, COPY, MERGE, CREATE TABLE (and CREATE TABLE AS, temporary tables),
CREATE MATERIALIZED VIEW, CREATE INDEX, ALTER TABLE, REFRESH, CALL, EXECUTE, SELECT ... INTO
(and a WITH or SELECT whose text says INTO), and the rest of a Query holding one.  What reads, and
what frees space (DELETE, DROP, TRUNCATE, VACUUM), runs as usual, as on Redshift.  A function
that writes, called by a SELECT, is not seen.
"""

from __future__ import annotations

import re

from .command_tags import first_words
from .errors import TranslationError
from .translator import refusal, statement_texts

_STORES = frozenset({b"insert", b"update", b"copy", b"merge", b"refresh", b"call", b"execute", b"cluster",
                     b"reindex", b"do"})
# CREATE TABLE, CREATE TEMP TABLE, CREATE MATERIALIZED VIEW, CREATE [UNIQUE] INDEX; ALTER TABLE.
_STORES_AFTER = {b"create": frozenset({b"table", b"temp", b"temporary", b"local", b"materialized", b"index",
                                       b"unique"}),
                 b"alter": frozenset({b"table"})}
_INTO = re.compile(rb"\binto\b", re.IGNORECASE)
DISK_FULL = TranslationError("Disk Full", "XX000", "\n  -----------------------------------------------\n"
                             "  error:  Disk Full\n  code:      1016\n  context:   node: 0\n"
                             "  -----------------------------------------------\n")


def stores_data(text: bytes, standard_strings: bool) -> bool:
    """Whether a statement of the Query or Parse text ``text`` stores more in the cluster."""
    for statement in statement_texts(text, standard_strings):
        first, second = first_words(statement)
        if first in _STORES or second in _STORES_AFTER.get(first, ()):
            return True
        if first in (b"select", b"with") and _INTO.search(statement):
            return True
    return False


def disk_full(text: bytes) -> bytes:
    """What the engine runs instead of ``text``: Redshift's Disk Full error."""
    return refusal(DISK_FULL, text)
