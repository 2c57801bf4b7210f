"""What the operations on Redshift's smaller resources share: tagged inserts and deletes,
quotas, and the Describe pattern (one by name, or a page filtered by tags).  A record's
class names the resource type of its ARN (``ARN_TYPE``, resource_records.py)."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Protocol, TypeVar

from localshift.errors import ApiError, invalid_combination
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.arns import resource_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.store.database import DuplicateError
from localshift.store.paging import decode_marker, encode_marker
from localshift.store.resources import ResourceRepository


class TaggableRecord(Protocol):
    """A resource's record (frozen dataclasses: its fields are read-only here)."""

    ARN_TYPE: ClassVar[str | None]

    @property
    def account(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def row_id(self) -> int: ...


R = TypeVar("R", bound=TaggableRecord)
View = Callable[[R, list[tuple[str, str]]], dict[str, Any]]


def arn_of(record: TaggableRecord) -> str | None:
    """The record's ARN, or None for a resource AWS gives no ARN to tag."""
    arn_type = type(record).ARN_TYPE
    return resource_arn(record.region, record.account, arn_type, record.name) if arn_type else None


def insert_tagged(
    backend: RedshiftBackend, repository: ResourceRepository[Any], record: R, tags: list[tuple[str, str]],
    duplicate: ApiError, quota: tuple[int, ApiError] | None = None,
) -> R:
    """Insert a record and its tags in one transaction: ``duplicate`` when the name is taken, else
    ``quota``'s error when the account and region already have that many."""
    with backend.db.transaction():
        if repository.get(record.account, record.region, record.name) is not None:
            raise duplicate
        if quota is not None and repository.count(record.account, record.region) >= quota[0]:
            raise quota[1]
        try:
            repository.insert(record)
        except DuplicateError:
            raise duplicate from None
        arn_type = type(record).ARN_TYPE
        if tags and arn_type:
            backend.tags.put(resource_arn(record.region, record.account, arn_type, record.name), record.account,
                             record.region, arn_type, tags)
    return record


def delete_tagged(backend: RedshiftBackend, repository: ResourceRepository[Any], record: TaggableRecord) -> None:
    with backend.db.transaction():
        arn = arn_of(record)
        if arn is not None:
            backend.tags.remove_all(arn)
        repository.delete(record)


def delete_unused(
    backend: RedshiftBackend, ctx: RequestContext, repository: ResourceRepository[Any], name: str, missing: ApiError,
    user_of: Callable[[Any], str | None], in_use: Callable[[Any, str], ApiError],
) -> None:
    """Delete the caller's resource ``name`` and its tags in one transaction, unless ``user_of`` names
    something that uses it (then ``in_use``'s error)."""
    with backend.db.transaction():
        record = find(repository, ctx, name, missing)
        user = user_of(record)
        if user is not None:
            raise in_use(record, user)
        delete_tagged(backend, repository, record)


def find(repository: ResourceRepository[Any], ctx: RequestContext, name: str, missing: ApiError) -> Any:
    record = repository.get(ctx.account, ctx.region, name)
    if record is None:
        raise missing
    return record


def render(backend: RedshiftBackend, records: list[R], view: View[R]) -> list[dict[str, Any]]:
    arns = [arn_of(record) for record in records]
    tags = backend.tags.get_many([arn for arn in arns if arn is not None])
    return [view(record, tags.get(arn, []) if arn else []) for record, arn in zip(records, arns)]


def describe(
    backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any], repository: ResourceRepository[Any],
    name: str | None, missing: ApiError, view: View[Any], list_key: str, keep: Callable[[Any], bool] | None = None,
) -> dict[str, Any]:
    """One resource by ``name``, or a page (MaxRecords 20-100, Marker) of the caller's resources,
    only those with any of ``TagKeys`` or ``TagValues`` when given; only those ``keep`` keeps."""
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    after = decode_marker(p["Marker"], (int,))[0] if p.get("Marker") else 0
    tag_keys, tag_values = p.get("TagKeys", []), p.get("TagValues", [])
    if name is not None:
        if tag_keys or tag_values:
            raise invalid_combination("A tag key or value can't be given together with a resource name.")
        found = [find(repository, ctx, name, missing)]
        return {list_key: render(backend, [r for r in found if keep is None or keep(r)], view)}
    names = None
    if tag_keys or tag_values:
        arn_type = repository.record_class.ARN_TYPE
        matches = backend.tags.search(ctx.account, ctx.region, arn_type, None, tag_keys, tag_values, 0, 1_000_000)
        names = sorted({arn.split(":", 6)[6] for _, arn, _, _, _ in matches})
    if keep is None:
        records = repository.page(ctx.account, ctx.region, after, limit + 1, names)
    else:
        records = [r for r in repository.page(ctx.account, ctx.region, after, 1_000_000, names) if keep(r)][:limit + 1]
    result: dict[str, Any] = {list_key: render(backend, records[:limit], view)}
    if len(records) > limit:
        result["Marker"] = encode_marker([records[limit - 1].row_id])
    return result
