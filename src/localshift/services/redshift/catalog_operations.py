"""What Redshift offers, as data: DescribeClusterVersions, DescribeClusterTracks,
DescribeOrderableClusterOptions (from the node catalog), DescribeAccountAttributes."""

from __future__ import annotations

from typing import Any

from localshift.services.context import RequestContext
from localshift.services.redshift import network, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.cluster_operations import MAX_DEFER_DAYS
from localshift.services.redshift.node_types import CATALOG
from localshift.services.redshift.parameter_catalog import FAMILIES
from localshift.services.redshift.validation import CLUSTER_VERSION
from localshift.services.redshift.views import ENGINE_BUILD
from localshift.store.paging import page_of

# The database version each maintenance track runs: current runs localshift's engine build,
# trailing the build before it.
TRACK_VERSIONS = {"current": f"{CLUSTER_VERSION}.{ENGINE_BUILD}", "trailing": f"{CLUSTER_VERSION}.{int(ENGINE_BUILD) - 1}"}
TRACK_OPERATIONS = [{"OperationName": "restore-from-cluster-snapshot"}, {"OperationName": "modify-cluster"}]


def _limit(p: dict[str, Any]) -> int:
    return validation.max_records(p.get("MaxRecords"), 20, 100, 100)


def _paged(items: list[dict[str, Any]], key: Any, p: dict[str, Any], result_key: str) -> dict[str, Any]:
    page, marker = page_of(items, key, p.get("Marker"), _limit(p))
    result: dict[str, Any] = {result_key: page}
    if marker:
        result["Marker"] = marker
    return result


def describe_cluster_versions(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    versions = [
        {"ClusterVersion": CLUSTER_VERSION, "ClusterParameterGroupFamily": family, "Description": "Initial release"}
        for family in FAMILIES
        if p.get("ClusterVersion", CLUSTER_VERSION) == CLUSTER_VERSION
        and p.get("ClusterParameterGroupFamily", family) == family
    ]
    return _paged(versions, lambda v: v["ClusterParameterGroupFamily"], p, "ClusterVersions")


def describe_cluster_tracks(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    wanted = validation.maintenance_track(p["MaintenanceTrackName"]) if "MaintenanceTrackName" in p else None
    tracks = [
        {
            "MaintenanceTrackName": name,
            "DatabaseVersion": TRACK_VERSIONS[name],
            "UpdateTargets": [
                {"MaintenanceTrackName": other, "DatabaseVersion": TRACK_VERSIONS[other],
                 "SupportedOperations": TRACK_OPERATIONS}
                for other in validation.TRACKS if other != name
            ],
        }
        for name in validation.TRACKS if wanted in (None, name)
    ]
    return _paged(tracks, lambda t: t["MaintenanceTrackName"], p, "MaintenanceTracks")


def describe_orderable_cluster_options(backend: RedshiftBackend, ctx: RequestContext,
                                       p: dict[str, Any]) -> dict[str, Any]:
    zones = [{"Name": zone, "SupportedPlatforms": [{"Name": "VPC"}]} for zone in network.zones(ctx.region)]
    options = [
        {"ClusterVersion": CLUSTER_VERSION, "ClusterType": cluster_type, "NodeType": node_type.name,
         "AvailabilityZones": zones}
        for node_type in CATALOG.values() if node_type.creatable
        for cluster_type in ("multi-node", "single-node")
        if (cluster_type == "multi-node" or node_type.single_node)
        and p.get("NodeType", node_type.name) == node_type.name
        and p.get("ClusterVersion", CLUSTER_VERSION) == CLUSTER_VERSION
    ]
    # Listed by node type, multi-node before single-node.
    return _paged(options, lambda o: f"{o['NodeType']}/{o['ClusterType']}", p, "OrderableClusterOptions")


# The attributes AWS reports for an account, and their values here.
ACCOUNT_ATTRIBUTES = {"max-defer-maintenance-duration": [str(MAX_DEFER_DAYS)]}


def describe_account_attributes(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    names = p.get("AttributeNames") or list(ACCOUNT_ATTRIBUTES)
    return {"AccountAttributes": [
        {"AttributeName": name, "AttributeValues": [{"AttributeValue": v} for v in ACCOUNT_ATTRIBUTES[name]]}
        for name in names if name in ACCOUNT_ATTRIBUTES
    ]}


OPERATIONS = {
    "DescribeClusterVersions": describe_cluster_versions,
    "DescribeClusterTracks": describe_cluster_tracks,
    "DescribeOrderableClusterOptions": describe_orderable_cluster_options,
    "DescribeAccountAttributes": describe_account_attributes,
}
