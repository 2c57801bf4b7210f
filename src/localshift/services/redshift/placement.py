"""Where a new cluster goes: its subnet group, VPC, availability zone and VPC security groups.

CreateCluster and RestoreFromClusterSnapshot take ``ClusterSubnetGroupName`` (else the group
``default``, in the default VPC), ``AvailabilityZone`` (one of the group's zones; else one of them
at random, as Redshift picks one), ``VpcSecurityGroupIds`` (in the group's VPC; else the VPC's
default security group) and ``ClusterSecurityGroups`` (none exist: security_groups.py).
"""

from __future__ import annotations

import random
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import network, security_groups
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import SubnetGroupRecord
from localshift.services.redshift.subnet_groups import default_group, find_group, zones_of


def check_zone(group: SubnetGroupRecord, zone: str) -> str:
    if zone not in network.zones(group.region):
        raise invalid_parameter(f"Availability zone {zone} is not a zone of region {group.region}.")
    if zone not in zones_of(group):
        raise ApiError("InvalidVPCNetworkStateFault",
                       f"The cluster subnet group {group.name} has no subnet in availability zone {zone}.")
    return zone


def cluster_settings(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The placement fields of a new cluster's record, from the request."""
    security_groups.check_cluster_security_groups(p.get("ClusterSecurityGroups", []))
    name = p.get("ClusterSubnetGroupName")
    group = find_group(backend, ctx, name) if name is not None else default_group(backend, ctx)
    zone = p.get("AvailabilityZone")
    zone = check_zone(group, zone) if zone else random.choice(zones_of(group))
    given = p.get("VpcSecurityGroupIds")
    return {
        "cluster_subnet_group_name": group.name,
        "vpc_id": group.vpc_id,
        "availability_zone": zone,
        "vpc_security_group_ids": network.check_security_groups(ctx.account, ctx.region, given, group.vpc_id)
        if given else [network.default_security_group(ctx.account, ctx.region, group.vpc_id)],
        "cluster_security_groups": [],
    }


def check_modification(backend: RedshiftBackend, cluster: ClusterRecord, p: dict[str, Any]) -> None:
    """ModifyCluster's ``AvailabilityZone`` and ``VpcSecurityGroupIds`` stay within the cluster's group and VPC."""
    security_groups.check_cluster_security_groups(p.get("ClusterSecurityGroups", []))
    if "VpcSecurityGroupIds" in p and cluster.vpc_id is not None:
        network.check_security_groups(cluster.account, cluster.region, p["VpcSecurityGroupIds"], cluster.vpc_id)
    group_name = cluster.cluster_subnet_group_name
    if "AvailabilityZone" in p and group_name is not None:
        group = backend.subnet_groups.get(cluster.account, cluster.region, group_name)
        if group is not None:
            check_zone(group, p["AvailabilityZone"])
