"""The wire front's per-connection hook: frames the PostgreSQL protocol after
startup, translates the SQL of Query and Parse messages, and follows each
statement to its completion for the query history.

Client -> engine: Query ('Q'), Parse ('P') and Bind ('B') messages are read
whole (the SQL is translated, the statement names followed); every other
message is forwarded as it arrives, without copying.  Engine -> client: only
CommandComplete, ErrorResponse, EmptyQueryResponse, PortalSuspended and
ReadyForQuery are looked at; DataRow and the rest are skipped by length.

State per connection is bounded: the prepared statements' texts (at most
``MAX_NAMED`` names), statements awaiting completion (at most ``MAX_PENDING``;
beyond that they are not recorded), and at most one incomplete message.
"""

from __future__ import annotations

import struct
import time
from collections import deque
from typing import TYPE_CHECKING

from .errors import redshift_error
from .translator import translate_bytes

if TYPE_CHECKING:
    from .history import QueryRecorder

_LENGTH = struct.Struct("!I")
MAX_NAMED = 1000
MAX_PENDING = 10000
# Client messages read whole: Query, Parse, Bind, Execute, Sync, Close.
_CLIENT_WHOLE = frozenset(b"QPBESC")
# Engine messages read whole: CommandComplete, ErrorResponse, EmptyQueryResponse,
# PortalSuspended, ReadyForQuery.
_ENGINE_WHOLE = frozenset(b"CEIsZ")
_SYNC = None  # a Sync's place in the pending queue


def startup_parameters(packet: bytes) -> dict[str, str]:
    fields = packet[8:].split(b"\0")
    return {k.decode("utf-8", "replace").lower(): v.decode("utf-8", "replace")
            for k, v in zip(fields[0::2], fields[1::2]) if k}


class _Statement:
    """A statement sent to the engine, until its completion."""

    __slots__ = ("text", "start", "simple", "tag", "error")

    def __init__(self, text: bytes, simple: bool) -> None:
        self.text = text
        self.start = time.time()
        self.simple = simple      # a simple Query: complete at ReadyForQuery
        self.tag: bytes | None = None
        self.error: tuple[str, str] | None = None


class _Framer:
    """Cuts one direction of the stream into messages.  Messages whose type is in
    ``whole`` are handed complete to ``handle`` (which may return replacement
    bytes); the others are forwarded as they arrive, skipped by their length."""

    __slots__ = ("whole", "handle", "partial", "skip")

    def __init__(self, whole: frozenset[int], handle) -> None:
        self.whole = whole
        self.handle = handle
        self.partial = b""  # an incomplete message (or header) not forwarded yet
        self.skip = 0       # bytes still to come of a message being forwarded

    def feed(self, data: bytes) -> bytes:
        if self.partial:
            data, self.partial = self.partial + data, b""
        pos, end = 0, len(data)
        if self.skip:
            pos = min(self.skip, end)
            self.skip -= pos
        pieces: list | None = None
        start = 0
        whole, handle, unpack = self.whole, self.handle, _LENGTH.unpack_from
        while pos < end:
            if end - pos < 5:
                self.partial, end = data[pos:], pos
                break
            typ = data[pos]
            length = unpack(data, pos + 1)[0] + 1
            if typ in whole:
                if end - pos < length:
                    self.partial, end = data[pos:], pos
                    break
                replacement = handle(typ, data, pos, length)
                if replacement is not None:
                    if pieces is None:
                        pieces = []
                    pieces.append(data[start:pos])
                    pieces.append(replacement)
                    start = pos + length
            pos += length
        else:
            if pos > end:
                self.skip = pos - end
        if pieces is None:
            return data if end == len(data) else data[:end]
        pieces.append(data[start:end])
        return b"".join(pieces)


