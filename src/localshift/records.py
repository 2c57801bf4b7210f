"""Typed records of the resources localshift keeps: clusters, snapshots, snapshot schedules, snapshot copy
grants, table restores.

Plain dataclasses with native values.  The store keeps them as JSON (never
pickles) beside a few indexed columns; services read and change them; the
views turn them into the API's shapes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar, cast

from localshift.dataplane.api import TableToRestore


@dataclass
class SnapshotCopySettings:
    """Cross-region snapshot copy of a cluster (EnableSnapshotCopy): where its snapshots go, kept how long."""

    destination_region: str
    # Days copied automated snapshots are kept in the destination region.
    retention_period: int = 7
    # Days newly copied manual snapshots are kept there (-1: indefinitely).
    manual_retention_period: int = -1
    grant_name: str | None = None


@dataclass
class ClusterRecord:
    account: str
    region: str
    identifier: str
    node_type: str
    number_of_nodes: int
    master_username: str
    db_name: str
    port: int
    status: str
    create_time: datetime
    namespace_id: str
    availability_zone: str
    automated_snapshot_retention_period: int = 1
    manual_snapshot_retention_period: int = -1
    preferred_maintenance_window: str = "sat:10:00-sat:10:30"
    cluster_version: str = "1.0"
    allow_version_upgrade: bool = True
    publicly_accessible: bool = False
    encrypted: bool = True
    kms_key_id: str | None = None
    enhanced_vpc_routing: bool = False
    maintenance_track_name: str = "current"
    # ModifyCluster's MaintenanceTrackName waits for the first maintenance window after it was asked
    # for (PendingModifiedValues.MaintenanceTrackName until then; maintenance_lifecycle.switch_due_tracks).
    pending_maintenance_track: str | None = None
    pending_maintenance_track_since: datetime | None = None
    cluster_parameter_group_name: str = "default.redshift-2.0"
    cluster_subnet_group_name: str | None = None
    vpc_id: str | None = None
    vpc_security_group_ids: list[str] = field(default_factory=list)
    cluster_security_groups: list[str] = field(default_factory=list)
    iam_roles: list[str] = field(default_factory=list)
    default_iam_role_arn: str | None = None
    elastic_ip: str | None = None
    hsm_client_certificate_identifier: str | None = None
    hsm_configuration_identifier: str | None = None
    snapshot_schedule_identifier: str | None = None
    # The schedule's association: MODIFYING until the scheduler applies it, then ACTIVE (None: no schedule).
    snapshot_schedule_state: str | None = None
    # DisassociateSchedule accepted: the association goes when the scheduler applies it.
    snapshot_schedule_leaving: bool = False
    availability_zone_relocation: bool = False
    multi_az: bool = False
    # A Multi-AZ cluster's secondary zone once a failover chose it (views.secondary_zone: before that).
    secondary_availability_zone: str | None = None
    ip_address_type: str = "ipv4"
    aqua_configuration_status: str = "auto"
    # Its custom domain name association, if any (custom_domains.py).
    custom_domain_name: str | None = None
    custom_domain_certificate_arn: str | None = None
    custom_domain_certificate_expiry: datetime | None = None
    # ManageMasterPassword: Redshift keeps the password in a Secrets Manager secret.
    master_password_secret_arn: str | None = None
    master_password_secret_kms_key_id: str | None = None
    # The master password as the engine stores it (password_verifier): never the password itself.
    master_password_md5: str = ""
    # A new master password (its verifier) accepted by ModifyCluster and not yet set in the engine.
    pending_master_password_md5: str | None = None
    # A new Port accepted by ModifyCluster that the engine does not serve yet.
    pending_port: int | None = None
    # Restore bookkeeping (None when the cluster was not restored).
    # The ARN of the snapshot the cluster was restored from (its lineage; the owner may be another account).
    restored_from: str | None = None
    # The data-plane lease the restore reads from, held until it finishes.
    restore_data_key: str | None = None
    # The identifier of the snapshot the cluster was restored from (for its events).
    restore_source_snapshot: str | None = None
    restore_status: str | None = None
    restore_snapshot_size_mb: float = 0.0
    restore_progress_mb: float = 0.0
    restore_rate_mb_per_s: float = 0.0
    restore_elapsed_seconds: int = 0
    restore_estimated_seconds: int = 0
    # The time the next automated snapshot is due (None: automated snapshots off).
    next_automated_snapshot_time: datetime | None = None
    # The local port the engine actually serves on (Endpoint.Port).
    endpoint_port: int | None = None
    # PendingModifiedValues while a modification is applied.
    pending_modified: dict[str, Any] = field(default_factory=dict)
    # The parameter values the engine has, by name, and the group they came from (None: the
    # cluster's group, in sync; rows written before parameter groups were served).
    applied_parameter_group: str | None = None
    applied_parameters: dict[str, str] = field(default_factory=dict)
    # Dynamic parameter changes being applied to the engine (ParameterApplyStatus "applying").
    parameters_applying: bool = False
    # Audit logging (EnableLogging); None: never enabled.
    logging: AuditLogging | None = None
    # The latest resize (DescribeResize); None: never resized.
    resize: ResizeProgress | None = None
    # A deferred maintenance window (ModifyClusterMaintenance).
    deferred_maintenance: MaintenanceDeferral | None = None
    # The database revision the cluster runs (DescribeClusterDbRevisions).
    db_revision: str | None = None
    # Cross-region snapshot copy (None: off).
    snapshot_copy: SnapshotCopySettings | None = None
    # The store's id, set by insert (0: not stored yet; SQLite's ids start at 1).
    row_id: int = 0


@dataclass
class AuditLogging:
    """A cluster's audit logging: where logs go, which, and how delivery went."""

    enabled: bool
    destination_type: str  # s3 | cloudwatch
    bucket_name: str | None = None
    s3_key_prefix: str | None = None
    log_exports: list[str] = field(default_factory=list)
    last_successful_delivery_time: datetime | None = None
    last_failure_time: datetime | None = None
    last_failure_message: str | None = None


