"""The wire front's per-connection hook: frames the PostgreSQL protocol after
startup, translates the SQL of Query and Parse messages, and follows each
statement to its completion for the query history.

Client -> engine (here; the engine's side is session_results.py, the storage quota's session_quota.py): Query ('Q'), Parse ('P'), Bind ('B')
and Describe ('D') messages are read whole (a FunctionCall ('F') is refused: ``_FASTPATH``) (the SQL is translated, the statement names followed); a Flush ('H')
that a Sync follows in the same read is left out (``_sync_follows``); every
other message is forwarded as it arrives, without copying.  Engine -> client: only
CommandComplete, ErrorResponse, EmptyQueryResponse, PortalSuspended,
ParameterStatus, RowDescription, NoData and ReadyForQuery are looked at; DataRow
and the rest are skipped by length, but for the DataRows of results with SUPER
columns, whose values are printed as Redshift prints them (super_text.py).

A statement the engine ran as something else gets its own CommandComplete tag
(command_tags.py: ``MERGE n`` for MERGE ... REMOVE DUPLICATES, ``DROP PROCEDURE``).  A
TRUNCATE in a transaction block gets COMMITs of the session's own around it, whose answers
the client does not see (truncate_commits.py).

Each statement is recorded when it completes; a simple Query holding several
statements gives one entry per statement.  ``last_query_id`` is then the id the
recorder gave the session's last recorded statement, known before the client
reads the statement's completion.  A statement that reads the history
(``pg_last_query_id()``, ``pg_last_copy_id()`` and their kin, the STL/SVL/STV/SYS views) waits,
with everything the client sends after it, until this session's earlier statements are written
(``on_hold`` asks the front for that; ``release`` goes on), so it sees them.

The session follows the engine's ``standard_conforming_strings`` (reported in
ParameterStatus messages) and its own ``enable_case_sensitive_identifier``:
both change how the translator reads a statement.

State per connection is bounded: the prepared statements' texts (at most
``MAX_NAMED`` names), statements awaiting completion (at most ``MAX_PENDING``;
beyond that they are not recorded), and at most one incomplete message (or,
while held, what the client sent since).
"""

from __future__ import annotations

import re
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, TypeVar

from .atomic_calls import marked
from .framing import HOLD, LENGTH, Framer
from .errors import TranslationError
from .read_only_batch import BEFORE, REFUSED, RELEASE, REPLIES_PER_RUN, Replies
from .session_quota import MIXED, StorageGuard
from .session_results import (COMMIT_END, END, ENGINE_WHOLE, ENGINE_WHOLE_ROWS, REPLIES, ResultFollower,
                              Statement)
from .storage_full import DISK_FULL, block_after, disk_full, stores_data
from .super_text import ResultShape, result_formats
from .outside_blocks import refused_in_block
from .translator import refusal, statement_texts, translate_bytes
from .truncate_commits import COMMIT_QUERY, commits_in_query
from ..wire_messages import startup_database, startup_user

if TYPE_CHECKING:
    from .history import QueryRecorder

MAX_NAMED = 1000
MAX_PENDING = 10000
# Client messages read whole: Query, Parse, Bind, Describe, Execute, Sync, Close, Flush, FunctionCall.
_CLIENT_WHOLE = frozenset(b"QPBDESCHF")
# Client messages that start an extended protocol batch: Parse, Bind, Describe, Execute, Close; and
# those the engine answers with one of REPLIES: Parse, Bind, Close.
_BATCH_STARTS = frozenset(b"PBDEC")
_ANSWERED = frozenset(b"PBC")
# Statements held until the query history is written: those that read it.
_HOLDS = re.compile(rb"pg_last_(?:query_id|copy_id|copy_count|unload_id|unload_count)|\b(?:stl|svl|stv|sys)_",
                    re.IGNORECASE)
