"""Statements refused while a cluster's storage is full: Redshift's ``Disk Full``.

The data plane measures each engine's data against its storage quota (storage_quota.py); while it
is past the quota, the wire front refuses the statements that store more before they reach the
engine, with the error a Redshift cluster whose disks are full gives (``XX000 Disk Full``, code
1016).  The quota is the front's to enforce, not the engine's: PostgreSQL has none, and whatever
the internal role set in the engine (read-only defaults, triggers) a user could set back.

Refused: INSERT, UPDATE, COPY, MERGE, CREATE TABLE (and CREATE TABLE AS, temporary tables),
CREATE MATERIALIZED VIEW, CREATE INDEX, CREATE DATABASE, ALTER TABLE, REFRESH, CALL, EXECUTE, SELECT ... INTO, a WITH
whose statement or queries write (INTO, INSERT, UPDATE: the keywords, read by the tokenizer, so a
string, comment or quoted name saying ``into`` is not one), and the rest of a Query holding one.
What reads, and what frees space (DELETE, DROP, TRUNCATE, VACUUM), runs as usual, as on Redshift.

A function that writes, called by a read (``SELECT f()``), is not seen in the text: a simple Query
of reads (SELECT, WITH, VALUES, TABLE, EXPLAIN, DECLARE, FETCH, MOVE; beside what ``reads_run`` lets
run with them) runs in a read-only transaction (``READ_ONLY``; in a transaction block, inside a
savepoint that ends it, so the block's later DELETE still runs), where the engine refuses the
function's INSERT (``25006 cannot execute INSERT in a read-only transaction``); one holding reads and
what cannot run read-only is refused.  So does a batch of the extended protocol (read_only_batch.py).
"""

from __future__ import annotations

from typing import Iterable

from .command_tags import first_words
from .errors import TranslationError
from .tokens import tokenize
from .translator import refusal, statement_texts

_STORES = frozenset({b"insert", b"update", b"copy", b"merge", b"refresh", b"call", b"execute", b"cluster",
                     b"reindex", b"do"})
# CREATE TABLE, CREATE TEMP TABLE, CREATE MATERIALIZED VIEW, CREATE [UNIQUE] INDEX, CREATE DATABASE (a
# copy of the engine's template, megabytes each); ALTER TABLE.
_STORES_AFTER = {b"create": frozenset({b"table", b"temp", b"temporary", b"local", b"materialized", b"index",
                                       b"unique", b"database"}),
                 b"alter": frozenset({b"table"})}
# Keywords that make a SELECT or WITH write: SELECT ... INTO, a WITH's INSERT or UPDATE (in its
# statement or a data-modifying query of it).  INTO is reserved: as an unquoted word it is the keyword.
_WRITES_IN = {b"select": frozenset({"into"}), b"with": frozenset({"into", "insert", "update", "merge"})}
DISK_FULL = TranslationError("Disk Full", "XX000", "\n  -----------------------------------------------\n"
                             "  error:  Disk Full\n  code:      1016\n  context:   node: 0\n"
                             "  -----------------------------------------------\n")


def stores_data(text: bytes, standard_strings: bool) -> bool:
    """Whether a statement of the Query or Parse text ``text`` stores more in the cluster."""
    for statement in statement_texts(text, standard_strings):
        first, second = first_words(statement)
        if first in _STORES or second in _STORES_AFTER.get(first, ()):
            return True
        if first in _WRITES_IN and _says(statement, _WRITES_IN[first], standard_strings):
            return True
    return False


def _says(statement: bytes, keywords: frozenset[str], standard_strings: bool) -> bool:
    """Whether ``statement`` has one of ``keywords`` as a word (not in a string, a comment or a quoted name);
    a statement that cannot be read is taken as saying it (the engine will refuse it anyway)."""
    try:
        tokens = tokenize(statement.decode("utf-8"), standard_strings, as_sent=True)
    except (UnicodeDecodeError, TranslationError):
        return True
    return any(token.kind == "ident" and token.low in keywords for token in tokens)


# Reads a Query may hold for the front to make it read-only (session.py _read_only).
READS = frozenset({b"select", b"with", b"values", b"table", b"explain", b"declare", b"fetch", b"move"})
# What runs before and after such a Query: outside a transaction block, in the implicit transaction
# the Query's statements share; in a block, scoped by a savepoint (a subtransaction's end restores
# the read-write mode of the transaction around it).  A newline before the end: the Query's text may
# end in a line comment.  Each statement the front adds has one semicolon (session.py counts them).
READ_ONLY = (b"SET TRANSACTION READ ONLY;\n", b"")
READ_ONLY_IN_BLOCK = (b"SAVEPOINT localshift_read_only; SET TRANSACTION READ ONLY;\n",
                      b"\n;RELEASE SAVEPOINT localshift_read_only")


_BEGINS = frozenset({b"begin", b"start"})
_ENDS = frozenset({b"commit", b"end", b"rollback", b"abort"})


def reads_run(texts: Iterable[bytes], standard_strings: bool) -> bool | None:
    """While the storage is full, how the statements ``texts`` of a Query or an extended protocol batch run:
    None as sent (no read among them); True read-only (reads, beside SHOW, a BEGIN that does not ask
    for READ WRITE, and statements refused anyway); False refused with Disk Full: reads beside a
    statement that frees space (which could not run in the reads' read-only transaction), one that ends
    the transaction (the reads after it would run in a new one) or a SET or RESET (``SET TRANSACTION
    READ WRITE`` after the front's READ ONLY: PostgreSQL allows it until the transaction's first query)."""
    reads = mixed = False
    for text in texts:
        first = first_words(text)[0]
        if first in READS:
            reads = True
        elif not (first == b"show" or first in _BEGINS and not _says(text, _WRITE, standard_strings)
                  or stores_data(text, standard_strings)):
            mixed = True
    return None if not reads else not mixed


_WRITE = frozenset({"write"})


def block_after(block: bool, texts: Iterable[bytes]) -> bool:
    """Whether a transaction block is open after the statements ``texts`` ran (``block``: before them),
    should they all run."""
    for text in texts:
        first, second = first_words(text)
        if first in _BEGINS:
            block = True
        elif first in _ENDS and second != b"to":  # (ROLLBACK TO SAVEPOINT ends none)
            block = False
    return block


def error_as(msg: bytes, error: TranslationError) -> bytes:
    """The ErrorResponse ``msg`` as ``error`` (a statement the storage quota cancelled, 57014, as Redshift's
    Disk Full; one the front made the engine fail): its severity kept, its code, message and detail
    ``error``'s."""
    fields = [f for f in msg[5:-1].split(b"\0") if f and f[:1] not in b"CMDHPpqW"]
    fields += [b"C" + error.sqlstate.encode(), b"M" + error.message.encode()]
    if error.detail:
        fields.append(b"D" + error.detail.encode())
    body = b"\0".join(fields) + b"\0\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


def disk_full(text: bytes) -> bytes:
    """What the engine runs instead of ``text``: Redshift's Disk Full error."""
    return refusal(DISK_FULL, text)
