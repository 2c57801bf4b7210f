"""Authentication profiles: JSON content validated, size and count quotas."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from support import OWNER, STRANGER, aws_cli

CONTENT = json.dumps({"AllowDBUserOverride": "1", "Client_ID": "ExampleClientID", "App_ID": "example"})


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_modify_describe_delete(redshift):
    created = redshift.create_authentication_profile(AuthenticationProfileName="Profile-1",
                                                     AuthenticationProfileContent=CONTENT)
    assert (created["AuthenticationProfileName"], created["AuthenticationProfileContent"]) == ("Profile-1", CONTENT)
    changed = json.dumps({"App_ID": "other"})
    modified = redshift.modify_authentication_profile(AuthenticationProfileName="Profile-1",
                                                      AuthenticationProfileContent=changed)
    assert modified["AuthenticationProfileContent"] == changed
    assert redshift.describe_authentication_profiles()["AuthenticationProfiles"] == [
        {"AuthenticationProfileName": "Profile-1", "AuthenticationProfileContent": changed}]
    assert redshift.describe_authentication_profiles(AuthenticationProfileName="Profile-1")[
        "AuthenticationProfiles"][0]["AuthenticationProfileContent"] == changed
    deleted = redshift.delete_authentication_profile(AuthenticationProfileName="Profile-1")
    assert deleted["AuthenticationProfileName"] == "Profile-1"
    for call in (lambda: redshift.describe_authentication_profiles(AuthenticationProfileName="Profile-1"),
                 lambda: redshift.delete_authentication_profile(AuthenticationProfileName="Profile-1"),
                 lambda: redshift.modify_authentication_profile(AuthenticationProfileName="Profile-1",
                                                                AuthenticationProfileContent=CONTENT)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("AuthenticationProfileNotFoundFault", 404)


@pytest.mark.parametrize("name, content, expected", [
    ("p1", "not json", ("InvalidAuthenticationProfileRequestFault", 400)),
    ("p1", "[1, 2]", ("InvalidAuthenticationProfileRequestFault", 400)),
    ("p1", "", ("InvalidAuthenticationProfileRequestFault", 400)),
    ("p1", json.dumps({"k": "x" * 4096}), ("AuthenticationProfileQuotaExceededFault", 400)),
    ("bad_name", CONTENT, ("InvalidParameterValue", 400)),
    ("x" * 64, CONTENT, ("InvalidParameterValue", 400)),
])
def test_create_validates(redshift, name, content, expected):
    with pytest.raises(ClientError) as excinfo:
        redshift.create_authentication_profile(AuthenticationProfileName=name, AuthenticationProfileContent=content)
    assert error_of(excinfo) == expected


def test_duplicates_quota_and_accounts(ls):
    redshift = ls.client(OWNER)
    for i in range(10):
        redshift.create_authentication_profile(AuthenticationProfileName=f"p{i}", AuthenticationProfileContent=CONTENT)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_authentication_profile(AuthenticationProfileName="p0", AuthenticationProfileContent=CONTENT)
    assert error_of(excinfo) == ("AuthenticationProfileAlreadyExistsFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_authentication_profile(AuthenticationProfileName="p10", AuthenticationProfileContent=CONTENT)
    assert error_of(excinfo) == ("AuthenticationProfileQuotaExceededFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_authentication_profile(AuthenticationProfileName="p0", AuthenticationProfileContent="{")
    assert error_of(excinfo) == ("InvalidAuthenticationProfileRequestFault", 400)
    assert ls.client(STRANGER).describe_authentication_profiles()["AuthenticationProfiles"] == []


def test_aws_cli(ls):
    aws_cli(ls, "create-authentication-profile", "--authentication-profile-name", "cli",
            "--authentication-profile-content", CONTENT)
    listed = aws_cli(ls, "describe-authentication-profiles")["AuthenticationProfiles"]
    assert [(p["AuthenticationProfileName"], json.loads(p["AuthenticationProfileContent"])) for p in listed] == [
        ("cli", json.loads(CONTENT))]
