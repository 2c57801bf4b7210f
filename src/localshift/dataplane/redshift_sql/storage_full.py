"""Statements refused while a cluster's storage is full: Redshift's ``Disk Full``.

The data plane measures each engine's data against its storage quota (storage_quota.py); while it
is past the quota, the wire front refuses the statements that store more before they reach the
engine, with the error a Redshift cluster whose disks are full gives (``XX000 Disk Full``, code
1016).  The quota is the front's to enforce, not the engine's: PostgreSQL has none, and whatever
the internal role set in the engine (read-only defaults, triggers) a user could set back.

Refused: INSERT, UPDATE, COPY, MERGE, CREATE TABLE (and CREATE TABLE AS, temporary tables),
CREATE MATERIALIZED VIEW, CREATE INDEX, ALTER TABLE, REFRESH, CALL, EXECUTE, SELECT ... INTO, a WITH
whose statement or queries write (INTO, INSERT, UPDATE: the keywords, read by the tokenizer, so a
string, comment or quoted name saying ``into`` is not one), and the rest of a Query holding one.
What reads, and what frees space (DELETE, DROP, TRUNCATE, VACUUM), runs as usual, as on Redshift.

A function that writes, called by a read (``SELECT f()``), is not seen in the text: a simple Query
of reads only (SELECT, WITH, VALUES, TABLE, EXPLAIN, DECLARE, FETCH, MOVE) runs in a read-only
transaction (``READ_ONLY``; in a transaction block, inside a savepoint that ends it, so the block's
later DELETE still runs), where the engine refuses the function's INSERT (``25006 cannot execute
INSERT in a read-only transaction``).  So does a batch of the extended protocol (its messages up to a
Sync, which share one transaction outside a transaction block) whose statements are all reads: the
front puts ``READ_ONLY_BATCH`` (a Parse, Bind, Execute and Closes of its own, whose answers the
client does not see) before its first message.  Only when the batch starts with nothing outstanding
outside a transaction block: a pipelined batch sent before the last one's end, or one in a
transaction block (where the read-only mode would outlast the batch), is not made read-only
(docs/behaviour.md).
"""

from __future__ import annotations

from typing import Callable

from .command_tags import first_words
from .errors import TranslationError
from .framing import LENGTH
from .tokens import tokenize
from .translator import refusal, statement_texts

_STORES = frozenset({b"insert", b"update", b"copy", b"merge", b"refresh", b"call", b"execute", b"cluster",
                     b"reindex", b"do"})
# CREATE TABLE, CREATE TEMP TABLE, CREATE MATERIALIZED VIEW, CREATE [UNIQUE] INDEX; ALTER TABLE.
_STORES_AFTER = {b"create": frozenset({b"table", b"temp", b"temporary", b"local", b"materialized", b"index",
                                       b"unique"}),
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
_READS = frozenset({b"select", b"with", b"values", b"table", b"explain", b"declare", b"fetch", b"move"})
# What runs before and after such a Query: outside a transaction block, in the implicit transaction
# the Query's statements share; in a block, scoped by a savepoint (a subtransaction's end restores
# the read-write mode of the transaction around it).  A newline before the end: the Query's text may
# end in a line comment.  Each statement the front adds has one semicolon (session.py counts them).
READ_ONLY = (b"SET TRANSACTION READ ONLY;\n", b"")
READ_ONLY_IN_BLOCK = (b"SAVEPOINT localshift_read_only; SET TRANSACTION READ ONLY;\n",
                      b"\n;RELEASE SAVEPOINT localshift_read_only")


def read_only_fits(texts: tuple[bytes, ...]) -> bool:
    """Whether the statements ``texts`` of a Query are all reads (storage full: run read-only)."""
    return all(first_words(text)[0] in _READS for text in texts)


def _message(typ: bytes, body: bytes) -> bytes:
    return typ + LENGTH.pack(len(body) + 4) + body


_NAME = b"localshift_read_only\0"
# What makes an extended protocol batch's transaction read-only: a statement and portal of the front's
# own, closed after their Execute; the engine answers ParseComplete, BindComplete, CommandComplete and
# two CloseCompletes, none of them the client's (session.py swallows them).
READ_ONLY_BATCH = (_message(b"P", _NAME + b"SET TRANSACTION READ ONLY\0\0\0")
                   + _message(b"B", _NAME + _NAME + b"\0\0\0\0\0\0")
                   + _message(b"E", _NAME + b"\0\0\0\0")
                   + _message(b"C", b"P" + _NAME) + _message(b"C", b"S" + _NAME))
READ_ONLY_BATCH_REPLIES = 4  # ParseComplete, BindComplete, two CloseCompletes (and a CommandComplete)


def batch_reads(data: bytes, at: int, named: Callable[[bytes], bytes]) -> bool:
    """Whether the extended protocol batch starting at ``at`` in ``data`` (its messages up to a Sync, or
    those of ``data`` when the Sync is yet to come) prepares or binds statements that are all reads, one
    at least; ``named``: the text of a statement prepared before, by its name.  The statements the batch
    prepares itself count by their Parse (a Bind of one of them is that statement)."""
    end, unpack = len(data), LENGTH.unpack_from
    parsed: dict[bytes, bytes] = {}
    seen = False
    while at + 5 <= end:
        typ, length = data[at], unpack(data, at + 1)[0] + 1
        if typ == 0x53 or at + length > end:  # Sync, or a message still coming
            break
        if typ == 0x51:  # a Query in the batch: not a batch of reads
            return False
        if typ in (0x50, 0x42):  # Parse: name, text; Bind: portal, statement
            first = data.index(b"\0", at + 5)
            second = data.index(b"\0", first + 1)
            if typ == 0x50:
                text = parsed[data[at + 5:first]] = data[first + 1:second]
            else:
                name = data[first + 1:second]
                text = parsed[name] if name in parsed else named(name)
            if first_words(text)[0] not in _READS:
                return False
            seen = True
        at += length
    return seen


def disk_full_error(msg: bytes) -> bytes:
    """The ErrorResponse ``msg`` (a statement the storage quota cancelled, 57014) as Redshift's Disk Full:
    its severity kept, its code, message and detail Disk Full's."""
    fields = [f for f in msg[5:-1].split(b"\0") if f and f[:1] not in b"CMDH"]
    fields += [b"C" + DISK_FULL.sqlstate.encode(), b"M" + DISK_FULL.message.encode(),
               b"D" + (DISK_FULL.detail or "").encode()]
    body = b"\0".join(fields) + b"\0\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


def disk_full(text: bytes) -> bytes:
    """What the engine runs instead of ``text``: Redshift's Disk Full error."""
    return refusal(DISK_FULL, text)
