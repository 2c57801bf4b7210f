"""A session's side of the storage quota (storage_quota.py, storage_full.py): while the engine's storage is
full, which Queries and extended protocol batches of reads run read-only (read_only_batch.py) or are
refused, and the quota's cancel of a running statement (``quota_cancel``)."""

from __future__ import annotations

from collections import deque
from typing import Callable

from .framing import Framer
from .read_only_batch import batch_texts
from .session_results import Statement
from .storage_full import READ_ONLY, READ_ONLY_IN_BLOCK, reads_run

MIXED = 2  # (a batch or Query of reads refused while the storage is full: storage_full.reads_run)


class StorageGuard:
    """What SqlSession does for the storage quota; the state it uses is set up by SqlSession."""

    storage_full: Callable[[], bool] | None
    standard_strings: bool
    in_transaction: bool
    block: bool
    _pending: deque
    _named: dict[bytes, tuple]
    _client: Framer
    _cancelling: bool
    _release_asked: bool

    def release(self) -> bytes:
        """What a held statement and what the client sent after it give, to send on now."""
        if self._cancelling:
            self._release_asked = True
            return b""
        return self._client.release()

    def quota_cancel(self) -> bool:
        """The storage quota is about to cancel this session's running statement (storage_quota.py): the
        statements outstanding get Disk Full should the engine cancel them, and what the client sends
        from now on waits until ``quota_cancel_sent``, so that the cancel, should the statement end
        before it, finds the engine idle (a cancel then is dropped) or running one of those, never
        another.  Whether a statement was outstanding (nothing done if not)."""
        statements = [item for item in self._pending if type(item) is Statement]
        for statement in statements:
            statement.quota_cancel = True
        if statements and not self._cancelling:
            self._cancelling = True
            if self._client.held is None:
                self._client.held = bytearray()
                self._release_asked = True
        return bool(statements)

    def quota_cancel_sent(self) -> bytes:
        """The cancel was sent: what the client sent meanwhile, to send on now."""
        if not self._cancelling:
            return b""
        self._cancelling = False
        asked, self._release_asked = self._release_asked, False
        return self._client.release() if asked else b""

    def _read_only_batch(self, data: bytes, pos: int) -> bool | int | None:
        """While the storage is full, whether the extended protocol batch starting at ``pos`` is made
        read-only in a transaction block (True) or outside one (False), so that a function its reads call
        cannot write (read_only_batch.py), or refused (``MIXED``: storage_full.reads_run); None: it runs
        as sent (not full, no read among its statements).  With results outstanding (a batch pipelined),
        whether a block is open then is what the statements sent say (``block``): should one of them fail
        and the engine be in a block after all, or not, the front's SET or SAVEPOINT fails, and the batch
        with it, which writes nothing either."""
        if self.storage_full is None or not self.storage_full():
            return None
        texts = batch_texts(data, pos, lambda name: self._named.get(name, (b"",))[0])
        run = None if texts is None else reads_run(texts, self.standard_strings)
        if run is None:
            return None
        if not run:
            return MIXED
        return self.block if self._pending else self.in_transaction

    def _read_only(self, texts: tuple[bytes, ...]) -> tuple[bytes, bytes] | int | None:
        """While the storage is full, what runs before and after a Query of reads (``texts``), so that
        what they call cannot write either (a function doing an INSERT): the engine's transaction is
        made read-only for them, which the reads themselves cannot undo (read-write must be set
        before any query).  In a transaction block, inside a savepoint whose end ends the read-only
        mode, so the block's later statements (a DELETE that frees space) still write.  None: nothing
        to add (not full, no read among them).  ``MIXED``: refused (storage_full.reads_run).  With
        results outstanding, whether a block is open is what the statements sent say (as for a batch,
        ``_read_only_batch``)."""
        if not self._full():
            return None
        run = reads_run(texts, self.standard_strings)
        if run is None:
            return None
        if not run:
            return MIXED
        return READ_ONLY_IN_BLOCK if (self.block if self._pending else self.in_transaction) else READ_ONLY

    def _full(self) -> bool:
        return self.storage_full is not None and self.storage_full()
