"""The VPC settings of workgroups and VPC endpoints: subnets of one VPC, and security groups in that
VPC, by the provisioned API's network rules (services/redshift/network.py: there is no EC2 here).
Bad ones are a ValidationException, the error Redshift Serverless answers for its input."""

from __future__ import annotations

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift import network
from localshift.services.serverless.validation import validation_error


def subnets(ctx: RequestContext, subnet_ids: list[str]) -> tuple[list[str], str]:
    """The subnets (at least one, well formed, all in one VPC, each once) and their VPC."""
    if not subnet_ids:
        raise validation_error("subnetIds must name at least one subnet.")
    for subnet in subnet_ids:
        if not network.is_subnet_id(subnet):
            raise validation_error(f"Invalid subnet id: {subnet}.")
    vpcs = {network.subnet_vpc(ctx.account, ctx.region, subnet) for subnet in subnet_ids}
    if len(vpcs) > 1:
        raise validation_error(f"The subnets must all be in one VPC; they are in {', '.join(sorted(vpcs))}.")
    return list(dict.fromkeys(subnet_ids)), vpcs.pop()


def security_groups(ctx: RequestContext, group_ids: list[str] | None, vpc: str) -> list[str]:
    """The security groups, checked to be in ``vpc``; none given: the VPC's default security group."""
    if not group_ids:
        return [network.default_security_group(ctx.account, ctx.region, vpc)]
    try:
        return network.check_security_groups(ctx.account, ctx.region, group_ids, vpc)
    except ApiError as error:
        raise validation_error(error.message) from None


def security_groups_vpc(ctx: RequestContext, group_ids: list[str]) -> str | None:
    """The VPC checked security groups are in; None for none."""
    return network.security_group_vpc(ctx.account, ctx.region, group_ids[0]) if group_ids else None


def default_subnets(ctx: RequestContext) -> tuple[list[str], str]:
    """The default VPC's subnets (one per zone) and the default VPC: where a workgroup goes without subnetIds."""
    return network.default_subnets(ctx.account, ctx.region), network.default_vpc_id(ctx.account, ctx.region)
