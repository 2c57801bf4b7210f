"""Round trips the wire front answers itself, as the engine would, for a session (session.py).

redshift_connector prepares each statement (Parse, Describe, Sync: one round trip) before it
binds and executes it (another), and after each DDL statement and each ROLLBACK it closes every
statement it prepared, one round trip each (Redshift invalidates them), then prepares BEGIN,
COMMIT and ROLLBACK again: most of a dbt-redshift run's round trips.  When the engine has
answered everything the client sent (nothing of the engine's can come in between), the front
answers two of these itself:

- Close of a prepared statement, then Sync: CloseComplete, then ReadyForQuery with the
  transaction status the engine last reported.  PostgreSQL never refuses a Close (closing an
  unknown statement is no error) and it changes no transaction state.
- Parse of a named BEGIN, COMMIT or ROLLBACK without parameter types, Describe of that
  statement, Sync: ParseComplete, a ParameterDescription of no parameters, NoData and
  ReadyForQuery.  PostgreSQL parses these without its catalogs; it refuses them only for a name
  in use, which the front answers for no name it saw prepared and not closed since, nor in a
  session that ran PREPARE, and BEGIN in a failed transaction, which it does not answer.

Flushes between those messages are answered with them.  The messages answered go to the engine
in front of whatever the client sends next, so the engine holds the same statements, and the
completions it sends for them are dropped.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Callable

MAX_NAMES = 1000  # statement names followed; past that, Parse is no longer answered here
_SYNC, _FLUSH, _QUERY, _FUNCTION_CALL = 0x53, 0x48, 0x51, 0x46
_DESCRIBE, _READY = 0x44, 0x5A
_FLUSH_MESSAGE = b"H\0\0\0\x04"
_SYNC_MESSAGE = b"S\0\0\0\x04"
_CLOSE_COMPLETE = 0x33
_PARSE_COMPLETE = 0x31
_TRANSACTION_CONTROL = frozenset({b"begin", b"commit", b"rollback"})
_PREPARE = re.compile(rb"\bprepare\b", re.IGNORECASE)


class FrontAnswers:
    __slots__ = ("to_client", "_unanswered", "_unsynced", "_status", "_deferred", "_drops", "_skipping",
                 "_names", "_names_known")

    def __init__(self) -> None:
        self.to_client: Callable[[bytes], None] | None = None  # set by the front
        self._unanswered = 0       # Syncs, Queries and FunctionCalls sent without their ReadyForQuery
        self._unsynced = False     # messages sent since the last of those
        self._status = b"I"        # the transaction status of the engine's last ReadyForQuery
        self._deferred = bytearray()  # messages answered here, not sent to the engine yet
        self._drops: deque[int] = deque()  # the engine's answers to them, still to come
        self._skipping = False     # the Flushes, Describe and Sync of a batch answered here
        self._names: set[bytes] = set()  # statement names the engine may hold
        self._names_known = True   # False once the session ran PREPARE, or used too many names

    # -- client -> engine ------------------------------------------------------------
    def skipped(self, typ: int) -> bool:
        """Whether the client's message ``typ`` belongs to a batch answered here."""
        if self._skipping and typ in (_FLUSH, _DESCRIBE, _SYNC):
            self._skipping = typ != _SYNC
            return True
        return False

    def sent(self, typ: int) -> None:
        """The client's message ``typ`` goes to the engine."""
        if typ in (_SYNC, _QUERY, _FUNCTION_CALL):
            self._unanswered += 1
            self._unsynced = False
        else:
            self._unsynced = True

    def statement_text(self, text: bytes) -> None:
        """The SQL of a Query or a Parse: PREPARE names statements the front does not follow."""
        if self._names_known and _PREPARE.search(text):
            self._names_known = False

    def close(self, data: bytes, pos: int, length: int) -> bool:
        """Answer a Close (at ``pos``) here?"""
        start = pos + 5
        statement = data[start] == 0x53
        if statement:
            self._names.discard(data[start + 1:data.index(b"\0", start + 1)])
        if not statement or not self._quiet() or not self._synced(data, pos + length):
            return False
        self._answer(data[pos:pos + length], _CLOSE_COMPLETE, b"3\0\0\0\x04")
        return True

    def parse(self, name: bytes, text: bytes, types: bytes, data: bytes, pos: int, length: int,
              message: bytes) -> bool:
        """Answer a Parse (at ``pos``, of statement ``name``: ``text``, parameter ``types``;
        ``message``: what goes to the engine) here?"""
        if not name:
            return False
        known = self._names_known and name not in self._names
        self._names.add(name)
        if len(self._names) > MAX_NAMES:
            self._names_known = False
        command = text.strip().rstrip(b";").rstrip().lower()
        if (not known or command not in _TRANSACTION_CONTROL or not self._quiet()
                or (command == b"begin" and self._status == b"E") or types != b"\0\0"):
            return False
        describe = b"D" + (len(name) + 6).to_bytes(4, "big") + b"S" + name + b"\0"
        at = self._flushed(data, pos + length)
        if not data.startswith(describe, at) or not self._synced(data, at + len(describe)):
            return False
        # ParseComplete, ParameterDescription (no parameters), NoData
        self._answer(message, _PARSE_COMPLETE, b"1\0\0\0\x04t\0\0\0\x06\0\0n\0\0\0\x04")
        return True

    def outgoing(self, out: bytes) -> bytes:
        """What goes to the engine: the messages answered here first."""
        if not self._deferred or not out:
            return out
        out = bytes(self._deferred) + out
        self._deferred.clear()
        return out

    def _quiet(self) -> bool:
        return not self._unanswered and not self._unsynced and self.to_client is not None

    @staticmethod
    def _flushed(data: bytes, at: int) -> int:
        while data.startswith(_FLUSH_MESSAGE, at):  # redshift_connector flushes after each message
            at += len(_FLUSH_MESSAGE)
        return at

    def _synced(self, data: bytes, at: int) -> bool:
        return data.startswith(_SYNC_MESSAGE, self._flushed(data, at))

    def _answer(self, message: bytes, completion: int, answer: bytes) -> None:
        self._deferred += message
        self._drops.append(completion)
        self._skipping = True
        self.to_client(answer + b"Z\0\0\0\x05" + self._status)

    # -- engine -> client ------------------------------------------------------------
    def ready(self, status: bytes) -> None:
        """A ReadyForQuery from the engine, with its transaction status."""
        self._unanswered -= 1
        self._status = status
        if not self._deferred:  # what is left never came: a message before it failed
            self._drops.clear()

    def dropped(self, typ: int) -> bool:
        """Whether the engine's ParseComplete or CloseComplete answers a message answered here."""
        if self._drops and self._drops[0] == typ:
            self._drops.popleft()
            return True
        return False
