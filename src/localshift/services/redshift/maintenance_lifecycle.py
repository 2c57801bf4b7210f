"""Background work of reboots, resizes, dynamic parameter changes, key rotation and maintenance windows.

A reboot really restarts the engine and gives it its parameter group's values (the
static changes pending until then).  A resize keeps the engine and its data: locally
there are no nodes to add, so the job reports progress over the cluster's data at a
fixed rate (at least ``RESIZE_MIN_SECONDS``, so the status is seen), then the cluster
has its new node type and count; a classic resize can be cancelled meanwhile.
"""

from __future__ import annotations

import time
from typing import Callable

from localshift.records import ClusterRecord
from localshift.services import event_catalog, events
from localshift.services.common.jobs import MB
from localshift.services.redshift import logging_lifecycle
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.lifecycle import apply_modification, cluster_job, start_engine
from localshift.services.redshift.parameter_lookup import values_of
from localshift.services.redshift.parameter_status import WLM, start_in_sync
from localshift.services.redshift.resize_plan import resizing
from localshift.services.redshift.views import next_maintenance_window

# A resize moves data at this rate, and takes at least / at most this long.
RESIZE_RATE_MB_PER_S = 100.0
RESIZE_MIN_SECONDS = 1.0
RESIZE_MAX_SECONDS = 60.0
RESIZE_STEP_SECONDS = 0.2


# Statuses whose work a restart of the service resumes (scheduler.recover), besides modifying and renaming.
RESUMED = ["rebooting", "resizing", "cancelling-resize", "rotating-keys"]


def resume(backend: RedshiftBackend, cluster: ClusterRecord) -> None:
    """After a restart: a reboot starts the engine anyway; other work serves the engine again, then goes on."""
    if cluster.status == "rebooting":
        backend.submit_for(cluster.account, reboot_cluster, cluster.row_id)
    elif cluster.status == "rotating-keys":
        backend.submit_for(cluster.account, _serve_then, cluster.row_id, rotate_encryption_key)
    elif cluster.status in ("modifying", "renaming"):
        backend.submit_for(cluster.account, _serve_then, cluster.row_id, modify_and_resize)
    elif cluster.status == "available":  # a dynamic parameter change was being applied
        backend.submit_for(cluster.account, _serve_then, cluster.row_id, apply_dynamic_parameters)
    else:
        backend.submit_for(cluster.account, _serve_then, cluster.row_id, resize_cluster)


def switch_due_tracks(backend: RedshiftBackend) -> None:
    """A maintenance track asked for with ModifyCluster becomes the cluster's at the first maintenance
    window after the request (after a deferral, if one covers it), on the service's clock, or at a reboot
    before it.  A cluster
    that is not available then (paused, modifying) switches once it is, as AWS applies maintenance a
    paused cluster missed when it resumes.  Locally both tracks run the same engine, so the switch is
    the record alone."""
    now = backend.clock.now()
    for cluster in backend.clusters.in_statuses(["available"]):
        since = cluster.pending_maintenance_track_since
        if since is not None and next_maintenance_window(cluster, since) <= now:
            backend.mutate_cluster(cluster.row_id, lambda c: _switch_track(c) if c.status == "available" else None)


def _switch_track(cluster: ClusterRecord) -> None:
    if cluster.pending_maintenance_track is not None:
        cluster.maintenance_track_name = cluster.pending_maintenance_track
        cluster.pending_maintenance_track = cluster.pending_maintenance_track_since = None


def _serve_then(backend: RedshiftBackend, row_id: int, job: Callable[[RedshiftBackend, int], None]) -> None:
    if start_engine(backend, row_id):
        job(backend, row_id)


