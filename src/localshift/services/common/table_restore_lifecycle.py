"""Table-level restores, for both services: the job, its statuses, and what recovery and reset do.

A restore is accepted PENDING with a lease on its source's data (a snapshot's or a recovery
point's), becomes IN_PROGRESS when the job starts, and ends SUCCEEDED, FAILED (with a message
saying why), or CANCELED when its target cluster or namespace is gone.  The data plane copies
the table (restore_table); it refuses with a message of its own what the data does not allow
(no such table, the new name taken), and leaves nothing behind whatever happens.
"""

from __future__ import annotations

from typing import Callable, Collection

from localshift.dataplane.api import TableRestoreRefused
from localshift.records import TableRestoreRecord
from localshift.services.common.backend import ServiceBackend
from localshift.services.common.jobs import MB, ProgressRecorder, release_lease, run_job
from localshift.store.resources import ResourceRepository

UNFINISHED = ("PENDING", "IN_PROGRESS")
# The message of a restore that failed for a reason of the service's, not of the data (the log and an event say more).
INTERNAL_FAILURE = "The table restore failed because of an internal error."
INTERRUPTED = "The table restore was interrupted by a restart of the service. Request it again."

Restores = ResourceRepository[TableRestoreRecord]


def restore_table(
    backend: ServiceBackend, restores: Restores, row_id: int, engine_key: Callable[[TableRestoreRecord], str | None],
    source_type: str,
) -> None:
    """Run one accepted table restore.  ``engine_key``: the target's engine (None: the target is gone);
    ``source_type``: the target's kind in events."""
    record = restores.get_by_id(row_id)
    if record is None or record.status != "PENDING":
        return
    key = engine_key(record)
    if key is None:
        _finish(backend, restores, record, "CANCELED", f"{record.target} no longer exists.")
        return
    restores.mutate(row_id, lambda r: setattr(r, "status", "IN_PROGRESS"))

    def write_progress(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(r: TableRestoreRecord) -> None:
            r.progress_mb, r.total_mb = done_mb, total_mb

        restores.mutate(row_id, change)

    def work() -> bool:
        if record.lease is None:
            raise RuntimeError("the source holds no data")
        try:
            size = backend.dataplane.restore_table(record.lease, key, record.table, ProgressRecorder(write_progress))
        except TableRestoreRefused as refused:
            _finish(backend, restores, record, "FAILED", str(refused))
            return False
        _finish(backend, restores, record, "SUCCEEDED", None, size / MB)
        return True

    run_job(backend, work, lambda: _finish(backend, restores, record, "FAILED", INTERNAL_FAILURE),
            record.account, record.region, source_type, record.target,
            f"Amazon Redshift could not restore table {record.table.source_schema}.{record.table.source_table} into "
            f"{record.target}")


def _finish(backend: ServiceBackend, restores: Restores, record: TableRestoreRecord, status: str,
            message: str | None, size_mb: float | None = None) -> None:
    """End a restore in a final status and let go of its lease."""
    release_lease(backend, record.lease)

    def finished(r: TableRestoreRecord) -> None:
        r.status, r.message, r.lease = status, message, None
        if size_mb is not None:
            r.total_mb = r.progress_mb = size_mb

    restores.mutate(record.row_id, finished)


def fail_interrupted(backend: ServiceBackend, restores: Restores) -> None:
    """At start: restores a stopped service left unfinished end FAILED (the target never holds half a table)."""
    for record in restores.everything():
        if record.status in UNFINISHED:
            _finish(backend, restores, record, "FAILED", INTERRUPTED)


def release_all(backend: ServiceBackend, restores: Restores, accounts: Collection[str] | None = None) -> None:
    """Reset: let go of every lease, or those of ``accounts`` (before the rows are wiped)."""
    for record in restores.everything():
        if accounts is None or record.account in accounts:
            release_lease(backend, record.lease)
