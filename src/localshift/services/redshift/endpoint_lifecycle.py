"""Background work on Redshift-managed VPC endpoints: each active endpoint is a further SQL port
of its cluster's engine (the data plane's serve_extra_port), served until the endpoint is deleted,
its authorization revoked with Force, or its cluster deleted.  While the cluster is paused the port
stays and refuses connections as not available (57P03)."""

from __future__ import annotations

from typing import Callable

from localshift.services.common import jobs
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.resource_records import EndpointAccessRecord
from localshift.store.events import CLUSTER


def _endpoint_job(backend: RedshiftBackend, endpoint: EndpointAccessRecord, action: str,
                  work: Callable[[], None]) -> bool:
    """Run ``work``; when it fails the endpoint ends ``failed`` (it can be deleted), the reason kept as an event."""

    def failed() -> None:
        backend.endpoint_accesses.mutate(endpoint.row_id, lambda e: setattr(e, "status", "failed"))

    cluster = backend.clusters.get_by_id(endpoint.cluster_row_id)
    identifier = cluster.identifier if cluster is not None else str(endpoint.cluster_row_id)
    return jobs.run_work(backend, work, failed, endpoint.cluster_account, endpoint.region, CLUSTER, identifier,
                         f"Amazon Redshift could not {action} endpoint {endpoint.name} of cluster {identifier}")


def serve_endpoint(backend: RedshiftBackend, row_id: int) -> None:
    """Serve a new endpoint (or, after a restart, an active one again) and mark it active."""
    endpoint = backend.endpoint_accesses.get_by_id(row_id)
    if endpoint is None:
        return

    def work() -> None:
        cluster = backend.clusters.get_by_id(endpoint.cluster_row_id)
        if cluster is None:
            raise RuntimeError("its cluster is gone")
        port = backend.dataplane.serve_extra_port(cluster_key(cluster), endpoint.port)

        def active(e: EndpointAccessRecord) -> None:
            e.status, e.port = "active", port

        backend.endpoint_accesses.mutate(row_id, active)

    _endpoint_job(backend, endpoint, "create", work)


def delete_endpoint(backend: RedshiftBackend, row_id: int) -> None:
    """Stop serving an endpoint's port, then forget the endpoint."""
    endpoint = backend.endpoint_accesses.get_by_id(row_id)
    if endpoint is None:
        return

    def work() -> None:
        stop_serving(backend, endpoint)
        backend.endpoint_accesses.delete(endpoint)

    _endpoint_job(backend, endpoint, "delete", work)


def stop_serving(backend: RedshiftBackend, endpoint: EndpointAccessRecord) -> None:
    cluster = backend.clusters.get_by_id(endpoint.cluster_row_id)
    if cluster is not None:
        backend.dataplane.close_extra_port(cluster_key(cluster), endpoint.port)


def revoke_authorization(backend: RedshiftBackend, authorization_row_id: int) -> None:
    """A revoke with Force: the grantee's endpoints to the cluster go, then the authorization."""
    authorization = backend.endpoint_authorizations.get_by_id(authorization_row_id)
    if authorization is None:
        return
    for endpoint in backend.endpoint_accesses.all_of(authorization.grantee, authorization.region):
        if endpoint.cluster_row_id == authorization.cluster_row_id:
            delete_endpoint(backend, endpoint.row_id)
    backend.endpoint_authorizations.delete(authorization)


def recover(backend: RedshiftBackend) -> None:
    """At start: serve the endpoints again, and finish creates, deletes and forced revokes."""
    for endpoint in backend.endpoint_accesses.everything():
        if endpoint.status in ("creating", "active", "modifying"):
            backend.submit_for(endpoint.account, serve_endpoint, endpoint.row_id)
        elif endpoint.status == "deleting":
            backend.submit_for(endpoint.account, delete_endpoint, endpoint.row_id)
    for authorization in backend.endpoint_authorizations.everything():
        if authorization.status == "Revoking":
            backend.submit_for(authorization.account, revoke_authorization, authorization.row_id)
