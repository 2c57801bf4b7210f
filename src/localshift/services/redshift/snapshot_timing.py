"""When a cluster's next automated snapshot is due, and snapshot schedule associations taking effect.

A cluster without a snapshot schedule takes an automated snapshot once it is
available, then every ``automated_snapshot_interval`` seconds.  A cluster whose
schedule association is ACTIVE takes them at the schedule's times instead.
ModifyClusterSnapshotSchedule and ModifySnapshotSchedule leave the association
MODIFYING; the scheduler's next tick applies it (``apply_schedule_changes``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotScheduleRecord
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.schedule_expressions import Definition, next_times, parse

MODIFYING, ACTIVE = "MODIFYING", "ACTIVE"


def find_schedule(backend: RedshiftBackend, ctx: RequestContext, identifier: str) -> SnapshotScheduleRecord:
    schedule = backend.schedules.get(ctx.account, ctx.region, identifier.lower())
    if schedule is None:
        raise ApiError("SnapshotScheduleNotFound", f"Snapshot schedule {identifier} not found.")
    return schedule


def schedule_association(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The settings of a new cluster (CreateCluster, a restore) that names a SnapshotScheduleIdentifier:
    associated with it from the start (ACTIVE: there is no earlier schedule to move from), so its first
    automated snapshot is at the schedule's first time."""
    if "SnapshotScheduleIdentifier" not in p:
        return {}
    schedule = find_schedule(backend, ctx, p["SnapshotScheduleIdentifier"])
    return {"snapshot_schedule_identifier": schedule.name, "snapshot_schedule_state": ACTIVE}


def schedule_of(backend: RedshiftBackend, cluster: ClusterRecord) -> list[Definition] | None:
    """The definitions of the schedule a cluster follows now (None: the default interval)."""
    if cluster.snapshot_schedule_identifier is None or cluster.snapshot_schedule_state != ACTIVE:
        return None
    schedule = backend.schedules.get(cluster.account, cluster.region, cluster.snapshot_schedule_identifier)
    return [parse(definition) for definition in schedule.definitions] if schedule else None


def first_due(backend: RedshiftBackend, cluster: ClusterRecord, now: datetime) -> datetime | None:
    """When the first automated snapshot of a cluster that became available (or turned automated snapshots
    on) is due: at once on the default interval, at the next scheduled time with a schedule."""
    if cluster.automated_snapshot_retention_period == 0:
        return None
    definitions = schedule_of(backend, cluster)
    return now if definitions is None else _next_scheduled(definitions, now)


def next_due(backend: RedshiftBackend, cluster: ClusterRecord, due: datetime, now: datetime) -> datetime | None:
    """When the automated snapshot after the one due at ``due`` (taken at ``now``) is due."""
    definitions = schedule_of(backend, cluster)
    if definitions is not None:
        return _next_scheduled(definitions, now)
    step = timedelta(seconds=backend.settings.automated_snapshot_interval)
    following = due + step
    while following <= now:
        following += step
    return following


def rewind_due_times(backend: RedshiftBackend, now: datetime) -> None:
    """After the clock moved back (time travel): a cluster whose next automated snapshot is due later than its
    cadence allows from ``now`` (its schedule's next time, or one default interval) is due then instead.  Its due
    time was counted from the later clock, and would otherwise hold its automated snapshots back until the clock
    caught up again, while DescribeSnapshotSchedules' NextInvocations already named earlier times."""
    for cluster in backend.clusters.in_statuses(["available", "paused"]):
        latest = _latest_due(backend, cluster, now)
        due = cluster.next_automated_snapshot_time
        if latest is None or due is None or due <= latest:
            continue

        def change(c: ClusterRecord, latest: datetime = latest) -> None:
            if c.next_automated_snapshot_time is not None and c.next_automated_snapshot_time > latest:
                c.next_automated_snapshot_time = latest

        backend.mutate_cluster(cluster.row_id, change)


def _latest_due(backend: RedshiftBackend, cluster: ClusterRecord, now: datetime) -> datetime | None:
    """The latest a cluster's next automated snapshot can be due from ``now``; None when it has none to take, or
    its schedule association is changing (the next tick gives it its due time)."""
    if cluster.next_automated_snapshot_time is None or cluster.snapshot_schedule_state == MODIFYING:
        return None
    definitions = schedule_of(backend, cluster)
    if definitions is None:
        return now + timedelta(seconds=backend.settings.automated_snapshot_interval)
    return _next_scheduled(definitions, now)


def _next_scheduled(definitions: list[Definition], now: datetime) -> datetime | None:
    upcoming = next_times(definitions, now, 1)
    return upcoming[0] if upcoming else None


def apply_schedule_changes(backend: RedshiftBackend) -> None:
    """Make the schedule associations accepted since the last tick take effect."""
    now = backend.clock.now()
    for cluster in backend.clusters.with_schedule_state(MODIFYING):

        def change(c: ClusterRecord) -> None:
            if c.snapshot_schedule_state != MODIFYING:
                return
            if c.snapshot_schedule_leaving:
                c.snapshot_schedule_identifier, c.snapshot_schedule_state = None, None
                c.snapshot_schedule_leaving = False
                # Back on the default interval, counted from now.
                if c.automated_snapshot_retention_period > 0:
                    c.next_automated_snapshot_time = now + timedelta(seconds=backend.settings.automated_snapshot_interval)
                return
            c.snapshot_schedule_state = ACTIVE
            if c.automated_snapshot_retention_period > 0:
                c.next_automated_snapshot_time = first_due(backend, c, now)

        backend.mutate_cluster(cluster.row_id, change)
