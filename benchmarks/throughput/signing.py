"""Build botocore clients and capture the signed requests they would send, without sending them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from throughput import ACCOUNT, REGION

# (method, path, body, headers): one HTTP request exactly as botocore would send it.
Wire = tuple[str, str, bytes, dict[str, str]]


def make_client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client(
        "redshift", endpoint_url=url, region_name=REGION,
        aws_access_key_id=ACCOUNT, aws_secret_access_key="benchmark-secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=120),
    )


class _Captured(Exception):
    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def presign(client: Any, operation: str, **params: Any) -> Wire:
    """The request botocore would send for one call, signed, without sending it."""

    def capture(request: Any, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register_first("before-send.redshift", capture)
    try:
        getattr(client, operation)(**params)
    except _Captured as captured:
        request = captured.request
    else:  # pragma: no cover - the handler always raises
        raise RuntimeError("request was sent instead of captured")
    finally:
        client.meta.events.unregister("before-send.redshift", capture)
    split = urlsplit(request.url)
    path = split.path or "/"
    if split.query:
        path += "?" + split.query
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    headers = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in request.headers.items()}
    headers["Content-Length"] = str(len(body))
    return request.method, path, body, headers
