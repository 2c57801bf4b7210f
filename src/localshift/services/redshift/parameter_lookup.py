"""Finding parameter groups (the default ones of each family are in every account and region) and their values."""

from __future__ import annotations

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.parameter_catalog import DEFAULT_PREFIX, FAMILIES, default_group_name, defaults
from localshift.services.redshift.resource_records import ParameterGroupRecord


def not_found(name: str) -> ApiError:
    return ApiError("ClusterParameterGroupNotFound", f"ClusterParameterGroup not found: {name}")


def default_groups(account: str, region: str) -> list[ParameterGroupRecord]:
    """The default group of every family: never stored, never changed (row id 0)."""
    return [
        ParameterGroupRecord(account, region, default_group_name(family), family,
                             f"Default parameter group for {family}")
        for family in FAMILIES
    ]


def is_default(name: str) -> bool:
    return name.startswith(DEFAULT_PREFIX)


def find_group(backend: RedshiftBackend, account: str, region: str, name: str) -> ParameterGroupRecord | None:
    lowered = name.lower()
    if is_default(lowered):
        return next((g for g in default_groups(account, region) if g.name == lowered), None)
    return backend.parameter_groups.get(account, region, lowered)


def existing_group(backend: RedshiftBackend, ctx: RequestContext, name: str) -> ParameterGroupRecord:
    group = find_group(backend, ctx.account, ctx.region, name)
    if group is None:
        raise not_found(name)
    return group


def group_values(group: ParameterGroupRecord) -> dict[str, str]:
    """Every parameter of the group with its value: the family's defaults, then what the user set."""
    return {**defaults(group.family), **group.values}


def values_of(backend: RedshiftBackend, account: str, region: str, name: str) -> dict[str, str]:
    """The values of a cluster's group by name; a group gone meanwhile has none."""
    group = find_group(backend, account, region, name)
    return group_values(group) if group is not None else {}
