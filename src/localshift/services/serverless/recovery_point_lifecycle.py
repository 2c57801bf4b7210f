"""Recovery points: a namespace's data every 30 minutes, kept a day (recovery_points.py: the operations).

The scheduler's tick takes the recovery points that are due: one at every 30-minute boundary of
the service's clock (xx:00 and xx:30 UTC) after the namespace was created, for each AVAILABLE
namespace that has data (an engine).  A recovery point is a data-plane snapshot of the
namespace's engine, incremental like every snapshot: it stores only pages no earlier one holds.

Time travel moves the clock past boundaries at once: the boundaries passed (those of the last 24
hours) are all due at the next tick, and all hold the data of that moment, which is the data at
each of them, since nothing ran in between.  One snapshot is taken and they all name its data.
Recovery points older than 24 hours, and those of namespaces deleted, are removed; their data
goes with the last recovery point naming it.

Taking them is work the service does on its own, so it never holds up a user's: the jobs run one
at a time on the backend's background thread, never on the pool that deletes and restores (a
9-hour jump makes 18 recovery points due per namespace).  A job takes every recovery point of its
namespace still to be taken, so jobs queued behind it (more jumps meanwhile) find nothing left to
do; and a namespace being deleted gets none: its recovery points are removed untaken.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone

from localshift.services.common import jobs
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import ensure_engine
from localshift.store.events import NAMESPACE
from localshift.store.serverless import NamespaceRecord, RecoveryPointRecord

log = logging.getLogger("localshift.lifecycle")

INTERVAL = timedelta(minutes=30)
KEPT = timedelta(hours=24)
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def data_key(point: RecoveryPointRecord) -> str:
    return f"recovery-point-{point.row_id}"


def boundary_after(moment: datetime) -> datetime:
    """The first 30-minute boundary strictly after ``moment``."""
    return _EPOCH + ((moment - _EPOCH) // INTERVAL + 1) * INTERVAL


def take_due_recovery_points(backend: ServerlessBackend) -> None:
    now = backend.clock.now()
    for namespace in backend.namespaces.in_statuses(["AVAILABLE"]):
        due = namespace.next_recovery_point_time
        if due is not None and due > boundary_after(now):
            # Counted from a later clock, which time travel moved back: the next boundary is due instead.
            backend.mutate_namespace(namespace.row_id, lambda n: _rewind(n, boundary_after(now)))
            continue
        if not namespace.engine_generation or (due is not None and due > now):
            continue
        try:
            points = _schedule(backend, namespace.row_id, now)
        except Exception:
            log.exception("the recovery points of namespace %s could not be scheduled", namespace.name)
            continue
        if points:
            backend.submit_background(take_recovery_points, namespace.row_id)


def _rewind(namespace: NamespaceRecord, boundary: datetime) -> None:
    """The next recovery point of a namespace whose clock moved back: at the next boundary."""
    if namespace.next_recovery_point_time is not None:
        namespace.next_recovery_point_time = min(namespace.next_recovery_point_time, boundary)


def _schedule(backend: ServerlessBackend, row_id: int, now: datetime) -> list[RecoveryPointRecord]:
    """In one transaction: the namespace's next due time, and a CREATING recovery point at each
    boundary passed (within the last day)."""
    moments: list[datetime] = []

    def change(n: NamespaceRecord) -> None:
        if n.status != "AVAILABLE" or not n.engine_generation:
            return
        due = n.next_recovery_point_time or boundary_after(n.create_time)
        while due <= now:
            moments.append(due)
            due += INTERVAL
        n.next_recovery_point_time = due

    with backend.db.transaction():
        namespace = backend.mutate_namespace(row_id, change)
        if namespace is None or not moments:
            return []
        workgroups = backend.workgroups.of_namespace(namespace.account, namespace.region, namespace.name)
        return [
            backend.recovery_points.insert(RecoveryPointRecord(
                account=namespace.account,
                region=namespace.region,
                name=str(uuid.uuid4()),
                namespace_name=namespace.name,
                namespace_arn=namespace.arn,
                namespace_row_id=namespace.row_id,
                workgroup_name=workgroups[0].name if workgroups else None,
                create_time=moment,
            ))
            for moment in moments if moment > now - KEPT
        ]


def take_recovery_points(backend: ServerlessBackend, namespace_row_id: int) -> None:
    """Snapshot the namespace's engine once for all its recovery points still to be taken; they all name
    that data (the newest one's key).  Those of a namespace being deleted, or gone, are removed untaken."""
    points = [point for point in backend.recovery_points.everything()
              if point.namespace_row_id == namespace_row_id and point.status == "CREATING"]
    if not points:
        return  # an earlier job took them, or a reset or expiry removed them
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or namespace.status == "DELETING":
        for point in points:
            remove(backend, point)
        return
    newest = max(points, key=lambda point: point.row_id)
    key = data_key(newest)

    def work() -> bool:
        engine, _ = ensure_engine(backend, namespace_row_id, None)
        backend.dataplane.delete_snapshot(key)  # leftovers of an attempt cut short
        stats = backend.dataplane.create_snapshot(engine, key)
        if not _available(backend, points, key, stats.total_bytes / jobs.MB):
            backend.dataplane.delete_snapshot(key)  # all removed while they were taken
        return True

    def failed() -> None:
        for point in points:
            # Kept, FAILED and never listed, until it expires: the next boundary is the next try.
            backend.recovery_points.mutate(point.row_id, lambda p: setattr(p, "status", "FAILED"))

    jobs.run_job(backend, work, failed, newest.account, newest.region, NAMESPACE, newest.namespace_name,
                 f"Amazon Redshift Serverless could not take a recovery point of namespace {newest.namespace_name}")


def _available(backend: ServerlessBackend, points: list[RecoveryPointRecord], key: str, size_mb: float) -> bool:
    """Make the recovery points still there AVAILABLE with data ``key``, in one transaction (so that
    ``remove`` sees all or none of them name it); whether any was still there."""

    def change(p: RecoveryPointRecord) -> None:
        p.status, p.data_key, p.total_size_mb = "AVAILABLE", key, size_mb

    with backend.db.transaction():
        kept = [backend.recovery_points.mutate(point.row_id, change) for point in points]
    return any(point is not None for point in kept)


def expire_recovery_points(backend: ServerlessBackend) -> None:
    """Remove recovery points older than a day, and those whose namespace is gone."""
    now = backend.clock.now()
    namespaces = {n.row_id for n in backend.namespaces.all()}
    for point in backend.recovery_points.everything():
        if point.create_time + KEPT <= now or point.namespace_row_id not in namespaces:
            try:
                remove(backend, point)
            except Exception:
                log.exception("recovery point %s could not be removed; tried again at the next tick", point.name)


def remove(backend: ServerlessBackend, point: RecoveryPointRecord) -> None:
    """Delete a recovery point, and its data when no other recovery point names it (one snapshot
    serves every recovery point a clock jump made due at once)."""
    with backend.db.transaction():
        current = backend.recovery_points.get_by_id(point.row_id)
        if current is None:
            return
        backend.recovery_points.delete(current)
        key = current.data_key
        shared = key is not None and any(other.data_key == key for other in backend.recovery_points.everything())
    if key is not None and not shared:
        backend.dataplane.delete_snapshot(key)


def fail_interrupted(backend: ServerlessBackend) -> None:
    """At start: recovery points a stopped service was taking failed (their data would not be of their time)."""
    for point in backend.recovery_points.everything():
        if point.status == "CREATING":
            backend.recovery_points.mutate(point.row_id, lambda p: setattr(p, "status", "FAILED"))
