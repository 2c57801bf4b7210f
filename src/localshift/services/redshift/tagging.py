"""Tag operations on clusters, snapshots and snapshot schedules, named by ARN."""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.common.arns import parse_arn
from localshift.services.redshift.backend import NAMED_TAGGABLE, RedshiftBackend
from localshift.store.paging import decode_marker, encode_marker

# ARN resource types (arn:aws:redshift:REGION:ACCOUNT:TYPE:NAME), as DescribeTags' ResourceType names them.
SNAPSHOT_SCHEDULE = "snapshotschedule"
TAGGABLE = {"cluster", "snapshot", *NAMED_TAGGABLE}
# DescribeTags' ResourceType in the words AWS's documentation lists, lowercased without spaces, where they are
# not the ARN's type; the EC2-Classic types are valid but never hold a tag here (there are no such resources).
_DOCUMENTED_TYPES = {"hsmconnection": "hsmconfiguration", "hsmcertificate": "hsmclientcertificate"}
_CLASSIC_TYPES = {"clustersecuritygroup", "securitygroup", "ec2securitygroup", "cidr/ip"}


def _resource(backend: RedshiftBackend, ctx: RequestContext, arn: str) -> tuple[str, str]:
    """Check that an ARN names an existing resource of the caller; return (arn, type)."""
    parsed = parse_arn(arn)
    # AWS names the resource by its type and name: "cluster (c1) not found."
    missing = ApiError("ResourceNotFoundFault", f"{parsed.resource_type} ({parsed.resource.rpartition('/')[2]}) not found.")
    if parsed.service != "redshift" or parsed.account != ctx.account or parsed.region != ctx.region:
        raise missing
    if parsed.resource_type not in TAGGABLE:
        raise invalid_parameter(f"Tagging is not supported for resource type {parsed.resource_type}.")
    if parsed.resource_type == "cluster":
        exists = backend.clusters.get(ctx.account, ctx.region, parsed.resource) is not None
    elif parsed.resource_type in NAMED_TAGGABLE:
        repository = getattr(backend, NAMED_TAGGABLE[parsed.resource_type])
        exists = repository.get(ctx.account, ctx.region, parsed.resource) is not None
    else:
        cluster, _, name = parsed.resource.partition("/")
        snapshot = backend.snapshots.get(ctx.account, ctx.region, name)
        exists = snapshot is not None and snapshot.cluster_identifier == cluster
    if not exists:
        raise missing
    return arn, parsed.resource_type


def create_tags(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    arn, resource_type = _resource(backend, ctx, p["ResourceName"])
    tags = validation.tag_list(p["Tags"])
    existing = {key for key, _ in backend.tags.get(arn)}
    validation.check_tag_count(existing | {key for key, _ in tags})
    backend.tags.put(arn, ctx.account, ctx.region, resource_type, tags)
    return {}


def delete_tags(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    arn, _ = _resource(backend, ctx, p["ResourceName"])
    backend.tags.remove(arn, p["TagKeys"])
    return {}


def describe_tags(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    # DescribeTags' own limits, as its documentation lists them: MaxRecords from 10 to 50, and neither
    # MaxRecords nor Marker with an ARN (a resource's at most 50 tags are one page).
    limit = validation.max_records(p.get("MaxRecords"), 10, 50, 50)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    arn = None
    if p.get("ResourceName") and p.get("ResourceType"):
        raise invalid_parameter(
            "You cannot filter a list of resources using an Amazon Resource Name (ARN) and a resource type together "
            "in the same request. Retry the request using either an ARN or a resource type, but not both.")
    if p.get("ResourceName") and ("MaxRecords" in p or "Marker" in p):
        raise invalid_parameter(
            "You cannot use the MaxRecords and Marker parameters together with an Amazon Resource Name (ARN).")
    if p.get("ResourceName"):
        arn, _ = _resource(backend, ctx, p["ResourceName"])
    resource_type = p.get("ResourceType")
    if resource_type is not None:
        # AWS's documentation names them in words too ("Snapshot copy grant", "HSM connection").
        resource_type = resource_type.lower().replace(" ", "")
        resource_type = _DOCUMENTED_TYPES.get(resource_type, resource_type)
        if resource_type in _CLASSIC_TYPES:
            return {"TaggedResources": []}
        if resource_type not in TAGGABLE:
            raise invalid_parameter(
                f"Invalid resource type: {p['ResourceType']}. Valid values: {', '.join(sorted(TAGGABLE))}.")
    rows = backend.tags.search(
        ctx.account, ctx.region, resource_type, arn, p.get("TagKeys", []), p.get("TagValues", []), after, limit + 1
    )
    result: dict[str, Any] = {
        "TaggedResources": [
            {"Tag": {"Key": key, "Value": value}, "ResourceName": name, "ResourceType": kind}
            for _, name, kind, key, value in rows[:limit]
        ]
    }
    if len(rows) > limit:
        result["Marker"] = encode_marker([rows[limit - 1][0]])
    return result


OPERATIONS = {"CreateTags": create_tags, "DeleteTags": delete_tags, "DescribeTags": describe_tags}
