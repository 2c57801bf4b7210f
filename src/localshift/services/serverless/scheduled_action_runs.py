"""Running serverless scheduled actions when they are due (called by the scheduler's tick).

A due action calls CreateSnapshot as its account would, at the service clock's time, so the
snapshot is taken through the usual snapshot lifecycle (the namespace's engine, with the data plane)
and time travel (``POST /_localshift/time-travel``) makes actions run.  Missed invocations run once.
A run that fails (the namespace is gone or busy, the snapshot quota is reached) is kept as an ERROR
event of the namespace.
"""

from __future__ import annotations

from datetime import datetime

from localshift.services.common import scheduled_runs
from localshift.services.serverless import snapshots
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.resource_records import ScheduledActionRecord
from localshift.services.serverless.scheduled_actions import next_due, snapshot_name
from localshift.store.events import NAMESPACE


def run_due(backend: ServerlessBackend, clock_moved_back: bool) -> None:
    scheduled_runs.run_due(
        backend, backend.scheduled_actions, lambda a, now: run(backend, a, now), next_due, clock_moved_back)


def run(backend: ServerlessBackend, action: ScheduledActionRecord, now: datetime) -> None:
    target = action.create_snapshot
    name = snapshot_name(target["snapshotNamePrefix"], now)
    params = {"namespaceName": target["namespaceName"], "snapshotName": name, "tags": target.get("tags", [])}
    if "retentionPeriod" in target:
        params["retentionPeriod"] = target["retentionPeriod"]
    failure = scheduled_runs.attempt(
        backend, action, now, lambda ctx: snapshots.create_snapshot(backend, ctx, params), NAMESPACE,
        action.namespace_name, f"Scheduled action {action.name} could not create snapshot {name}",
    )

    def ran(a: ScheduledActionRecord) -> None:
        a.last_run, a.last_snapshot, a.last_failure = now, name if failure is None else None, failure
        a.next_run = next_due(a, now)

    backend.scheduled_actions.mutate(action.row_id, ran)
