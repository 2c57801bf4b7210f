"""While a cluster's storage is full, an extended protocol batch of reads runs read-only.

A read calling a function that writes (``SELECT f($1)``) is not seen in its text (storage_full.py).
A batch of the extended protocol (Parse, Bind, Describe, Execute, Close messages up to a Sync, as
psycopg with parameters, redshift_connector and JDBC send) shares one transaction: outside a
transaction block, the implicit one the Sync ends; in a block, the block's.  When its statements are
all reads, the front puts statements of its own before its first message (``BEFORE``: SET
TRANSACTION READ ONLY; in a block, inside a savepoint, released before the batch's Sync by
``RELEASE``, so that the block's later statements, a DELETE that frees space, still write), and the
engine refuses the function's INSERT (``25006 cannot execute INSERT in a read-only transaction``).
A simple Query cannot be put among extended protocol messages, so each statement of the front's is a
Parse, Bind, Execute and two Closes of a statement and portal of its own name; the client sees none
of their answers (``Replies`` says which ParseComplete, BindComplete and CloseComplete are the
front's; the session hides their CommandCompletes as its own statements').

Only a batch that starts with nothing outstanding: the status the engine last reported (in a
transaction block or not) is then the current one.  A batch pipelined before the last one's end runs
as it is sent (docs/behaviour.md).  Should the batch's later messages come in a later read of the
connection and prepare a statement that frees space, the engine refuses it (25006) too.
"""

from __future__ import annotations

from collections import deque
from typing import Callable

from .command_tags import first_words
from .framing import LENGTH
from .storage_full import READS

_NAME = b"localshift_read_only\0"


def _message(typ: bytes, body: bytes) -> bytes:
    return typ + LENGTH.pack(len(body) + 4) + body


def _run(sql: bytes) -> bytes:
    """A statement of the front's in an extended protocol batch: Parse, Bind, Execute, Close portal and
    statement, answered by ParseComplete, BindComplete, CommandComplete and two CloseCompletes."""
    return (_message(b"P", _NAME + sql + b"\0\0\0") + _message(b"B", _NAME + _NAME + b"\0\0\0\0\0\0")
            + _message(b"E", _NAME + b"\0\0\0\0") + _message(b"C", b"P" + _NAME) + _message(b"C", b"S" + _NAME))


REPLIES_PER_RUN = 4  # ParseComplete, BindComplete, CloseComplete, CloseComplete (and a CommandComplete)
_READ_ONLY = _run(b"SET TRANSACTION READ ONLY")
BEFORE = (_READ_ONLY, _run(b"SAVEPOINT localshift_read_only") + _READ_ONLY)  # [in a transaction block]
RELEASE = _run(b"RELEASE SAVEPOINT localshift_read_only")


class Replies:
    """The ParseComplete, BindComplete and CloseComplete messages to come while the front's statements
    run in a batch, in runs: the front's (hidden), the client's (relayed)."""

    __slots__ = ("runs",)

    def __init__(self) -> None:
        self.runs: deque[list] = deque()  # [count, the front's]

    def expect(self, count: int, front: bool) -> None:
        if self.runs and self.runs[-1][1] == front:
            self.runs[-1][0] += count
        else:
            self.runs.append([count, front])

    def front(self) -> bool:
        """Whether the answer come is to one of the front's messages."""
        if not self.runs:
            return False
        run = self.runs[0]
        run[0] -= 1
        if not run[0]:
            self.runs.popleft()
        return run[1]


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
            if first_words(text)[0] not in READS:
                return False
            seen = True
        at += length
    return seen
