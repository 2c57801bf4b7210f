"""The Redshift backend: its repositories on the common backend (store, data plane, clock, workers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from localshift.dataplane.api import DataPlane
from localshift.records import (ClusterRecord, SnapshotCopyGrantRecord, SnapshotRecord, SnapshotScheduleRecord,
                                TableRestoreRecord)
from localshift.services.clock import Clock
from localshift.services.common.backend import ServiceBackend
from localshift.services.redshift import resource_records as rr
from localshift.services.redshift.serverless_snapshots import ServerlessSnapshots
from localshift.store.clusters import ClusterRepository
from localshift.store.database import Database
from localshift.store.resources import ResourceRepository
from localshift.store.snapshots import SnapshotRepository
from localshift.store.tags import TagRepository


@dataclass(frozen=True)
class BackendSettings:
    # Seconds between automated snapshots of a cluster (Redshift: about 8 hours).
    automated_snapshot_interval: float = 8 * 3600
    # Seconds between checks for due automated snapshots and expired snapshots.
    tick_seconds: float = 1.0
    # Manual snapshots per account and region (Redshift's quota; adjustable in AWS).
    manual_snapshot_quota: int = 20
    # Clusters per account and region.
    cluster_quota: int = 100
    # Snapshot schedules per account and region.
    snapshot_schedule_quota: int = 100
    worker_threads: int = 4


# ARN resource types of the tagged resources kept in ResourceRepositories -> the backend's repository.
NAMED_TAGGABLE = {
    "snapshotschedule": "schedules",
    "subnetgroup": "subnet_groups",
    "usagelimit": "usage_limits",
    "eventsubscription": "event_subscriptions",
    "hsmclientcertificate": "hsm_client_certificates",
    "hsmconfiguration": "hsm_configurations",
    "snapshotcopygrant": "copy_grants",
    "parametergroup": "parameter_groups",
}


class RedshiftBackend(ServiceBackend):
    def __init__(
        self, db: Database, dataplane: DataPlane, clock: Clock, settings: BackendSettings,
        serverless_snapshots: ServerlessSnapshots,
    ) -> None:
        super().__init__(db, dataplane, clock, name="redshift", worker_threads=settings.worker_threads,
                         tick_seconds=settings.tick_seconds)
        self.settings = settings
        # Serverless snapshots named by SnapshotArn (Redshift Serverless implements it).
        self.serverless_snapshots = serverless_snapshots
        self.clusters = ClusterRepository(db)
        self.snapshots = SnapshotRepository(db)
        self.tags = TagRepository(db)
        self.copy_grants = ResourceRepository(db, "snapshot-copy-grant", SnapshotCopyGrantRecord)
        self.table_restores = ResourceRepository(db, "table-restore", TableRestoreRecord)
        self.schedules = ResourceRepository(db, "snapshot-schedule", SnapshotScheduleRecord)
        # Subnet groups, usage limits, event subscriptions, endpoints, HSM items, authentication profiles.
        self.subnet_groups = ResourceRepository(db, "subnet-group", rr.SubnetGroupRecord)
        self.usage_limits = ResourceRepository(db, "usage-limit", rr.UsageLimitRecord)
        self.event_subscriptions = ResourceRepository(db, "event-subscription", rr.EventSubscriptionRecord)
        self.endpoint_accesses = ResourceRepository(db, "endpoint-access", rr.EndpointAccessRecord)
        self.endpoint_authorizations = ResourceRepository(db, "endpoint-authorization", rr.EndpointAuthorizationRecord)
        self.authentication_profiles = ResourceRepository(db, "authentication-profile", rr.AuthenticationProfileRecord)
        self.hsm_client_certificates = ResourceRepository(db, "hsm-client-certificate", rr.HsmClientCertificateRecord)
        self.hsm_configurations = ResourceRepository(db, "hsm-configuration", rr.HsmConfigurationRecord)
        self.scheduled_actions = ResourceRepository(db, "scheduled-action", rr.ScheduledActionRecord)
        self.partners = ResourceRepository(db, "partner-integration", rr.PartnerRecord)
        self.parameter_groups = ResourceRepository(db, "cluster-parameter-group", rr.ParameterGroupRecord)
        self.reserved_nodes = ResourceRepository(db, "reserved-node", rr.ReservedNodeRecord)
        self.reserved_node_exchanges = ResourceRepository(db, "reserved-node-exchange", rr.ReservedNodeExchangeRecord)
        self.resource_policies = ResourceRepository(db, "resource-policy", rr.ResourcePolicyRecord)

    def mutate_cluster(self, row_id: int, change: Callable[[ClusterRecord], None]) -> ClusterRecord | None:
        """Re-read a cluster, change it and write it back in one transaction."""
        return self.db.mutate(self.clusters, row_id, change)

    def mutate_snapshot(self, row_id: int, change: Callable[[SnapshotRecord], None]) -> SnapshotRecord | None:
        return self.db.mutate(self.snapshots, row_id, change)
