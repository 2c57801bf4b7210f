"""Redshift's events, as data: id, source type, category, severity and message of each.

From the Management Guide's "Amazon Redshift event categories and event
messages" and what DescribeEventCategories answers.  A message is a
``str.format`` template; the same text with ``<placeholders>`` is the
EventDescription DescribeEventCategories lists.  Categories are lowercase, as
Redshift answers them.  The ids docs/behaviour.md names as localshift's own
(resume, snapshot schedules) are not in AWS's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONFIGURATION, MANAGEMENT, MONITORING, SECURITY = "configuration", "management", "monitoring", "security"
INFO, ERROR = "INFO", "ERROR"


@dataclass(frozen=True)
class SourceType:
    name: str  # DescribeEvents' SourceType
    argument: str  # the message argument that names the source (its SourceIdentifier)
    arn_resource: str  # the ARN after arn:aws:redshift:REGION:ACCOUNT:, a template over the message arguments


SOURCE_TYPES = {
    source.name: source
    for source in (
        SourceType("cluster", "cluster", "cluster:{cluster}"),
        SourceType("cluster-parameter-group", "parameter_group", "parametergroup:{parameter_group}"),
        SourceType("cluster-security-group", "security_group", "securitygroup:{security_group}"),
        SourceType("cluster-snapshot", "snapshot", "snapshot:{cluster}/{snapshot}"),
        SourceType("scheduled-action", "scheduled_action", "scheduledaction:{scheduled_action}"),
    )
}

# What each message argument stands for in EventDescription.
_PLACEHOLDERS = {
    "cluster": "cluster name", "new_cluster": "new cluster identifier", "snapshot": "snapshot name",
    "time": "time in UTC", "started": "time in UTC", "hours": "hours", "final": "was / was not",
    "parameter_group": "parameter group name", "parameter": "parameter name", "old_value": "value",
    "new_value": "value", "security_group": "security group name", "ec2_security_group": "security group name",
    "vpc": "VPC name", "subnet_group": "subnet name", "bucket": "S3 bucket name", "ip": "ip address",
    "source_region": "source region", "destination_region": "destination region", "schedule": "schedule name",
}


@dataclass(frozen=True)
class EventType:
    event_id: str
    source_type: str
    category: str
    severity: str
    message: str
    # The argument naming the source, when not the source type's own (a rename names the new identifier).
    source_argument: str | None = None

    @property
    def description(self) -> str:
        return re.sub(r"\{(\w+)\}", lambda match: f"<{_PLACEHOLDERS[match[1]]}>", self.message)

    @property
    def source(self) -> SourceType:
        return SOURCE_TYPES[self.source_type]


def _events(source_type: str, *rows: tuple[str, str, str, str] | tuple[str, str, str, str, str]) -> list[EventType]:
    return [EventType(f"REDSHIFT-EVENT-{row[0]}", source_type, *row[1:]) for row in rows]


_PARAMETER_GROUP_APPLIES = (
    "If you changed only dynamic parameters, associated clusters are being modified now. If you changed static "
    "parameters, all updates, including dynamic parameters, will be applied when you reboot the associated clusters."
)
_RETRY = "The team is investigating the issue. Please visit the AWS Management Console to retry the operation."

CATALOG: list[EventType] = [
    *_events(
        "cluster",
        ("1000", CONFIGURATION, INFO, f"The parameter group {{parameter_group}} was updated at {{time}}. "
                                      f"{_PARAMETER_GROUP_APPLIES}"),
        ("1001", CONFIGURATION, INFO, "Your Amazon Redshift cluster {cluster} was modified to use parameter group "
                                      "{parameter_group} at {time}."),
        ("1500", CONFIGURATION, ERROR, "VPC {vpc} does not exist. Configuration changes for cluster {cluster} were "
                                       "not applied."),
        ("1501", CONFIGURATION, ERROR, "Subnets in cluster subnet group {subnet_group} for Amazon VPC {vpc} do not "
                                       "exist or are invalid. Cluster {cluster} could not be created."),
        ("1502", CONFIGURATION, ERROR, "Subnets in cluster subnet group {subnet_group} have no available IP "
                                       "addresses. Cluster {cluster} could not be created."),
        ("1503", CONFIGURATION, ERROR, "VPC {vpc} has no Internet gateway. Configuration changes for cluster "
                                       "{cluster} were not applied."),
        ("1504", CONFIGURATION, ERROR, "Unable to connect to HSM for cluster {cluster}. Please consult the "
                                       "documentation for troubleshooting details."),
        ("1505", CONFIGURATION, ERROR, "Unable to register HSM for cluster {cluster}. Please provide a different "
                                       "configuration."),
        ("2000", MANAGEMENT, INFO, "Your Amazon Redshift cluster: {cluster} has been created and is ready for use."),
        ("2001", MANAGEMENT, INFO, "Your Amazon Redshift cluster {cluster} was deleted at {time}. A final snapshot "
                                   "{final} saved."),
        ("2002", MANAGEMENT, INFO, "VPC security groups for cluster {cluster} updated at {time}."),
        ("2003", MANAGEMENT, INFO, "Maintenance started on cluster {cluster} at {time}."),
        ("2004", MANAGEMENT, INFO, "Maintenance on cluster {cluster} completed at {time}."),
        ("2006", MANAGEMENT, INFO, "Cluster {cluster} resize started at {time}. Cluster is in read-only mode."),
        ("2007", MANAGEMENT, INFO, "A resize request for cluster {cluster} has been acknowledged."),
        ("2008", MANAGEMENT, INFO, "Your restore operation to create a new Amazon Redshift cluster {cluster} "
                                   "snapshot {snapshot} was started at {time}. To monitor restore progress, please "
                                   "visit the AWS Management Console."),
        ("2013", MANAGEMENT, INFO, "Cluster renamed to {new_cluster} at {time}.", "new_cluster"),
        ("3000", MONITORING, INFO, "Your Amazon Redshift cluster {cluster} was rebooted at {time}."),
        ("3001", MONITORING, INFO, "Cluster {cluster} node replaced at {time}. Cluster operating normally."),
        ("3002", MONITORING, INFO, "The resize for your Amazon Redshift cluster {cluster} is complete and your "
                                   "cluster is available for reads and writes. The resize was initiated at "
                                   "{started} and took {hours} hours to complete."),
        ("3003", MONITORING, INFO, "Amazon Redshift cluster {cluster} was successfully created from snapshot "
                                   "{snapshot} and is available for use."),
        ("3007", MONITORING, INFO, "Your Snapshot {snapshot} was successfully copied from region {source_region} to "
                                   "{destination_region} at {time}."),
        ("3500", MONITORING, ERROR, "Cluster {cluster} resize failed at {time}. Operation will be retried within a "
                                    "few minutes."),
        ("3501", MONITORING, ERROR, "Cluster restore {cluster} from cluster snapshot {snapshot} failed at {time}. "
                                    "Retry from the Amazon Redshift console."),
        ("3504", MONITORING, ERROR, "S3 bucket {bucket} is no longer valid for logging for cluster {cluster}."),
        ("3505", MONITORING, ERROR, "The S3 Bucket {bucket} does not have the necessary IAM policies for cluster "
                                    "{cluster}."),
        ("3506", MONITORING, ERROR, "S3 bucket {bucket} does not exist. Logging cannot be continued for cluster "
                                    "{cluster}."),
        ("3507", MONITORING, ERROR, "Cluster {cluster} cannot be created. EIP {ip} is currently in use."),
        ("3508", MONITORING, ERROR, "Cluster {cluster} cannot be created. EIP {ip} could not be found."),
        ("3509", MONITORING, ERROR, "Cross Region Snapshot Copy is not enabled for cluster {cluster}."),
        # localshift's own: AWS's table gives no schedule events.
        ("3540", MANAGEMENT, INFO, "The snapshot schedule {schedule} was associated with your Amazon Redshift "
                                   "cluster {cluster} at {time}."),
        ("3541", MANAGEMENT, INFO, "The snapshot schedule {schedule} was disassociated from your Amazon Redshift "
                                   "cluster {cluster} at {time}."),
        ("3542", MANAGEMENT, INFO, "The snapshot schedule {schedule} of your Amazon Redshift cluster {cluster} was "
                                   "modified at {time}."),
        ("3618", MONITORING, INFO, "The cluster {cluster} pause operation started at {time}."),
        ("3619", MONITORING, INFO, "Amazon Redshift cluster {cluster} was successfully paused at {time}."),
        # localshift's own ids for a resume, beside the pause's.
        ("3620", MONITORING, INFO, "The cluster {cluster} resume operation started at {time}."),
        ("3621", MONITORING, INFO, "Amazon Redshift cluster {cluster} was successfully resumed at {time}."),
        ("4000", SECURITY, INFO, "Your admin credentials for your Amazon Redshift cluster: {cluster} were updated "
                                 "at {time}."),
        ("4001", SECURITY, INFO, "The security group {security_group} was modified at {time}. The changes will take "
                                 "place for all associated clusters automatically."),
        ("4500", SECURITY, ERROR, "A VPC security group is invalid. Configuration changes for cluster {cluster} "
                                  "were not applied."),
        ("4501", SECURITY, ERROR, "An EC2 security group {ec2_security_group} specified in cluster security group "
                                  "{security_group} was not found. Authorization cannot be completed."),
    ),
    *_events(
        "cluster-parameter-group",
        ("1002", CONFIGURATION, INFO, "The parameter {parameter} was updated from {old_value} to {new_value} at "
                                      "{time}."),
        ("1003", CONFIGURATION, INFO, "Cluster parameter group {parameter_group} was created."),
        ("1004", CONFIGURATION, INFO, "Cluster parameter group {parameter_group} was deleted."),
        ("1005", CONFIGURATION, INFO, f"Cluster parameter group {{parameter_group}} was updated at {{time}}. "
                                      f"{_PARAMETER_GROUP_APPLIES}"),
    ),
    *_events(
        "cluster-security-group",
        ("4002", SECURITY, INFO, "Cluster security group {security_group} was created."),
        ("4003", SECURITY, INFO, "Cluster security group {security_group} was deleted."),
        ("4004", SECURITY, INFO, "Cluster security group {security_group} was changed at {time}. Changes will be "
                                 "automatically applied to all associated clusters."),
    ),
    *_events(
        "cluster-snapshot",
        ("2009", MANAGEMENT, INFO, "A user snapshot {snapshot} for Amazon Redshift Cluster {cluster} started at "
                                   "{time}. To monitor snapshot progress, please visit the AWS Management Console."),
        ("2010", MANAGEMENT, INFO, "The user snapshot {snapshot} for your Amazon Redshift cluster {cluster} was "
                                   "cancelled at {time}."),
        ("2011", MANAGEMENT, INFO, "The user snapshot {snapshot} for Amazon Redshift cluster {cluster} was deleted "
                                   "at {time}."),
        ("2012", MANAGEMENT, INFO, "The final snapshot {snapshot} for Amazon Redshift cluster {cluster} was started "
                                   "at {time}."),
        ("3004", MONITORING, INFO, "The user snapshot {snapshot} for your Amazon Redshift cluster {cluster} "
                                   "completed successfully at {time}."),
        ("3005", MONITORING, INFO, "The final snapshot {snapshot} for Amazon Redshift cluster {cluster} completed "
                                   "successfully at {time}."),
        ("3006", MONITORING, INFO, "The final snapshot {snapshot} for Amazon Redshift cluster {cluster} was "
                                   "cancelled at {time}."),
        ("3502", MONITORING, ERROR, f"The final snapshot {{snapshot}} for Amazon Redshift cluster {{cluster}} failed "
                                    f"at {{time}}. {_RETRY}"),
        ("3503", MONITORING, ERROR, f"The user snapshot {{snapshot}} for your Amazon Redshift cluster {{cluster}} "
                                    f"failed at {{time}}. {_RETRY}"),
    ),
]

BY_ID = {event.event_id: event for event in CATALOG}

# The events the services record, by what happened.
PARAMETER_GROUP_CHANGED = "REDSHIFT-EVENT-1001"
CLUSTER_CREATED = "REDSHIFT-EVENT-2000"
CLUSTER_DELETED = "REDSHIFT-EVENT-2001"
VPC_SECURITY_GROUPS_UPDATED = "REDSHIFT-EVENT-2002"
RESTORE_STARTED = "REDSHIFT-EVENT-2008"
CLUSTER_RENAMED = "REDSHIFT-EVENT-2013"
RESTORE_SUCCEEDED = "REDSHIFT-EVENT-3003"
SNAPSHOT_COPIED_TO_REGION = "REDSHIFT-EVENT-3007"
RESTORE_FAILED = "REDSHIFT-EVENT-3501"
SCHEDULE_ASSOCIATED = "REDSHIFT-EVENT-3540"
SCHEDULE_DISASSOCIATED = "REDSHIFT-EVENT-3541"
SCHEDULE_MODIFIED = "REDSHIFT-EVENT-3542"
PAUSE_STARTED = "REDSHIFT-EVENT-3618"
PAUSED = "REDSHIFT-EVENT-3619"
RESUME_STARTED = "REDSHIFT-EVENT-3620"
RESUMED = "REDSHIFT-EVENT-3621"
CREDENTIALS_UPDATED = "REDSHIFT-EVENT-4000"
SNAPSHOT_STARTED = "REDSHIFT-EVENT-2009"
SNAPSHOT_DELETED = "REDSHIFT-EVENT-2011"
FINAL_SNAPSHOT_STARTED = "REDSHIFT-EVENT-2012"
SNAPSHOT_COMPLETED = "REDSHIFT-EVENT-3004"
FINAL_SNAPSHOT_COMPLETED = "REDSHIFT-EVENT-3005"
FINAL_SNAPSHOT_FAILED = "REDSHIFT-EVENT-3502"
SNAPSHOT_FAILED = "REDSHIFT-EVENT-3503"
# Parameter groups, reboots and resizes (control-plane-cluster).
CLUSTER_PARAMETER_GROUP_UPDATED = "REDSHIFT-EVENT-1000"
PARAMETER_UPDATED = "REDSHIFT-EVENT-1002"
PARAMETER_GROUP_CREATED = "REDSHIFT-EVENT-1003"
PARAMETER_GROUP_DELETED = "REDSHIFT-EVENT-1004"
PARAMETER_GROUP_UPDATED = "REDSHIFT-EVENT-1005"
RESIZE_STARTED = "REDSHIFT-EVENT-2006"
RESIZE_ACKNOWLEDGED = "REDSHIFT-EVENT-2007"
REBOOTED = "REDSHIFT-EVENT-3000"
NODE_REPLACED = "REDSHIFT-EVENT-3001"
RESIZE_COMPLETED = "REDSHIFT-EVENT-3002"
RESIZE_FAILED = "REDSHIFT-EVENT-3500"