@dataclass
class ResizeProgress:
    """A resize (ResizeCluster, or ModifyCluster changing the node type or count) and its progress."""

    resize_type: str  # ElasticResize | ClassicResize
    status: str  # IN_PROGRESS | SUCCEEDED | FAILED | CANCELLING
    target_node_type: str
    target_number_of_nodes: int
    target_cluster_type: str
    source_node_type: str
    source_number_of_nodes: int
    started: datetime
    total_mb: int = 0
    progress_mb: int = 0
    rate_mb_per_s: float = 0.0
    elapsed_seconds: int = 0
    estimated_seconds: int = 0
    message: str | None = None


@dataclass
class MaintenanceDeferral:
    identifier: str
    start_time: datetime
    end_time: datetime


@dataclass
class SnapshotRecord:
    account: str
    region: str
    identifier: str
    cluster_identifier: str
    snapshot_type: str  # "manual" or "automated"
    status: str  # creating | available | final snapshot | failed | deleted
    create_time: datetime
    # A copy of the source cluster's configuration at snapshot time.
    cluster_create_time: datetime
    node_type: str
    number_of_nodes: int
    master_username: str
    db_name: str
    port: int
    availability_zone: str
    cluster_version: str
    encrypted: bool
    kms_key_id: str | None
    enhanced_vpc_routing: bool
    maintenance_track_name: str
    vpc_id: str | None
    manual_snapshot_retention_period: int = -1
    retention_start_time: datetime | None = None
    total_size_mb: float = 0.0
    incremental_size_mb: float = 0.0
    progress_mb: float = 0.0
    rate_mb_per_s: float = 0.0
    elapsed_seconds: int = 0
    estimated_seconds_to_completion: int = -1
    # The region a cross-region copy was copied from (None: not a copy).
    source_region: str | None = None
    # A copied automated snapshot: the days it is kept in this region (its cluster's copy RetentionPeriod).
    copy_retention_period: int | None = None
    # The source cluster's configuration that a restore copies.
    cluster_config: dict[str, Any] = field(default_factory=dict)
    # The data-plane snapshot holding this snapshot's data (None: no data).
    data_key: str | None = None
    # The source cluster's row id: it survives renames (None: taken before it was recorded).
    cluster_row_id: int | None = None
    # The ARN of the snapshot this one is a copy of (CopyClusterSnapshot).
    copied_from: str | None = None
    # A Redshift Serverless snapshot seen through the provisioned API (never stored as such).
    from_serverless: bool = False
    # The store's id, set by insert (0: not stored yet; SQLite's ids start at 1).
    row_id: int = 0


