"""Cluster parameter groups: Create/Describe/Modify/Reset/Delete, DescribeClusterParameters,
DescribeDefaultClusterParameters.

Every account and region has the default group of each family (parameter_catalog.py);
they are listed first and can be neither modified nor deleted.  A group keeps only the
values a user set; the rest are its family's defaults.  What a change does to the
clusters using the group is in parameter_status.py.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError, invalid_combination, invalid_parameter
from localshift.services import event_catalog, events
from localshift.services.context import RequestContext
from localshift.services.redshift import maintenance_lifecycle, named_resources, parameter_status, validation
from localshift.services.redshift.arns import resource_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.parameter_catalog import CATALOG, FAMILIES, ParameterDefinition, check_value
from localshift.services.redshift.parameter_lookup import (
    default_groups, existing_group, find_group, group_values, is_default,
)
from localshift.services.redshift.resource_records import ParameterGroupRecord
from localshift.services.redshift.views import tags_view
from localshift.store.paging import decode_marker, encode_marker, page_of

# Parameter groups per account and region (Redshift's quota), and parameters per Modify/Reset request.
GROUP_QUOTA = 20
MAX_PARAMETERS_PER_REQUEST = 20
UPDATED = "Your parameter group has been updated but changes won't get applied until you reboot the associated Clusters."
SOURCES = ("user", "engine-default", "system")


def _group_view(group: ParameterGroupRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"ParameterGroupName": group.name, "ParameterGroupFamily": group.family, "Description": group.description,
            "Tags": tags_view(tags)}


def _arn(group: ParameterGroupRecord) -> str:
    return resource_arn(group.region, group.account, "parametergroup", group.name)


def create_cluster_parameter_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = validation.identifier(p["ParameterGroupName"], "ParameterGroupName", 255)
    family = p["ParameterGroupFamily"]
    if family not in FAMILIES:
        raise invalid_parameter(f"ParameterGroupFamily {family} is not a valid parameter group family. "
                                f"Valid families: {', '.join(FAMILIES)}.")
    tags = validation.tag_list(p.get("Tags", []))
    group = ParameterGroupRecord(ctx.account, ctx.region, name, family, p["Description"])
    named_resources.insert_tagged(
        backend, backend.parameter_groups, group, tags,
        duplicate=ApiError("ClusterParameterGroupAlreadyExists", f"Parameter group {name} already exists."),
        quota=(GROUP_QUOTA, ApiError("ClusterParameterGroupQuotaExceeded",
                                     f"The request would exceed the allowed number of parameter groups ({GROUP_QUOTA}).")),
    )
    events.record(backend, ctx, event_catalog.PARAMETER_GROUP_CREATED, parameter_group=name)
    return {"ClusterParameterGroup": _group_view(group, tags)}


def describe_cluster_parameter_groups(backend: RedshiftBackend, ctx: RequestContext,
                                      p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    keys, values = p.get("TagKeys", []), p.get("TagValues", [])
    if "ParameterGroupName" in p:
        if keys or values:
            raise invalid_combination("A tag key or value can't be given together with a parameter group name.")
        group = existing_group(backend, ctx, p["ParameterGroupName"])
        return {"ParameterGroups": [_group_view(group, backend.tags.get(_arn(group)))]}
    # Default groups come first (pseudo positions below every row id), then the account's own in creation order.
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else -len(FAMILIES) - 1
    names = None
    if keys or values:
        matches = backend.tags.search(ctx.account, ctx.region, "parametergroup", None, keys, values, 0, 1_000_000)
        names = sorted({arn.rsplit(":", 1)[1] for _, arn, _, _, _ in matches})
    positioned = [] if names is not None else [
        (index - len(FAMILIES), group) for index, group in enumerate(default_groups(ctx.account, ctx.region))
    ]
    stored = backend.parameter_groups.page(ctx.account, ctx.region, max(after, 0), limit + 1, names)
    candidates = [(pos, g) for pos, g in positioned if pos > after] + [(g.row_id, g) for g in stored]
    page = candidates[:limit]
    tags = backend.tags.get_many([_arn(g) for _, g in page])
    result: dict[str, Any] = {"ParameterGroups": [_group_view(g, tags[_arn(g)]) for _, g in page]}
    if len(candidates) > limit:
        result["Marker"] = encode_marker([page[-1][0]])
    return result


def _parameter_page(rows: list[tuple[ParameterDefinition, str, str]], p: dict[str, Any]) -> tuple[
        list[dict[str, Any]], str | None]:
    """A page of Parameter shapes from (definition, value, source) rows in name order."""
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    page, marker = page_of(rows, lambda row: row[0].name, p.get("Marker"), limit)
    return [definition.shape(value, source) for definition, value, source in page], marker


def describe_cluster_parameters(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    group = existing_group(backend, ctx, p["ParameterGroupName"])
    source = p.get("Source")
    if source is not None and source not in SOURCES:
        raise invalid_parameter(f"Invalid value for Source: {source}. Valid values: {', '.join(SOURCES)}.")
    values = group_values(group)
    rows = [
        (definition, values[name], "user" if name in group.values else "engine-default")
        for name, definition in CATALOG[group.family].items()
    ]
    parameters, marker = _parameter_page([row for row in rows if source in (None, row[2])], p)
    result: dict[str, Any] = {"Parameters": parameters}
    if marker:
        result["Marker"] = marker
    return result


def describe_default_cluster_parameters(backend: RedshiftBackend, ctx: RequestContext,
                                        p: dict[str, Any]) -> dict[str, Any]:
    family = p["ParameterGroupFamily"]
    if family not in CATALOG:
        raise invalid_parameter(f"ParameterGroupFamily {family} is not a valid parameter group family.")
    rows = [(definition, definition.default, "engine-default") for definition in CATALOG[family].values()]
    parameters, marker = _parameter_page(rows, p)
    result: dict[str, Any] = {"ParameterGroupFamily": family, "Parameters": parameters}
    if marker:
        result["Marker"] = marker
    return {"DefaultClusterParameters": result}


def _changeable_group(backend: RedshiftBackend, ctx: RequestContext, name: str, verb: str) -> ParameterGroupRecord:
    group = existing_group(backend, ctx, name)
    if is_default(group.name):
        raise ApiError("InvalidClusterParameterGroupState",
                       f"The default parameter group {group.name} can't be {verb}.")
    return group


def _named(group: ParameterGroupRecord, parameters: list[dict[str, Any]]) -> list[ParameterDefinition]:
    if len(parameters) > MAX_PARAMETERS_PER_REQUEST:
        raise invalid_parameter(f"At most {MAX_PARAMETERS_PER_REQUEST} parameters can be given in one request.")
    definitions = []
    for parameter in parameters:
        name = parameter.get("ParameterName")
        if not name:
            raise ApiError("MissingParameter", "The request must contain the parameter ParameterName.")
        definition = CATALOG[group.family].get(name)
        if definition is None:
            raise invalid_parameter(f"Could not find parameter with name: {name}")
        definitions.append(definition)
    return definitions


def _change_values(backend: RedshiftBackend, ctx: RequestContext, group: ParameterGroupRecord,
                   values: dict[str, str]) -> dict[str, Any]:
    """Store a group's new user values, then let the clusters using it see the change."""
    def change(g: ParameterGroupRecord) -> None:
        g.values = values

    with backend.db.transaction():
        before = group_values(group)
        changed = backend.parameter_groups.mutate(group.row_id, change)
        assert changed is not None  # read in this transaction
        applying = parameter_status.group_changed(backend, ctx, changed, before)
        _record_changes(backend, ctx, changed, before)
    for row_id in applying:
        backend.submit_for(ctx.account, maintenance_lifecycle.apply_dynamic_parameters, row_id)
    return {"ParameterGroupName": group.name, "ParameterGroupStatus": UPDATED}


