"""Authentication profiles: Create/Modify/Delete/DescribeAuthenticationProfiles.

A profile is a named JSON object of connection options that drivers read; localshift stores
and validates it (no driver asks the endpoint for it).  Profiles have no ARN, tags or paging.
"""

from __future__ import annotations

import json
from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import AuthenticationProfileRecord

# Redshift's quotas: profiles per account and region, characters of a profile's JSON.
PROFILE_QUOTA = 10
MAX_CONTENT = 4096


def not_found(name: str) -> ApiError:
    return ApiError("AuthenticationProfileNotFoundFault", f"Authentication profile {name} not found.")


def _quota_exceeded(message: str) -> ApiError:
    return ApiError("AuthenticationProfileQuotaExceededFault", message)


def _content(text: str) -> str:
    if len(text) > MAX_CONTENT:
        raise _quota_exceeded(f"The authentication profile content is {len(text)} characters long; "
                              f"the quota is {MAX_CONTENT}.")
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ApiError("InvalidAuthenticationProfileRequestFault",
                       "The authentication profile request is not valid: AuthenticationProfileContent must be a "
                       "JSON object.")
    return text


def _view(profile: AuthenticationProfileRecord) -> dict[str, Any]:
    return {"AuthenticationProfileName": profile.name, "AuthenticationProfileContent": profile.content}


def create_authentication_profile(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["AuthenticationProfileName"]
    profile = AuthenticationProfileRecord(ctx.account, ctx.region, name, _content(p["AuthenticationProfileContent"]))
    named_resources.insert_tagged(
        backend, backend.authentication_profiles, profile, [],
        ApiError("AuthenticationProfileAlreadyExistsFault", f"Authentication profile {name} already exists."),
        (PROFILE_QUOTA, _quota_exceeded(f"An account can have at most {PROFILE_QUOTA} authentication profiles.")))
    return _view(profile)


def modify_authentication_profile(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name, content = p["AuthenticationProfileName"], _content(p["AuthenticationProfileContent"])
    with backend.db.transaction():
        found = named_resources.find(backend.authentication_profiles, ctx, name, not_found(name))
        profile = backend.authentication_profiles.mutate(found.row_id, lambda record: setattr(record, "content", content))
    assert profile is not None  # found in this very transaction
    return _view(profile)


def delete_authentication_profile(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["AuthenticationProfileName"]
    with backend.db.transaction():
        backend.authentication_profiles.delete(
            named_resources.find(backend.authentication_profiles, ctx, name, not_found(name)))
    return {"AuthenticationProfileName": name}


def describe_authentication_profiles(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("AuthenticationProfileName")
    if name is not None:
        profiles = [named_resources.find(backend.authentication_profiles, ctx, name, not_found(name))]
    else:
        profiles = backend.authentication_profiles.all_of(ctx.account, ctx.region)
    return {"AuthenticationProfiles": [_view(profile) for profile in profiles]}


OPERATIONS = {
    "CreateAuthenticationProfile": create_authentication_profile,
    "ModifyAuthenticationProfile": modify_authentication_profile,
    "DeleteAuthenticationProfile": delete_authentication_profile,
    "DescribeAuthenticationProfiles": describe_authentication_profiles,
}
