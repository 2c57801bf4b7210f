"""The background job of RestoreFromClusterSnapshot: a snapshot's data brought back as a new cluster,
RestoreStatus following the real work (lifecycle.py: the jobs of clusters' other statuses)."""

from __future__ import annotations

import logging
import time
from typing import Callable

from localshift.records import ClusterRecord
from localshift.services import event_catalog, events
from localshift.services.common.jobs import ProgressRecorder, release_lease, whole_seconds
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.lifecycle import apply_parameters, became_available, cluster_job, current_name
from localshift.services.redshift.snapshot_lifecycle import take_due_automated_snapshots

log = logging.getLogger("localshift.lifecycle")


def restore_cluster(backend: RedshiftBackend, cluster_row_id: int) -> None:
    """Bring a snapshot's data back as a new cluster; RestoreStatus follows the real work.

    The restore reads from a lease on the snapshot's data taken when the
    restore was accepted, so it finishes even if access to the snapshot is
    revoked or the snapshot is deleted meanwhile (as AWS documents).
    """

    def write_progress(done_mb: float, total_mb: float, rate: float, elapsed: int, remaining: int) -> None:
        def change(c: ClusterRecord) -> None:
            c.restore_status = "restoring"
            c.restore_progress_mb, c.restore_snapshot_size_mb = done_mb, total_mb
            c.restore_rate_mb_per_s, c.restore_elapsed_seconds = rate, elapsed
            c.restore_estimated_seconds = remaining

        backend.mutate_cluster(cluster_row_id, change)

    def work(cluster: ClusterRecord) -> None:
        started = time.monotonic()
        backend.mutate_cluster(cluster_row_id, lambda c: setattr(c, "restore_status", "restoring"))
        backend.dataplane.destroy_engine(cluster_key(cluster))
        if cluster.restore_data_key is None:
            raise RuntimeError("the snapshot holds no data")
        port = backend.dataplane.restore_snapshot(
            cluster.restore_data_key,
            cluster_key(cluster),
            cluster.port,
            ProgressRecorder(write_progress),
            cluster.master_username,
            cluster.master_password_md5,
        )
        apply_parameters(backend, cluster)
        # The source's audit logging came with its data; the new cluster logs nothing until asked.
        backend.dataplane.set_audit_logging(cluster_key(cluster), [])

        elapsed = time.monotonic() - started

        def completed(c: ClusterRecord) -> None:
            c.restore_status = "completed"
            c.restore_progress_mb = c.restore_snapshot_size_mb
            # Redshift documents the average rate for a completed restore, and 0 seconds to completion.
            c.restore_rate_mb_per_s = c.restore_snapshot_size_mb / max(elapsed, 1e-6)
            c.restore_estimated_seconds = 0
            c.restore_elapsed_seconds = whole_seconds(elapsed)

        backend.mutate_cluster(cluster_row_id, completed)
        _release_lease(backend, cluster_row_id, cluster.restore_data_key)
        became_available(backend, cluster_row_id, port)
        events.record(backend, cluster, event_catalog.RESTORE_SUCCEEDED, cluster=current_name(backend, cluster),
                      snapshot=cluster.restore_source_snapshot or "")

    if cluster_job(backend, cluster_row_id, "restore", work, _restore_failed, event_catalog.RESTORE_FAILED):
        take_due_automated_snapshots(backend)


def _restore_failed(backend: RedshiftBackend, cluster: ClusterRecord) -> Callable[[ClusterRecord], None]:
    """A damaged snapshot or an engine failure: AWS's failure state for a restore.  The
    cluster never serves partial data, and can be deleted."""
    try:
        backend.dataplane.destroy_engine(cluster_key(cluster))
        _release_lease(backend, cluster.row_id, cluster.restore_data_key)
    except Exception:
        log.exception("cleaning up the failed restore of cluster %s failed", cluster.identifier)

    def failed(c: ClusterRecord) -> None:
        c.restore_status = "failed"
        c.status = "incompatible-restore"
        c.endpoint_port = None

    return failed


def _release_lease(backend: RedshiftBackend, cluster_row_id: int, data_key: str | None) -> None:
    release_lease(backend, data_key)
    backend.mutate_cluster(cluster_row_id, lambda c: setattr(c, "restore_data_key", None))
