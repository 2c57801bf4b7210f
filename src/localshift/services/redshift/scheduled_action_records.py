"""The record of a provisioned scheduled action (kept in the store's resources table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class ScheduledActionRecord:
    account: str
    region: str
    name: str
    # The target: PauseCluster, ResumeCluster or ResizeCluster, and its parameters as the API gives them.
    target_type: str
    target: dict[str, Any]
    schedule: str  # at(...) or cron(...), as given
    iam_role: str
    description: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    enabled: bool = True
    # The invocation the scheduler runs next (None: no invocation is left, or the action is disabled).
    next_run: datetime | None = None
    # When it last ran, and why that run failed (None: it succeeded).
    last_run: datetime | None = None
    last_failure: str | None = None
    row_id: int = 0
