"""Authorizations for Redshift-managed VPC endpoints: Authorize/Revoke/DescribeEndpointAuthorization.

A cluster's owner (grantor) lets another account (grantee) make endpoints to the cluster, from
the VPCs it names or from all its VPCs.  Revoking a grant that still has endpoints needs ``Force``,
which deletes them (the grant shows ``Revoking`` until they are gone).  Revoking some of the
allowed VPCs removes just those (Force again when the grantee has endpoints in them); revoking
the last one revokes the grant.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import endpoint_lifecycle, network, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.endpoint_access import authorization_name, check_account, check_ra3
from localshift.services.redshift.resource_records import EndpointAuthorizationRecord
from localshift.store.paging import decode_marker, encode_marker

# Redshift's quota of grantee accounts per cluster.
AUTHORIZATIONS_PER_CLUSTER = 10


def not_found(cluster: str, grantee: str) -> ApiError:
    return ApiError("EndpointAuthorizationNotFound",
                    f"No endpoint authorization of cluster {cluster} for account {grantee} was found.")


def _endpoints(backend: RedshiftBackend, authorization: EndpointAuthorizationRecord) -> list[Any]:
    return [e for e in backend.endpoint_accesses.all_of(authorization.grantee, authorization.region)
            if e.cluster_row_id == authorization.cluster_row_id]


def _view(backend: RedshiftBackend, authorization: EndpointAuthorizationRecord) -> dict[str, Any]:
    cluster = backend.clusters.get_by_id(authorization.cluster_row_id)
    return {
        "Grantor": authorization.account,
        "Grantee": authorization.grantee,
        "ClusterIdentifier": cluster.identifier if cluster is not None else None,
        "AuthorizeTime": authorization.authorize_time,
        "ClusterStatus": cluster.status if cluster is not None else None,
        "Status": authorization.status,
        "AllowedAllVPCs": authorization.allowed_all_vpcs,
        "AllowedVPCs": authorization.allowed_vpcs,
        "EndpointCount": len(_endpoints(backend, authorization)),
    }


def _vpcs(p: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(network.check_vpc_id(vpc) for vpc in p.get("VpcIds", [])))


def _cluster_identifier(p: dict[str, Any]) -> str:
    if "ClusterIdentifier" not in p:
        raise ApiError("MissingParameter", "The request must contain the parameter ClusterIdentifier.")
    return p["ClusterIdentifier"]


def authorize_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    grantee = check_account(p["Account"], "Account")
    if grantee == ctx.account:
        raise invalid_parameter("You can't authorize your own account: its endpoints need no authorization.")
    vpcs = _vpcs(p)
    with backend.db.transaction():
        cluster = find_cluster(backend, ctx, _cluster_identifier(p))
        check_ra3(cluster)
        if cluster.status in ("deleting", "final-snapshot"):
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is being deleted.")
        grants = [a for a in backend.endpoint_authorizations.all_of(ctx.account, ctx.region)
                  if a.cluster_row_id == cluster.row_id]
        if any(a.grantee == grantee for a in grants):
            raise ApiError("EndpointAuthorizationAlreadyExists",
                           f"Account {grantee} is already authorized to access cluster {cluster.identifier}.")
        if len(grants) >= AUTHORIZATIONS_PER_CLUSTER:
            raise ApiError("EndpointAuthorizationsPerClusterLimitExceeded",
                           f"A cluster can authorize at most {AUTHORIZATIONS_PER_CLUSTER} accounts.")
        authorization = backend.endpoint_authorizations.insert(EndpointAuthorizationRecord(
            ctx.account, ctx.region, authorization_name(cluster.row_id, grantee), cluster.row_id, grantee, ctx.now,
            not vpcs, vpcs))
    return _view(backend, authorization)


def revoke_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    grantee = check_account(p.get("Account", ""), "Account")
    vpcs = _vpcs(p)
    force = p.get("Force", False)
    revoked: list[int] = []

    def change(authorization: EndpointAuthorizationRecord) -> None:
        if authorization.status != "Authorized":
            raise ApiError("InvalidAuthorizationState", "The authorization is already being revoked.")
        if vpcs and authorization.allowed_all_vpcs:
            raise invalid_combination("The authorization allows all VPCs: revoke it without VpcIds.")
        missing = [vpc for vpc in vpcs if vpc not in authorization.allowed_vpcs]
        if missing:
            raise ApiError("EndpointAuthorizationNotFound", f"VPC {missing[0]} is not authorized.")
        remaining = [vpc for vpc in authorization.allowed_vpcs if vpc not in vpcs]
        whole = not vpcs or not remaining
        affected = [e for e in _endpoints(backend, authorization) if whole or e.vpc_id in vpcs]
        if affected and not force:
            raise ApiError("InvalidEndpointState",
                           f"Account {grantee} has endpoints to the cluster ({affected[0].name}): delete them first, "
                           "or revoke with Force.")
        for endpoint in affected:
            backend.endpoint_accesses.mutate(endpoint.row_id, lambda e: setattr(e, "status", "deleting"))
            revoked.append(endpoint.row_id)
        if whole:
            authorization.status = "Revoking"
        else:
            authorization.allowed_vpcs = remaining

    with backend.db.transaction():
        cluster = find_cluster(backend, ctx, _cluster_identifier(p))
        found = backend.endpoint_authorizations.get(ctx.account, ctx.region, authorization_name(cluster.row_id, grantee))
        if found is None:
            raise not_found(cluster.identifier, grantee)
        authorization = backend.endpoint_authorizations.mutate(found.row_id, change)
    assert authorization is not None  # found in this very transaction
    view = _view(backend, authorization)
    if authorization.status == "Revoking":
        backend.submit_for(ctx.account, endpoint_lifecycle.revoke_authorization, authorization.row_id)  # its endpoints too
    else:
        for row_id in revoked:
            backend.submit_for(ctx.account, endpoint_lifecycle.delete_endpoint, row_id)
    return view


def describe_endpoint_authorization(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Grants the caller made (``Grantee`` false: ``Account`` filters by grantee) or received
    (``Grantee`` true: ``Account`` filters by grantor), of ``ClusterIdentifier`` when given."""
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    as_grantee = p.get("Grantee", False)
    other = check_account(p["Account"], "Account") if "Account" in p else None
    if as_grantee:
        grants = [a for a in backend.endpoint_authorizations.everything()
                  if a.grantee == ctx.account and a.region == ctx.region and other in (None, a.account)]
    else:
        grants = [a for a in backend.endpoint_authorizations.all_of(ctx.account, ctx.region)
                  if other in (None, a.grantee)]
    if "ClusterIdentifier" in p:
        identifier = p["ClusterIdentifier"].lower()
        if not as_grantee:
            find_cluster(backend, ctx, identifier)
        grants = [a for a in grants if _view(backend, a)["ClusterIdentifier"] == identifier]
    page = [a for a in grants if a.row_id > after][:limit + 1]
    result: dict[str, Any] = {"EndpointAuthorizationList": [_view(backend, a) for a in page[:limit]]}
    if len(page) > limit:
        result["Marker"] = encode_marker([page[limit - 1].row_id])
    return result


OPERATIONS = {
    "AuthorizeEndpointAccess": authorize_endpoint_access,
    "RevokeEndpointAccess": revoke_endpoint_access,
    "DescribeEndpointAuthorization": describe_endpoint_authorization,
}