@dataclass
class SnapshotScheduleRecord:
    """A snapshot schedule (CreateSnapshotSchedule); clusters name it by ``snapshot_schedule_identifier``."""

    account: str
    region: str
    name: str
    definitions: list[str]
    create_time: datetime
    description: str | None = None
    row_id: int = 0


@dataclass
class SnapshotCopyGrantRecord:
    """A snapshot copy grant: lets Redshift encrypt snapshots copied into its region with a KMS key."""

    account: str
    region: str
    name: str
    kms_key_id: str
    row_id: int = 0


@dataclass
class TableRestoreRecord:
    """A table-level restore (provisioned or serverless): one table of a snapshot or recovery point,
    copied into a running cluster or namespace as a new table."""

    account: str
    region: str
    name: str  # the TableRestoreRequestId
    status: str  # PENDING | IN_PROGRESS | SUCCEEDED | FAILED | CANCELED
    request_time: datetime
    target: str  # the cluster identifier, or the namespace name
    target_row_id: int  # the cluster's or namespace's row id
    table: TableToRestore  # the source table and the new one, by name
    snapshot_name: str | None = None
    recovery_point_id: str | None = None
    workgroup_name: str | None = None
    # The lease on the source's data the restore reads, until it ends (None: released, or no data).
    lease: str | None = None
    message: str | None = None
    progress_mb: float = 0.0
    total_mb: float = 0.0
    row_id: int = 0


T = TypeVar("T")


def password_verifier(username: str, password: str) -> str:
    """What PostgreSQL stores for an md5 password: ``md5`` + md5(password + username).

    Given to CREATE/ALTER ROLE ... PASSWORD, PostgreSQL keeps such a string as
    it is, and the engines authenticate with md5, so localshift keeps only
    this: never a master password itself.
    """
    return "md5" + hashlib.md5((password + username).encode()).hexdigest()


def record_to_json(record: Any) -> dict[str, Any]:
    """A record (or a plan inside one) as JSON values: times as ISO text, dataclasses as objects."""
    return {f.name: _json_value(getattr(record, f.name)) for f in dataclasses.fields(record) if f.name != "row_id"}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return record_to_json(value)
    return value


def record_from_json(cls: type[T], data: dict[str, Any], row_id: int) -> T:
    """Rebuild a stored record; keys of fields that no longer exist are ignored, missing ones take defaults."""
    return _from_json(cls, {**data, "row_id": row_id})


def _from_json(cls: type[T], data: dict[str, Any]) -> T:
    decoders = _decoders(cast(type, cls))  # a class is hashable; mypy does not see it through type[T]
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in decoders:
            continue
        decode = decoders[name]
        kwargs[name] = decode(value) if decode is not None and value is not None else value
    return cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _decoders(cls: type) -> dict[str, Callable[[Any], Any] | None]:
    """For each field of a record class, how to decode its JSON value: times from ISO text,
    plans (dataclasses) from objects, anything else as it is (None)."""
    hints = typing.get_type_hints(cls)
    decoders: dict[str, Callable[[Any], Any] | None] = {}
    for f in dataclasses.fields(cls):
        kinds = [kind for kind in typing.get_args(hints[f.name]) or (hints[f.name],) if kind is not type(None)]
        kind = kinds[0] if len(kinds) == 1 else None
        if kind is datetime:
            decoders[f.name] = _datetime
        elif isinstance(kind, type) and dataclasses.is_dataclass(kind):
            decoders[f.name] = functools.partial(_from_json, kind)
        else:
            decoders[f.name] = None
    return decoders


def _datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
