"""Namespace operations: CreateNamespace, GetNamespace, ListNamespaces, UpdateNamespace, DeleteNamespace.

A namespace has no CREATING status in the model: it is AVAILABLE at once.  Its
data (an engine) is made the first time something needs it; see lifecycle.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from localshift.records import password_verifier
from localshift.services.context import RequestContext
from localshift.services.common.passwords import generated_password, managed_password, managed_password_secret
from localshift.services.serverless import lifecycle, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace
from localshift.services.serverless.snapshots import insert_snapshot
from localshift.services.serverless.validation import busy, conflict, validation_error
from localshift.services.serverless.views import namespace_view
from localshift.store.database import DuplicateError
from localshift.store.secrets import pending_key
from localshift.store.serverless import CredentialsPlan, DeletePlan, NamespaceRecord

DEFAULT_PAGE = 100

# UpdateNamespace changes one group of settings per request (its documentation).
_UPDATE_GROUPS = {
    "admin credentials": ("adminUsername", "adminUserPassword", "manageAdminPassword", "adminPasswordSecretKmsKeyId"),
    "IAM roles": ("iamRoles", "defaultIamRoleArn"),
    "KMS key": ("kmsKeyId",),
    "log exports": ("logExports",),
}


def _credentials(p: dict[str, Any]) -> tuple[str | None, str | None, bool | None]:
    """(username, password, managed) an update of the admin credentials asks for, checked."""
    username, password = p.get("adminUsername"), p.get("adminUserPassword")
    managed = p.get("manageAdminPassword")
    if password is not None and managed:
        raise validation_error("You can't use adminUserPassword if manageAdminPassword is true.")
    if "adminPasswordSecretKmsKeyId" in p and not managed:
        raise validation_error("adminPasswordSecretKmsKeyId can only be used when manageAdminPassword is true.")
    # A password alone is the password of the default admin user (AWS names it admin).
    if username is not None and password is None and not managed:
        raise validation_error("adminUsername must be given together with adminUserPassword (or manageAdminPassword).")
    return (
        validation.admin_username(username) if username is not None else None,
        validation.admin_password(password) if password is not None else None,
        managed,
    )


def create_namespace(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["namespaceName"]
    username, password, managed = _credentials(p)
    roles = validation.iam_roles(p.get("iamRoles", []), p.get("defaultIamRoleArn"))
    tags = validation.tags(p.get("tags", []))
    namespace_id = str(uuid.uuid4())
    secret = managed_password_secret(ctx, name) if managed else None
    engine_username = username or lifecycle.DEFAULT_ENGINE_USER
    # The engine's password: the one given, a managed one (kept in its secret), or a random one.
    verifier = (
        managed_password(backend.secrets, secret, engine_username) if secret
        else password_verifier(engine_username, password or generated_password())
    )
    namespace = NamespaceRecord(
        account=ctx.account,
        region=ctx.region,
        name=name,
        namespace_id=namespace_id,
        arn=validation.arn(ctx.region, ctx.account, "namespace", namespace_id),
        status="AVAILABLE",
        create_time=ctx.now,
        db_name=validation.db_name(p.get("dbName", "dev")),
        # AWS reports the admin user whether it was named or not (admin by default).
        admin_username=engine_username,
        admin_password_md5=verifier,
        admin_password_secret_arn=secret,
        admin_password_secret_kms_key_id=p.get("adminPasswordSecretKmsKeyId"),
        kms_key_id=validation.kms_key_id(p.get("kmsKeyId", validation.DEFAULT_KMS_KEY)),
        iam_roles=roles,
        default_iam_role_arn=p.get("defaultIamRoleArn"),
        log_exports=p.get("logExports", []),
        redshift_idc_application_arn=p.get("redshiftIdcApplicationArn"),
    )
    try:
        with backend.db.transaction():
            backend.namespaces.insert(namespace)
            backend.tags.put(namespace.arn, tags)
    except DuplicateError:
        if secret:
            backend.secrets.delete(secret)
        raise conflict(f"Namespace {name} already exists.") from None
    return {"namespace": namespace_view(namespace)}


def get_namespace(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"namespace": namespace_view(find_namespace(backend, ctx, p["namespaceName"]))}


def list_namespaces(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    token = validation.page_token(p.get("nextToken"), (int,))
    records, next_token = backend.namespaces.page(ctx.account, ctx.region, p.get("maxResults", DEFAULT_PAGE), token)
    return {"namespaces": [namespace_view(n) for n in records], "nextToken": next_token}


def update_namespace(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    groups = [group for group, members in _UPDATE_GROUPS.items() if any(m in p for m in members)]
    if len(groups) > 1:
        raise validation_error(f"You can't update {' and '.join(groups)} in one request.")
    with backend.db.transaction():
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        if namespace.status != "AVAILABLE":
            raise busy("namespace", namespace.name, namespace.status, "updating")
        if groups == ["admin credentials"]:
            _update_credentials(backend, ctx, namespace, p)
        elif groups == ["IAM roles"]:
            roles = validation.iam_roles(p.get("iamRoles", namespace.iam_roles), p.get("defaultIamRoleArn"))
            default = p.get("defaultIamRoleArn", namespace.default_iam_role_arn)
            # A default role that is no longer among the roles is dropped.
            namespace.iam_roles, namespace.default_iam_role_arn = roles, default if default in roles else None
        elif groups == ["KMS key"]:
            namespace.kms_key_id = validation.kms_key_id(p["kmsKeyId"])
        elif groups == ["log exports"]:
            namespace.log_exports = p["logExports"]
        backend.namespaces.update(namespace)
    if namespace.credentials_plan is not None:
        backend.submit_for(ctx.account, lifecycle.set_admin_credentials, namespace.row_id)
    if groups == ["IAM roles"]:
        backend.submit_for(ctx.account, lifecycle.write_facts, namespace.row_id)  # DEFAULT_IAM_ROLE() in its SQL
    return {"namespace": namespace_view(namespace)}


def _update_credentials(backend: ServerlessBackend, ctx: RequestContext, namespace: NamespaceRecord, p: dict[str, Any]) -> None:
    username, password, managed = _credentials(p)
    if password is not None and username is None:
        # UpdateNamespace's documentation: "you must specify both adminUsername and adminUserPassword to update
        # either field" (CreateNamespace takes a password alone for the default admin user).
        raise validation_error("adminUserPassword must be updated together with adminUsername.")
    if managed is False and password is None:
        raise validation_error("Give adminUserPassword to stop managing the admin password in Secrets Manager.")
    if managed:
        # Secrets Manager now holds a new password that Redshift generated.
        namespace.admin_password_secret_arn = namespace.admin_password_secret_arn or managed_password_secret(
            ctx, namespace.name
        )
        namespace.admin_password_secret_kms_key_id = p.get(
            "adminPasswordSecretKmsKeyId", namespace.admin_password_secret_kms_key_id
        )
    elif managed is False and namespace.admin_password_secret_arn:
        secret = namespace.admin_password_secret_arn
        backend.secrets.delete(secret, pending_key(secret))
        namespace.admin_password_secret_arn = namespace.admin_password_secret_kms_key_id = None
    username = username or lifecycle.engine_user(namespace)
    if managed:
        # Until the engine has it, the new password is the secret's pending value.
        secret_key = namespace.admin_password_secret_arn
        assert secret_key is not None  # made above
        if namespace.engine_generation:
            secret_key = pending_key(secret_key)
        verifier = managed_password(backend.secrets, secret_key, username)
    elif password is not None:
        verifier = password_verifier(username, password)
    else:
        return  # the password stays as it is
    if namespace.engine_generation:
        # The engine learns the new credentials in the background; MODIFYING until it has.
        namespace.credentials_plan = CredentialsPlan(username, verifier)
        namespace.status = "MODIFYING"
    else:
        namespace.admin_username, namespace.admin_password_md5 = username, verifier


def delete_namespace(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    final_name = p.get("finalSnapshotName")
    retention = p.get("finalSnapshotRetentionPeriod")
    if retention is not None and final_name is None:
        raise validation_error("finalSnapshotRetentionPeriod needs finalSnapshotName.")
    final_name = validation.snapshot_name(final_name, "finalSnapshotName") if final_name is not None else None
    retention = validation.retention(retention, "finalSnapshotRetentionPeriod") if retention is not None else -1
    with backend.db.transaction():
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        if namespace.status != "AVAILABLE":
            raise busy("namespace", namespace.name, namespace.status, "deleting")
        workgroups = backend.workgroups.of_namespace(ctx.account, ctx.region, namespace.name)
        if workgroups:
            raise conflict(
                f"Namespace {namespace.name} is associated with workgroup {workgroups[0].name}; delete the workgroup first."
            )
        if any(s.status == "CREATING" for s in backend.snapshots.of_namespace_row(namespace.row_id)):
            raise conflict(f"A snapshot of namespace {namespace.name} is being created; try again when it is done.")
        final = insert_snapshot(backend, ctx, namespace, final_name, retention) if final_name else None
        namespace.status = "DELETING"
        namespace.delete_plan = DeletePlan(final.row_id if final else None)
        backend.namespaces.update(namespace)
    backend.submit_for(ctx.account, lifecycle.delete_namespace, namespace.row_id, final.row_id if final else None)
    return {"namespace": namespace_view(namespace)}


OPERATIONS = {
    "CreateNamespace": create_namespace,
    "GetNamespace": get_namespace,
    "ListNamespaces": list_namespaces,
    "UpdateNamespace": update_namespace,
    "DeleteNamespace": delete_namespace,
}
