"""What a cluster's parameter group means for the cluster: ClusterParameterGroups, and when changes apply.

A cluster remembers the values its engine has (``applied_parameters``, from
``applied_parameter_group``).  Its ParameterApplyStatus compares them with its group's
values now: ``in-sync`` when they match, ``pending-reboot`` when the group (or the choice
of group) changed since, ``applying`` while a dynamic change is being applied.  Every
parameter is static, as AWS reports them, so RebootCluster is what applies a change;
only a change of wlm_json_configuration's dynamic properties applies at once (wlm.py).
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import wlm
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.parameter_lookup import existing_group, group_values, values_of
from localshift.services.redshift.resource_records import ParameterGroupRecord

WLM = "wlm_json_configuration"


def chosen_group(backend: RedshiftBackend, ctx: RequestContext, name: str) -> tuple[str, dict[str, str]]:
    """A ClusterParameterGroupName given to CreateCluster, ModifyCluster or a restore: the group's
    name as stored and its values, or ClusterParameterGroupNotFound."""
    group = existing_group(backend, ctx, name)
    return group.name, group_values(group)


def start_in_sync(cluster: ClusterRecord, values: dict[str, str]) -> None:
    """A new cluster's engine gets its group's values when it is made (the create or restore job)."""
    cluster.applied_parameter_group = cluster.cluster_parameter_group_name
    cluster.applied_parameters = dict(values)


def reboot_applies(backend: RedshiftBackend, cluster: ClusterRecord) -> None:
    """A reboot gives the engine its group's values now (``cluster`` changed in place)."""
    start_in_sync(cluster, values_of(backend, cluster.account, cluster.region, cluster.cluster_parameter_group_name))
    cluster.parameters_applying = False


def _statuses(cluster: ClusterRecord, values: dict[str, str]) -> dict[str, Any]:
    if cluster.applied_parameter_group is None:  # a cluster from before parameter groups were served
        applied = values
    else:
        applied = cluster.applied_parameters
    switched = cluster.applied_parameter_group not in (None, cluster.cluster_parameter_group_name)
    pending = {name for name, value in values.items() if applied.get(name) != value or switched}
    if cluster.parameters_applying:
        status = "applying"
    else:
        status = "pending-reboot" if pending else "in-sync"
    return {
        "ParameterGroupName": cluster.cluster_parameter_group_name,
        "ParameterApplyStatus": status,
        "ClusterParameterStatusList": [
            {"ParameterName": name, "ParameterApplyStatus": "pending-reboot" if name in pending else "in-sync"}
            for name in values
        ],
    }


def cluster_parameter_groups(backend: RedshiftBackend, clusters: list[ClusterRecord]) -> dict[int, list[dict[str, Any]]]:
    """ClusterParameterGroups of each cluster (by row id), reading each group once."""
    groups: dict[tuple[str, str, str], dict[str, str]] = {}
    shapes = {}
    for cluster in clusters:
        key = (cluster.account, cluster.region, cluster.cluster_parameter_group_name)
        if key not in groups:
            groups[key] = values_of(backend, *key)
        shapes[cluster.row_id] = [_statuses(cluster, groups[key])]
    return shapes


def group_changed(backend: RedshiftBackend, ctx: RequestContext, group: ParameterGroupRecord,
                  before: dict[str, str]) -> list[int]:
    """After a group's values changed (inside the change's transaction): the clusters whose only
    change is dynamic, marked ``applying``; the caller submits their apply jobs once committed."""
    after = group_values(group)
    changed = {name for name in after if after[name] != before.get(name)}
    if changed != {WLM} or wlm.needs_reboot(before[WLM], after[WLM]):
        return []
    rows = []
    for cluster in backend.clusters.using_parameter_group(ctx.account, ctx.region, group.name):
        in_sync = (cluster.applied_parameter_group == group.name
                   and cluster.applied_parameters.get(WLM) == before[WLM])
        if in_sync and cluster.status == "available":
            backend.mutate_cluster(cluster.row_id, lambda c: setattr(c, "parameters_applying", True))
            rows.append(cluster.row_id)
    return rows


def check_group_change(cluster: ClusterRecord, new_group: str) -> None:
    """ModifyCluster naming a new group: allowed unless a dynamic change is still being applied."""
    if cluster.parameters_applying and new_group != cluster.cluster_parameter_group_name:
        raise ApiError("InvalidClusterState",
                       f"Parameter changes are being applied to cluster {cluster.identifier}; try again later.")
