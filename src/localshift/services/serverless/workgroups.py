"""Workgroup operations: CreateWorkgroup, GetWorkgroup, ListWorkgroups, UpdateWorkgroup, DeleteWorkgroup.

A workgroup is the compute that serves its namespace's data: while it exists,
the namespace's engine listens on the workgroup's port (endpoint.port).  A
namespace has at most one workgroup.
"""

from __future__ import annotations

import uuid
from typing import Any

from localshift.services.context import RequestContext
from localshift.services.serverless import validation, vpc_settings, workgroup_lifecycle
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_namespace, find_workgroup, owner_account
from localshift.services.serverless.validation import busy, conflict, validation_error
from localshift.services.serverless.views import workgroup_view
from localshift.store.database import DuplicateError
from localshift.store.serverless import WorkgroupRecord

DEFAULT_PAGE = 100
DEFAULT_BASE_CAPACITY = 128
DEFAULT_PORT = 5439

# UpdateWorkgroup changes one setting per request (its documentation: "you can update
# baseCapacity or port in a single request, but you can't update both").
_UPDATABLE = (
    "baseCapacity", "maxCapacity", "port", "configParameters", "enhancedVpcRouting", "publiclyAccessible",
    "securityGroupIds", "subnetIds", "ipAddressType", "trackName", "pricePerformanceTarget",
    "extraComputeForAutomaticOptimization",
)


