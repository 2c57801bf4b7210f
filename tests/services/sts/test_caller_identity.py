"""STS GetCallerIdentity on the service's port: routed by the signature's credential scope, the
account and IAM identity of the signing key, in open and strict mode, through boto3 and the CLI."""

from __future__ import annotations

from typing import Iterator

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localshift.services.sts.operations import unique_id
from support import OWNER, REGION, Server, aws_cli, error_of, served

KEYS = {"AKIDPLAIN": ("SECRETP", "111111111111"), "AKIDUSER": ("SECRETU", "111111111111:user/alice"),
        "AKIDROLE": ("SECRETR", "222222222222:role/etl-runner")}


def sts(server: Server, key: str, secret: str = "x"):  # type: ignore[no-untyped-def]
    return boto3.client("sts", endpoint_url=server.url, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served(tmp_path_factory, "strict-sts", keys=KEYS)


def test_open_mode_answers_the_accounts_root(ls):
    identity = sts(ls, OWNER).get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (OWNER, OWNER, f"arn:aws:iam::{OWNER}:root")
    # The same port still answers Redshift's Query requests, which name no service but by their scope.
    assert boto3.client("redshift", endpoint_url=ls.url, region_name=REGION, aws_access_key_id=OWNER,
                        aws_secret_access_key="x").describe_clusters()["Clusters"] == []


def test_the_aws_cli(ls):
    assert aws_cli(ls, "get-caller-identity", service="sts")["Arn"] == f"arn:aws:iam::{OWNER}:root"


def test_strict_mode_answers_each_keys_identity(strict):
    user = sts(strict, "AKIDUSER", "SECRETU").get_caller_identity()
    assert user["Account"] == "111111111111" and user["Arn"] == "arn:aws:iam::111111111111:user/alice"
    assert user["UserId"] == unique_id("AIDA", "111111111111", "user/alice")
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    role = sts(strict, "AKIDROLE", "SECRETR").get_caller_identity()
    assert role["Account"] == "222222222222"
    assert role["Arn"] == "arn:aws:sts::222222222222:assumed-role/etl-runner/AKIDROLE"
    assert role["UserId"] == f"{unique_id('AROA', '222222222222', 'role/etl-runner')}:AKIDROLE"
    plain = sts(strict, "AKIDPLAIN", "SECRETP").get_caller_identity()
    assert plain["Arn"] == "arn:aws:iam::111111111111:root" and plain["UserId"] == "111111111111"
    # Stable: the same ids on every call.
    assert sts(strict, "AKIDUSER", "SECRETU").get_caller_identity()["UserId"] == user["UserId"]


@pytest.mark.parametrize(("key", "secret", "code"), [("AKIDUSER", "wrong", "SignatureDoesNotMatch"),
                                                     ("NOBODY", "x", "InvalidClientTokenId")])
def test_strict_mode_checks_the_signature(strict, key, secret, code):
    with pytest.raises(ClientError) as caught:
        sts(strict, key, secret).get_caller_identity()
    assert error_of(caught)[:2] == (code, 403)


def test_temporary_credentials_are_not_issued(ls):
    with pytest.raises(ClientError) as caught:
        sts(ls, OWNER).assume_role(RoleArn=f"arn:aws:iam::{OWNER}:role/x", RoleSessionName="session")
    assert caught.value.response["Error"]["Code"] == "InvalidAction"
    assert "temporary credentials are not issued" in caught.value.response["Error"]["Message"]


ROLE = f"arn:aws:iam::{OWNER}:role/x"


@pytest.mark.parametrize("mode", ["ls", "strict"])
@pytest.mark.parametrize(("operation", "params"), [
    ("assume_role_with_web_identity", {"RoleArn": ROLE, "RoleSessionName": "ci-run", "WebIdentityToken": "eyJ.x.y"}),
    ("assume_role_with_saml", {"RoleArn": ROLE, "PrincipalArn": f"arn:aws:iam::{OWNER}:saml-provider/idp",
                               "SAMLAssertion": "PHNhbWw+PC9zYW1sPg=="}),
])
def test_the_unsigned_assume_role_calls_reach_sts(request, mode, operation, params):
    # botocore sends these unsigned (the token or assertion is their proof): no credential scope names
    # STS, so they are routed by their Action, and answered as the other credential-issuing calls are.
    client = boto3.client("sts", endpoint_url=request.getfixturevalue(mode).url, region_name=REGION,
                          config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(**params)
    assert error_of(caught)[:2] == ("InvalidAction", 400)
    assert "temporary credentials are not issued" in caught.value.response["Error"]["Message"]


def test_the_aws_cli_assumes_a_role_with_a_web_identity_unsigned(ls):
    with pytest.raises(AssertionError, match="InvalidAction.*temporary credentials are not issued"):
        aws_cli(ls, "assume-role-with-web-identity", "--role-arn", ROLE, "--role-session-name", "ci-run",
                "--web-identity-token", "eyJ.x.y", "--no-sign-request", service="sts")