def _record_changes(backend: RedshiftBackend, ctx: RequestContext, group: ParameterGroupRecord,
                    before: dict[str, str]) -> None:
    """Events of a group's change: each parameter's new value, the group, and each cluster using it."""
    after = group_values(group)
    for name in sorted(n for n in after if after[n] != before.get(n)):
        events.record(backend, ctx, event_catalog.PARAMETER_UPDATED, parameter_group=group.name, parameter=name,
                      old_value=before.get(name, ""), new_value=after[name])
    events.record(backend, ctx, event_catalog.PARAMETER_GROUP_UPDATED, parameter_group=group.name)
    for cluster in backend.clusters.using_parameter_group(ctx.account, ctx.region, group.name):
        events.record(backend, ctx, event_catalog.CLUSTER_PARAMETER_GROUP_UPDATED, cluster=cluster.identifier,
                      parameter_group=group.name)


def modify_cluster_parameter_group(backend: RedshiftBackend, ctx: RequestContext,
                                   p: dict[str, Any]) -> dict[str, Any]:
    group = _changeable_group(backend, ctx, p["ParameterGroupName"], "modified")
    parameters = p["Parameters"]
    if not parameters:
        raise ApiError("MissingParameter", "The request must contain the parameter Parameters.")
    values = dict(group.values)
    for definition, parameter in zip(_named(group, parameters), parameters):
        if "ParameterValue" not in parameter:
            raise ApiError("MissingParameter", f"The parameter {definition.name} must have a ParameterValue.")
        # A parameter set is the user's (Source user) even at its default's value: only a reset makes it
        # engine-default again. Terraform reads a group's parameters back with Source=user.
        values[definition.name] = check_value(definition, parameter["ParameterValue"])
    return _change_values(backend, ctx, group, values)