class SqlSession:
    @classmethod
    def from_startup(cls, packet: bytes, recorder: "QueryRecorder | None",
                     engine_key: str) -> "SqlSession":
        params = startup_parameters(packet)
        user = params.get("user", "")
        return cls(user, params.get("database") or user, recorder, engine_key)

    def __init__(self, user: str, database: str, recorder: "QueryRecorder | None",
                 engine_key: str) -> None:
        self.user = user
        self.database = database
        self.recorder = recorder
        self.engine_key = engine_key
        self.pid = 0
        self.case_sensitive = False
        self._named: dict[bytes, bytes] = {}    # prepared statement name -> text
        self._portals: dict[bytes, bytes] = {}  # portal name -> text
        self._pending: deque = deque()          # statements sent, Syncs, in order
        self.from_client = _Framer(_CLIENT_WHOLE, self._client_message).feed
        self.from_engine = _Framer(_ENGINE_WHOLE, self._engine_message).feed

    def backend_key(self, pid: int) -> None:
        self.pid = pid

    # -- client -> engine ------------------------------------------------------------
    def _client_message(self, typ: int, data: bytes, pos: int, length: int) -> bytes | None:
        start = pos + 5
        if typ == 0x45:  # Execute: portal name
            portal = b"" if data[start] == 0 else data[start:data.index(b"\0", start)]
            if len(self._pending) < MAX_PENDING:
                self._pending.append(_Statement(self._portals.get(portal, b""), False))
            return None
        if typ == 0x42:  # Bind: portal name, statement name
            if data[start] == 0 and data[start + 1] == 0:
                self._portals[b""] = self._named.get(b"", b"")
            else:
                portal_end = data.index(b"\0", start)
                statement = data[portal_end + 1:data.index(b"\0", portal_end + 1)]
                self._remember(self._portals, data[start:portal_end], self._named.get(statement, b""))
            return None
        if typ == 0x53:  # Sync
            if len(self._pending) < MAX_PENDING:
                self._pending.append(_SYNC)
            return None
        if typ == 0x50:  # Parse: name, query, parameter types
            name_end = data.index(b"\0", start)
            query_end = data.index(b"\0", name_end + 1)
            text = data[name_end + 1:query_end]
            if name_end == start:
                self._named[b""] = text
            else:
                self._remember(self._named, data[start:name_end], text)
            new = self._translated(text)
            if new is None:
                return None
            body = data[start:name_end + 1] + new + data[query_end:pos + length]
            return b"P" + _LENGTH.pack(len(body) + 4) + body
        if typ == 0x51:  # Query
            text = data[start:pos + length - 1]
            if len(self._pending) < MAX_PENDING:
                self._pending.append(_Statement(text, True))
            new = self._translated(text)
            if new is None:
                return None
            return b"Q" + _LENGTH.pack(len(new) + 5) + new + b"\0"
        # Close: 'S'tatement or 'P'ortal, name
        names = self._named if data[start] == 0x53 else self._portals
        names.pop(data[start + 1:data.index(b"\0", start + 1)], None)
        return None

    def _translated(self, text: bytes) -> bytes | None:
        result = translate_bytes(text, self.case_sensitive)
        if result is None:
            return None
        sql, case_sensitive = result
        if case_sensitive is not None:
            self.case_sensitive = case_sensitive
        return sql

    @staticmethod
    def _remember(names: dict[bytes, bytes], name: bytes, text: bytes) -> None:
        if name not in names and len(names) >= MAX_NAMED:
            del names[next(iter(names))]
        names[name] = text

    # -- engine -> client ------------------------------------------------------------
    def _engine_message(self, typ: int, data: bytes, pos: int, length: int) -> bytes | None:
        pending = self._pending
        if typ == 0x5A:  # ReadyForQuery: the end of a Query or of a Sync's batch
            while pending:
                item = pending.popleft()
                if item is _SYNC:
                    break
                if item.simple:
                    self._record(item)
                    break
                # an Execute skipped after an earlier error in its batch: it never ran
            return None
        current = pending[0] if pending else None
        if typ == 0x43:  # CommandComplete
            if current is not None:
                current.tag = data[pos + 5:pos + length - 1]
                if not current.simple:
                    pending.popleft()
                    self._record(current)
            return None
        if typ == 0x45:  # ErrorResponse
            msg = data[pos:pos + length]
            if current is not None and current.error is None:
                current.error = _error_fields(msg)
                if not current.simple:
                    pending.popleft()
                    self._record(current)
            return redshift_error(msg)
        if current is not None and not current.simple:  # EmptyQuery / PortalSuspended
            pending.popleft()
            self._record(current)
        return None

    def _record(self, statement: _Statement) -> None:
        if self.recorder is None or not statement.text:
            return
        self.recorder.record(self.engine_key, self.database, (
            self.pid, self.user, statement.text, statement.start, time.time(),
            statement.tag, statement.error))


def _error_fields(msg: bytes) -> tuple[str, str]:
    code = message = ""
    for field in msg[5:-1].split(b"\0"):
        if field[:1] == b"C":
            code = field[1:].decode("utf-8", "replace")
        elif field[:1] == b"M":
            message = field[1:].decode("utf-8", "replace")
    return code, message
