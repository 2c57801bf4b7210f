"""Cross-region snapshot copy of a namespace: Create/Update/Delete/ListSnapshotCopyConfigurations,
and the copies they make.

A namespace copies to one destination region at a time.  Every snapshot of it that becomes
AVAILABLE gets a copy in the destination region of the same account, of the same name, kept for
the configuration's snapshotRetentionPeriod; it is COPYING until its data is there, then
AVAILABLE, and restores there with its data.  As for provisioned copies, the copy shares the
source's data in the one local store (the data plane's copy_snapshot), so it is cheap.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from localshift.services.common.regions import is_copy_destination
from localshift.services.context import RequestContext
from localshift.services.serverless import paging, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_own
from localshift.services.serverless.validation import not_found, validation_error
from localshift.store.database import DuplicateError
from localshift.store.serverless import NamespaceRecord, ServerlessSnapshotRecord, SnapshotCopyConfigurationRecord

COPYING = "COPYING"
# Destination regions per namespace ("one destination AWS Region at a time").
MAX_PER_NAMESPACE = 1


def render(configuration: SnapshotCopyConfigurationRecord) -> dict[str, Any]:
    return {
        "snapshotCopyConfigurationId": configuration.name,
        "snapshotCopyConfigurationArn": configuration.arn,
        "namespaceName": configuration.namespace_name,
        "destinationRegion": configuration.destination_region,
        "snapshotRetentionPeriod": configuration.retention_period,
        "destinationKmsKeyId": configuration.destination_kms_key_id,
    }


def _find(backend: ServerlessBackend, ctx: RequestContext, configuration_id: str) -> SnapshotCopyConfigurationRecord:
    return find_own(backend.copy_configurations, ctx, configuration_id, "Snapshot copy configuration")


def _of_namespace(backend: ServerlessBackend, account: str, region: str,
                  namespace_row_id: int) -> list[SnapshotCopyConfigurationRecord]:
    return [c for c in backend.copy_configurations.all_of(account, region) if c.namespace_row_id == namespace_row_id]


def create_snapshot_copy_configuration(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    destination = p["destinationRegion"]
    if not is_copy_destination("redshift-serverless", ctx.region, destination):
        raise validation_error(
            f"destinationRegion {destination} is not valid: name another AWS Region where Amazon Redshift "
            f"Serverless is available, in the same partition as {ctx.region}."
        )
    retention = validation.retention(p.get("snapshotRetentionPeriod", -1), "snapshotRetentionPeriod")
    with backend.db.transaction():
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        if len(_of_namespace(backend, ctx.account, ctx.region, namespace.row_id)) >= MAX_PER_NAMESPACE:
            raise validation.quota_exceeded(
                f"Namespace {namespace.name} already copies its snapshots to another region. Delete that "
                "snapshot copy configuration first."
            )
        configuration_id = str(uuid.uuid4())
        configuration = backend.copy_configurations.insert(SnapshotCopyConfigurationRecord(
            account=ctx.account,
            region=ctx.region,
            name=configuration_id,
            arn=validation.arn(ctx.region, ctx.account, "snapshotcopyconfiguration", configuration_id),
            namespace_name=namespace.name,
            namespace_row_id=namespace.row_id,
            destination_region=destination,
            retention_period=retention,
            destination_kms_key_id=p.get("destinationKmsKeyId"),
        ))
    return {"snapshotCopyConfiguration": render(configuration)}


def update_snapshot_copy_configuration(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    configuration = _find(backend, ctx, p["snapshotCopyConfigurationId"])
    if "snapshotRetentionPeriod" in p:
        # Copies made from now on are kept for the new period.
        retention = validation.retention(p["snapshotRetentionPeriod"], "snapshotRetentionPeriod")
        changed = backend.copy_configurations.mutate(
            configuration.row_id, lambda c: setattr(c, "retention_period", retention))
        if changed is None:
            raise not_found(f"Snapshot copy configuration {p['snapshotCopyConfigurationId']} not found.")
        configuration = changed
    return {"snapshotCopyConfiguration": render(configuration)}


def delete_snapshot_copy_configuration(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    with backend.db.transaction():
        configuration = _find(backend, ctx, p["snapshotCopyConfigurationId"])
        # Copies already made stay in the destination region until their retention ends.
        backend.copy_configurations.delete(configuration)
    return {"snapshotCopyConfiguration": render(configuration)}


def list_snapshot_copy_configurations(
    backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]
) -> dict[str, Any]:
    configurations = backend.copy_configurations.all_of(ctx.account, ctx.region)
    if "namespaceName" in p:
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        configurations = [c for c in configurations if c.namespace_row_id == namespace.row_id]
    page, token = paging.page(configurations, lambda record: record.row_id, p, "snapshot-copies")
    return {"snapshotCopyConfigurations": [render(c) for c in page], "nextToken": token}


def forget_namespace(backend: ServerlessBackend, namespace: NamespaceRecord) -> None:
    """A namespace being deleted copies nothing more: its copy configurations go with it."""
    for configuration in _of_namespace(backend, namespace.account, namespace.region, namespace.row_id):
        backend.copy_configurations.delete(configuration)


def new_copies(backend: ServerlessBackend, snapshot_row_id: int) -> list[ServerlessSnapshotRecord]:
    """The destination-region copies, COPYING, of a snapshot that just became AVAILABLE, one per copy
    configuration of its namespace; the caller copies the data into them.  A destination region that
    has a snapshot of that name already gets no copy."""
    source = backend.snapshots.get_by_id(snapshot_row_id)
    if source is None or source.status != "AVAILABLE" or source.source_region is not None:
        return []
    copies = []
    for configuration in _of_namespace(backend, source.account, source.region, source.namespace_row_id):
        snapshot_id = str(uuid.uuid4())
        copy = dataclasses.replace(
            source,
            row_id=0,
            region=configuration.destination_region,
            snapshot_id=snapshot_id,
            arn=validation.arn(configuration.destination_region, source.account, "snapshot", snapshot_id),
            status=COPYING,
            source_region=source.region,
            kms_key_id=configuration.destination_kms_key_id or "AWS_OWNED_KMS_KEY",
            retention_period=configuration.retention_period,
            retention_start_time=None,
            data_key=None,
            resource_policy=None,
            progress_mb=0.0,
            rate_mb_per_s=0.0,
            elapsed_seconds=0,
            estimated_seconds_to_completion=-1,
        )
        try:
            copies.append(backend.snapshots.insert(copy))
        except DuplicateError:
            continue
    return copies


OPERATIONS = {
    "CreateSnapshotCopyConfiguration": create_snapshot_copy_configuration,
    "UpdateSnapshotCopyConfiguration": update_snapshot_copy_configuration,
    "DeleteSnapshotCopyConfiguration": delete_snapshot_copy_configuration,
    "ListSnapshotCopyConfigurations": list_snapshot_copy_configurations,
}
