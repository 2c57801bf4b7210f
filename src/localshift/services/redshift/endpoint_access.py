"""Redshift-managed VPC endpoints: Create/Modify/Delete/DescribeEndpointAccess.

An endpoint is a further SQL port serving its cluster (endpoint_lifecycle.py).  The cluster's
owner makes one for its own cluster; another account makes one for a cluster it was authorized
for (endpoint_authorization.py), naming the owner as ``ResourceOwner``, from a VPC the
authorization allows.  An endpoint belongs to the account that made it: that account describes,
modifies and deletes it.  Its subnet is its subnet group's first, in that subnet's zone.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Callable

from localshift.errors import ApiError, invalid_parameter
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import endpoint_lifecycle, named_resources, network
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.node_types import CATALOG
from localshift.services.redshift.resource_records import EndpointAccessRecord, EndpointAuthorizationRecord
from localshift.services.redshift.subnet_groups import find_group

# Redshift's quotas: endpoints to one cluster (all accounts), and one grantee's endpoints to a cluster.
ENDPOINTS_PER_CLUSTER = 30
ENDPOINTS_PER_AUTHORIZATION = 5
_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")
_ACCOUNT = re.compile(r"\d{12}")


def not_found(name: str) -> ApiError:
    return ApiError("EndpointNotFound", f"Endpoint {name} not found.")


def check_account(value: str, parameter: str) -> str:
    if not _ACCOUNT.fullmatch(value):
        raise invalid_parameter(f"{parameter} {value} is not an AWS account id (12 digits).")
    return value


def check_ra3(cluster: ClusterRecord) -> None:
    if CATALOG[cluster.node_type].family != "ra3":
        raise ApiError("UnsupportedOperation",
                       f"Redshift-managed VPC endpoints need an RA3 cluster; {cluster.identifier} is {cluster.node_type}.")


def authorization_name(cluster_row_id: int, grantee: str) -> str:
    return f"{cluster_row_id}:{grantee}"


def _endpoint_name(value: str) -> str:
    if not _NAME.fullmatch(value) or value.endswith("-") or "--" in value:
        raise invalid_parameter(
            "EndpointName must contain 1 to 30 lowercase letters, digits or hyphens, start with a letter, "
            "and cannot end with a hyphen or contain two consecutive hyphens.")
    return value


def view_with(backend: RedshiftBackend) -> named_resources.View[EndpointAccessRecord]:
    def view(endpoint: EndpointAccessRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
        cluster = backend.clusters.get_by_id(endpoint.cluster_row_id)
        return {
            "ClusterIdentifier": cluster.identifier if cluster is not None else None,
            "ResourceOwner": endpoint.cluster_account,
            "SubnetGroupName": endpoint.subnet_group_name,
            "EndpointStatus": endpoint.status,
            "EndpointName": endpoint.name,
            "EndpointCreateTime": endpoint.created,
            "Port": endpoint.port,
            "Address": "127.0.0.1",
            "VpcSecurityGroups": [{"VpcSecurityGroupId": group, "Status": "active"}
                                  for group in endpoint.vpc_security_group_ids],
            "VpcEndpoint": {
                "VpcEndpointId": endpoint.vpc_endpoint_id,
                "VpcId": endpoint.vpc_id,
                "NetworkInterfaces": [{
                    "NetworkInterfaceId": f"eni-{endpoint.vpc_endpoint_id.removeprefix('vpce-')}",
                    "SubnetId": endpoint.subnet_id,
                    "PrivateIpAddress": "127.0.0.1",
                    "AvailabilityZone": endpoint.availability_zone,
                }],
            },
        }

    return view


def _render(backend: RedshiftBackend, endpoint: EndpointAccessRecord) -> dict[str, Any]:
    return named_resources.render(backend, [endpoint], view_with(backend))[0]


def _target(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any],
) -> tuple[ClusterRecord, EndpointAuthorizationRecord | None]:
    """The cluster an endpoint is for, and the authorization that lets another account reach it.
    Another account's cluster that is missing or not authorized is the same AccessToClusterDenied."""
    owner = check_account(p.get("ResourceOwner", ctx.account), "ResourceOwner")
    if "ClusterIdentifier" not in p:
        raise ApiError("MissingParameter", "The request must contain the parameter ClusterIdentifier.")
    identifier = p["ClusterIdentifier"]
    cluster = backend.clusters.get(owner, ctx.region, identifier.lower())
    if owner == ctx.account:
        if cluster is None:
            raise ApiError("ClusterNotFound", f"Cluster {identifier} not found.")
        return cluster, None
    authorization = None if cluster is None else backend.endpoint_authorizations.get(
        owner, ctx.region, authorization_name(cluster.row_id, ctx.account))
    if cluster is None or authorization is None or authorization.status != "Authorized":
        raise ApiError("AccessToClusterDenied",
                       f"Account {ctx.account} is not authorized to access cluster {identifier} of account {owner}.")
    return cluster, authorization


