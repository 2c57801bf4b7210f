"""RestoreFromSnapshot: a namespace's data replaced by a snapshot's, served by its workgroup.

The snapshot is a serverless one (the caller's own, or shared with it by a
resource policy: ``snapshotName`` + ``ownerAccount``, or ``snapshotArn``) or a
provisioned cluster snapshot named by its ARN (owned, or shared with the caller
by AuthorizeSnapshotAccess).  The namespace and workgroup are MODIFYING until
the data is restored; the restore reads a lease on the snapshot's data, so it
finishes even if access is revoked or the snapshot deleted meanwhile.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from localshift.errors import ApiError
from localshift.services.common.arns import PROVISIONED, service_of
from localshift.services.common.jobs import release_lease, take_lease
from localshift.services.common.passwords import managed_password, managed_password_secret
from localshift.services.context import RequestContext
from localshift.services.redshift.arns import snapshot_arn
from localshift.services.redshift.snapshot_lookup import shared_snapshot_by_arn
from localshift.services.serverless import workgroup_lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_workgroup, owner_account, visible_snapshot
from localshift.services.serverless.validation import conflict, not_found, validation_error
from localshift.services.serverless.views import namespace_view
from localshift.store.secrets import pending_key
from localshift.store.serverless import RESTORE, NamespaceRecord, RestorePlan


@dataclass(frozen=True)
class RestoreSource:
    """What a restore brings back, from either kind of snapshot."""

    owner: str
    name: str
    arn: str
    available: bool
    data_key: str | None
    admin_username: str | None  # as the namespace will show it
    engine_username: str  # the login the engine gets the password for
    password_md5: str  # its verifier (records.password_verifier)
    db_name: str
    kind: str = "Snapshot"  # what it is, in messages


def _serverless_source(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> RestoreSource:
    snapshot = visible_snapshot(backend, ctx, p.get("snapshotName"), p.get("snapshotArn"), p.get("ownerAccount"))
    if snapshot.account != ctx.account and RESTORE not in backend.snapshots.grant_kinds(snapshot, ctx.account):
        # Shared for restore into provisioned clusters only: the policy does not allow this action.
        raise ApiError(
            "AccessDeniedException",
            f"User: {ctx.account} is not authorized to perform: redshift-serverless:RestoreFromSnapshot "
            f"on resource: {snapshot.arn}",
            status=403,
        )
    return RestoreSource(
        owner=snapshot.account,
        name=snapshot.name,
        arn=snapshot.arn,
        available=snapshot.status == "AVAILABLE",
        data_key=snapshot.data_key,
        admin_username=snapshot.admin_username,
        engine_username=snapshot.engine_username,
        password_md5=snapshot.admin_password_md5,
        db_name=snapshot.db_name,
    )


def _provisioned_source(backend: ServerlessBackend, ctx: RequestContext, arn: str, owner: str | None) -> RestoreSource:
    try:
        snapshot = shared_snapshot_by_arn(backend.redshift, ctx, arn, owner)
    except ApiError:
        raise validation_error(f"snapshotArn {arn} is not a valid snapshot ARN.") from None
    if snapshot is None:
        raise not_found(f"Serverless snapshot {arn} not found.")
    return RestoreSource(
        owner=snapshot.account,
        name=snapshot.identifier,
        arn=snapshot_arn(snapshot.region, snapshot.account, snapshot.cluster_identifier, snapshot.identifier),
        available=snapshot.status == "available",
        data_key=snapshot.data_key,
        admin_username=snapshot.master_username,
        engine_username=snapshot.master_username,
        password_md5=snapshot.cluster_config.get("master_password_md5", ""),
        db_name=snapshot.db_name,
    )


def restore_from_snapshot(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    arn = p.get("snapshotArn")
    owner = owner_account(p.get("ownerAccount"))
    if "adminPasswordSecretKmsKeyId" in p and not p.get("manageAdminPassword", False):
        raise validation_error("adminPasswordSecretKmsKeyId can only be used when manageAdminPassword is true.")
    if arn is not None and p.get("snapshotName") is None and service_of(arn) == PROVISIONED:
        source = _provisioned_source(backend, ctx, arn, owner)
    else:
        source = _serverless_source(backend, ctx, p)
    namespace = start_restore(backend, ctx, p, source)
    return {"namespace": namespace_view(namespace), "ownerAccount": source.owner, "snapshotName": source.name}


def start_restore(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any],
                  source: RestoreSource) -> NamespaceRecord:
    """Accept a restore of ``source`` into the namespace and workgroup ``p`` names: both MODIFYING
    until the job (workgroup_lifecycle.restore_namespace) is done, a lease held on the source's data."""
    managed = p.get("manageAdminPassword", False)
    namespace = find_namespace(backend, ctx, p["namespaceName"])
    workgroup = find_workgroup(backend, ctx, p["workgroupName"])
    if workgroup.namespace_name != namespace.name:
        raise validation_error(f"Workgroup {workgroup.name} is not associated with namespace {namespace.name}.")
    if not source.available:
        raise conflict(f"{source.kind} {source.name} is not AVAILABLE.")
    # The snapshot's admin credentials come back with its data.  A namespace whose password
    # is managed (now, or from this request on) gets a new one, so that its secret opens the data.
    secret_arn = namespace.admin_password_secret_arn
    secret_key = namespace.admin_password_secret_kms_key_id
    if managed:
        secret_arn = secret_arn or managed_password_secret(ctx, namespace.name)
        secret_key = p.get("adminPasswordSecretKmsKeyId", secret_key)
    lease_key = f"serverless-restore-lease-{namespace.row_id}-{uuid.uuid4().hex[:12]}"
    try:
        lease = take_lease(backend, source.data_key, lease_key) if source.data_key is not None else None
    except Exception:
        raise conflict(f"{source.kind} {source.name} can't be restored: its data is no longer available.") from None
    try:
        with backend.db.transaction():
            namespace = find_namespace(backend, ctx, namespace.name)
            workgroup = find_workgroup(backend, ctx, workgroup.name)
            for kind, record in (("Namespace", namespace), ("Workgroup", workgroup)):
                if record.status != "AVAILABLE":
                    raise conflict(f"{kind} {record.name} is {record.status}; a restore needs it AVAILABLE.")
            password_md5 = source.password_md5
            if secret_arn:
                # The secret's pending value until the restore is done (then it is the secret's value).
                password_md5 = managed_password(backend.secrets, pending_key(secret_arn), source.engine_username)
            namespace.status = workgroup.status = "MODIFYING"
            namespace.restore_plan = RestorePlan(
                lease=lease,
                workgroup_row_id=workgroup.row_id,
                admin_username=source.admin_username,
                engine_username=source.engine_username,
                password_md5=password_md5,
                db_name=source.db_name,
                secret_arn=secret_arn,
                secret_kms_key_id=secret_key,
                snapshot_arn=source.arn,
            )
            backend.namespaces.update(namespace)
            backend.workgroups.update(workgroup)
    except ApiError:
        release_lease(backend, lease)
        raise
    backend.submit_for(ctx.account, workgroup_lifecycle.restore_namespace, namespace.row_id)
    return namespace


OPERATIONS = {"RestoreFromSnapshot": restore_from_snapshot}
