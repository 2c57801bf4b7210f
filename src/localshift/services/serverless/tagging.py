"""Tags on namespaces, workgroups and snapshots: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any, Protocol

from localshift.services.context import RequestContext
from localshift.services.serverless import validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.validation import not_found, validation_error


class _Owned(Protocol):
    @property
    def account(self) -> str: ...


class _Tagged(Protocol):
    """A repository of taggable resources."""

    def get_by_arn(self, arn: str) -> _Owned | None: ...


def _owned_arn(backend: ServerlessBackend, ctx: RequestContext, arn: str) -> str:
    """The ARN of a resource of the caller's; other accounts' resources do not exist for it."""
    parsed = validation.parse_arn(arn, "resourceArn")
    repositories: dict[str, _Tagged] = {"namespace": backend.namespaces, "workgroup": backend.workgroups,
                                        "snapshot": backend.snapshots}
    repository = repositories.get(parsed.resource_type)
    if repository is None:
        raise validation_error(f"Resources of type {parsed.resource_type} can't be tagged.")
    record = repository.get_by_arn(arn) if parsed.region == ctx.region else None
    if record is None or record.account != ctx.account:
        raise not_found(f"Resource {arn} not found.")
    return arn


def tag_resource(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        arn = _owned_arn(backend, ctx, p["resourceArn"])
        # Keys already on the resource and not given again count toward its 50 tags.
        kept = {key for key, _ in backend.tags.get(arn)} - {tag["key"] for tag in p["tags"]}
        backend.tags.put(arn, validation.tags(p["tags"], len(kept)))
    return {}


def untag_resource(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    backend.tags.remove(_owned_arn(backend, ctx, p["resourceArn"]), p["tagKeys"])
    return {}


def list_tags_for_resource(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    tags = backend.tags.get(_owned_arn(backend, ctx, p["resourceArn"]))
    return {"tags": [{"key": key, "value": value} for key, value in tags]}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
