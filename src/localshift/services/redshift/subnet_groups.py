"""Cluster subnet groups: Create/Modify/Delete/DescribeClusterSubnetGroups (network.py: the VPC rules).

A cluster created without ``ClusterSubnetGroupName`` is placed in the subnet group ``default``
(the default VPC's default subnets, one per zone), which is made the first time it is needed,
as Redshift makes it; it can be deleted while no cluster uses it, and comes back when needed.
"""

from __future__ import annotations

import re
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources, network, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import SubnetGroupRecord
from localshift.services.redshift.views import tags_view

DEFAULT_GROUP = "default"
# Redshift's quotas: subnet groups per account and region, subnets per group.
GROUP_QUOTA = 20
SUBNET_QUOTA = 20
_NAME = re.compile(r"[a-z0-9-]{1,255}")


def not_found(name: str) -> ApiError:
    return ApiError("ClusterSubnetGroupNotFoundFault", f"Cluster subnet group {name} not found.")


def find_group(backend: RedshiftBackend, ctx: RequestContext, name: str) -> SubnetGroupRecord:
    return named_resources.find(backend.subnet_groups, ctx, name.lower(), not_found(name))


def zones_of(group: SubnetGroupRecord) -> list[str]:
    return sorted({network.subnet_zone(group.region, subnet) for subnet in group.subnet_ids})


def default_group(backend: RedshiftBackend, ctx: RequestContext) -> SubnetGroupRecord:
    """The ``default`` subnet group, made now if it does not exist (outside the quota, as Redshift makes it)."""
    with backend.db.transaction():
        group = backend.subnet_groups.get(ctx.account, ctx.region, DEFAULT_GROUP)
        if group is None:
            group = backend.subnet_groups.insert(SubnetGroupRecord(
                ctx.account, ctx.region, DEFAULT_GROUP, "default", network.default_vpc_id(ctx.account, ctx.region),
                network.default_subnets(ctx.account, ctx.region)))
    return group


def _subnets(ctx: RequestContext, subnet_ids: list[str]) -> tuple[list[str], str]:
    """Distinct, well-formed subnets of one VPC, within the quota; and their VPC."""
    subnets = list(dict.fromkeys(subnet_ids))
    if not subnets:
        raise invalid_parameter("SubnetIds must name at least one subnet.")
    if len(subnets) > SUBNET_QUOTA:
        raise ApiError("ClusterSubnetQuotaExceededFault",
                       f"A cluster subnet group can have at most {SUBNET_QUOTA} subnets.")
    for subnet in subnets:
        if not network.is_subnet_id(subnet):
            raise ApiError("InvalidSubnet", f"The subnet {subnet} is not valid.")
    vpcs = {network.subnet_vpc(ctx.account, ctx.region, subnet) for subnet in subnets}
    if len(vpcs) > 1:
        raise ApiError("InvalidSubnet", f"The subnets must all be in the same VPC; they are in {', '.join(sorted(vpcs))}.")
    return subnets, vpcs.pop()


def _users(backend: RedshiftBackend, group: SubnetGroupRecord) -> list[tuple[str, str]]:
    """(kind and name, availability zone) of the clusters and endpoints placed in a group."""
    clusters = backend.clusters.page(group.account, group.region, 0, 1_000_000)
    endpoints = backend.endpoint_accesses.all_of(group.account, group.region)
    return [(f"cluster {c.identifier}", c.availability_zone) for c in clusters
            if c.cluster_subnet_group_name == group.name] + [
        (f"endpoint {e.name}", e.availability_zone) for e in endpoints if e.subnet_group_name == group.name]


def view(group: SubnetGroupRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "ClusterSubnetGroupName": group.name,
        "Description": group.description,
        "VpcId": group.vpc_id,
        "SubnetGroupStatus": "Complete",
        "Subnets": [
            {"SubnetIdentifier": subnet, "SubnetAvailabilityZone": {"Name": network.subnet_zone(group.region, subnet)},
             "SubnetStatus": "Active"}
            for subnet in group.subnet_ids
        ],
        "Tags": tags_view(tags),
        "SupportedClusterIpAddressTypes": ["ipv4"],
    }


def _render(backend: RedshiftBackend, group: SubnetGroupRecord) -> dict[str, Any]:
    return named_resources.render(backend, [group], view)[0]


def create_cluster_subnet_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["ClusterSubnetGroupName"].lower()
    if not _NAME.fullmatch(name) or name == DEFAULT_GROUP:
        raise invalid_parameter(
            "ClusterSubnetGroupName must contain no more than 255 alphanumeric characters or hyphens, "
            "and must not be Default.")
    subnets, vpc = _subnets(ctx, p["SubnetIds"])
    tags = validation.tag_list(p.get("Tags", []))
    group = SubnetGroupRecord(ctx.account, ctx.region, name, p["Description"], vpc, subnets)
    with backend.db.transaction():
        # The `default` group Redshift made is outside the quota: the account still gets its 20 own groups.
        made_by_redshift = backend.subnet_groups.get(ctx.account, ctx.region, DEFAULT_GROUP) is not None
        named_resources.insert_tagged(
            backend, backend.subnet_groups, group, tags,
            ApiError("ClusterSubnetGroupAlreadyExists", f"Cluster subnet group {name} already exists."),
            (GROUP_QUOTA + made_by_redshift, ApiError(
                "ClusterSubnetGroupQuotaExceeded",
                "The request would result in the user exceeding the allowed number of cluster subnet groups.")))
    return {"ClusterSubnetGroup": _render(backend, group)}


def modify_cluster_subnet_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    subnets, vpc = _subnets(ctx, p["SubnetIds"])

    def change(group: SubnetGroupRecord) -> None:
        zones = {network.subnet_zone(ctx.region, subnet) for subnet in subnets}
        for user, zone in _users(backend, group):
            # The clusters and endpoints in a group stay where they are: in its VPC and their zone.
            if vpc != group.vpc_id:
                raise ApiError("InvalidSubnet", f"The subnets must be in VPC {group.vpc_id}, where {user} is.")
            if zone not in zones:
                raise ApiError("SubnetAlreadyInUse", f"The subnet of {user} in {zone} is in use.")
        group.subnet_ids, group.vpc_id = subnets, vpc
        if "Description" in p:
            group.description = p["Description"]

    with backend.db.transaction():
        group = backend.subnet_groups.mutate(find_group(backend, ctx, p["ClusterSubnetGroupName"]).row_id, change)
    assert group is not None  # found in this very transaction
    return {"ClusterSubnetGroup": _render(backend, group)}


def delete_cluster_subnet_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["ClusterSubnetGroupName"]
    named_resources.delete_unused(
        backend, ctx, backend.subnet_groups, name.lower(), not_found(name),
        lambda group: next((user for user, _ in _users(backend, group)), None),
        lambda group, user: ApiError(
            "InvalidClusterSubnetGroupStateFault",
            f"The cluster subnet group {group.name} cannot be deleted because it is in use by {user}."))
    return {}


def describe_cluster_subnet_groups(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("ClusterSubnetGroupName")
    return named_resources.describe(
        backend, ctx, p, backend.subnet_groups, name.lower() if name is not None else None,
        not_found(name or ""), view, "ClusterSubnetGroups")


OPERATIONS = {
    "CreateClusterSubnetGroup": create_cluster_subnet_group,
    "ModifyClusterSubnetGroup": modify_cluster_subnet_group,
    "DeleteClusterSubnetGroup": delete_cluster_subnet_group,
    "DescribeClusterSubnetGroups": describe_cluster_subnet_groups,
}
