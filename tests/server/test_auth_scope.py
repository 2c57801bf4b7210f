"""The credential scope, against a real `localshift serve` process: its region is the request's (open and strict
mode), and in strict mode it must name the service called and a real region's shape; open mode reads any."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import OWNER, REGION, Server
from server.sigv4_requests import (  # noqa: F401 (fixtures: open_ls, strict, strict_server)
    client, cluster_ids, create_cluster, DESCRIBE, error_code, get, open_ls, presigned_url, send, send_signed,
    strict, strict_server,
)


def test_open_mode_region_comes_from_the_credential_scope(open_ls: Server) -> None:
    east, west = client(open_ls, OWNER, region="us-east-1"), client(open_ls, OWNER, region="eu-west-1")
    create_cluster(east)
    assert cluster_ids(east) == ["c1"]
    assert cluster_ids(west) == []
    create_cluster(west)  # the same name is free in another region
    assert cluster_ids(west) == ["c1"]


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
