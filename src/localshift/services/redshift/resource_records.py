"""Typed records of Redshift's smaller resources, kept in the resources table (store/resources.py).

Each has ``account``, ``region`` and ``name`` (its identifier, unique per account
and region) and ``row_id``; ``ARN_TYPE`` is the resource type in its ARN, by
which it is tagged (None: AWS does not tag it).  Records that belong to a
cluster name it by the cluster's row id, which survives renames; the views look
its identifier up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass
class SubnetGroupRecord:
    ARN_TYPE: ClassVar[str | None] = "subnetgroup"
    account: str
    region: str
    name: str
    description: str
    vpc_id: str
    subnet_ids: list[str]
    row_id: int = 0


@dataclass
class UsageLimitRecord:
    ARN_TYPE: ClassVar[str | None] = "usagelimit"
    account: str
    region: str
    name: str  # the UsageLimitId
    cluster_row_id: int
    feature_type: str
    limit_type: str
    amount: int
    period: str
    breach_action: str
    row_id: int = 0


@dataclass
class EventSubscriptionRecord:
    ARN_TYPE: ClassVar[str | None] = "eventsubscription"
    account: str
    region: str
    name: str
    sns_topic_arn: str
    created: datetime
    source_type: str | None = None
    source_ids: list[str] = field(default_factory=list)
    event_categories: list[str] = field(default_factory=list)
    severity: str | None = None
    enabled: bool = True
    row_id: int = 0


@dataclass
class EndpointAccessRecord:
    """A Redshift-managed VPC endpoint, kept in the account that created it (owner or grantee)."""

    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str
    cluster_account: str  # the cluster's owner (ResourceOwner)
    cluster_row_id: int
    subnet_group_name: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    vpc_security_group_ids: list[str]
    created: datetime
    status: str  # creating | active | modifying | deleting
    vpc_endpoint_id: str
    # The local port the endpoint serves on (the cluster's Port until it is served).
    port: int
    row_id: int = 0


@dataclass
class EndpointAuthorizationRecord:
    """A grant by a cluster's owner (``account``) to another account; ``name`` is ``<cluster row id>:<grantee>``."""

    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str
    cluster_row_id: int
    grantee: str
    authorize_time: datetime
    allowed_all_vpcs: bool
    allowed_vpcs: list[str] = field(default_factory=list)
    status: str = "Authorized"
    row_id: int = 0


@dataclass
class AuthenticationProfileRecord:
    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str
    content: str
    row_id: int = 0


@dataclass
class HsmClientCertificateRecord:
    ARN_TYPE: ClassVar[str | None] = "hsmclientcertificate"
    account: str
    region: str
    name: str
    public_key: str
    row_id: int = 0


@dataclass
class HsmConfigurationRecord:
    ARN_TYPE: ClassVar[str | None] = "hsmconfiguration"
    account: str
    region: str
    name: str
    description: str
    ip_address: str
    partition_name: str
    row_id: int = 0


@dataclass
class ScheduledActionRecord:
    ARN_TYPE: ClassVar[str | None] = None  # scheduled actions have no ARN
    account: str
    region: str
    name: str
    # The target: PauseCluster, ResumeCluster or ResizeCluster, and its parameters as the API gives them.
    target_type: str
    target: dict[str, Any]
    schedule: str  # at(...) or cron(...), as given
    iam_role: str
    description: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    enabled: bool = True
    # The invocation the scheduler runs next (None: no invocation is left, or the action is disabled).
    next_run: datetime | None = None
    # When it last ran, and why that run failed (None: it succeeded).
    last_run: datetime | None = None
    last_failure: str | None = None
    row_id: int = 0


@dataclass
class ParameterGroupRecord:
    ARN_TYPE: ClassVar[str | None] = "parametergroup"
    account: str
    region: str
    name: str
    family: str
    description: str
    # Values set by ModifyClusterParameterGroup (Source "user"); the others are the family's defaults.
    values: dict[str, str] = field(default_factory=dict)
    row_id: int = 0


@dataclass
class PartnerRecord:
    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    # "<cluster row id>/<database>/<partner>": one integration per partner and database of a cluster, which
    # follows the cluster when it is renamed.
    name: str
    cluster_row_id: int
    database_name: str
    partner_name: str
    status: str  # Active | Inactive | RuntimeFailure | ConnectionFailure
    created_at: datetime
    updated_at: datetime
    status_message: str | None = None
    row_id: int = 0


@dataclass
class ReservedNodeRecord:
    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str  # the ReservedNodeId
    offering_id: str
    node_type: str
    node_count: int
    start_time: datetime
    duration: int
    fixed_price: float
    usage_price: float
    offering_type: str
    exchanged: bool = False  # exchanged for another reservation (reserved_node_exchange.py): retired
    row_id: int = 0


@dataclass
class ReservedNodeExchangeRecord:
    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str  # the ReservedNodeExchangeRequestId
    source_node_id: str
    source_node_type: str
    source_node_count: int
    target_offering_id: str
    target_node_type: str
    target_node_count: int
    request_time: datetime
    status: str = "SUCCEEDED"
    row_id: int = 0


@dataclass
class ResourcePolicyRecord:
    """A resource policy (PutResourcePolicy), named by the ARN it was put on; it goes with its cluster."""
    ARN_TYPE: ClassVar[str | None] = None
    account: str
    region: str
    name: str  # the ResourceArn, as given
    policy: str
    cluster_row_id: int
    row_id: int = 0
