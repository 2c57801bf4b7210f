"""Recovery points: a namespace's data every 30 minutes, kept a day (recovery_points.py: the operations).

The scheduler's tick takes the recovery points that are due: one at every 30-minute boundary of
the service's clock (xx:00 and xx:30 UTC) after the namespace was created, for each AVAILABLE
namespace that has data (an engine).  A recovery point is a data-plane snapshot of the
namespace's engine, incremental like every snapshot: it stores only pages no earlier one holds.

Time travel moves the clock past boundaries at once: the boundaries passed (those of the last 24
hours) are all due at the next tick, and all hold the data of that moment, which is the data at
each of them, since nothing ran in between.  One snapshot is taken and the others share its pages.
Recovery points older than 24 hours, and those of namespaces deleted, are removed.
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
        if not namespace.engine_generation or (due is not None and due > now):
            continue
        try:
            points = _schedule(backend, namespace.row_id, now)
        except Exception:
            log.exception("the recovery points of namespace %s could not be scheduled", namespace.name)
            continue
        if points:
            backend.submit(take_recovery_points, [point.row_id for point in points])


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


def take_recovery_points(backend: ServerlessBackend, row_ids: list[int]) -> None:
    """Snapshot the namespace's engine once, for the newest of the recovery points; the others share its data."""
    points = [p for p in (backend.recovery_points.get_by_id(row_id) for row_id in row_ids) if p is not None]
    if not points:
        return
    newest = points[-1]

    def work() -> bool:
        key, _ = ensure_engine(backend, newest.namespace_row_id, None)
        backend.dataplane.delete_snapshot(data_key(newest))  # leftovers of an attempt cut short
        stats = backend.dataplane.create_snapshot(key, data_key(newest))
        for point in points[:-1]:
            backend.dataplane.delete_snapshot(data_key(point))
            backend.dataplane.copy_snapshot(data_key(newest), data_key(point))
        for point in points:
            _available(backend, point, stats.total_bytes / jobs.MB)
        return True

    def failed() -> None:
        for point in points:
            # Kept, FAILED and never listed, until it expires: the next boundary is the next try.
            backend.recovery_points.mutate(point.row_id, lambda p: setattr(p, "status", "FAILED"))

    jobs.run_job(backend, work, failed, newest.account, newest.region, NAMESPACE, newest.namespace_name,
                 f"Amazon Redshift Serverless could not take a recovery point of namespace {newest.namespace_name}")


def _available(backend: ServerlessBackend, point: RecoveryPointRecord, size_mb: float) -> None:
    def change(p: RecoveryPointRecord) -> None:
        p.status, p.data_key, p.total_size_mb = "AVAILABLE", data_key(point), size_mb

    if backend.recovery_points.mutate(point.row_id, change) is None:
        backend.dataplane.delete_snapshot(data_key(point))  # removed while it was taken


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
    backend.recovery_points.delete(point)
    backend.dataplane.delete_snapshot(point.data_key or data_key(point))


def fail_interrupted(backend: ServerlessBackend) -> None:
    """At start: recovery points a stopped service was taking failed (their data would not be of their time)."""
    for point in backend.recovery_points.everything():
        if point.status == "CREATING":
            backend.recovery_points.mutate(point.row_id, lambda p: setattr(p, "status", "FAILED"))
