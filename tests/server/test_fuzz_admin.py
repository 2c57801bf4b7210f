"""Hostile requests to the admin endpoints: always a JSON answer, never a 500; in strict mode never obeyed unsigned."""

from __future__ import annotations

import json
import os
from typing import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from raw_http import exchange, http_request
from support import OWNER, Server, create_available_cluster, make_server

PATHS = ["/_localshift/health", "/_localshift/reset", "/moto-api/reset", "/_localshift/time-travel",
         "/_localshift/", "/_localshift/health/", "/_localshift/time-travel/x"]
FORGED_AUTH = [
    b"AWS4-HMAC-SHA256 Credential=AKIDADMIN/20240101/us-east-1/localshift/aws4_request, "
    b"SignedHeaders=host;x-amz-date, Signature=00",
    b"AWS4-HMAC-SHA256 Credential=AKIDADMIN/20240101/not a region/localshift/aws4_request, "
    b"SignedHeaders=host, Signature=00",
    b"AWS4-HMAC-SHA256 Credential=garbage",
    b"Basic YWRtaW46YWRtaW4=",
    b"\xff\xfe",
]
seconds = st.one_of(
    st.floats().map(repr), st.integers().map(str), st.text(max_size=12),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "1e309", "-0", "1_0", " 5 ", "9" * 500]),
)
queries = st.one_of(
    seconds.map(lambda value: "seconds=" + quote(value, safe="")),
    st.lists(seconds, max_size=3).map(lambda values: "&".join("seconds=" + quote(v, safe="") for v in values)),
    st.text(max_size=30).map(lambda text: quote(text, safe="=&%")),
)
EXAMPLES = int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150"))


def send(server: Server, method: str, path: str, query: str, auth: bytes | None, body: bytes) -> tuple[int, dict]:
    target = (path + ("?" + query if query else "")).encode()
    headers = [("X-Amz-Date", b"20240101T000000Z")] + ([("Authorization", auth)] if auth is not None else [])
    reply = exchange(server, http_request(method, target, headers, body))
    assert reply is not None
    assert reply.headers["content-type"] == "application/json", reply
    document = json.loads(reply.body)
    assert isinstance(document, dict)
    if reply.status != 200:
        assert set(document) == {"code", "error"}, document
    return reply.status, document


requests = dict(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    path=st.one_of(st.sampled_from(PATHS), st.text(max_size=20).map(lambda t: "/_localshift/" + quote(t))),
    query=queries,
    auth=st.one_of(st.none(), st.sampled_from(FORGED_AUTH)),
    body=st.one_of(st.just(b""), st.binary(max_size=200)),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(**requests)
def fuzz_open(server: Server, method: str, path: str, query: str, auth: bytes | None, body: bytes) -> None:
    status, _ = send(server, method, path, query, auth, body)
    assert status in (200, 400, 404), status
    event(str(status))


def test_open_mode_admin_endpoints_answer_json(server: Server) -> None:
    fuzz_open(server)
    server.reset()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = make_server(tmp_path_factory.mktemp("strict-fuzz-admin"),
                           extra_env={"LOCALSHIFT_ACCOUNTS": f"AKIDADMIN:secret:{OWNER}"}).start()
    yield instance
    instance.stop()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(**requests)
def fuzz_strict(server: Server, method: str, path: str, query: str, auth: bytes | None, body: bytes) -> None:
    status, document = send(server, method, path, query, auth, body)
    # Only health answers an unsigned or forged request; it names no path then.
    if status == 200:
        assert (method, path) == ("GET", "/_localshift/health") and "data_dir" not in document
    else:
        assert status in (403, 404), status
    event(str(status))


def test_strict_mode_admin_endpoints_obey_no_forged_request(strict_server: Server) -> None:
    strict_server.reset()
    create_available_cluster(strict_server.client("AKIDADMIN"))
    fuzz_strict(strict_server)
    assert len(strict_server.client("AKIDADMIN").describe_clusters()["Clusters"]) == 1
    strict_server.reset()
