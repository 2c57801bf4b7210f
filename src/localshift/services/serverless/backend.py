"""The Redshift Serverless backend: its repositories on the common backend (store, data plane,
clock, workers).

It shares the store, data plane and clock with the provisioned backend, and
holds that backend too: RestoreFromSnapshot reads provisioned snapshots.
"""

from __future__ import annotations

from typing import Callable

from localshift.dataplane.api import DataPlane
from localshift.records import TableRestoreRecord
from localshift.services.clock import Clock
from localshift.services.common.backend import ServiceBackend
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.serverless.resource_records import (
    EndpointAccessRecord,
    ReservationRecord,
    ScheduledActionRecord,
    UsageLimitRecord,
)
from localshift.store.database import Database
from localshift.store.resources import ResourceRepository
from localshift.store.serverless import (
    NamespaceRecord,
    NamespaceRepository,
    RecoveryPointRecord,
    ServerlessSnapshotRecord,
    SnapshotCopyConfigurationRecord,
    ServerlessTagRepository,
    WorkgroupRecord,
    WorkgroupRepository,
)
from localshift.store.serverless_snapshots import ServerlessSnapshotRepository


class ServerlessBackend(ServiceBackend):
    def __init__(
        self,
        db: Database,
        dataplane: DataPlane,
        clock: Clock,
        redshift: RedshiftBackend,
        *,
        snapshot_quota: int = 20,
        tick_seconds: float = 1.0,
        worker_threads: int = 4,
    ) -> None:
        super().__init__(db, dataplane, clock, name="serverless", worker_threads=worker_threads,
                         tick_seconds=tick_seconds)
        self.redshift = redshift
        # Snapshots per account and region (ServiceQuotaExceededException past it).
        self.snapshot_quota = snapshot_quota
        self.namespaces = NamespaceRepository(db)
        self.workgroups = WorkgroupRepository(db)
        self.snapshots = ServerlessSnapshotRepository(db)
        self.tags = ServerlessTagRepository(db)
        self.usage_limits = ResourceRepository(db, "serverless-usage-limit", UsageLimitRecord)
        self.scheduled_actions = ResourceRepository(db, "serverless-scheduled-action", ScheduledActionRecord)
        self.endpoint_accesses = ResourceRepository(db, "serverless-endpoint-access", EndpointAccessRecord)
        self.reservations = ResourceRepository(db, "serverless-reservation", ReservationRecord)
        self.recovery_points = ResourceRepository(db, "serverless-recovery-point", RecoveryPointRecord)
        self.copy_configurations = ResourceRepository(
            db, "serverless-snapshot-copy-configuration", SnapshotCopyConfigurationRecord)
        self.table_restores = ResourceRepository(db, "serverless-table-restore", TableRestoreRecord)
    # --- read, change, write back in one transaction --------------------------
    def mutate_namespace(self, row_id: int, change: Callable[[NamespaceRecord], None]) -> NamespaceRecord | None:
        return self.db.mutate(self.namespaces, row_id, change)

    def mutate_workgroup(self, row_id: int, change: Callable[[WorkgroupRecord], None]) -> WorkgroupRecord | None:
        return self.db.mutate(self.workgroups, row_id, change)

    def mutate_snapshot(
        self, row_id: int, change: Callable[[ServerlessSnapshotRecord], None]
    ) -> ServerlessSnapshotRecord | None:
        return self.db.mutate(self.snapshots, row_id, change)