def reboot_cluster(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        key = cluster_key(cluster)
        values = values_of(backend, cluster.account, cluster.region, cluster.cluster_parameter_group_name)
        backend.dataplane.stop_engine(key)
        port = backend.dataplane.start_engine(key, cluster.endpoint_port or cluster.port)
        backend.dataplane.apply_settings(key, values)

        def rebooted(c: ClusterRecord) -> None:
            start_in_sync(c, values)  # the group can't change while the cluster reboots
            c.parameters_applying = False
            # AWS: "Any pending cluster modifications (see ModifyCluster) are applied at this reboot."
            _switch_track(c)
            c.status = "available"
            c.endpoint_port = port

        backend.mutate_cluster(row_id, rebooted)
        events.record(backend, cluster, event_catalog.REBOOTED, cluster=cluster.identifier)
        # enable_user_activity_logging may have changed with the reboot.
        logging_lifecycle.capture(backend, row_id)

    cluster_job(backend, row_id, "reboot", work)


def apply_dynamic_parameters(backend: RedshiftBackend, row_id: int) -> None:
    """A change of wlm_json_configuration's dynamic properties reaches the engine at once."""

    def work(cluster: ClusterRecord) -> None:
        value = values_of(backend, cluster.account, cluster.region, cluster.cluster_parameter_group_name)[WLM]
        backend.dataplane.apply_settings(cluster_key(cluster), {**cluster.applied_parameters, WLM: value})

        def applied(c: ClusterRecord) -> None:
            c.applied_parameters[WLM] = value
            c.parameters_applying = False

        backend.mutate_cluster(row_id, applied)

    def settle(backend: RedshiftBackend, cluster: ClusterRecord) -> Callable[[ClusterRecord], None]:
        return lambda c: setattr(c, "parameters_applying", False)

    cluster_job(backend, row_id, "apply parameters to", work, settle)


def rotate_encryption_key(backend: RedshiftBackend, row_id: int) -> None:
    """Locally there are no data keys to re-encrypt: the rotation ends at once."""
    backend.mutate_cluster(row_id, lambda c: setattr(c, "status", "available"))


# --- resize ----------------------------------------------------------------------------


def resize_cluster(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        events.record(backend, cluster, event_catalog.RESIZE_STARTED, cluster=cluster.identifier)
        total_mb = (backend.dataplane.engine_size_bytes(cluster_key(cluster)) or 0) / MB
        duration = min(max(total_mb / RESIZE_RATE_MB_PER_S, RESIZE_MIN_SECONDS), RESIZE_MAX_SECONDS)
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            current = backend.mutate_cluster(row_id, lambda c: _progress(c, total_mb, elapsed, duration))
            if current is None or current.resize is None or current.resize.status != "IN_PROGRESS":
                break  # cancelled
            if elapsed >= duration:
                break
            time.sleep(min(RESIZE_STEP_SECONDS, duration - elapsed))
        done = backend.mutate_cluster(row_id, _finished)
        if done is not None and done.resize is not None and done.resize.status == "SUCCEEDED":
            hours = (backend.clock.now() - done.resize.started).total_seconds() / 3600
            events.record(backend, done, event_catalog.RESIZE_COMPLETED, cluster=done.identifier,
                          started=events.message_time(done.resize.started), hours=f"{hours:.2f}")

    cluster_job(backend, row_id, "resize", work, failure_event=event_catalog.RESIZE_FAILED)


def modify_and_resize(backend: RedshiftBackend, row_id: int) -> None:
    """A ModifyCluster that changes the node type or count and other settings: those first, then the resize."""
    apply_modification(backend, row_id)
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is not None and resizing(cluster):
        resize_cluster(backend, row_id)


def _progress(cluster: ClusterRecord, total_mb: float, elapsed: float, duration: float) -> None:
    resize = cluster.resize
    if resize is None or resize.status != "IN_PROGRESS":
        return
    done = min(elapsed / duration, 1.0) if duration else 1.0
    resize.total_mb = int(total_mb)
    resize.progress_mb = int(total_mb * done)
    resize.elapsed_seconds = int(elapsed)
    resize.rate_mb_per_s = round(total_mb / duration, 2) if elapsed else 0.0
    resize.estimated_seconds = max(int(round(duration - elapsed)), 0)


def _finished(cluster: ClusterRecord) -> None:
    resize = cluster.resize
    assert resize is not None
    if resize.status == "CANCELLING":
        # The cluster keeps its size.
        resize.status, resize.message = "FAILED", "The resize operation was cancelled."
    else:
        resize.status, resize.progress_mb, resize.estimated_seconds = "SUCCEEDED", resize.total_mb, 0
        cluster.node_type, cluster.number_of_nodes = resize.target_node_type, resize.target_number_of_nodes
    cluster.pending_modified = {}
    cluster.status = "available"
