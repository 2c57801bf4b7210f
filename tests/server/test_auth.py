"""Who is calling: open mode, strict SigV4 mode, presigned URLs, the AWS CLI, regions.

Every test talks to a real `localshift serve` process over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from unittest import mock
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import OWNER, REGION, STRANGER, Server, make_server, served

DEFAULT_ACCOUNT = "123456789012"
STRICT_ACCOUNTS = {
    "AKID1": ("SECRET1", "111111111111"),
    "AKID2": ("SECRET2", "222222222222"),
    "AKID3": ("SECRET3", "111111111111"),  # a second key of the same account
}
DESCRIBE = "Action=DescribeClusters&Version=2012-12-01"


# --------------------------------------------------------------------------------------------
# Servers and raw HTTP helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = make_server(tmp_path_factory.mktemp("open-auth")).start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served(tmp_path_factory, "strict-auth", keys=STRICT_ACCOUNTS)


@pytest.fixture
def open_ls(open_server: Server) -> Server:
    open_server.reset()
    return open_server


@pytest.fixture
def strict(strict_server: Server) -> Server:
    strict_server.reset()
    return strict_server


def client(server: Server, key: str, secret: str = "anything", region: str = REGION):  # type: ignore[no-untyped-def]
    return boto3.client(
        "redshift", endpoint_url=server.url, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}),
    )


def create_cluster(redshift, identifier: str = "c1") -> None:  # type: ignore[no-untyped-def]
    redshift.create_cluster(
        ClusterIdentifier=identifier, NodeType="ra3.xlplus", NumberOfNodes=2,
        MasterUsername="admin", MasterUserPassword="Passw0rd1",
    )


def cluster_ids(redshift) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]]


def send(server: Server, method: str, target: str, body: bytes = b"",
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if body else {}
        # Content-Length is http.client's to set: a signer's copy may describe another body.
        all_headers.update({k: v for k, v in (headers or {}).items() if k.lower() != "content-length"})
        connection.request(method, target, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed(server: Server, body: str, key: str, secret: str, region: str = REGION,
           when: datetime | None = None) -> AWSRequest:
    """A POST signed by botocore's own SigV4 signer, optionally as if signed at `when`."""
    request = AWSRequest(
        method="POST", url=server.url + "/", data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    signer = SigV4Auth(Credentials(key, secret), "redshift", region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(request)
    return request


def send_signed(server: Server, request: AWSRequest, body: bytes | None = None) -> tuple[int, bytes]:
    prepared = request.prepare()
    headers = {k: v for k, v in prepared.headers.items()}
    return send(server, prepared.method, "/", prepared.body if body is None else body, headers)


def error_code(body: bytes) -> str:
    root = ET.fromstring(body)
    assert root.tag.endswith("ErrorResponse"), body
    code = root.find("{*}Error/{*}Code")
    assert root.find("{*}RequestId") is not None
    assert code is not None and code.text
    return code.text


def presigned_url(server: Server, key: str, secret: str, *, when: datetime | None = None,
                  expires: int = 900, params: dict | None = None, region: str = REGION) -> str:
    redshift = client(server, key, secret, region)
    kwargs = dict(ClientMethod="describe_clusters", Params=params or {}, ExpiresIn=expires, HttpMethod="GET")
    if when is None:
        return redshift.generate_presigned_url(**kwargs)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        return redshift.generate_presigned_url(**kwargs)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------------------------
# Open mode
# --------------------------------------------------------------------------------------------


def test_open_mode_twelve_digit_key_is_the_account(open_ls: Server) -> None:
    owner, stranger = client(open_ls, OWNER), client(open_ls, STRANGER)
    create_cluster(owner)
    assert cluster_ids(owner) == ["c1"]
    assert cluster_ids(stranger) == []
    with pytest.raises(ClientError) as caught:
        stranger.describe_clusters(ClusterIdentifier="c1")
    assert caught.value.response["Error"]["Code"] == "ClusterNotFound"
    # The secret does not matter in open mode: the same key id is the same account.
    assert cluster_ids(client(open_ls, OWNER, secret="something-else")) == ["c1"]


def test_open_mode_other_keys_are_the_default_account(open_ls: Server) -> None:
    create_cluster(client(open_ls, "AKIAEXAMPLEKEY"))
    assert cluster_ids(client(open_ls, "another-key")) == ["c1"]
    assert cluster_ids(client(open_ls, DEFAULT_ACCOUNT)) == ["c1"]
    assert cluster_ids(client(open_ls, OWNER)) == []
    assert cluster_ids(client(open_ls, "1234567890123")) == ["c1"]  # 13 digits is not an account


def test_open_mode_health_reports_not_strict(open_ls: Server) -> None:
    assert json.loads(open_ls.admin("/_localshift/health", method="GET"))["strict_auth"] is False


def test_missing_authorization_is_missing_authentication_token(open_ls: Server) -> None:
    status, body = send(open_ls, "POST", "/", DESCRIBE.encode())
    assert status == 403
    assert error_code(body) == "MissingAuthenticationToken"
    status, body = send(open_ls, "GET", "/?" + DESCRIBE)
    assert status == 403
    assert error_code(body) == "MissingAuthenticationToken"


@pytest.mark.parametrize("header", [
    "Basic dXNlcjpwYXNz",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/redshift/aws4_request",
    "AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=abc",
])
def test_malformed_authorization_is_incomplete_signature(open_ls: Server, header: str) -> None:
    status, body = send(open_ls, "POST", "/", DESCRIBE.encode(), {"Authorization": header})
    assert status == 400
    assert error_code(body) == "IncompleteSignature"


def test_open_mode_region_comes_from_the_credential_scope(open_ls: Server) -> None:
    east, west = client(open_ls, OWNER, region="us-east-1"), client(open_ls, OWNER, region="eu-west-1")
    create_cluster(east)
    assert cluster_ids(east) == ["c1"]
    assert cluster_ids(west) == []
    create_cluster(west)  # the same name is free in another region
    assert cluster_ids(west) == ["c1"]


def test_open_mode_accepts_a_presigned_url(open_ls: Server) -> None:
    create_cluster(client(open_ls, OWNER))
    status, body = get(presigned_url(open_ls, OWNER, "whatever"))
    assert status == 200, body
    assert b"<ClusterIdentifier>c1</ClusterIdentifier>" in body


# --------------------------------------------------------------------------------------------
# Strict mode
# --------------------------------------------------------------------------------------------


def test_strict_mode_known_key_works_and_maps_to_its_account(strict: Server) -> None:
    assert json.loads(strict.admin("/_localshift/health", method="GET"))["strict_auth"] is True
    first = client(strict, "AKID1", "SECRET1")
    create_cluster(first)
    assert cluster_ids(first) == ["c1"]
    assert cluster_ids(client(strict, "AKID3", "SECRET3")) == ["c1"]  # same account, other key
    assert cluster_ids(client(strict, "AKID2", "SECRET2")) == []


def test_strict_mode_unknown_key_is_invalid_client_token_id(strict: Server) -> None:
    with pytest.raises(ClientError) as caught:
        client(strict, "AKIDUNKNOWN", "SECRET1").describe_clusters()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # A 12-digit key id is no account id in strict mode.
    with pytest.raises(ClientError) as caught:
        client(strict, "111111111111", "SECRET1").describe_clusters()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_strict_mode_wrong_secret_is_signature_does_not_match(strict: Server) -> None:
    with pytest.raises(ClientError) as caught:
        client(strict, "AKID1", "SECRET2").describe_clusters()
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_strict_mode_missing_authorization(strict: Server) -> None:
    status, body = send(strict, "POST", "/", DESCRIBE.encode())
    assert (status, error_code(body)) == (403, "MissingAuthenticationToken")


def test_strict_mode_raw_signed_request_works(strict: Server) -> None:
    status, body = send_signed(strict, signed(strict, DESCRIBE, "AKID1", "SECRET1"))
    assert status == 200, body
    assert b"<DescribeClustersResponse" in body


def test_strict_mode_request_signed_twenty_minutes_ago_is_expired(strict: Server) -> None:
    request = signed(strict, DESCRIBE, "AKID1", "SECRET1", when=utcnow() - timedelta(minutes=20))
    status, body = send_signed(strict, request)
    assert (status, error_code(body)) == (400, "RequestExpired")
    # ... and so is one from twenty minutes in the future.
    request = signed(strict, DESCRIBE, "AKID1", "SECRET1", when=utcnow() + timedelta(minutes=20))
    status, body = send_signed(strict, request)
    assert (status, error_code(body)) == (400, "RequestExpired")
    # Ten minutes of clock skew is tolerated.
    request = signed(strict, DESCRIBE, "AKID1", "SECRET1", when=utcnow() - timedelta(minutes=10))
    assert send_signed(strict, request)[0] == 200


def test_strict_mode_tampered_body_does_not_match(strict: Server) -> None:
    request = signed(strict, DESCRIBE, "AKID1", "SECRET1")
    tampered = (DESCRIBE + "&ClusterIdentifier=other").encode()
    status, body = send_signed(strict, request, body=tampered)
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_strict_mode_declared_payload_hash_must_match_the_body(strict: Server) -> None:
    """A signed x-amz-content-sha256 header vouches for one body; another body must not pass."""
    import hashlib

    request = AWSRequest(
        method="POST", url=strict.url + "/", data=DESCRIBE.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Content-SHA256": hashlib.sha256(DESCRIBE.encode()).hexdigest(),
        },
    )
    SigV4Auth(Credentials("AKID1", "SECRET1"), "redshift", REGION).add_auth(request)
    assert send_signed(strict, request)[0] == 200
    status, body = send_signed(strict, request, body=b"Action=DeleteCluster&Version=2012-12-01&ClusterIdentifier=c1")
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_strict_mode_unsigned_payload_cannot_carry_parameters(strict: Server) -> None:
    """A signature made over UNSIGNED-PAYLOAD must not authorise whatever body comes with it."""
    request = AWSRequest(
        method="POST", url=strict.url + "/?" + DESCRIBE, data=b"",
        headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    SigV4Auth(Credentials("AKID1", "SECRET1"), "redshift", REGION).add_auth(request)
    prepared = request.prepare()
    headers = dict(prepared.headers.items())
    status, _ = send(strict, "POST", "/?" + DESCRIBE, b"", headers)
    assert status == 200
    status, body = send(strict, "POST", "/?" + DESCRIBE,
                        b"Action=DeleteCluster&Version=2012-12-01&ClusterIdentifier=c1", headers)
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    # Without the header, the signer must have hashed the body: UNSIGNED-PAYLOAD is not assumed.
    del headers["X-Amz-Content-SHA256"]
    status, body = send(strict, "POST", "/?" + DESCRIBE, b"", headers)
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("unsigned, message", [
    ("host", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
    ("x-amz-date", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."),
])
def test_strict_mode_host_and_date_must_be_signed(strict: Server, unsigned: str, message: str) -> None:
    """A signature that leaves out Host could be sent again to another host, and one that leaves out
    X-Amz-Date again under a new date, long after its 15 minutes (found by a security review)."""
    request = AWSRequest(method="POST", url=strict.url + "/", data=DESCRIBE.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})

    class LeavingOut(SigV4Auth):
        def headers_to_sign(self, request):  # botocore's signer, less one header
            headers = super().headers_to_sign(request)
            del headers[unsigned]
            return headers

    LeavingOut(Credentials("AKID1", "SECRET1"), "redshift", REGION).add_auth(request)
    assert f"SignedHeaders={';'.join(sorted({'content-type', 'host', 'x-amz-date'} - {unsigned}))}," in \
        request.headers["Authorization"]
    status, body = send_signed(strict, request)
    assert (status, error_code(body)) == (400, "IncompleteSignature")
    assert ET.fromstring(body).find("{*}Error/{*}Message").text == message


def test_strict_mode_non_ascii_signature_is_refused_not_crashed(strict: Server) -> None:
    request = signed(strict, DESCRIBE, "AKID1", "SECRET1")
    prepared = request.prepare()
    headers = dict(prepared.headers.items())
    headers["Authorization"] = headers["Authorization"].rsplit("=", 1)[0] + "=\u00e9\u00e9"
    connection = http.client.HTTPConnection("127.0.0.1", strict.port, timeout=30)
    try:
        connection.putrequest("POST", "/")
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.putheader("Content-Length", str(len(DESCRIBE)))
        connection.endheaders(DESCRIBE.encode())
        response = connection.getresponse()
        status, body = response.status, response.read()
    finally:
        connection.close()
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_strict_mode_presigned_get_url_works(strict: Server) -> None:
    create_cluster(client(strict, "AKID1", "SECRET1"))
    url = presigned_url(strict, "AKID1", "SECRET1", params={"ClusterIdentifier": "c1"})
    assert "X-Amz-Signature=" in url and "Action=DescribeClusters" in url
    status, body = get(url)
    assert status == 200, body
    assert b"<ClusterIdentifier>c1</ClusterIdentifier>" in body


def test_strict_mode_presigned_url_with_wrong_secret_or_edited_query(strict: Server) -> None:
    status, body = get(presigned_url(strict, "AKID1", "WRONG"))
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    url = presigned_url(strict, "AKID1", "SECRET1", params={"ClusterIdentifier": "c1"})
    status, body = get(url.replace("ClusterIdentifier=c1", "ClusterIdentifier=c2"))
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_strict_mode_presigned_url_cannot_carry_a_body(strict: Server) -> None:
    """The body of a presigned request is unsigned; its parameters must not be trusted."""
    redshift = client(strict, "AKID1", "SECRET1")
    url = redshift.generate_presigned_url("describe_clusters", Params={}, ExpiresIn=900, HttpMethod="POST")
    parts = urlsplit(url)
    status, _ = send(strict, "POST", f"{parts.path or '/'}?{parts.query}")
    assert status == 200
    status, body = send(strict, "POST", f"{parts.path or '/'}?{parts.query}",
                        b"Action=DeleteCluster&Version=2012-12-01&ClusterIdentifier=c1&SkipFinalClusterSnapshot=true")
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")


def test_strict_mode_presigned_url_lives_for_its_expiry(strict: Server) -> None:
    # Signed 20 minutes ago for an hour: still good (a presigned URL is not held to 15 minutes).
    status, body = get(presigned_url(strict, "AKID1", "SECRET1", when=utcnow() - timedelta(minutes=20), expires=3600))
    assert status == 200, body
    # Signed 2 minutes ago for 60 seconds: expired.
    status, body = get(presigned_url(strict, "AKID1", "SECRET1", when=utcnow() - timedelta(minutes=2), expires=60))
    assert (status, error_code(body)) == (400, "RequestExpired")


def test_strict_mode_region_comes_from_the_credential_scope(strict: Server) -> None:
    east = client(strict, "AKID1", "SECRET1", region="us-east-1")
    west = client(strict, "AKID1", "SECRET1", region="eu-west-1")
    create_cluster(east)
    assert cluster_ids(east) == ["c1"]
    assert cluster_ids(west) == []
    with pytest.raises(ClientError) as caught:
        west.describe_clusters(ClusterIdentifier="c1")
    assert caught.value.response["Error"]["Code"] == "ClusterNotFound"
    status, body = get(presigned_url(strict, "AKID1", "SECRET1", region="eu-west-1"))
    assert status == 200 and b"<ClusterIdentifier>" not in body


def test_aws_cli_works_in_strict_mode(strict: Server, tmp_path: Path) -> None:
    create_cluster(client(strict, "AKID1", "SECRET1"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "AKID1", "AWS_SECRET_ACCESS_KEY": "SECRET1", "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": "",
    })
    command = [sys.executable, "-m", "awscli", "redshift", "describe-clusters", "--endpoint-url", strict.url,
               "--output", "json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [c["ClusterIdentifier"] for c in json.loads(done.stdout)["Clusters"]] == ["c1"]

    env["AWS_SECRET_ACCESS_KEY"] = "WRONG"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SignatureDoesNotMatch" in done.stderr


def test_strict_mode_request_parameters_in_query_string_and_body(strict: Server) -> None:
    """A signed POST whose parameters are split between query string and body is verified whole."""
    request = AWSRequest(
        method="POST", url=strict.url + "/?" + urlencode({"Action": "DescribeClusters"}),
        data=b"Version=2012-12-01", headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials("AKID1", "SECRET1"), "redshift", REGION).add_auth(request)
    prepared = request.prepare()
    status, body = send(strict, "POST", "/?Action=DescribeClusters", prepared.body, dict(prepared.headers.items()))
    assert status == 200, body


# --------------------------------------------------------------------------------------------
# Strict mode: the credential scope names the service called and a real region's shape
# --------------------------------------------------------------------------------------------


def signed_for(server: Server, service: str, region: str = REGION) -> AWSRequest:
    """A DescribeClusters POST whose credential scope names ``service`` and ``region``."""
    request = AWSRequest(method="POST", url=server.url + "/", data=DESCRIBE.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("AKID1", "SECRET1"), service, region).add_auth(request)
    return request


def error_message(body: bytes) -> str:
    return ET.fromstring(body).find("{*}Error/{*}Message").text  # type: ignore[union-attr]


@pytest.mark.parametrize("service", ["redshift-serverless", "redshift-data", "s3", "localshift", "Redshift"])
def test_strict_mode_credential_scope_must_name_redshift(strict: Server, service: str) -> None:
    status, body = send_signed(strict, signed_for(strict, service))
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    assert error_message(body) == "Credential should be scoped to correct service: 'redshift'. "


@pytest.mark.parametrize("region", ["local", "us-east", "US-EAST-1", "us_east_1", "east-1", "us-east-1a",
                                    "us-east-100", "u-east-1", "us--east-1", "us-east-1 "])
def test_strict_mode_credential_scope_must_name_a_valid_region(strict: Server, region: str) -> None:
    status, body = send_signed(strict, signed_for(strict, "redshift", region))
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    assert error_message(body) == f"Credential should be scoped to a valid region, not '{region}'. "


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-5",
                                    "us-iso-east-1", "il-central-1", "mx-central-1", "eusc-de-east-1"])
def test_strict_mode_accepts_every_region_shape(strict: Server, region: str) -> None:
    status, body = send_signed(strict, signed_for(strict, "redshift", region))
    assert status == 200, body


def test_strict_mode_json_scope_must_name_redshift_serverless(strict: Server) -> None:
    def call(service: str, region: str = REGION) -> tuple[int, dict]:  # type: ignore[type-arg]
        request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}", headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "RedshiftServerless.ListNamespaces"})
        SigV4Auth(Credentials("AKID1", "SECRET1"), service, region).add_auth(request)
        prepared = request.prepare()
        status, body = send(strict, "POST", "/", prepared.body, dict(prepared.headers.items()))
        return status, json.loads(body)

    assert call("redshift-serverless") == (200, {"namespaces": []})
    assert call("redshift") == (400, {"__type": "InvalidSignatureException",
                                      "message": "Credential should be scoped to correct service: 'redshift-serverless'. "})
    assert call("redshift-serverless", "moon-base-one") == (400, {
        "__type": "InvalidSignatureException",
        "message": "Credential should be scoped to a valid region, not 'moon-base-one'. "})


def test_open_mode_reads_any_credential_scope(open_ls: Server) -> None:
    """Open mode stays lenient: it checks no signature, so neither the scope's service nor its region."""
    assert send_signed(open_ls, signed_for(open_ls, "s3", "local"))[0] == 200
