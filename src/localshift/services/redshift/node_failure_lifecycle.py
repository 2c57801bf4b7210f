"""A cluster whose engine died: Redshift detects a failed node and replaces it by itself.

The data plane starts an engine whose postmaster died again on its own (its supervisor) and tells
the service what came of it.  As on AWS, a cluster whose node was replaced stays ``available`` and
gets event REDSHIFT-EVENT-3001 ("node replaced ... Cluster operating normally"); one whose engine
cannot be started again goes to ``hardware-failure`` (it can be deleted, rebooted or restored from a
snapshot), the reason kept as an ERROR event, as other failed work on an engine does.
"""

from __future__ import annotations

from localshift.dataplane.api import ENGINE_REVIVED
from localshift.services import event_catalog, events
from localshift.services.redshift import lifecycle
from localshift.services.redshift.arns import cluster_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_row_id
from localshift.store.events import CLUSTER


def watch_engines(backend: RedshiftBackend) -> None:
    """Hear from the data plane about clusters' engines that died (other services' keys are theirs)."""
    def heard(key: str, what: str) -> None:
        row_id = cluster_row_id(key)
        cluster = None if row_id is None else backend.clusters.get_by_id(row_id)
        if cluster is not None:
            backend.submit_for(cluster.account, _node_replaced if what == ENGINE_REVIVED else _node_failed, row_id)

    backend.dataplane.on_engine_event(heard)


def _node_replaced(backend: RedshiftBackend, row_id: int) -> None:
    cluster = backend.clusters.get_by_id(row_id)
    if cluster is not None:
        events.record(backend, cluster, event_catalog.NODE_REPLACED, cluster=cluster.identifier)


def _node_failed(backend: RedshiftBackend, row_id: int) -> None:
    with backend.engine_lock(row_id):
        cluster = backend.clusters.get_by_id(row_id)
        if cluster is None or cluster.status != "available":  # a job on it decides where it goes
            return
        backend.mutate_cluster(row_id, lifecycle.serving_or_failed(backend, cluster))
    events.record_failure(backend.events, backend.clock.now(), cluster.account, cluster.region, CLUSTER,
                          cluster.identifier, f"Amazon Redshift could not replace the failed node of cluster "
                          f"{cluster.identifier}", RuntimeError("its engine could not be started again"),
                          arn=cluster_arn(cluster.region, cluster.account, cluster.identifier))
