"""EnableLogging, DisableLogging, DescribeLoggingStatus (the logs themselves: logging_lifecycle.py, docs/logging.md).

There is no Amazon S3 here: a well-formed bucket name is a bucket the cluster may write
to, and its logs land in the service's log directory under the bucket's name, with the
keys Redshift gives them.
"""

from __future__ import annotations

import re
from typing import Any

from localshift.dataplane.api import LogTarget
from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.records import AuditLogging, ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import logging_lifecycle
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster, find_cluster

# Amazon S3's bucket naming rules.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")
MAX_PREFIX = 512
# Statuses in which logging can't be changed.
_BUSY = {"creating", "deleting", "final-snapshot"}


def _check_bucket(name: str) -> str:
    if not _BUCKET.fullmatch(name) or ".." in name or _IP_ADDRESS.fullmatch(name) or name.startswith("xn--"):
        raise ApiError("InvalidS3BucketNameFault", f"The S3 bucket name {name} is not valid.")
    return name


def _check_prefix(prefix: str, account: str) -> str:
    # The Management Guide: at most 512 characters, none of x00-x20, x22, x27, x5c, x7f or above.
    # "." and ".." as path segments are refused too: the logs are files here.  And a bucket here is
    # every account's (there are no bucket policies to say who may put objects where), so a prefix
    # may not lead into another account's logs: AWSLogs/<account>/ is where each account's go (a
    # reset of that account would delete what another put there, and its logs would hold files
    # of another's making).
    parts = [part for part in prefix.split("/") if part]  # the folders the logs go under (log_target)
    bad = any(ord(c) <= 0x20 or c in "\"'\\" or ord(c) >= 0x7F for c in prefix)
    foreign = any(part.lower() == "awslogs" and parts[i + 1:i + 2] not in ([account], [])
                  for i, part in enumerate(parts))
    if bad or foreign or len(prefix) > MAX_PREFIX or any(part in (".", "..") for part in parts):
        raise ApiError("InvalidS3KeyPrefixFault", f"The S3 key prefix {prefix} is not valid.")
    return prefix


def _status(settings: AuditLogging | None) -> dict[str, Any]:
    """DescribeLoggingStatus's shape: LoggingEnabled false for a cluster that never logged."""
    if settings is None:
        return {"LoggingEnabled": False}
    view: dict[str, Any] = {"LoggingEnabled": settings.enabled}
    if settings.enabled:
        view["LogDestinationType"] = settings.destination_type
        if settings.bucket_name:
            view["BucketName"] = settings.bucket_name
        if settings.s3_key_prefix:
            view["S3KeyPrefix"] = settings.s3_key_prefix
        if settings.log_exports:
            view["LogExports"] = list(settings.log_exports)
    for key, value in (("LastSuccessfulDeliveryTime", settings.last_successful_delivery_time),
                       ("LastFailureTime", settings.last_failure_time),
                       ("LastFailureMessage", settings.last_failure_message)):
        if value is not None:
            view[key] = value
    return view


def enable_logging(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    destination = p.get("LogDestinationType", "s3")
    exports = p.get("LogExports", [])
    for log_type in exports:
        if log_type not in logging_lifecycle.LOG_TYPES:
            raise invalid_parameter(f"Invalid log export type: {log_type}. "
                                    f"Valid values: {', '.join(logging_lifecycle.LOG_TYPES)}.")
    if destination == "s3":
        if not p.get("BucketName"):
            raise invalid_parameter("BucketName is required when the log destination type is s3.")
        bucket: str | None = _check_bucket(p["BucketName"])
        prefix = _check_prefix(p.get("S3KeyPrefix", ""), ctx.account) or None
    else:
        if "BucketName" in p or "S3KeyPrefix" in p:
            raise invalid_combination("BucketName and S3KeyPrefix can't be given with the cloudwatch log destination.")
        if not exports:
            raise invalid_parameter("LogExports is required when the log destination type is cloudwatch.")
        bucket = prefix = None

    def change(cluster: ClusterRecord) -> None:
        if cluster.status in _BUSY:
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is {cluster.status}.")
        previous = cluster.logging
        cluster.logging = AuditLogging(
            enabled=True, destination_type=destination, bucket_name=bucket, s3_key_prefix=prefix,
            log_exports=sorted(set(exports), key=logging_lifecycle.LOG_TYPES.index),
            last_successful_delivery_time=previous.last_successful_delivery_time if previous else None,
        )

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    backend.submit_for(ctx.account, logging_lifecycle.capture, cluster.row_id)
    return _status(cluster.logging)


def disable_logging(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    stopping: list[tuple[list[str], LogTarget]] = []

    def change(cluster: ClusterRecord) -> None:
        if cluster.status in _BUSY:
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is {cluster.status}.")
        if cluster.logging is not None and cluster.logging.enabled:
            # What is logged until now is still delivered, where it was going.
            stopping.append((logging_lifecycle.capture_types(cluster), logging_lifecycle.log_target(cluster)))
            cluster.logging.enabled = False

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    for types, target in stopping:
        backend.submit_for(ctx.account, logging_lifecycle.stop_logging, cluster.row_id, types, target)
    return _status(cluster.logging)


def describe_logging_status(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _status(find_cluster(backend, ctx, p["ClusterIdentifier"]).logging)


OPERATIONS = {
    "EnableLogging": enable_logging,
    "DisableLogging": disable_logging,
    "DescribeLoggingStatus": describe_logging_status,
}