def create_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = _endpoint_name(p["EndpointName"])
    with backend.db.transaction():
        cluster, authorization = _target(backend, ctx, p)
        check_ra3(cluster)
        if cluster.status != "available":
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")
        group = find_group(backend, ctx, p["SubnetGroupName"])
        if authorization is not None and not authorization.allowed_all_vpcs and group.vpc_id not in authorization.allowed_vpcs:
            raise ApiError("AccessToClusterDenied",
                           f"VPC {group.vpc_id} is not authorized to access cluster {cluster.identifier}.")
        given = p.get("VpcSecurityGroupIds")
        security_groups = network.check_security_groups(ctx.account, ctx.region, given, group.vpc_id) if given else [
            network.default_security_group(ctx.account, ctx.region, group.vpc_id)]
        to_cluster = [e for e in backend.endpoint_accesses.everything() if e.cluster_row_id == cluster.row_id]
        if len(to_cluster) >= ENDPOINTS_PER_CLUSTER:
            raise ApiError("EndpointsPerClusterLimitExceeded",
                           f"A cluster can have at most {ENDPOINTS_PER_CLUSTER} Redshift-managed VPC endpoints.")
        if authorization is not None and sum(e.account == ctx.account for e in to_cluster) >= ENDPOINTS_PER_AUTHORIZATION:
            raise ApiError("EndpointsPerAuthorizationLimitExceeded",
                           f"An authorization allows at most {ENDPOINTS_PER_AUTHORIZATION} endpoints.")
        subnet = group.subnet_ids[0]
        endpoint = EndpointAccessRecord(
            ctx.account, ctx.region, name, cluster.account, cluster.row_id, group.name, group.vpc_id, subnet,
            network.subnet_zone(ctx.region, subnet), security_groups, ctx.now, "creating",
            f"vpce-{secrets.token_hex(9)[:17]}", cluster.port)
        named_resources.insert_tagged(backend, backend.endpoint_accesses, endpoint, [],
                                      ApiError("EndpointAlreadyExists", f"Endpoint {name} already exists."))
    backend.submit_for(ctx.account, endpoint_lifecycle.serve_endpoint, endpoint.row_id)
    return _render(backend, endpoint)


def _change(backend: RedshiftBackend, ctx: RequestContext, name: str, allowed: tuple[str, ...], status: str,
            change: Callable[[EndpointAccessRecord], None]) -> EndpointAccessRecord:
    """Change an endpoint of the caller in ``allowed`` statuses, and set ``status``, in one transaction."""

    def checked(endpoint: EndpointAccessRecord) -> None:
        if endpoint.status not in allowed:
            raise ApiError("InvalidEndpointState", f"Endpoint {endpoint.name} is {endpoint.status}.")
        change(endpoint)
        endpoint.status = status

    with backend.db.transaction():
        found = named_resources.find(backend.endpoint_accesses, ctx, name, not_found(name))
        endpoint = backend.endpoint_accesses.mutate(found.row_id, checked)
    assert endpoint is not None  # found in this very transaction
    return endpoint


def modify_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(endpoint: EndpointAccessRecord) -> None:
        if "VpcSecurityGroupIds" in p:
            endpoint.vpc_security_group_ids = network.check_security_groups(
                ctx.account, ctx.region, p["VpcSecurityGroupIds"], endpoint.vpc_id)

    # Security groups are only recorded, so the change is done at once.
    return _render(backend, _change(backend, ctx, p["EndpointName"], ("active",), "active", change))


def delete_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    endpoint = _change(backend, ctx, p["EndpointName"], ("active", "failed"), "deleting", lambda endpoint: None)
    backend.submit_for(ctx.account, endpoint_lifecycle.delete_endpoint, endpoint.row_id)
    return _render(backend, endpoint)


def describe_endpoint_access(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    owner = check_account(p["ResourceOwner"], "ResourceOwner") if "ResourceOwner" in p else None
    cluster_row = None
    if "ClusterIdentifier" in p:
        cluster = backend.clusters.get(owner or ctx.account, ctx.region, p["ClusterIdentifier"].lower())
        if cluster is None and owner in (None, ctx.account):
            raise ApiError("ClusterNotFound", f"Cluster {p['ClusterIdentifier']} not found.")
        cluster_row = cluster.row_id if cluster is not None else -1

    def keep(endpoint: EndpointAccessRecord) -> bool:
        return ((owner is None or endpoint.cluster_account == owner)
                and (cluster_row is None or endpoint.cluster_row_id == cluster_row)
                and ("VpcId" not in p or endpoint.vpc_id == p["VpcId"]))

    name = p.get("EndpointName")
    return named_resources.describe(backend, ctx, p, backend.endpoint_accesses, name, not_found(name or ""),
                                    view_with(backend), "EndpointAccessList", keep)


OPERATIONS = {
    "CreateEndpointAccess": create_endpoint_access,
    "ModifyEndpointAccess": modify_endpoint_access,
    "DeleteEndpointAccess": delete_endpoint_access,
    "DescribeEndpointAccess": describe_endpoint_access,
}
