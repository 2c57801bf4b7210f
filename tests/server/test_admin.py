"""The admin endpoints: who may call them in strict mode, what health shows, bounded time travel, reset off the loop."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support import (ADMIN_KEY, ADMIN_SECRET, GRANTEE, OWNER, REGION, TENANT_KEY, TENANT_SECRET, Server,
                     create_available_cluster, make_server)

TEN_YEARS = 10 * 365 * 24 * 3600
RESETS = ["/_localshift/reset", "/moto-api/reset"]


def call(server: Server, path: str, method: str = "POST", *, key: str | None = None, secret: str = "",
         service: str = "localshift") -> tuple[int, dict[str, Any]]:
    """One admin request, signed by ``key`` for ``service`` when a key is given."""
    headers: dict[str, str] = {}
    if key is not None:
        signed = AWSRequest(method=method, url=server.url + path, data=b"")
        SigV4Auth(Credentials(key, secret), service, REGION).add_auth(signed)
        headers = {name: signed.headers[name] for name in ("Authorization", "X-Amz-Date")}
    request = urllib.request.Request(server.url + path, method=method, headers=headers,
                                     data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Type"] == "application/json"
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        assert error.headers["Content-Type"] == "application/json"
        return error.code, json.loads(error.read())


def admin_cluster(server: Server) -> None:
    create_available_cluster(server.client(ADMIN_KEY, secret=ADMIN_SECRET))


def cluster_count(server: Server) -> int:
    return len(server.client(ADMIN_KEY, secret=ADMIN_SECRET).describe_clusters()["Clusters"])


# --------------------------------------------------------------------------------------------
# Strict mode: signed by an admin account, or refused
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*RESETS, "/_localshift/time-travel?seconds=60"])
@pytest.mark.parametrize("who, code", [
    ({}, "MissingAuthenticationToken"),
    ({"key": ADMIN_KEY, "secret": "wrong"}, "SignatureDoesNotMatch"),
    ({"key": "AKIDUNKNOWN", "secret": ADMIN_SECRET}, "InvalidClientTokenId"),
    ({"key": ADMIN_KEY, "secret": ADMIN_SECRET, "service": "redshift"}, "SignatureDoesNotMatch"),
    ({"key": TENANT_KEY, "secret": TENANT_SECRET}, "AccessDenied"),
])
def test_strict_mode_refuses_admin_calls_not_signed_by_an_admin(strict: Server, path: str, who: dict, code: str) -> None:
    admin_cluster(strict)
    status, body = call(strict, path, **who)
    assert (status, body["code"]) == (403, code)
    assert body["error"]
    if who.get("service") == "redshift":
        assert body["error"] == "Credential should be scoped to correct service: 'localshift'. "
    assert cluster_count(strict) == 1
    # Nothing moved the clock either.
    assert call(strict, "/_localshift/time-travel?seconds=0", key=ADMIN_KEY, secret=ADMIN_SECRET)[1]["offset_seconds"] == 0


@pytest.mark.parametrize("path", RESETS)
def test_strict_mode_admin_account_resets(strict: Server, path: str) -> None:
    admin_cluster(strict)
    assert call(strict, path, key=ADMIN_KEY, secret=ADMIN_SECRET) == (200, {"status": "reset"})
    assert cluster_count(strict) == 0


def test_strict_mode_admin_account_travels_in_time(strict: Server) -> None:
    status, body = call(strict, "/_localshift/time-travel?seconds=3600", key=ADMIN_KEY, secret=ADMIN_SECRET)
    assert status == 200 and body["offset_seconds"] == 3600


def test_strict_mode_health_shows_paths_to_admins_only(strict: Server) -> None:
    status, anonymous = call(strict, "/_localshift/health", "GET")
    assert status == 200
    assert anonymous["status"] == "running" and anonymous["strict_auth"] is True
    assert "data_dir" not in anonymous and "directories" not in anonymous
    assert str(strict.data_dir) not in json.dumps(anonymous)

    status, admin = call(strict, "/_localshift/health", "GET", key=ADMIN_KEY, secret=ADMIN_SECRET)
    assert status == 200
    assert admin["data_dir"] == str(strict.data_dir)
    assert admin["directories"] == {"data dir": str(strict.data_dir)}  # no data plane: nothing else

    assert call(strict, "/_localshift/health", "GET", key=TENANT_KEY, secret=TENANT_SECRET)[1]["code"] == "AccessDenied"
    assert call(strict, "/_localshift/health", "GET", key=ADMIN_KEY, secret="wrong")[0] == 403


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Strict mode with two accounts and no LOCALSHIFT_ADMIN_ACCOUNTS: each administers itself alone."""
    accounts = f"{ADMIN_KEY}:{ADMIN_SECRET}:{OWNER},{TENANT_KEY}:{TENANT_SECRET}:{GRANTEE}"
    instance = make_server(tmp_path_factory.mktemp("tenants"), extra_env={"LOCALSHIFT_ACCOUNTS": accounts}).start()
    yield instance
    instance.stop()  # no engines: its state is the temporary directory's


