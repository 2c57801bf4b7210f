"""Snapshot schedules: Create/Modify/Delete/DescribeSnapshotSchedules, ModifyClusterSnapshotSchedule.

A schedule's definitions (schedule_expressions.py) decide when its clusters take
automated snapshots (snapshot_timing.py).  Associations, and a schedule's new
definitions, take effect at the scheduler's next tick: until then the cluster's
ScheduleAssociationState is MODIFYING, then ACTIVE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import ClusterRecord, SnapshotScheduleRecord
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.arns import schedule_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster
from localshift.services.redshift.schedule_expressions import next_times, parse, parse_schedule
from localshift.services.redshift.snapshot_timing import MODIFYING, find_schedule
from localshift.services.redshift.tagging import SNAPSHOT_SCHEDULE
from localshift.services.redshift.views import tags_view
from localshift.store.database import DuplicateError
from localshift.store.paging import decode_marker, encode_marker

# NextInvocations listed when the request names no count, and the most it may ask for.
DEFAULT_NEXT_INVOCATIONS, MAX_NEXT_INVOCATIONS = 10, 100
# AssociatedClusters lists at most this many (AssociatedClusterCount counts them all).
MAX_ASSOCIATED_LISTED = 100


def schedule_view(
    backend: RedshiftBackend, schedule: SnapshotScheduleRecord, tags: list[tuple[str, str]], now: datetime,
    invocations: int = DEFAULT_NEXT_INVOCATIONS,
) -> dict[str, Any]:
    """The SnapshotSchedule shape."""
    clusters = backend.clusters.with_schedule(schedule.account, schedule.region, schedule.name)
    return {
        "ScheduleDefinitions": list(schedule.definitions),
        "ScheduleIdentifier": schedule.name,
        "ScheduleDescription": schedule.description,
        "Tags": tags_view(tags),
        "NextInvocations": next_times([parse(d) for d in schedule.definitions], now, invocations),
        "AssociatedClusterCount": len(clusters),
        "AssociatedClusters": [
            {"ClusterIdentifier": c.identifier, "ScheduleAssociationState": c.snapshot_schedule_state}
            for c in clusters[:MAX_ASSOCIATED_LISTED]
        ],
    }


def _invocation_count(p: dict[str, Any]) -> int:
    count = p.get("NextInvocations", DEFAULT_NEXT_INVOCATIONS)
    if not 1 <= count <= MAX_NEXT_INVOCATIONS:
        raise invalid_parameter(f"NextInvocations must be between 1 and {MAX_NEXT_INVOCATIONS}.")
    return count


def create_snapshot_schedule(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if "ScheduleIdentifier" not in p:
        raise ApiError("MissingParameter", "The request must contain the parameter ScheduleIdentifier.")
    name = validation.identifier(p["ScheduleIdentifier"], "ScheduleIdentifier", 255)
    definitions = p.get("ScheduleDefinitions", [])
    parse_schedule(definitions, ctx.now)
    tags = validation.tag_list(p.get("Tags", []))
    invocations = _invocation_count(p)
    schedule = SnapshotScheduleRecord(ctx.account, ctx.region, name, list(definitions), ctx.now,
                                      p.get("ScheduleDescription"))
    if p.get("DryRun"):
        # Checked as it would be created, and shown; nothing is kept.
        return schedule_view(backend, schedule, tags, ctx.now, invocations)
    with backend.db.transaction():
        if backend.schedules.count(ctx.account, ctx.region) >= backend.settings.snapshot_schedule_quota:
            raise ApiError("SnapshotScheduleQuotaExceeded",
                           "The request would exceed the allowed number of snapshot schedules for this account.")
        try:
            backend.schedules.insert(schedule)
        except DuplicateError:
            raise ApiError("SnapshotScheduleAlreadyExists", f"Snapshot schedule {name} already exists.") from None
        if tags:
            backend.tags.put(schedule_arn(ctx.region, ctx.account, name), ctx.account, ctx.region,
                             SNAPSHOT_SCHEDULE, tags)
    return schedule_view(backend, schedule, tags, ctx.now, invocations)


def modify_snapshot_schedule(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    definitions = p["ScheduleDefinitions"]
    with backend.db.transaction():
        schedule = find_schedule(backend, ctx, p["ScheduleIdentifier"])
        parse_schedule(definitions, ctx.now)
        associated = [c for c in backend.clusters.with_schedule(ctx.account, ctx.region, schedule.name)
                      if not c.snapshot_schedule_leaving]
        if any(c.snapshot_schedule_state == MODIFYING for c in associated):
            raise ApiError("SnapshotScheduleUpdateInProgress",
                           f"The snapshot schedule {schedule.name} is already being updated.")
        changed = backend.schedules.mutate(schedule.row_id, lambda s: setattr(s, "definitions", list(definitions)))
        # Its clusters take the new definitions asynchronously (at the scheduler's next tick).
        for cluster in associated:
            backend.mutate_cluster(cluster.row_id, lambda c: setattr(c, "snapshot_schedule_state", MODIFYING))
            events.record(backend, ctx, event_catalog.SCHEDULE_MODIFIED, cluster=cluster.identifier,
                          schedule=schedule.name)
    assert changed is not None  # found in this very transaction
    return schedule_view(backend, changed, backend.tags.get(schedule_arn(ctx.region, ctx.account, changed.name)),
                         ctx.now)


def delete_snapshot_schedule(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        schedule = find_schedule(backend, ctx, p["ScheduleIdentifier"])
        if backend.clusters.with_schedule(ctx.account, ctx.region, schedule.name):
            raise ApiError(
                "InvalidClusterSnapshotScheduleState",
                f"The snapshot schedule {schedule.name} is associated with clusters. Disassociate them first.",
            )
        backend.tags.remove_all(schedule_arn(ctx.region, ctx.account, schedule.name))
        backend.schedules.delete(schedule)
    return {}


def describe_snapshot_schedules(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    names: set[str] | None = None

    def only(wanted: set[str]) -> None:
        nonlocal names
        names = wanted if names is None else names & wanted

    if "ScheduleIdentifier" in p:
        only({p["ScheduleIdentifier"].lower()})
    if "ClusterIdentifier" in p:
        # The schedule the cluster is associated with (none for a cluster that does not exist).
        cluster = backend.clusters.get(ctx.account, ctx.region, p["ClusterIdentifier"].lower())
        only({cluster.snapshot_schedule_identifier} if cluster and cluster.snapshot_schedule_identifier else set())
    if p.get("TagKeys") or p.get("TagValues"):
        matches = backend.tags.search(ctx.account, ctx.region, SNAPSHOT_SCHEDULE, None, p.get("TagKeys", []),
                                      p.get("TagValues", []), 0, 1_000_000)
        only({arn.rsplit(":", 1)[1] for _, arn, _, _, _ in matches})
    schedules = backend.schedules.page(ctx.account, ctx.region, after, limit + 1, names)
    shown = schedules[:limit]
    tags = backend.tags.get_many([schedule_arn(s.region, s.account, s.name) for s in shown])
    result: dict[str, Any] = {
        "SnapshotSchedules": [
            schedule_view(backend, s, tags[schedule_arn(s.region, s.account, s.name)], ctx.now) for s in shown
        ]
    }
    if len(schedules) > limit:
        result["Marker"] = encode_marker([schedules[limit - 1].row_id])
    return result


def modify_cluster_snapshot_schedule(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    disassociate = p.get("DisassociateSchedule", False)
    if not disassociate and "ScheduleIdentifier" not in p:
        raise invalid_combination("ScheduleIdentifier is required unless DisassociateSchedule is true.")

    def change(cluster: ClusterRecord) -> None:
        if cluster.snapshot_schedule_state == MODIFYING:
            raise ApiError(
                "InvalidClusterSnapshotScheduleState",
                f"The snapshot schedule of cluster {cluster.identifier} is being modified. Try again later.",
            )
        schedule = find_schedule(backend, ctx, p["ScheduleIdentifier"]) if "ScheduleIdentifier" in p else None
        if disassociate:
            current = cluster.snapshot_schedule_identifier
            if current is None or (schedule is not None and schedule.name != current):
                named = f"snapshot schedule {schedule.name}" if schedule else "any snapshot schedule"
                raise ApiError("InvalidClusterSnapshotScheduleState",
                               f"Cluster {cluster.identifier} is not associated with {named}.")
            cluster.snapshot_schedule_leaving = True
            events.record(backend, ctx, event_catalog.SCHEDULE_DISASSOCIATED, cluster=cluster.identifier,
                          schedule=current)
        else:
            assert schedule is not None
            cluster.snapshot_schedule_identifier = schedule.name
            events.record(backend, ctx, event_catalog.SCHEDULE_ASSOCIATED, cluster=cluster.identifier,
                          schedule=schedule.name)
        cluster.snapshot_schedule_state = MODIFYING

    change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    return {}


OPERATIONS = {
    "CreateSnapshotSchedule": create_snapshot_schedule,
    "ModifySnapshotSchedule": modify_snapshot_schedule,
    "DeleteSnapshotSchedule": delete_snapshot_schedule,
    "DescribeSnapshotSchedules": describe_snapshot_schedules,
    "ModifyClusterSnapshotSchedule": modify_cluster_snapshot_schedule,
}
