"""The table restores of clusters (common/table_restore_lifecycle.py runs them)."""

from __future__ import annotations

from localshift.records import TableRestoreRecord
from localshift.services.common import table_restore_lifecycle
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.store.events import CLUSTER


def restore_table(backend: RedshiftBackend, row_id: int) -> None:
    def engine_key(record: TableRestoreRecord) -> str | None:
        cluster = backend.clusters.get_by_id(record.target_row_id)
        return cluster_key(cluster) if cluster is not None else None

    table_restore_lifecycle.restore_table(backend, backend.table_restores, row_id, engine_key, CLUSTER)
