"""The query history: statements that went through a cluster's SQL endpoint,
written into ``localshift.query_history`` of the database they ran in.

The wire front calls ``record`` when a statement completes (a deque append, on
the front's event loop); a background thread writes batches through the
internal role every ``interval`` seconds and keeps the newest ``keep_rows``
rows per database.  ``record`` returns a ticket; once ``written`` reaches it,
the entry is in the engine (or lost with its engine), and ``flush`` writes
everything at once.  The engine numbers the rows (``query_id``) as they are
written: what ``pg_last_query_id()`` and the system views report.  Connections are opened per batch, so none lingers to stop
a DROP DATABASE.  The engine-side views (STL_QUERY, SYS_QUERY_HISTORY, ...)
read the table.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import deque
from pathlib import Path
from typing import Callable

import psycopg

log = logging.getLogger(__name__)

Entry = tuple  # (pid, user, text bytes, start, end, tag bytes | None, (code, message) | None)
Connect = Callable[[str, str], psycopg.Connection]

MAX_TEXT = 65536
_COPY = ("COPY localshift.query_history (pid, user_name, database_name, query_text, start_time, "
         "end_time, status, command_tag, row_count, error_code, error_message) FROM STDIN")
_PRUNE = ("DELETE FROM localshift.query_history WHERE query_id <= "
          "(SELECT max(query_id) FROM localshift.query_history) - %s")


def socket_connector(user: str, password: str) -> Connect:
    """``connect(socket_path, dbname)`` for an engine's Unix socket ``<dir>/.s.PGSQL.<port>``."""

    def connect(socket_path: str, dbname: str) -> psycopg.Connection:
        path = Path(socket_path)
        return psycopg.connect(host=str(path.parent), port=int(path.name.rsplit(".", 1)[1]),
                               user=user, password=password, dbname=dbname, autocommit=True,
                               connect_timeout=5)

    return connect


class QueryRecorder:
    def __init__(self, connect: Connect, interval: float = 0.2, keep_rows: int = 100_000,
                 max_queued: int = 100_000) -> None:
        self._connect = connect
        self._interval = interval
        self._keep_rows = keep_rows
        self._queue: deque = deque(maxlen=max_queued)  # the oldest entries go first when full
        self._tickets = 0  # entries recorded (on the front's loop)
        self.written = 0   # the ticket of the last entry written
        self._wake = threading.Event()
        self._lock = threading.Lock()  # one writer at a time (the thread or flush())
        self._thread: threading.Thread | None = None
        self._closed = False

    def record(self, engine_key: str, database: str, entry: Entry) -> int:
        self._tickets += 1
        self._queue.append((self._tickets, engine_key, database, entry))
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="localshift-query-history",
                                            daemon=True)
            self._thread.start()
        return self._tickets

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self._interval)
            self.flush()

    def flush(self) -> None:
        """Write everything recorded so far."""
        with self._lock:
            batches: dict[tuple[str, str], list] = {}
            last = 0
            while self._queue:
                last, engine_key, database, entry = self._queue.popleft()
                batches.setdefault((engine_key, database), []).append(_row(database, entry))
            for (engine_key, database), rows in batches.items():
                self._write(engine_key, database, rows)
            self.written = max(self.written, last)

    def _write(self, engine_key: str, database: str, rows: list) -> None:
        try:
            with self._connect(engine_key, database) as conn:
                with conn.cursor() as cur:
                    with cur.copy(_COPY) as copy:
                        for row in rows:
                            copy.write_row(row)
                    cur.execute(_PRUNE, (self._keep_rows,))
        except (psycopg.Error, OSError) as e:
            # The engine stopped or the database went away: these rows are lost.
            log.debug("query history for %s/%s not written: %s", engine_key, database, e)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()


def _row(database: str, entry: Entry) -> tuple:
    pid, user, text, start, end, tag, error = entry
    tag_text = tag.decode("utf-8", "replace") if tag is not None else None
    last = tag_text.rsplit(" ", 1)[-1] if tag_text else ""
    return (pid, user, database, text[:MAX_TEXT].decode("utf-8", "replace"), _utc(start), _utc(end),
            "failed" if error else "success", None if error else tag_text,
            int(last) if last.isdigit() and not error else None,
            error[0] if error else None, error[1] if error else None)


def _utc(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)
