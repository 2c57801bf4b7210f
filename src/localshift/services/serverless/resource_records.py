"""Records of Redshift Serverless's smaller resources, kept in the store's resources table
(store/resources.py): usage limits, scheduled actions, endpoint accesses and reservations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class UsageLimitRecord:
    account: str
    region: str
    name: str  # the usage limit id
    arn: str
    resource_arn: str  # the workgroup's
    usage_type: str  # serverless-compute | cross-region-datasharing
    amount: int
    period: str = "monthly"
    breach_action: str = "log"
    row_id: int = 0


@dataclass
class ScheduledActionRecord:
    account: str
    region: str
    name: str
    uuid: str
    namespace_name: str
    role_arn: str
    # The Schedule union as given: at a time, or a cron expression.
    schedule_at: datetime | None
    schedule_cron: str | None
    # CreateSnapshot's parameters: namespaceName, snapshotNamePrefix, retentionPeriod, tags.
    create_snapshot: dict[str, Any]
    description: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    enabled: bool = True
    # The invocation the scheduler runs next (None: disabled, or none left).
    next_run: datetime | None = None
    last_run: datetime | None = None
    # The snapshot the last run started, or why it failed.
    last_snapshot: str | None = None
    last_failure: str | None = None
    row_id: int = 0


@dataclass
class EndpointAccessRecord:
    account: str
    region: str
    name: str
    arn: str
    workgroup_name: str
    workgroup_row_id: int
    status: str  # CREATING | ACTIVE | MODIFYING | DELETING | FAILED
    create_time: datetime
    subnet_ids: list[str] = field(default_factory=list)
    security_group_ids: list[str] = field(default_factory=list)
    vpc_id: str = ""
    vpc_endpoint_id: str = ""
    # The local port the workgroup's engine also serves for this endpoint (0 until served).
    port: int = 0
    row_id: int = 0


@dataclass
class ReservationRecord:
    account: str
    region: str
    name: str  # the reservation id
    arn: str
    offering_id: str
    capacity: int
    start_date: datetime
    end_date: datetime
    status: str = "active"
    client_token: str | None = None
    row_id: int = 0
