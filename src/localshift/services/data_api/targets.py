"""Where a Data API request runs its SQL, and as whom.

A request names a provisioned cluster (ClusterIdentifier) or a serverless workgroup
(WorkgroupName, or its ARN), a database, and how to log in:

* SecretArn: the Secrets Manager secret of the cluster's (or namespace's) managed admin
  password, which localshift keeps (store/secrets.py); the statement runs as that user.
  localshift serves no Secrets Manager, so no other secret exists.
* DbUser (clusters): temporary credentials for that database user, as GetClusterCredentials
  gives them (without AutoCreate: the user must exist; a reserved name, ``rdsdb`` or ``pg_...``,
  is refused up front as GetClusterCredentials refuses it).
* neither: the caller's IAM identity, as the database user ``IAMR:<role>``, ``IAM:<user>`` or
  ``IAM:<access key>`` (services/temporary_credentials.py ``iam_user``), created at its first
  login, as GetClusterCredentialsWithIAM and Redshift Serverless GetCredentials do.

Clusters and workgroups are the caller's own: another account's are not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.services.context import RequestContext
from localshift.services.data_api.errors import validation
from localshift.services.redshift.jobs import cluster_key
from localshift.services.redshift.lifecycle import ENGINE_SERVES
from localshift.services.redshift.reserved_names import reserved_user_name
from localshift.services.serverless.lifecycle import engine_key as namespace_engine_key
from localshift.services.temporary_credentials import iam_user

SECRET, DB_USER, IAM = "secret", "db_user", "iam"
# The statuses (lower case: a workgroup's are upper) in which a target's engine serves, or soon will
# again: a login waits for it then.  Not a final snapshot's: the cluster is being deleted.
COMING_BACK = (ENGINE_SERVES - {"final-snapshot"}) | {"resuming"}


@dataclass(frozen=True)
class Target:
    cluster_identifier: str | None
    workgroup_name: str | None
    engine_key: str
    status: str  # the cluster's or workgroup's, when the request came
    database: str
    login: str  # SECRET, DB_USER or IAM
    user: str  # the secret's ARN, the database user, or the IAM database user
    db_user: str | None  # DbUser as the API reports it
    secret_arn: str | None
    account: str = ""
    region: str = ""

    @property
    def name(self) -> str:
        return self.cluster_identifier or self.workgroup_name or ""

    def pool_key(self, database: str | None = None) -> tuple[str, str, str, str]:
        """Who a connection of this target is logged in as, and where: connections are shared by
        equal keys only."""
        return self.engine_key, database or self.database, self.login, self.user


def resolve(backend: Any, ctx: RequestContext, p: dict[str, Any], database: str | None = None) -> Target:
    """The target a request names (``database``: the one to connect to, when not ``Database``)."""
    cluster_id, workgroup_name = p.get("ClusterIdentifier"), p.get("WorkgroupName")
    if cluster_id and workgroup_name:
        raise validation("Either ClusterIdentifier or WorkgroupName can be specified, not both.")
    if not cluster_id and not workgroup_name:
        raise validation("Either ClusterIdentifier or WorkgroupName must be specified.")
    if p.get("SecretArn") and p.get("DbUser"):
        raise validation("Either SecretArn or DbUser can be specified, not both.")
    database = database or p.get("Database")
    if not database:
        raise validation("Database must be specified.")
    if cluster_id:
        cluster = backend.redshift.clusters.get(ctx.account, ctx.region, cluster_id.lower())
        if cluster is None:
            raise validation("Redshift endpoint doesn't exist in this region.")
        key, status, secret = cluster_key(cluster), cluster.status, cluster.master_password_secret_arn
        cluster_id = cluster.identifier
    else:
        workgroup = _workgroup(backend, ctx, p["WorkgroupName"])  # given: neither was refused above
        if p.get("DbUser"):
            raise validation("DbUser is not supported for a serverless workgroup: its database user is the "
                             "caller's IAM identity.")
        namespace = backend.serverless.namespaces.get(ctx.account, ctx.region, workgroup.namespace_name)
        key = namespace_engine_key(namespace.row_id, namespace.engine_generation)
        status, secret, workgroup_name = workgroup.status, namespace.admin_password_secret_arn, workgroup.name
    if p.get("SecretArn"):
        if secret is None or p["SecretArn"] not in (secret, secret.split(":secret:", 1)[-1]):
            raise validation(f"The secret {p['SecretArn']} holds no credentials for {cluster_id or workgroup_name}.")
        login, user = SECRET, secret
    elif p.get("DbUser"):
        # The temporary credentials GetClusterCredentials would give, refused as it refuses them.
        if reserved_user_name(p["DbUser"]):
            raise validation(f"DbUser {p['DbUser']} is a reserved word or a reserved user name.")
        login, user = DB_USER, p["DbUser"]
    else:
        login, user = IAM, iam_user(ctx)
    return Target(cluster_id, workgroup_name, key, status, database, login, user,
                  p.get("DbUser") or (user if login == IAM else None), secret if login == SECRET else None,
                  ctx.account, ctx.region)


def status_now(backend: Any, target: Target) -> str | None:
    """The target's cluster's or workgroup's status now; None once it is gone."""
    if target.cluster_identifier:
        found = backend.redshift.clusters.get(target.account, target.region, target.cluster_identifier.lower())
    else:
        found = backend.serverless.workgroups.get(target.account, target.region, target.workgroup_name)
    return None if found is None else found.status


def _workgroup(backend: Any, ctx: RequestContext, name_or_arn: str) -> Any:
    if name_or_arn.startswith("arn:"):
        workgroup = backend.serverless.workgroups.get_by_arn(name_or_arn)
        if workgroup is not None and (workgroup.account, workgroup.region) != (ctx.account, ctx.region):
            workgroup = None
    else:
        workgroup = backend.serverless.workgroups.get(ctx.account, ctx.region, name_or_arn)
    if workgroup is None:
        raise validation(f"Workgroup {name_or_arn} doesn't exist in this region.")
    return workgroup
