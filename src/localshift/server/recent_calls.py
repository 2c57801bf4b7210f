"""The last API calls the server answered, for the console: a fixed-size ring in memory."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any

# Enough to see what a test just did; old calls fall off the end.
KEPT_CALLS = 200
FIELDS = ("sequence", "time", "account", "operation", "status", "milliseconds", "request_id", "error")


class RecentCalls:
    """Recorded on the request path (a tuple appended: half a microsecond), read by the state document."""

    def __init__(self, size: int = KEPT_CALLS) -> None:
        self._calls: deque[tuple[int, float, str, str, int, float, str, str | None]] = deque(maxlen=size)
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, account: str, operation: str, status: int, milliseconds: float, request_id: str,
               error: str | None) -> None:
        """``error``: a refused call's "Code: message" (None for an answer)."""
        with self._lock:
            self._calls.append((next(self._sequence), time.time(), account, operation, status, milliseconds,
                                request_id, error))

    def newest_first(self, account: str | None = None) -> list[dict[str, Any]]:
        """The calls kept, newest first (time in seconds since the epoch); only ``account``'s when one is named."""
        with self._lock:
            calls = list(self._calls)
        return [
            {**dict(zip(FIELDS, call)), "milliseconds": round(call[5], 1)}
            for call in reversed(calls) if account is None or call[2] == account
        ]
