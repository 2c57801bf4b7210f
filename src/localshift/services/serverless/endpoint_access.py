"""Serverless VPC endpoints: Create/Update/Delete/Get/ListEndpointAccess.

An endpoint is a further SQL port serving its workgroup's data (endpoint_lifecycle.py), placed in
one of the subnets given (the first) of the caller's network as network.py defines it, with the
VPC's default security group unless others are given.  It belongs to the workgroup's account; a
workgroup of another account (``ownerAccount``) can't be reached: serverless has no authorization
to grant it here.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift import network
from localshift.services.serverless import endpoint_lifecycle, paging, validation, vpc_settings
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_own, find_workgroup
from localshift.services.serverless.resource_records import EndpointAccessRecord
from localshift.services.serverless.validation import busy, conflict, validation_error
from localshift.services.serverless.views import LOCAL_ADDRESS

# Endpoints to one workgroup (ServiceQuotaExceededException past it), as for a provisioned cluster.
ENDPOINTS_PER_WORKGROUP = 30
_NAME = re.compile(r"[A-Za-z](?:-?[A-Za-z0-9])*")


def endpoint_view(endpoint: EndpointAccessRecord) -> dict[str, Any]:
    subnet = endpoint.subnet_ids[0]
    return {
        "endpointName": endpoint.name,
        "endpointArn": endpoint.arn,
        "endpointStatus": endpoint.status,
        "endpointCreateTime": endpoint.create_time,
        "workgroupName": endpoint.workgroup_name,
        "address": LOCAL_ADDRESS,
        "port": endpoint.port or None,
        "subnetIds": list(endpoint.subnet_ids),
        "vpcSecurityGroups": [{"vpcSecurityGroupId": group, "status": "active"} for group in endpoint.security_group_ids],
        "vpcEndpoint": {
            "vpcEndpointId": endpoint.vpc_endpoint_id,
            "vpcId": endpoint.vpc_id,
            "networkInterfaces": [{
                "networkInterfaceId": f"eni-{endpoint.vpc_endpoint_id.removeprefix('vpce-')}",
                "subnetId": subnet,
                "privateIpAddress": LOCAL_ADDRESS,
                "availabilityZone": network.subnet_zone(endpoint.region, subnet),
            }],
        },
    }


def find_endpoint(backend: ServerlessBackend, ctx: RequestContext, name: str) -> EndpointAccessRecord:
    return find_own(backend.endpoint_accesses, ctx, name, "Endpoint")


def _name(value: str) -> str:
    if len(value) > 30 or not _NAME.fullmatch(value):
        raise validation_error(
            "endpointName must contain 1 to 30 letters, digits or hyphens, start with a letter, and cannot end "
            "with a hyphen or contain two consecutive hyphens.")
    return value


def create_endpoint_access(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = _name(p["endpointName"])
    if p.get("ownerAccount", ctx.account) != ctx.account:
        raise ApiError("AccessDeniedException",
                       f"Account {ctx.account} is not authorized to reach workgroups of account {p['ownerAccount']}.")
    subnets, vpc = vpc_settings.subnets(ctx, p["subnetIds"])
    groups = vpc_settings.security_groups(ctx, p.get("vpcSecurityGroupIds"), vpc)
    endpoint_id = str(uuid.uuid4())
    with backend.db.transaction():
        workgroup = find_workgroup(backend, ctx, p["workgroupName"])
        if workgroup.status != "AVAILABLE":
            raise busy("workgroup", workgroup.name, workgroup.status, "creating an endpoint for")
        if backend.endpoint_accesses.get(ctx.account, ctx.region, name) is not None:
            raise conflict(f"Endpoint {name} already exists.")
        if len(endpoints_of(backend, workgroup.row_id, ctx)) >= ENDPOINTS_PER_WORKGROUP:
            raise ApiError("ServiceQuotaExceededException",
                           f"Workgroup {workgroup.name} already has {ENDPOINTS_PER_WORKGROUP} endpoints.")
        endpoint = backend.endpoint_accesses.insert(EndpointAccessRecord(
            account=ctx.account, region=ctx.region, name=name,
            arn=validation.arn(ctx.region, ctx.account, "managedvpcendpoint", endpoint_id),
            workgroup_name=workgroup.name, workgroup_row_id=workgroup.row_id, status="CREATING",
            create_time=ctx.now, subnet_ids=subnets, security_group_ids=groups, vpc_id=vpc,
            vpc_endpoint_id=f"vpce-{secrets.token_hex(9)[:17]}",
        ))
    backend.submit_for(ctx.account, endpoint_lifecycle.serve_endpoint, endpoint.row_id)
    return {"endpoint": endpoint_view(endpoint)}


def endpoints_of(backend: ServerlessBackend, workgroup_row_id: int, ctx: RequestContext) -> list[EndpointAccessRecord]:
    return [e for e in backend.endpoint_accesses.all_of(ctx.account, ctx.region) if e.workgroup_row_id == workgroup_row_id]


def update_endpoint_access(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        endpoint = find_endpoint(backend, ctx, p["endpointName"])
        if endpoint.status != "ACTIVE":
            raise busy("endpoint", endpoint.name, endpoint.status, "updating")
        if "vpcSecurityGroupIds" in p:
            endpoint.security_group_ids = vpc_settings.security_groups(ctx, p["vpcSecurityGroupIds"], endpoint.vpc_id)
        backend.endpoint_accesses.update(endpoint)
    return {"endpoint": endpoint_view(endpoint)}


def delete_endpoint_access(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        endpoint = find_endpoint(backend, ctx, p["endpointName"])
        if endpoint.status in ("CREATING", "DELETING"):
            raise busy("endpoint", endpoint.name, endpoint.status, "deleting")
        endpoint.status = "DELETING"
        backend.endpoint_accesses.update(endpoint)
    backend.submit_for(ctx.account, endpoint_lifecycle.delete_endpoint, endpoint.row_id)
    return {"endpoint": endpoint_view(endpoint)}


def get_endpoint_access(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"endpoint": endpoint_view(find_endpoint(backend, ctx, p["endpointName"]))}


def list_endpoint_access(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("ownerAccount", ctx.account) != ctx.account:
        return {"endpoints": []}  # the caller's endpoints are all to its own workgroups
    workgroup, vpc = p.get("workgroupName"), p.get("vpcId")
    endpoints = [e for e in backend.endpoint_accesses.all_of(ctx.account, ctx.region)
                 if workgroup in (None, e.workgroup_name) and vpc in (None, e.vpc_id)]
    chosen, token = paging.page(endpoints, lambda e: e.row_id, p, "endpoints")
    return {"endpoints": [endpoint_view(e) for e in chosen], "nextToken": token}


OPERATIONS = {
    "CreateEndpointAccess": create_endpoint_access,
    "UpdateEndpointAccess": update_endpoint_access,
    "DeleteEndpointAccess": delete_endpoint_access,
    "GetEndpointAccess": get_endpoint_access,
    "ListEndpointAccess": list_endpoint_access,
}
