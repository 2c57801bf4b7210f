"""Who is calling: open mode, strict SigV4 mode, presigned URLs, the AWS CLI, regions.

Every test talks to a real `localshift serve` process over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import OWNER, REGION, STRANGER, Server
from server.sigv4_requests import (  # noqa: F401 (fixtures: open_ls, strict, strict_server)
    client, cluster_ids, create_cluster, DEFAULT_ACCOUNT, DESCRIBE, error_code, open_ls, send, send_signed,
    signed, strict, strict_server, utcnow,
)


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
