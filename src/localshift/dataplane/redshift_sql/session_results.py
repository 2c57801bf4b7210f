"""The engine's side of a session (session.py): what the engine answers, followed to each
statement's completion.  Only CommandComplete, ErrorResponse, EmptyQueryResponse, PortalSuspended,
ParameterStatus, RowDescription, NoData, NoticeResponse and ReadyForQuery are looked at (and DataRows
of results with SUPER or VARBYTE columns, printed as Redshift prints them); each statement is recorded
in the query history when it completes, with the tag Redshift gives it and the error Redshift words,
and a CALL with the messages its procedures raised (procedure_messages.py)."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Callable

from .command_tags import RETAGGED, redshift_tag
from .errors import TranslationError, failed_refresh, redshift_error
from .framing import LENGTH, Framer
from .procedure_messages import ProcedureMessage, is_call, raised_message
from .read_only_batch import Replies
from .row_descriptions import redshift_columns
from .storage_full import DISK_FULL, error_as
from .super_text import ResultShape, compact_row, result_columns

if TYPE_CHECKING:
    from .history import QueryRecorder

# Engine messages read whole: CommandComplete, ErrorResponse, EmptyQueryResponse,
# PortalSuspended, ParameterStatus, RowDescription, NoData, NoticeResponse, ReadyForQuery; and
# DataRow while a result with SUPER columns may be coming.
ENGINE_WHOLE = frozenset(b"CEIsSTnNZ")
ENGINE_WHOLE_ROWS = ENGINE_WHOLE | {0x44}
# Engine messages read whole while the front's statements run in a batch (read_only_batch.py):
# ParseComplete, BindComplete, CloseComplete.
REPLIES = frozenset(b"123")
END = None  # where a Query or a Sync's batch ends in the pending queue
COMMIT_END = b"commit"  # where the front's own COMMIT (before a TRUNCATE) ends
_STANDARD_STRINGS = b"standard_conforming_strings"


class Statement:
    """A statement sent to the engine, until its completion.  ``chained``: it starts when
    the one before it completes (the statements of one Query run one after another).
    ``shape``: its result's SUPER and VARBYTE columns, for an Execute those its prepared
    statement was described with (a Query's statement gets it from its own RowDescription);
    ``formats``: the result format codes its portal's Bind gave (``result_formats``).  ``instead``: the
    error the client gets for it whatever the engine answers (the front made the engine fail it: a
    statement refused while the storage is full, a FunctionCall); ``quota_cancel``: the storage quota
    cancels it, so that its 57014 is Redshift's Disk Full (storage_quota.py)."""

    __slots__ = ("text", "start", "chained", "tag", "error", "hidden", "shape", "formats", "instead",
                 "quota_cancel", "messages")

    def __init__(self, text: bytes, start: float, chained: bool = False, hidden: bool = False,
                 shape: ResultShape | None = None, formats: bytes = b"",
                 instead: TranslationError | None = None) -> None:
        self.text = text
        self.instead = instead
        self.quota_cancel = False
        self.start = start
        self.chained = chained
        self.hidden = hidden  # the front's own: its completion is not the client's
        self.shape = shape
        self.formats = formats
        self.tag: bytes | None = None
        self.error: tuple[str, str] | None = None
        self.messages: list[ProcedureMessage] | None = None  # a CALL's raised messages, once it has some


class ResultFollower:
    """What a session (SqlSession) does with the engine's messages; the state it shares with the
    client's side is set up by SqlSession."""

    user: str
    database: str
    recorder: "QueryRecorder | None"
    engine_key: str
    pid: int
    standard_strings: bool
    in_transaction: bool
    block: bool
    on_drop_done: Callable[[], None] | None
    last_query_id: int
    _last_recorded: int
    _drop_ends: int
    _pending: deque
    _replies: Replies
    _engine: Framer

    def engine_parameter(self, msg: bytes) -> None:
        """A ParameterStatus message from the engine."""
        name, _, rest = msg[5:].partition(b"\0")
        if name == _STANDARD_STRINGS:
            self.standard_strings = rest[:2] == b"on"

    def _drop_over(self) -> None:
        """A DROP DATABASE sent has its result, or its session is gone."""
        if self.on_drop_done is not None:  # (the front sets it with on_drop, which held the drop)
            self.on_drop_done()

    def _engine_message(self, typ: int, data: bytes, pos: int, length: int) -> bytes | None:
        pending = self._pending
        if typ in REPLIES:  # read whole while the front's statements run in a batch
            front = self._replies.front()
            if not self._replies.runs:
                self._engine.whole = self._engine.whole - REPLIES
            return b"" if front else None
        if typ == 0x5A:  # ReadyForQuery: the end of a Query or of a Sync's batch
            self._replies.runs.clear()  # (after an error, the engine skipped the rest of the batch)
            if self._drop_ends:
                self._drop_ends -= 1
                if not self._drop_ends:
                    self._drop_over()
            self.in_transaction = data[pos + 5] == 0x54  # 'T'
            # Statements still pending never ran (after an error in their Query or batch).
            end = END
            while pending:
                end = pending.popleft()
                if end is END or end is COMMIT_END:
                    break
            if not pending:  # no result outstanding: DataRows are skipped again
                self._engine.whole = ENGINE_WHOLE
                self.block = self.in_transaction
            return b"" if end is COMMIT_END else None
        if typ == 0x44:  # DataRow (read whole while a result with SUPER columns may be coming)
            current = pending[0] if pending else None
            if type(current) is not Statement or current.shape is None or not current.shape.columns:
                return None
            return compact_row(data, pos, length, current.shape, current.formats)
        if typ == 0x53:  # ParameterStatus
            self.engine_parameter(data[pos:pos + length])
            return None
        if typ == 0x54:  # RowDescription: computed TEXT columns are Redshift's VARCHAR
            current = pending[0] if pending else None
            if type(current) is ResultShape:  # a Describe's answer: the shape of its statement or portal
                pending.popleft()
                current.columns, current.varbytes = result_columns(data, pos, length)
                if current.columns:
                    self._engine.whole = ENGINE_WHOLE_ROWS
            elif type(current) is Statement:  # a Query's statement
                self._describe_statement(current, *result_columns(data, pos, length))
            return redshift_columns(data, pos, length)
        current = pending[0] if pending else None
        if typ == 0x4E:  # NoticeResponse: a CALL's raised message is kept for its record
            if type(current) is Statement and is_call(current.text):
                message = raised_message(data[pos:pos + length])
                if message is not None:
                    current.messages = [*(current.messages or ()), message]
            return None
        if type(current) is ResultShape:  # a Describe's answer: NoData, or the Describe's error
            pending.popleft()
            current = pending[0] if pending else None
        if typ == 0x6E:  # NoData
            return None
        if current is None or current is COMMIT_END:  # nothing this session follows (or more than it counted)
            return redshift_error(data[pos:pos + length]) if typ == 0x45 else None
        pending.popleft()
        if current.hidden:  # the front's COMMIT: its error (a deferred constraint's) is the client's
            return redshift_error(data[pos:pos + length]) if typ == 0x45 else b""
        if typ == 0x43:  # CommandComplete
            tag = data[pos + 5:pos + length - 1]
            redshift = redshift_tag(current.text, tag) if tag[:1] in RETAGGED else None
            current.tag = tag if redshift is None else redshift
            self._record(current)
            return None if redshift is None else b"C" + LENGTH.pack(len(redshift) + 5) + redshift + b"\0"
        if typ == 0x45:  # ErrorResponse
            msg = data[pos:pos + length]
            current.error = error_fields(msg)
            if is_call(current.text):
                exception = raised_message(msg)
                if exception is not None:
                    current.messages = [*(current.messages or ()), exception]
            refresh = failed_refresh(current.text, msg)
            instead = current.instead or (DISK_FULL if current.quota_cancel and current.error[0] == "57014" else None)
            if instead is not None:  # refused by the front, or cancelled for the quota: Redshift's Disk Full
                msg = error_as(msg, instead)
                current.error = error_fields(msg)
                self._record(current, refresh)
                return redshift_error(msg, self.last_query_id) or msg
            self._record(current, refresh)
            return redshift_error(msg, self.last_query_id)
        self._record(current)  # EmptyQueryResponse / PortalSuspended
        return None

    def _describe_statement(self, statement: Statement, columns: tuple[int, ...], varbytes: frozenset[int]) -> None:
        """A RowDescription of a statement of a Query (or of an Execute whose Describe the
        session did not follow)."""
        if columns or statement.shape is not None:
            statement.shape = ResultShape(columns, varbytes)
        if columns:
            self._engine.whole = ENGINE_WHOLE_ROWS

    def _record(self, statement: Statement, failed_view: int | None = None) -> None:
        """``failed_view``: the view of a REFRESH MATERIALIZED VIEW that failed (recorded too)."""
        end = time.time()
        pending = self._pending
        if pending and type(pending[0]) is Statement and pending[0].chained:
            pending[0].start = end
        if self.recorder is None or not statement.text:
            return
        if failed_view is not None:
            self.recorder.record_failed_refresh(self.engine_key, self.database, (
                failed_view, self.pid, self.user, statement.start, end))
        ticket, query_id = self.recorder.record(self.engine_key, self.database, (
            self.pid, self.user, statement.text, statement.start, end, statement.tag, statement.error))
        if ticket:
            self._last_recorded, self.last_query_id = ticket, query_id
            if statement.messages:  # (a statement reading the history waits for them too)
                self._last_recorded = self.recorder.record_procedure_messages(
                    self.engine_key, self.database, query_id, self.pid, self.user, statement.messages)


def error_fields(msg: bytes) -> tuple[str, str]:
    code = message = ""
    for field in msg[5:-1].split(b"\0"):
        if field[:1] == b"C":
            code = field[1:].decode("utf-8", "replace")
        elif field[:1] == b"M":
            message = field[1:].decode("utf-8", "replace")
    return code, message
