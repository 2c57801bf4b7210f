"""GetCredentials: temporary database credentials for a workgroup's SQL endpoint, as the
caller's IAM identity (services/temporary_credentials.py)."""

from __future__ import annotations

from typing import Any

from localshift.services.context import RequestContext
from localshift.services.common.jobs import let_in
from localshift.services.serverless import lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_workgroup
from localshift.services.serverless.validation import not_found, validation_error
from localshift.services.temporary_credentials import database_name, duration, expiry, iam_user, new_login


def get_credentials(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    seconds = duration(p.get("durationSeconds"), "durationSeconds", "ValidationException")
    db_name = database_name(p["dbName"], "dbName") if p.get("dbName") is not None else None
    if p.get("workgroupName") is None:
        if p.get("customDomainName") is not None:
            # localshift serves no custom domain associations, so no domain names a workgroup.
            raise not_found(f"No workgroup has the custom domain name {p['customDomainName']}.")
        raise validation_error("Either workgroupName or customDomainName must be given.")
    workgroup = find_workgroup(backend, ctx, p["workgroupName"])
    namespace = find_namespace(backend, ctx, workgroup.namespace_name)
    # Redshift Serverless maps the caller's IAM identity to a database user of that name,
    # created at its first login.
    user = iam_user(ctx)
    login, password = new_login(user, user, expiry(ctx.now, seconds), db_name=db_name, auto_create=True)
    engine = lifecycle.engine_key(namespace.row_id, namespace.engine_generation)
    let_in(backend, engine, login, keep=True)
    return {"dbUser": user, "dbPassword": password, "expiration": login.expires_at,
            "nextRefreshTime": login.expires_at}


OPERATIONS = {"GetCredentials": get_credentials}
