"""While a cluster's storage is full, an extended protocol batch holding a read runs read-only.

A read calling a function that writes (``SELECT f($1)``) is not seen in its text (storage_full.py).
A batch of the extended protocol (Parse, Bind, Describe, Execute, Close messages up to a Sync, as
psycopg with parameters, redshift_connector and JDBC send) shares one transaction: outside a
transaction block, the implicit one the Sync ends; in a block, the block's.  When its statements are
reads (beside those storage_full.reads_run lets run read-only with them), the front puts statements
of its own before its first message (``BEFORE``: SET TRANSACTION READ ONLY; in a block, inside a
savepoint, released before the batch's Sync by ``RELEASE``, so that the block's later statements, a
DELETE that frees space, still write), and the engine refuses the function's INSERT (``25006 cannot
execute INSERT in a read-only transaction``).  A simple Query cannot be put among extended protocol
messages, so each statement of the front's is two Closes, a Parse, a Bind and an Execute of a
statement and portal of its own name; the client sees none of their answers (``Replies`` says which
ParseComplete, BindComplete and CloseComplete are the front's; the session hides their
CommandCompletes as its own statements').  A batch of reads beside what cannot run read-only (a
DELETE), and the Execute of a statement that stores more (prepared before the storage was full), are
failed by the engine: the front puts ``REFUSED`` before them, an Execute the engine rejects, and the
session gives the client Disk Full for its error.

Whether a transaction block is open when the batch starts is what the engine last reported when
nothing is outstanding; a batch pipelined behind others' results takes what their statements say
(SqlSession.block): should it be wrong, the front's SET or SAVEPOINT fails, and the batch with it.
Should the batch's later messages come in a later read of the connection and prepare a statement
that frees space, the engine refuses it (25006) too.
"""

from __future__ import annotations

from collections import deque
from typing import Callable

from .framing import LENGTH

_NAME = b"localshift_read_only\0"


def _message(typ: bytes, body: bytes) -> bytes:
    return typ + LENGTH.pack(len(body) + 4) + body


def _run(sql: bytes) -> bytes:
    """A statement of the front's in an extended protocol batch: Close portal and statement, Parse, Bind,
    Execute, answered by two CloseCompletes, ParseComplete, BindComplete and CommandComplete.  Closed
    before, not after: after an error the engine skips the rest of the batch, which would leave them
    open, and the next Parse of the name would fail."""
    return (_message(b"C", b"P" + _NAME) + _message(b"C", b"S" + _NAME) + _message(b"P", _NAME + sql + b"\0\0\0")
            + _message(b"B", _NAME + _NAME + b"\0\0\0\0\0\0") + _message(b"E", _NAME + b"\0\0\0\0"))


REPLIES_PER_RUN = 4  # CloseComplete, CloseComplete, ParseComplete, BindComplete (and a CommandComplete)
_READ_ONLY = _run(b"SET TRANSACTION READ ONLY")
BEFORE = (_READ_ONLY, _run(b"SAVEPOINT localshift_read_only") + _READ_ONLY)  # [in a transaction block]
RELEASE = _run(b"RELEASE SAVEPOINT localshift_read_only")
# An Execute the engine refuses (one byte past its end: 08P01 invalid message format), skipping the rest of
# its batch, and answering nothing else: the front's way to fail a client's message with an error of its
# own (the session gives the client that error instead of the engine's).
REFUSED = _message(b"E", b"\0\0\0\0\0\0")


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


def batch_texts(data: bytes, at: int, named: Callable[[bytes], bytes]) -> list[bytes] | None:
    """The statements the extended protocol batch starting at ``at`` in ``data`` (its messages up to a
    Sync, or those of ``data`` when the Sync is yet to come) prepares or binds; ``named``: the text of a
    statement prepared before, by its name.  The statements the batch prepares itself count by their
    Parse (a Bind of one of them is that statement).  None: a Query among them."""
    end, unpack = len(data), LENGTH.unpack_from
    parsed: dict[bytes, bytes] = {}
    texts = []
    while at + 5 <= end:
        typ, length = data[at], unpack(data, at + 1)[0] + 1
        if typ == 0x53 or at + length > end:  # Sync, or a message still coming
            break
        if typ == 0x51:
            return None
        if typ in (0x50, 0x42):  # Parse: name, text; Bind: portal, statement
            first = data.index(b"\0", at + 5)
            second = data.index(b"\0", first + 1)
            if typ == 0x50:
                texts.append(data[first + 1:second])
                parsed[data[at + 5:first]] = texts[-1]
            else:
                name = data[first + 1:second]
                texts.append(parsed[name] if name in parsed else named(name))
        at += length
    return texts
