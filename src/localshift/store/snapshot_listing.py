"""What the snapshot listings of both services (snapshots.py, serverless_snapshots.py) filter on
alike: the caller, who sees its own snapshots and those shared with it, in its region; the owner
account asked for; and the window the snapshots were created in, over times stored as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def time_text(value: datetime) -> str:
    # Fixed-width UTC text sorts and compares as the times do.
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class SnapshotFilter:
    caller: str
    region: str
    owner: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None

    def created_within(self, column: str) -> tuple[list[str], list[object]]:
        """SQL terms, and their arguments, keeping the snapshots whose creation time (``column``,
        time_text) lies in the window (both ends included)."""
        terms: list[str] = []
        args: list[object] = []
        for operator, bound in ((">=", self.start_time), ("<=", self.end_time)):
            if bound is not None:
                terms.append(f"{column} {operator} ?")
                args.append(time_text(bound))
        return terms, args
