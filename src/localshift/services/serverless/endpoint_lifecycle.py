"""Background work on serverless VPC endpoints: each active endpoint is a further SQL port of its
workgroup's engine (the data plane's serve_extra_port), served until the endpoint is deleted.
While the workgroup's engine is stopped the port stays and refuses connections as not available;
after a restore replaced the engine, the workgroup's endpoints are served by the new one."""

from __future__ import annotations

from typing import Callable

from localshift.services.common import jobs
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import ensure_engine
from localshift.services.serverless.resource_records import EndpointAccessRecord
from localshift.store.events import WORKGROUP


def _namespace_row_id(backend: ServerlessBackend, endpoint: EndpointAccessRecord) -> int:
    workgroup = backend.workgroups.get_by_id(endpoint.workgroup_row_id)
    namespace = workgroup and backend.namespaces.get(workgroup.account, workgroup.region, workgroup.namespace_name)
    if namespace is None:
        raise RuntimeError("its workgroup is gone")
    return namespace.row_id


def _run(backend: ServerlessBackend, endpoint: EndpointAccessRecord, action: str, work: Callable[[], None]) -> None:
    """Run ``work``; when it fails the endpoint ends FAILED (it can be deleted), the reason kept as an event."""

    def failed() -> None:
        backend.endpoint_accesses.mutate(endpoint.row_id, lambda e: setattr(e, "status", "FAILED"))

    jobs.run_work(backend, work, failed, endpoint.account, endpoint.region, WORKGROUP, endpoint.workgroup_name,
                  f"Amazon Redshift Serverless could not {action} endpoint {endpoint.name}")


def serve_endpoint(backend: ServerlessBackend, row_id: int) -> None:
    """Serve a new endpoint (or, after a restart or a restore, an active one again) and mark it ACTIVE."""
    endpoint = backend.endpoint_accesses.get_by_id(row_id)
    if endpoint is None:
        return

    def work() -> None:
        namespace_row_id = _namespace_row_id(backend, endpoint)
        key, _ = ensure_engine(backend, namespace_row_id, None)
        with backend.engine_lock(namespace_row_id):
            port = backend.dataplane.serve_extra_port(key, endpoint.port or endpoint_port_wanted(backend, endpoint))

        def active(e: EndpointAccessRecord) -> None:
            e.status, e.port = "ACTIVE", port

        backend.endpoint_accesses.mutate(row_id, active)

    _run(backend, endpoint, "serve", work)


def endpoint_port_wanted(backend: ServerlessBackend, endpoint: EndpointAccessRecord) -> int:
    """A new endpoint asks for its workgroup's port; as the workgroup serves it, it gets another free one."""
    workgroup = backend.workgroups.get_by_id(endpoint.workgroup_row_id)
    return workgroup.port if workgroup is not None else 0


def delete_endpoint(backend: ServerlessBackend, row_id: int) -> None:
    """Stop serving an endpoint's port, then forget the endpoint."""
    endpoint = backend.endpoint_accesses.get_by_id(row_id)
    if endpoint is None:
        return

    def work() -> None:
        if endpoint.port:
            namespace_row_id = _namespace_row_id(backend, endpoint)
            key, _ = ensure_engine(backend, namespace_row_id, None)
            with backend.engine_lock(namespace_row_id):
                backend.dataplane.close_extra_port(key, endpoint.port)
        backend.endpoint_accesses.delete(endpoint)

    _run(backend, endpoint, "delete", work)


def serve_endpoints_of(backend: ServerlessBackend, workgroup_row_id: int) -> None:
    """Serve a workgroup's live endpoints again (by its engine after a restore)."""
    workgroup = backend.workgroups.get_by_id(workgroup_row_id)
    if workgroup is None:
        return
    for endpoint in backend.endpoint_accesses.all_of(workgroup.account, workgroup.region):
        if endpoint.workgroup_row_id == workgroup_row_id and endpoint.status in ("CREATING", "ACTIVE", "MODIFYING"):
            backend.submit_for(endpoint.account, serve_endpoint, endpoint.row_id)


def recover(backend: ServerlessBackend) -> None:
    """At start: serve the endpoints again, and finish deletes."""
    for endpoint in backend.endpoint_accesses.everything():
        if endpoint.status in ("CREATING", "ACTIVE", "MODIFYING"):
            backend.submit_for(endpoint.account, serve_endpoint, endpoint.row_id)
        elif endpoint.status == "DELETING":
            backend.submit_for(endpoint.account, delete_endpoint, endpoint.row_id)
