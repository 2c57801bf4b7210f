"""The servers and requests of the authentication tests: an open-mode server (the session's) and a strict one with
keys of two accounts, each reset before a test; boto3 clients, raw HTTP, requests signed by botocore's SigV4
signer (optionally as if signed earlier), presigned URLs, and the error code of an answer."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Iterator
from unittest import mock

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from support import REGION, Server, served


DEFAULT_ACCOUNT = "123456789012"
STRICT_ACCOUNTS = {
    "AKID1": ("SECRET1", "111111111111"),
    "AKID2": ("SECRET2", "222222222222"),
    "AKID3": ("SECRET3", "111111111111"),  # a second key of the same account
}
DESCRIBE = "Action=DescribeClusters&Version=2012-12-01"


# Imported by each test module with strict (one strict server per module, a few seconds to start): the
# session's strict_server (tests/conftest.py) has other keys.
@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served(tmp_path_factory, "strict-auth", keys=STRICT_ACCOUNTS)


@pytest.fixture
def open_ls(ls: Server) -> Server:
    """The session's server, in open mode (tests/conftest.py), reset."""
    return ls


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
