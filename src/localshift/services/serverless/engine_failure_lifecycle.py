"""A namespace whose engine died: like a provisioned cluster's node, its compute is replaced by itself.

The data plane starts an engine whose postmaster died again on its own (its supervisor) and tells
the service what came of it.  Each workgroup serving the namespace gets an INFO event when its
engine serves again, or an ERROR event when it could not be started again: the model has no failure
status for workgroups, so the workgroup stays AVAILABLE, its port closed, until an UpdateWorkgroup
that moves its port (or a restart of the service) starts the engine again.
"""

from __future__ import annotations

from localshift.dataplane.api import ENGINE_REVIVED
from localshift.services.events import record_failure
from localshift.services.event_catalog import MONITORING
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import engine_of_key
from localshift.store.events import WORKGROUP, EventRecord
from localshift.store.serverless import WorkgroupRecord


def watch_engines(backend: ServerlessBackend) -> None:
    """Hear from the data plane about namespaces' engines that died (other services' keys are theirs)."""
    def heard(key: str, what: str) -> None:
        engine = engine_of_key(key)
        namespace = None if engine is None else backend.namespaces.get_by_id(engine[0])
        if engine is not None and namespace is not None:
            backend.submit_for(namespace.account, _compute_replaced if what == ENGINE_REVIVED else _compute_failed,
                               *engine)

    backend.dataplane.on_engine_event(heard)


def _workgroups(backend: ServerlessBackend, namespace_row_id: int, generation: int) -> list[WorkgroupRecord]:
    """The workgroups served by this engine of the namespace (none when it has a newer one)."""
    namespace = backend.namespaces.get_by_id(namespace_row_id)
    if namespace is None or namespace.engine_generation != generation:
        return []
    return backend.workgroups.of_namespace(namespace.account, namespace.region, namespace.name)


def _compute_replaced(backend: ServerlessBackend, namespace_row_id: int, generation: int) -> None:
    for workgroup in _workgroups(backend, namespace_row_id, generation):
        backend.events.add(EventRecord(
            workgroup.account, workgroup.region, WORKGROUP, workgroup.name, backend.clock.now(), "INFO",
            (MONITORING,), f"The compute of workgroup {workgroup.name} failed and was replaced. "
                           "Workgroup operating normally.", None, workgroup.arn))


def _compute_failed(backend: ServerlessBackend, namespace_row_id: int, generation: int) -> None:
    for workgroup in _workgroups(backend, namespace_row_id, generation):
        record_failure(backend.events, backend.clock.now(), workgroup.account, workgroup.region, WORKGROUP,
                       workgroup.name, f"Amazon Redshift Serverless could not replace the failed compute of "
                       f"workgroup {workgroup.name}", RuntimeError("its engine could not be started again"),
                       arn=workgroup.arn)