def create_workgroup(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["workgroupName"]
    base = validation.base_capacity(p.get("baseCapacity", DEFAULT_BASE_CAPACITY))
    # Without subnetIds AWS places the workgroup in the default VPC's subnets, with its default security group.
    subnets, vpc = vpc_settings.subnets(ctx, p["subnetIds"]) if "subnetIds" in p else vpc_settings.default_subnets(ctx)
    groups = vpc_settings.security_groups(ctx, p.get("securityGroupIds"), vpc)
    workgroup_id = str(uuid.uuid4())
    workgroup = WorkgroupRecord(
        account=ctx.account,
        region=ctx.region,
        name=name,
        workgroup_id=workgroup_id,
        arn=validation.arn(ctx.region, ctx.account, "workgroup", workgroup_id),
        namespace_name=p["namespaceName"],
        status="CREATING",
        create_time=ctx.now,
        port=validation.port(p.get("port", DEFAULT_PORT)),
        base_capacity=base,
        max_capacity=validation.max_capacity(p["maxCapacity"], base) if "maxCapacity" in p else None,
        enhanced_vpc_routing=p.get("enhancedVpcRouting", False),
        publicly_accessible=p.get("publiclyAccessible", False),
        config_parameters=validation.config_parameters(
            p.get("configParameters", []), validation.CONFIG_PARAMETER_DEFAULTS, creating=True
        ),
        security_group_ids=groups,
        subnet_ids=subnets,
        ip_address_type=p.get("ipAddressType", "ipv4"),
        track_name=validation.track(p.get("trackName", "current")),
        price_performance_target=(validation.performance_target(p["pricePerformanceTarget"])
                                  if "pricePerformanceTarget" in p else None),
        extra_compute_for_automatic_optimization=p.get("extraComputeForAutomaticOptimization", False),
    )
    tags = validation.tags(p.get("tags", []))
    with backend.db.transaction():
        namespace = find_namespace(backend, ctx, p["namespaceName"])
        if namespace.status != "AVAILABLE":
            raise conflict(f"Namespace {namespace.name} is {namespace.status}; a workgroup needs it AVAILABLE.")
        existing = backend.workgroups.of_namespace(ctx.account, ctx.region, namespace.name)
        if existing:
            raise conflict(f"Namespace {namespace.name} is already associated with workgroup {existing[0].name}.")
        try:
            backend.workgroups.insert(workgroup)
        except DuplicateError:
            raise conflict(f"Workgroup {name} already exists.") from None
        backend.tags.put(workgroup.arn, tags)
    backend.submit_for(ctx.account, workgroup_lifecycle.create_workgroup, workgroup.row_id)
    return {"workgroup": workgroup_view(workgroup)}


def get_workgroup(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"workgroup": workgroup_view(find_workgroup(backend, ctx, p["workgroupName"]))}


def list_workgroups(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    token = validation.page_token(p.get("nextToken"), (int,))
    owner = owner_account(p.get("ownerAccount"))
    if owner is not None and owner != ctx.account:
        return {"workgroups": []}  # workgroups are never shared: another owner's are not listed
    records, next_token = backend.workgroups.page(ctx.account, ctx.region, p.get("maxResults", DEFAULT_PAGE), token)
    return {"workgroups": [workgroup_view(w) for w in records], "nextToken": next_token}


def update_workgroup(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    given = [member for member in _UPDATABLE if member in p]
    if len(given) > 1:
        raise validation_error(f"You can't update {', '.join(given)} in one request: update one setting at a time.")
    with backend.db.transaction():
        workgroup = find_workgroup(backend, ctx, p["workgroupName"])
        if workgroup.status != "AVAILABLE":
            raise busy("workgroup", workgroup.name, workgroup.status, "updating")
        require_ssl = workgroup.config_parameters.get(validation.REQUIRE_SSL)
        move_to = _apply(ctx, workgroup, p)
        # A new port, or a require_ssl the SQL front applies at once: MODIFYING until the engine serves so.
        serve_again = move_to is not None or workgroup.config_parameters.get(validation.REQUIRE_SSL) != require_ssl
        if serve_again:
            workgroup.pending_port = move_to
            workgroup.status = "MODIFYING"
        backend.workgroups.update(workgroup)
    if serve_again:
        backend.submit_for(ctx.account, workgroup_lifecycle.serve_workgroup, workgroup.row_id)
    return {"workgroup": workgroup_view(workgroup)}


def _apply(ctx: RequestContext, workgroup: WorkgroupRecord, p: dict[str, Any]) -> int | None:
    """Apply an update to the record; returns the new port when the engine must move."""
    if "baseCapacity" in p:
        workgroup.base_capacity = validation.base_capacity(p["baseCapacity"])
        if workgroup.max_capacity is not None and workgroup.max_capacity < workgroup.base_capacity:
            raise validation_error(f"baseCapacity can't exceed the workgroup's maxCapacity ({workgroup.max_capacity}).")
    if "maxCapacity" in p:
        workgroup.max_capacity = validation.max_capacity(p["maxCapacity"], workgroup.base_capacity)
    if "configParameters" in p:
        workgroup.config_parameters = validation.config_parameters(p["configParameters"], workgroup.config_parameters)
    if "trackName" in p:
        workgroup.track_name = validation.track(p["trackName"])
    if "pricePerformanceTarget" in p:
        workgroup.price_performance_target = validation.performance_target(p["pricePerformanceTarget"])
    if "subnetIds" in p:
        workgroup.subnet_ids, vpc = vpc_settings.subnets(ctx, p["subnetIds"])
        if vpc != vpc_settings.security_groups_vpc(ctx, workgroup.security_group_ids):
            # Moved to another VPC, whose security groups the old ones are not: the new VPC's default one
            # until securityGroupIds is updated (one setting per request, so it can't come with the subnets).
            workgroup.security_group_ids = vpc_settings.security_groups(ctx, None, vpc)
    if "securityGroupIds" in p:
        vpc = vpc_settings.subnets(ctx, workgroup.subnet_ids)[1] if workgroup.subnet_ids else (
            vpc_settings.default_subnets(ctx)[1])
        workgroup.security_group_ids = vpc_settings.security_groups(ctx, p["securityGroupIds"], vpc)
    simple = {
        "enhancedVpcRouting": "enhanced_vpc_routing",
        "publiclyAccessible": "publicly_accessible",
        "ipAddressType": "ip_address_type",
        "extraComputeForAutomaticOptimization": "extra_compute_for_automatic_optimization",
    }
    for member, attribute in simple.items():
        if member in p:
            setattr(workgroup, attribute, p[member])
    if "port" in p and validation.port(p["port"]) != workgroup.port:
        return p["port"]
    return None


def delete_workgroup(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        workgroup = find_workgroup(backend, ctx, p["workgroupName"])
        if workgroup.status != "AVAILABLE":
            raise busy("workgroup", workgroup.name, workgroup.status, "deleting")
        if any(e.workgroup_row_id == workgroup.row_id for e in backend.endpoint_accesses.all_of(ctx.account, ctx.region)):
            raise conflict(f"Workgroup {workgroup.name} has VPC endpoints; delete them first.")
        workgroup.status = "DELETING"
        backend.workgroups.update(workgroup)
    backend.submit_for(ctx.account, workgroup_lifecycle.delete_workgroup, workgroup.row_id)
    return {"workgroup": workgroup_view(workgroup)}


OPERATIONS = {
    "CreateWorkgroup": create_workgroup,
    "GetWorkgroup": get_workgroup,
    "ListWorkgroups": list_workgroups,
    "UpdateWorkgroup": update_workgroup,
    "DeleteWorkgroup": delete_workgroup,
}
