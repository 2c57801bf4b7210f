"""Presigned URLs, against a real `localshift serve` process: accepted in open mode; in strict mode a GET
within its expiry works, a wrong secret, an edited query or a body is refused."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from support import OWNER, Server
from server.sigv4_requests import (  # noqa: F401 (fixtures: open_ls, strict, strict_server)
    client, create_cluster, error_code, get, open_ls, presigned_url, send, strict, strict_server, utcnow,
)


def test_open_mode_accepts_a_presigned_url(open_ls: Server) -> None:
    create_cluster(client(open_ls, OWNER))
    status, body = get(presigned_url(open_ls, OWNER, "whatever"))
    assert status == 200, body
    assert b"<ClusterIdentifier>c1</ClusterIdentifier>" in body


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
