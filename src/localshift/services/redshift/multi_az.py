"""FailoverPrimaryCompute: a Multi-AZ cluster's primary compute moves to its secondary zone.

A Multi-AZ cluster (CreateCluster's ``MultiAZ``) runs in two availability zones; locally one engine
serves it from either, so a failover swaps the zones DescribeClusters reports (``AvailabilityZone``
and ``MultiAZSecondary``) and the cluster is ``modifying`` until its job ends (docs/behaviour.md,
"Multi-AZ failover").
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import failover_lifecycle
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster, render
from localshift.services.redshift.views import secondary_zone


def failover_primary_compute(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def fail_over(cluster: ClusterRecord) -> None:
        if not cluster.multi_az:
            raise ApiError("UnsupportedOperation", f"Cluster {cluster.identifier} is not a Multi-AZ cluster: "
                                                   "it has no compute to fail over to.")
        if cluster.status != "available":
            raise ApiError("InvalidClusterState", f"The cluster {cluster.identifier} is not in the available state.")
        primary = cluster.availability_zone
        cluster.availability_zone, cluster.secondary_availability_zone = secondary_zone(cluster), primary
        cluster.status = "modifying"

    cluster = change_cluster(backend, ctx, p["ClusterIdentifier"], fail_over)
    backend.submit_for(ctx.account, failover_lifecycle.failover_primary_compute, cluster.row_id)
    return {"Cluster": render(backend, ctx, cluster)}


OPERATIONS = {"FailoverPrimaryCompute": failover_primary_compute}