# DROP DATABASE is held until the front has kept the service's own connections out of the
# engine (drop_guard.py: the recorder writes as the engine's superuser, whom DROP DATABASE ...
# WITH (FORCE) may not terminate and without FORCE waits for), and followed until its result.
# (It runs alone: PostgreSQL refuses it in a transaction block, which several statements of a
# Query are.)
# Possessive quantifiers: the leading blanks and comments are skipped in one pass (a nested
# `(?:\s+)*` backtracks exponentially on an indented statement that is not a drop).
_DROPS = re.compile(rb"\A(?:\s++|--[^\n\r]*+[\n\r]?|/\*.*?\*/)*+drop\s+database\b", re.IGNORECASE | re.DOTALL)
# The FunctionCall message (the fast path, libpq's PQfn: large objects) runs a function by its oid,
# past every check of statements' texts (the storage quota's).  Redshift has no large objects and
# no oids its users could name; its drivers (redshift_connector, JDBC, ODBC) never send one.
_FASTPATH = TranslationError("fast path function calls are not supported")
_Kept = TypeVar("_Kept")  # what a prepared statement's or a portal's name stands for


class SqlSession(StorageGuard, ResultFollower):
    @classmethod
    def from_startup(cls, packet: bytes, recorder: "QueryRecorder | None",
                     engine_key: str) -> "SqlSession":
        return cls(startup_user(packet), startup_database(packet), recorder, engine_key)

    def __init__(self, user: str, database: str, recorder: "QueryRecorder | None",
                 engine_key: str) -> None:
        self.user = user
        self.database = database
        self.recorder = recorder
        self.engine_key = engine_key
        self.pid = 0
        self.case_sensitive = False
        self.standard_strings = False
        self.in_transaction = False  # the last ReadyForQuery said 'T'
        self.block = False  # a transaction block open once what was sent ran (storage_full.block_after)
        self.on_hold: Callable[[], None] | None = None  # set by the front
        # Set by the front: whether the engine's storage is past its quota (storage_full.py).
        self.storage_full: Callable[[], bool] | None = None
        # Set by the front: guard a DROP DATABASE then release it; the drop has its result.
        self.on_drop: Callable[[], None] | None = None
        self.on_drop_done: Callable[[], None] | None = None
        self._drop_held = False  # a DROP DATABASE waits for the front
        self._drop_ends = 0  # ReadyForQuery messages until a DROP DATABASE sent has its result
        self._last_recorded = 0                 # the recorder's ticket of our last entry
        self.last_query_id = -1                 # and its query id
        # prepared statement name -> text, holds a TRUNCATE, result shape
        self._named: dict[bytes, tuple[bytes, bool, ResultShape]] = {}
        # portal name -> text, result format codes, result shape
        self._portals: dict[bytes, tuple[bytes, bytes, ResultShape]] = {}
        # Statements sent, Describes (the ResultShape their answer fills), ends of batches, in order.
        self._pending: deque = deque()
        self._scanned: bytes | None = None      # the data a Sync was looked for in (_sync_follows)
        self._in_batch = False                  # an extended protocol batch was sent a message since its Sync
        self._release = False                   # the batch runs read-only in a savepoint, released at its Sync
        self._replies = Replies()               # answers to come while the front's statements run in a batch
        self._sync_at = -1                      # and where it is (-1: none after that Flush)
        self._client = client = Framer(_CLIENT_WHOLE, self._client_message)
        self.from_client = client.feed
        self._cancelling = False  # the storage quota cancels a statement: what the client sends waits
        self._release_asked = False  # (and a release asked meanwhile waits for the cancel's end)
        self._engine = Framer(ENGINE_WHOLE, self._engine_message)
        self.from_engine = self._engine.feed

    @property
    def busy(self) -> bool:
        """Whether a statement sent has its result to come (read from other threads: a snapshot)."""
        return bool(self._pending)

    def backend_key(self, pid: int) -> None:
        self.pid = pid

    # -- client -> engine ------------------------------------------------------------
    def _client_message(self, typ: int, data: bytes, pos: int, length: int) -> bytes | None:
        if typ in _BATCH_STARTS:
            if self._in_batch:
                reply = self._message(typ, data, pos, length)
            else:  # the batch's first message: made read-only (read_only_batch.py), or refused?
                block = self._read_only_batch(data, pos)
                if block is None:
                    reply = self._message(typ, data, pos, length)
                elif block == MIXED:
                    reply = self._refused(DISK_FULL, typ, data, pos, length)
                else:
                    reply = self._after(BEFORE[block], 1 + block, typ, data, pos, length)
                self._release = block is True and reply is not HOLD
            if reply is not HOLD:
                self._in_batch = True
                if self._release and typ in _ANSWERED:  # the client's answers come before the RELEASE's
                    self._expect(1, False)
            return reply
        if self._release and typ != 0x48:  # the Sync (or a Query) ending a batch run read-only in a block
            reply = self._after(RELEASE, 1, typ, data, pos, length)
            self._release = self._in_batch = reply is HOLD
            return reply
        self._in_batch = self._in_batch and typ == 0x48  # a Sync or a Query ends a batch
        return self._message(typ, data, pos, length)

    def _refused(self, error: TranslationError, typ: int, data: bytes, pos: int, length: int) -> bytes:
        """The client's message (``typ`` at ``pos``, a batch's first) after a message the engine refuses,
        so that it skips the batch: the client gets ``error``."""
        self._pending.append(Statement(b"", 0.0, instead=error))
        reply = self._message(typ, data, pos, length)
        if reply is HOLD:
            self._pending.pop()
            return reply
        return REFUSED + (data[pos:pos + length] if reply is None else reply)

    def _after(self, front: bytes, statements: int, typ: int, data: bytes, pos: int, length: int) -> bytes:
        """The client's message (``typ`` at ``pos``) after ``front``, the front's ``statements`` (runs of
        read_only_batch.py), whose answers the client does not see."""
        self._pending.extend([Statement(b"", 0.0, hidden=True) for _ in range(statements)])
        reply = self._message(typ, data, pos, length)
        if reply is HOLD:
            for _ in range(statements):
                self._pending.pop()
            return reply
        self._expect(REPLIES_PER_RUN * statements, True)
        return front + (data[pos:pos + length] if reply is None else reply)

    def _expect(self, count: int, front: bool) -> None:
        """``count`` ParseComplete, BindComplete or CloseComplete answers to come (``front``: to the
        front's own messages): the engine's are read whole until they came."""
        self._replies.expect(count, front)
        self._engine.whole = self._engine.whole | REPLIES

    def _message(self, typ: int, data: bytes, pos: int, length: int) -> bytes | None:
        start = pos + 5
        if typ == 0x48:  # Flush: not needed when a Sync follows it (see _sync_follows)
            return b"" if self._sync_follows(data, pos + length) else None
        if typ == 0x45:  # Execute: portal name
            portal = b"" if data[start] == 0 else data[start:data.index(b"\0", start)]
            text, formats, shape = self._portals.get(portal, (b"", b"", None))
            if self._must_wait(text):
                return HOLD
            self.block = block_after(self.block, (text,))
            # A portal of a statement prepared before the storage was full (its Parse was not refused)
            refused = self._full() and stores_data(text, self.standard_strings)
            if len(self._pending) < MAX_PENDING or refused:
                self._pending.append(Statement(text, time.time(), shape=shape, formats=formats,
                                               instead=DISK_FULL if refused else None))
                if shape is not None and shape.columns:
                    self._engine.whole = self._engine.whole | ENGINE_WHOLE_ROWS  # (and REPLIES, if read)
            return REFUSED if refused else None
        if typ == 0x44:  # Describe: 'S'tatement or 'P'ortal, name; the engine's answer fills its shape
            names = self._named if data[start] == 0x53 else self._portals
            kept = names.get(data[start + 1:data.index(b"\0", start + 1)])
            if len(self._pending) < MAX_PENDING:
                self._pending.append(ResultShape() if kept is None else kept[-1])
            return None
        if typ == 0x42:  # Bind: portal name, statement name
            portal_end = data.index(b"\0", start)
            statement = data[portal_end + 1:data.index(b"\0", portal_end + 1)]
            text, commits, shape = self._named.get(statement, (b"", False, None))
            # The engine takes a query's snapshot at Bind: a statement reading the history
            # waits here, or it would not see what its Execute waited for.
            if self._must_wait(text):
                return HOLD
            self._remember(self._portals, data[start:portal_end],
                           (text, result_formats(data, portal_end, pos + length), shape or ResultShape()))
            # A prepared TRUNCATE (a Parse of the unnamed statement commits at the Parse: a Query
            # between would drop that statement)
            return COMMIT_QUERY + data[pos:pos + length] if (commits and self.in_transaction and statement
                                                         and self._commits_first()) else None
        if typ == 0x53:  # Sync
            if len(self._pending) < MAX_PENDING:
                self._pending.append(END)
            return None
        if typ == 0x50:  # Parse: name, query, parameter types
            name_end = data.index(b"\0", start)
            query_end = data.index(b"\0", name_end + 1)
            text = data[name_end + 1:query_end]
            new, _, commits = self._translated(text)
            if (error := refused_in_block(self.block, text, self.standard_strings)) is not None:
                new, commits = refusal(error, text), False
            else:
                new = marked(text, new, self.block if self._pending else self.in_transaction, False)
            if name_end == start:
                self._named[b""] = text, commits, ResultShape()
            else:
                self._remember(self._named, data[start:name_end], (text, commits, ResultShape()))
            commit = COMMIT_QUERY if commits and self.in_transaction and self._commits_first() else b""
            if new is None:
                return commit + data[pos:pos + length] if commit else None
            body = data[start:name_end + 1] + new + data[query_end:pos + length]
            return commit + b"P" + LENGTH.pack(len(body) + 4) + body
        if typ == 0x46:  # FunctionCall: refused, as the engine answers a failed one (an error, ReadyForQuery)
            self._pending.extend((Statement(b"", time.time(), instead=_FASTPATH), END))
            return REFUSED + b"S\0\0\0\x04"
        if typ == 0x51:  # Query
            text = data[start:pos + length - 1]
            if self._must_wait(text):
                return HOLD
            new, refused, commits = self._translated(text)
            if not refused and (error := refused_in_block(self.block, text, self.standard_strings)) is not None:
                new, refused, commits = refusal(error, text), True, False
            several = b";" in text and not refused
            texts = statement_texts(text, self.standard_strings) if several else (text,)
            # (statement sent, statement recorded or None: the session's own), when the session
            # adds COMMITs around a TRUNCATE in a block the Query opens (truncate_commits.py)
            planned = None
            if several and commits and not self._pending:
                sent = texts if new is None else statement_texts(new, self.standard_strings)
                planned = commits_in_query(texts, sent, self.in_transaction)
            commit = COMMIT_QUERY if commits and self.in_transaction and not several and self._commits_first() else b""
            guard = None if refused or commit or planned is not None else self._read_only(texts)
            if not refused and planned is None:
                new = marked(text, new, self.block if self._pending else self.in_transaction, len(texts) > 1)
            self.block = block_after(self.block, texts)
            if isinstance(guard, int):  # reads beside what cannot run read-only: refused
                new, guard = disk_full(text), None
            if guard is not None:
                before, after = guard
                new = before + (text if new is None else new) + after
                now = time.time()
                self._pending.extend([Statement(b"", 0.0, hidden=True) for _ in range(before.count(b";"))])
                self._pending.extend([Statement(t, now, chained=k > 0) for k, t in enumerate(texts)])
                self._pending.extend([Statement(b"", 0.0, hidden=True) for _ in range(after.count(b";"))])
                self._pending.append(END)
            elif planned is not None:
                new = b";\n".join(statement for statement, _ in planned)
                now = time.time()
                self._pending.extend([Statement(recorded or b"", now, chained=k > 0, hidden=recorded is None)
                                      for k, (_, recorded) in enumerate(planned)])
                self._pending.append(END)
            elif len(self._pending) < MAX_PENDING:
                now = time.time()
                self._pending.extend([Statement(t, now, chained=k > 0) for k, t in enumerate(texts)])
                self._pending.append(END)
            if new is None:
                return commit + data[pos:pos + length] if commit else None
            return commit + b"Q" + LENGTH.pack(len(new) + 5) + new + b"\0"
        # Close: 'S'tatement or 'P'ortal, name
        names = self._named if data[start] == 0x53 else self._portals
        names.pop(data[start + 1:data.index(b"\0", start + 1)], None)
        return None

    def _commits_first(self) -> bool:
        """(A statement holding a TRUNCATE, in a transaction block) whether it runs after a COMMIT
        of the block (truncate_commits.py); if so, the COMMIT is followed as the session's own.
        Only with nothing outstanding: the status the engine last reported is then the current
        one, and no error of the client's batch makes the engine skip the COMMIT."""
        if self._pending:
            return False
        self.in_transaction = False
        self._pending.extend((Statement(b"", 0.0, hidden=True), COMMIT_END))
        return True

    def _sync_follows(self, data: bytes, at: int) -> bool:
        """Whether a Sync comes in ``data`` after ``at`` (a message boundary).  A Flush before
        it is left out: the engine will flush its output at the Sync anyway, with nothing
        to wait for from the client in between (COPY and notices flush by themselves), so the
        client gets the same messages, in one write instead of one per Flush.
        redshift_connector sends a Flush after every message (Parse, Flush, Describe, Flush,
        Sync): without them the engine, the front and the client each make one read or write
        per round trip instead of two or three.  The Sync found is kept for the next Flush of
        the same data, so that many Flushes in one read cost one scan."""
        if data is not self._scanned or -1 < self._sync_at < at:
            self._scanned, self._sync_at = data, _next_sync(data, at)
        return self._sync_at >= 0

    def _must_wait(self, text: bytes) -> bool:
        """True (and the front asked to act) when ``text`` reads the history and statements
        of this session are not written yet, or drops a database."""
        if self.on_drop is not None and _DROPS.search(text):
            return self._hold_drop(self.on_drop)
        recorder = self.recorder
        if (recorder is None or self._last_recorded <= recorder.written_for(self.engine_key)
                or _HOLDS.search(text) is None):
            return False
        if self.on_hold is not None:
            self.on_hold()
        return True

    def _hold_drop(self, on_drop: Callable[[], None]) -> bool:
        """Hold a DROP DATABASE the first time it is seen; once released, it goes (its Bind and
        its Execute alike) and its result comes with the ReadyForQuery of its batch."""
        if self._drop_held:
            self._drop_held = False
            self._drop_ends = 1 + sum(1 for item in self._pending if item is END)
        elif not self._drop_ends:
            self._drop_held = True
            on_drop()
        return self._drop_held

    def ended(self) -> None:
        """The session is gone: a drop it sent is over."""
        if self._drop_ends:
            self._drop_ends = 0
            self._drop_over()

    def _translated(self, text: bytes) -> tuple[bytes | None, bool, bool]:
        """The text to send instead of ``text`` (None: as it is), whether it was refused, and
        whether it holds a TRUNCATE (the translator's cached answer: no scan of its own)."""
        if self._full() and stores_data(text, self.standard_strings):
            return disk_full(text), True, False
        result = translate_bytes(text, self.case_sensitive, self.standard_strings)
        if result is None:
            return None, False, False
        sql, case_sensitive, refused, commits = result
        if case_sensitive is not None:
            self.case_sensitive = case_sensitive
        return sql, refused, commits

    @staticmethod
    def _remember(names: dict[bytes, _Kept], name: bytes, kept: _Kept) -> None:
        if name not in names and len(names) >= MAX_NAMED:
            del names[next(iter(names))]
        names[name] = kept

def _next_sync(data: bytes, at: int) -> int:
    """Where the first Sync among the messages of ``data`` from ``at`` is; -1: none."""
    end, unpack = len(data), LENGTH.unpack_from
    while at + 5 <= end:
        if data[at] == 0x53:
            return at
        at += unpack(data, at + 1)[0] + 1
    return -1
