"""Running provisioned scheduled actions when they are due (called by the scheduler's tick).

A due action calls the very operation it names (PauseCluster, ResumeCluster or ResizeCluster) as
its account would, at the service clock's time, so time travel (``POST /_localshift/time-travel``)
makes actions run.  Invocations missed while the service was stopped or the clock jumped run
once, then the action waits for its next invocation after now.  A run that fails (the cluster is
gone, or not in a status that allows the action) is kept as an ERROR event of the scheduled action.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from localshift.services.common import scheduled_runs
from localshift.services.context import RequestContext
from localshift.services.redshift import clusters, resize
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import ScheduledActionRecord
from localshift.services.redshift.scheduled_actions import next_due

# DescribeEvents' source type of scheduled actions.
SOURCE_TYPE = "scheduled-action"
Operation = Callable[[RedshiftBackend, RequestContext, dict[str, Any]], dict[str, Any]]


TARGETS: dict[str, Operation] = {
    "PauseCluster": clusters.pause_cluster,
    "ResumeCluster": clusters.resume_cluster,
    "ResizeCluster": resize.resize_cluster,
}


def run_due(backend: RedshiftBackend, clock_moved_back: bool) -> None:
    scheduled_runs.run_due(
        backend, backend.scheduled_actions, lambda a, now: run(backend, a, now), next_due, clock_moved_back)


def run(backend: RedshiftBackend, action: ScheduledActionRecord, now: datetime) -> None:
    operation = TARGETS[action.target_type]
    failure = scheduled_runs.attempt(
        backend, action, now, lambda ctx: operation(backend, ctx, dict(action.target)), SOURCE_TYPE, action.name,
        f"Scheduled action {action.name} failed to run {action.target_type}",
    )

    def ran(a: ScheduledActionRecord) -> None:
        a.last_run, a.last_failure = now, failure
        a.next_run = next_due(a, now)

    backend.scheduled_actions.mutate(action.row_id, ran)