def reset_cluster_parameter_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    group = _changeable_group(backend, ctx, p["ParameterGroupName"], "reset")
    parameters = p.get("Parameters", [])
    # ResetAllParameters defaults to true, unless parameters are named.
    reset_all = p.get("ResetAllParameters", not parameters)
    if reset_all and parameters:
        raise invalid_combination("Parameters can't be given when ResetAllParameters is true.")
    if not reset_all and not parameters:
        raise ApiError("MissingParameter",
                       "At least one parameter name must be given unless ResetAllParameters is true.")
    names = {definition.name for definition in _named(group, parameters)}
    values = {} if reset_all else {k: v for k, v in group.values.items() if k not in names}
    return _change_values(backend, ctx, group, values)


def delete_cluster_parameter_group(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["ParameterGroupName"]
    group = find_group(backend, ctx.account, ctx.region, name)
    if group is None:
        # DeleteClusterParameterGroup words its not-found message differently from the other operations.
        raise ApiError("ClusterParameterGroupNotFound", f"ParameterGroup not found: {name}")
    if is_default(group.name):
        raise ApiError("InvalidClusterParameterGroupState", f"The default parameter group {group.name} can't be deleted.")
    with backend.db.transaction():
        if backend.clusters.using_parameter_group(ctx.account, ctx.region, group.name):
            raise ApiError("InvalidClusterParameterGroupState",
                           f"The parameter group {group.name} is used by one or more clusters and can't be deleted.")
        backend.parameter_groups.delete(group)
        backend.tags.remove_all(_arn(group))
        events.record(backend, ctx, event_catalog.PARAMETER_GROUP_DELETED, parameter_group=group.name)
    return {}


OPERATIONS = {
    "CreateClusterParameterGroup": create_cluster_parameter_group,
    "DescribeClusterParameterGroups": describe_cluster_parameter_groups,
    "DescribeClusterParameters": describe_cluster_parameters,
    "DescribeDefaultClusterParameters": describe_default_cluster_parameters,
    "ModifyClusterParameterGroup": modify_cluster_parameter_group,
    "ResetClusterParameterGroup": reset_cluster_parameter_group,
    "DeleteClusterParameterGroup": delete_cluster_parameter_group,
}
