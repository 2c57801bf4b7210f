"""The last API calls the server answered, for the console: a fixed-size ring in memory."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

# Enough to see what a test just did; old calls fall off the end.
KEPT_CALLS = 200


@dataclass(frozen=True)
class Call:
    sequence: int
    time: float  # seconds since the epoch
    account: str
    operation: str
    status: int
    milliseconds: float


class RecentCalls:
    def __init__(self, size: int = KEPT_CALLS) -> None:
        self._calls: deque[Call] = deque(maxlen=size)
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, account: str, operation: str, status: int, milliseconds: float) -> None:
        with self._lock:
            self._calls.append(Call(next(self._sequence), time.time(), account, operation, status,
                                    round(milliseconds, 1)))

    def newest_first(self, account: str | None = None) -> list[dict[str, Any]]:
        """The calls kept, newest first; only ``account``'s when one is named."""
        with self._lock:
            calls = list(self._calls)
        return [asdict(call) for call in reversed(calls) if account is None or call.account == account]