def test_without_admin_accounts_an_account_resets_itself_alone_and_no_one_moves_the_clock(tenants: Server) -> None:
    mine, theirs = tenants.client(ADMIN_KEY, secret=ADMIN_SECRET), tenants.client(TENANT_KEY, secret=TENANT_SECRET)
    create_available_cluster(mine, "mine")
    create_available_cluster(theirs, "theirs")
    for key, secret, other in [(TENANT_KEY, TENANT_SECRET, OWNER), (ADMIN_KEY, ADMIN_SECRET, GRANTEE)]:
        for path in [*RESETS, f"/_localshift/reset?account={other}", f"/_localshift/reset?account={other}&account=",
                     "/_localshift/time-travel?seconds=31536000"]:
            status, body = call(tenants, path, key=key, secret=secret)
            assert (status, body["code"]) == (403, "AccessDenied"), path
            assert "LOCALSHIFT_ADMIN_ACCOUNTS" in body["error"]
    assert [len(client.describe_clusters()["Clusters"]) for client in (mine, theirs)] == [1, 1]
    status, state = call(tenants, "/_localshift/state", "GET", key=TENANT_KEY, secret=TENANT_SECRET)
    assert (status, state["server"]["account"]) == (200, GRANTEE)  # its own state, as the console reads it
    assert datetime.fromisoformat(state["server"]["now"]) < datetime.now(timezone.utc) + timedelta(days=1)
    # Its own resources alone, as a test sharing the server resets them between tests.
    reset = call(tenants, f"/_localshift/reset?account={GRANTEE}", key=TENANT_KEY, secret=TENANT_SECRET)
    assert reset == (200, {"status": "reset", "accounts": [GRANTEE]})
    assert [len(client.describe_clusters()["Clusters"]) for client in (mine, theirs)] == [1, 0]
    health = call(tenants, "/_localshift/health", "GET", key=TENANT_KEY, secret=TENANT_SECRET)[1]
    assert health["data_dir"] == str(tenants.data_dir)


def test_without_admin_accounts_the_one_account_configured_administers_the_server(tmp_path) -> None:
    server = make_server(tmp_path, extra_env={"LOCALSHIFT_ACCOUNTS": f"{ADMIN_KEY}:{ADMIN_SECRET}:{OWNER}"}).start()
    try:
        admin_cluster(server)
        status, body = call(server, "/_localshift/time-travel?seconds=3600", key=ADMIN_KEY, secret=ADMIN_SECRET)
        assert (status, body["offset_seconds"]) == (200, 3600)
        assert call(server, "/_localshift/reset", key=ADMIN_KEY, secret=ADMIN_SECRET) == (200, {"status": "reset"})
        assert cluster_count(server) == 0
    finally:
        server.stop()


def test_open_mode_health_shows_paths(ls: Server) -> None:
    status, health = call(ls, "/_localshift/health", "GET")
    assert status == 200
    assert health["data_dir"] == str(ls.data_dir)
    assert health["directories"] == {"data dir": str(ls.data_dir)}


def test_unknown_admin_paths_and_methods_are_json_404s(ls: Server) -> None:
    for method, path, error in [
        ("GET", "/_localshift/reset", "no admin endpoint GET /_localshift/reset (it takes POST)"),
        ("GET", "/_localshift/time-travel", "no admin endpoint GET /_localshift/time-travel (it takes POST)"),
        ("POST", "/_localshift/health", "no admin endpoint POST /_localshift/health (it takes GET)"),
        ("GET", "/_localshift/x", "no admin endpoint GET /_localshift/x"),
    ]:
        status, body = call(ls, path, method)
        assert (status, body["code"], body["error"]) == (404, "NotFound", error)


# --------------------------------------------------------------------------------------------
# Time travel
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "seconds=nan", "seconds=NaN", "seconds=inf", "seconds=-inf", "seconds=Infinity", "seconds=1e400",
    "seconds=-1e400", "seconds=" + "9" * 400, "seconds=abc", "seconds=", "", "seconds=1&seconds=2",
    f"seconds={TEN_YEARS + 1}", f"seconds=-{TEN_YEARS + 1}", "seconds=0x10", "seconds=%00",
])
def test_time_travel_refuses_what_is_not_a_finite_offset_in_range(ls: Server, query: str) -> None:
    status, body = call(ls, "/_localshift/time-travel?" + query)
    assert (status, body["code"]) == (400, "InvalidParameterValue")
    assert call(ls, "/_localshift/time-travel?seconds=0")[1]["offset_seconds"] == 0


def test_time_travel_keeps_the_clock_within_ten_years(ls: Server) -> None:
    four_years = 4 * 365 * 24 * 3600
    assert call(ls, f"/_localshift/time-travel?seconds={four_years}")[0] == 200
    assert call(ls, f"/_localshift/time-travel?seconds={four_years}")[0] == 200
    status, body = call(ls, f"/_localshift/time-travel?seconds={four_years}")
    assert status == 400 and "10 years" in body["error"]
    assert call(ls, "/_localshift/time-travel?seconds=0")[1]["offset_seconds"] == 2 * four_years
    # Backwards is travel too, within the same bound.
    assert call(ls, f"/_localshift/time-travel?seconds=-{2 * four_years + 60}")[1]["offset_seconds"] == -60
    ls.reset()
    assert call(ls, "/_localshift/time-travel?seconds=0")[1]["offset_seconds"] == 0


# --------------------------------------------------------------------------------------------
# Reset runs off the event loop
# --------------------------------------------------------------------------------------------


def test_requests_are_answered_while_a_reset_stops_engines(slow: Server) -> None:
    """Each engine takes 1.5 s to stop on the slow server; health must not wait for them."""
    for name in ("c1", "c2"):
        create_available_cluster(slow.client(OWNER), name)
    reset = threading.Thread(target=slow.reset)
    reset.start()
    try:
        threading.Event().wait(0.5)  # the reset is under way
        status, health = call(slow, "/_localshift/health", "GET")
        assert status == 200 and health["status"] == "running"
        assert slow.client(OWNER).describe_clusters()["Clusters"]  # not wiped yet: the reset is still running
        assert reset.is_alive()
    finally:
        reset.join()
    assert slow.client(OWNER).describe_clusters()["Clusters"] == []
