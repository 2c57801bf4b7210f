"""GetClusterCredentials and GetClusterCredentialsWithIAM: temporary database credentials that
log in to the cluster's SQL endpoint until they expire (services/temporary_credentials.py)."""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.common.jobs import let_in
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.reserved_names import reserved_user_name
from localshift.services.temporary_credentials import (AUTO_CREATE_PREFIX, IAM_PREFIX, database_name, duration,
                                                        expiry, iam_user, new_login)


def _cluster(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> ClusterRecord:
    if p.get("ClusterIdentifier") is None:
        if p.get("CustomDomainName") is not None:
            # localshift serves no custom domain names (CreateCustomDomainAssociation), so none names a cluster.
            raise ApiError("ClusterNotFound", f"No cluster has the custom domain name {p['CustomDomainName']}.")
        raise ApiError("InvalidParameterCombination", "Either ClusterIdentifier or CustomDomainName must be given.")
    return find_cluster(backend, ctx, p["ClusterIdentifier"])


def _db_name(p: dict[str, Any]) -> str | None:
    return database_name(p["DbName"], "DbName") if p.get("DbName") is not None else None


def get_cluster_credentials(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    db_user = database_name(p["DbUser"], "DbUser")
    if reserved_user_name(db_user):
        raise ApiError("InvalidParameterValue", f"DbUser {db_user} is a reserved word or a reserved user name.")
    groups = tuple(database_name(group, "DbGroups").lower() for group in p.get("DbGroups") or [])
    seconds = duration(p.get("DurationSeconds"))
    cluster = _cluster(backend, ctx, p)
    # Redshift names the login IAM:<user>, or IAMA:<user> when the user is created at login.
    auto_create = bool(p.get("AutoCreate"))
    login_user = (AUTO_CREATE_PREFIX if auto_create else IAM_PREFIX) + db_user
    login, password = new_login(login_user, db_user.lower(), expiry(ctx.now, seconds), db_name=_db_name(p),
                                groups=groups, auto_create=auto_create)
    let_in(backend, cluster_key(cluster), login, keep=True)
    return {"DbUser": login_user, "DbPassword": password, "Expiration": login.expires_at}


def get_cluster_credentials_with_iam(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    seconds = duration(p.get("DurationSeconds"))
    cluster = _cluster(backend, ctx, p)
    # The database user is the caller's IAM identity, created at its first login.
    user = iam_user(ctx)
    login, password = new_login(user, user, expiry(ctx.now, seconds), db_name=_db_name(p), auto_create=True)
    let_in(backend, cluster_key(cluster), login, keep=True)
    return {"DbUser": user, "DbPassword": password, "Expiration": login.expires_at}


OPERATIONS = {
    "GetClusterCredentials": get_cluster_credentials,
    "GetClusterCredentialsWithIAM": get_cluster_credentials_with_iam,
}
