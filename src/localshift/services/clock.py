"""The service's clock, which tests may move forward ("time travel").

Retention periods run in days; to let users test expiry on a laptop, the
admin endpoint can add an offset to this clock.  Every service reads time
from here, never from datetime.now() directly.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        # Redshift reports times to the millisecond; keeping no more precision
        # means a time a client read back selects exactly the same records.
        now = datetime.now(timezone.utc) + self._offset
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()
