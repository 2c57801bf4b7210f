"""A web page the user visits cannot act on localshift through the browser (server/browsers.py): its
cross-site requests, and requests under a rebound DNS name, are refused before anything runs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from localshift.errors import ApiError
from localshift.protocol.wire import Request
from localshift.server.browsers import check_not_cross_site, listens_on_loopback
from support import OWNER, Server, create_available_cluster, wait_for

# A presigned-looking credential in the URL: open mode takes any signature, and a page can write a URL.
CREDENTIAL = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + OWNER + "/20260101/us-east-1/redshift/"
              "aws4_request&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Date=20260101T000000Z")
DELETE_FORM = b"Action=DeleteCluster&Version=2012-12-01&ClusterIdentifier=c1&SkipFinalClusterSnapshot=true"


def send(server: Server, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def state(server: Server) -> dict:
    with urllib.request.urlopen(server.url + "/_localshift/state", timeout=30) as response:
        return json.loads(response.read())


def cluster_ids(redshift) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]]


@pytest.mark.parametrize("browser", [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:3000"},
    {"Origin": "null"},  # a sandboxed frame, a file:// page
], ids=["origin", "fetch-site", "same-site", "null-origin"])
def test_a_cross_site_form_post_does_not_delete_a_cluster(ls: Server, redshift, browser) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    status, body = send(ls, "/?" + CREDENTIAL, DELETE_FORM,
                        **{"Content-Type": "application/x-www-form-urlencoded", **browser})
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body
    assert cluster_ids(redshift) == ["c1"]
    # The same request from a client that is no browser is carried out: only the browser's is refused.
    status, body = send(ls, "/?" + CREDENTIAL, DELETE_FORM, **{"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    wait_for(lambda: cluster_ids(redshift) == [])


def test_an_image_tag_get_does_not_act(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    query = "/?" + CREDENTIAL + "&" + DELETE_FORM.decode()
    status, _ = send(ls, query, **{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
    assert status == 403
    assert cluster_ids(redshift) == ["c1"]


def test_a_cross_site_page_cannot_reset_or_move_the_clock(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    before = state(ls)["server"]["now"]
    status, body = send(ls, "/_localshift/reset", b"", **{"Content-Type": "text/plain", "Origin": "https://evil.example"})
    assert (status, json.loads(body)["code"]) == (403, "AccessDenied")
    status, _ = send(ls, "/_localshift/time-travel?seconds=86400", b"", **{"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    assert cluster_ids(redshift) == ["c1"]
    assert state(ls)["server"]["now"][:10] == before[:10]


def test_a_rebound_dns_name_reads_no_state(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    """evil.example resolving to 127.0.0.1: the page's requests are same-origin, under the page's name."""
    create_available_cluster(redshift)
    rebound = {"Host": f"evil.example:{ls.port}", "Origin": f"http://evil.example:{ls.port}",
               "Sec-Fetch-Site": "same-origin"}
    status, body = send(ls, "/_localshift/state", **rebound)
    assert status == 403
    assert b"c1" not in body
    status, _ = send(ls, "/?" + CREDENTIAL + "&Action=DescribeClusters&Version=2012-12-01", **rebound)
    assert status == 403


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "console.localhost"])
def test_the_console_own_requests_are_answered(ls: Server, redshift, host: str) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    own = {"Host": f"{host}:{ls.port}", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
    status, body = send(ls, "/_localshift/state", **own)
    assert status == 200
    assert b'"c1"' in body
    status, _ = send(ls, "/_localshift/console", **{**own, "Sec-Fetch-Site": "none"})  # typed into the address bar
    assert status == 200
    status, _ = send(ls, "/_localshift/time-travel?seconds=1", b"", **{**own, "Origin": f"http://{host}:{ls.port}"})
    assert status == 200


def _request(**headers: str) -> Request:
    return Request("POST", "/", "", {name.lower(): value for name, value in headers.items()}, b"")


@pytest.mark.parametrize("listen, host, allowed", [
    ("127.0.0.1", "[::1]:8439", True),
    ("127.0.0.1", "10.0.0.5:8439", True),  # an address names a machine, no DNS name to rebind
    ("localhost", "localhost", True),
    ("127.0.0.1", "localhost.:8439", True),
    ("127.0.0.1", "evil.example", False),
    ("127.0.0.1", "127.0.0.1.evil.example:8439", False),
    ("::1", "evil.example:8439", False),
    ("0.0.0.0", "localshift:8439", True),  # listening on the network: its names are the user's
    ("myhost", "myhost:8439", True),
])
def test_a_browser_must_name_a_loopback_server_by_a_name_of_this_machine(listen: str, host: str,
                                                                        allowed: bool) -> None:
    request = _request(Host=host, Origin=f"http://{host}", **{"Sec-Fetch-Site": "same-origin"})
    if allowed:
        check_not_cross_site(request, listen)
    else:
        with pytest.raises(ApiError) as refused:
            check_not_cross_site(request, listen)
        assert (refused.value.code, refused.value.status) == ("AccessDenied", 403)


def test_clients_that_are_no_browser_may_name_the_server_anyhow() -> None:
    check_not_cross_site(_request(Host="evil.example"), "127.0.0.1")
    assert listens_on_loopback("127.0.0.2") and listens_on_loopback("[::1]") and not listens_on_loopback("0.0.0.0")
