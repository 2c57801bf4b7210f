"""The table restores of namespaces (common/table_restore_lifecycle.py runs them)."""

from __future__ import annotations

from localshift.records import TableRestoreRecord
from localshift.services.common import table_restore_lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lifecycle import engine_key
from localshift.store.events import NAMESPACE


def restore_table(backend: ServerlessBackend, row_id: int) -> None:
    def target_engine(record: TableRestoreRecord) -> str | None:
        # The namespace's engine as it is now (a restore of the namespace replaces it).
        namespace = backend.namespaces.get_by_id(record.target_row_id)
        if namespace is None or not namespace.engine_generation:
            return None
        return engine_key(namespace.row_id, namespace.engine_generation)

    table_restore_lifecycle.restore_table(backend, backend.table_restores, row_id, target_engine, NAMESPACE)
