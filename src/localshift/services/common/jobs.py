"""What the lifecycle modules of every service share: progress recording, failed jobs,
finished snapshots and the days they have left, leases on snapshot data for restores, and
temporary credentials let in."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from typing import Callable, Protocol

from localshift.dataplane.api import TemporaryLogin
from localshift.services.common.backend import ServiceBackend
from localshift.store.data_api import CredentialRepository
from localshift.services.events import record_failure

MB = 1024 * 1024


def whole_seconds(elapsed: float) -> int:
    """ElapsedTimeInSeconds of work that took ``elapsed`` seconds: whole seconds, rounded up, so
    work that took any time at all (a 45 MB snapshot takes well under a second) never shows 0."""
    return math.ceil(elapsed)


class ProgressRecorder:
    """Turns data-plane progress callbacks into throttled record updates."""

    def __init__(self, write: Callable[[float, float, float, int, int], None]) -> None:
        self.write = write
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.25 and done < total:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / MB / elapsed
        remaining = math.ceil((total - done) / MB / rate) if rate > 0 else 0
        self.write(done / MB, total / MB, rate, whole_seconds(elapsed), remaining)


class SnapshotProgress(Protocol):
    """The progress fields both services' snapshot records have."""

    status: str
    data_key: str | None
    total_size_mb: float
    incremental_size_mb: float
    progress_mb: float
    rate_mb_per_s: float
    elapsed_seconds: int
    estimated_seconds_to_completion: int
    retention_start_time: datetime | None


def snapshot_progress(mutate: Callable[[Callable[[SnapshotProgress], None]], object]) -> ProgressRecorder:
    """A progress callback that records a snapshot's progress through ``mutate`` (a read-change-write)."""

    def write(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(s: SnapshotProgress) -> None:
            s.progress_mb, s.total_size_mb, s.rate_mb_per_s = done_mb, total_mb, rate
            s.elapsed_seconds, s.estimated_seconds_to_completion = elapsed, remaining

        mutate(change)

    return ProgressRecorder(write)


def snapshot_completed(
    s: SnapshotProgress, status: str, data_key: str, total_mb: float, incremental_mb: float, elapsed: float,
    finished: datetime,
) -> None:
    """A snapshot whose data is stored: its final sizes, and its retention period starts now.  Its rate and
    estimated time to completion are 0, as Redshift documents them for a completed backup."""
    s.status = status
    s.data_key = data_key
    s.total_size_mb = s.progress_mb = total_mb
    s.incremental_size_mb = incremental_mb
    s.rate_mb_per_s = 0.0
    s.estimated_seconds_to_completion = 0
    s.elapsed_seconds = whole_seconds(elapsed)
    s.retention_start_time = finished


def retention_days_left(period: int, start: datetime, now: datetime) -> int:
    """Whole days until a snapshot kept ``period`` days from ``start`` passes its retention period, never
    more than the period: an answer read before the retention started (CopyClusterSnapshot's, whose copy
    completes after the request's time) shows the whole period, not a day more."""
    return max(0, period - max(timedelta(0), now - start).days)


def run_job(
    backend: ServiceBackend, work: Callable[[], bool], settle: Callable[[], object],
    account: str, region: str, source_type: str, identifier: str, message: str,
    *, event_id: str | None = None, arn: str | None = None,
) -> bool:
    """Run ``work``; its result when it succeeded.  When it fails, the reason is logged and
    kept as an event of the resource (``message``: what could not be done; ``event_id``:
    Redshift's event for the failure, if any), and ``settle`` puts the resource in a final
    status; False."""
    try:
        return work()
    except Exception as error:
        try:
            record_failure(backend.events, backend.clock.now(), account, region, source_type, identifier, message,
                           error, event_id=event_id, arn=arn)
        finally:
            settle()
        return False


def run_work(backend: ServiceBackend, work: Callable[[], None], settle: Callable[[], object], account: str,
             region: str, source_type: str, identifier: str, message: str, **event: str | None) -> bool:
    """``run_job`` for work that returns nothing: True when it succeeded (``event``: its event_id and arn)."""

    def run() -> bool:
        work()
        return True

    return run_job(backend, run, settle, account, region, source_type, identifier, message, **event)


def take_lease(backend: ServiceBackend, data_key: str, lease_key: str) -> str:
    """Hold a snapshot's data for one restore (a copy sharing its bytes), so a revoke or
    delete meanwhile does not stop a restore already accepted.  Raises when the data is gone."""
    backend.dataplane.copy_snapshot(data_key, lease_key)
    return lease_key


def release_lease(backend: ServiceBackend, lease: str | None) -> None:
    """Let go of a lease (no restore will read it, or the restore is over)."""
    if lease:
        backend.dataplane.delete_snapshot(lease)


def let_in(backend: ServiceBackend, engine_key: str, login: TemporaryLogin, *, keep: bool) -> None:
    """Let a temporary credential log in to an engine's SQL endpoint until it expires; ``keep``:
    across restarts of the service too (GetClusterCredentials and its kin, not the Data API's own)."""
    backend.dataplane.allow_login(engine_key, login)
    if keep:
        attrs = {name: value for name, value in vars(login).items() if name != "expires_at"}
        CredentialRepository(backend.db).add(engine_key, backend.clock.now(), login.expires_at, attrs)


def let_in_again(backend: ServiceBackend) -> None:
    """At start: the credentials handed out before a restart that have not expired log in again."""
    for engine_key, expires_at, attrs in CredentialRepository(backend.db).unexpired(backend.clock.now()):
        attrs["groups"] = tuple(attrs.get("groups", ()))
        backend.dataplane.allow_login(engine_key, TemporaryLogin(expires_at=expires_at, **attrs))
