"""The localshift pytest plugin, registered through the ``pytest11`` entry point.

Fixtures:

- ``localshift`` (each test): a clean service (every resource removed before the test),
  with AWS_ENDPOINT_URL, the per-service variables, credentials and region pointing at it
  until the test ends; it is a ``Localshift`` (handle.py): clients per service, account and
  region, SQL connections by identifier.
- ``localshift_server`` (the session): the same handle, without reset or environment.

A test that used ``localshift`` and failed gets a report section naming the calls the server
refused while it ran (operation, status, error, request id) and the console's URL: what the
code under test ran into, though it caught the error and failed later.

The session starts `localshift serve --ephemeral` on a free port and stops it at the end,
unless a server is named (``--localshift-url``, else ``LOCALSHIFT_URL``, else the ini setting
``localshift_url``): then it uses that one and leaves it running.  With pytest-xdist each
worker starts a server of its own; workers sharing a named server get accounts of their own
(handle.worker_accounts) and reset only those.  docs/testing.md shows both.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any, Generator, Iterator

import pytest

from localshift.testing.handle import DEFAULT_ACCOUNTS, Localshift, worker_accounts
from localshift.testing.process import LocalshiftServer, ServerError

URL_VARIABLE = "LOCALSHIFT_URL"
# The handle a test's ``localshift`` fixture gave, and when the test started (seconds since the epoch).
_TEST_HANDLE = pytest.StashKey[tuple[Localshift, float]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("localshift", "localshift (a local Amazon Redshift)")
    group.addoption("--localshift-url", default=None, metavar="URL",
                    help=f"use the localshift server at URL instead of starting one [{URL_VARIABLE}, ini localshift_url]")
    group.addoption("--localshift-no-data-plane", action="store_true", default=False,
                    help="start the server without its data plane: no PostgreSQL engines, faster "
                         "[ini localshift_no_data_plane]")
    parser.addini("localshift_url", "URL of a running localshift server to use instead of starting one", default="")
    parser.addini("localshift_no_data_plane", "start the server without its data plane", type="bool", default=False)


def _named_url(config: pytest.Config) -> str | None:
    return config.getoption("localshift_url") or os.environ.get(URL_VARIABLE) or config.getini("localshift_url") or None


def _data_plane(config: pytest.Config) -> bool:
    return not (config.getoption("localshift_no_data_plane") or config.getini("localshift_no_data_plane"))


def _worker(config: pytest.Config) -> int | None:
    """This pytest-xdist worker's number (gw3: 3); None outside xdist."""
    workerinput = getattr(config, "workerinput", None)
    return None if workerinput is None else int(workerinput["workerid"].removeprefix("gw"))


def pytest_report_header(config: pytest.Config) -> str:
    url = _named_url(config)
    if url:
        return f"localshift: the server at {url}"
    return f"localshift: a server of its own (data plane {'on' if _data_plane(config) else 'off'})"


@pytest.fixture(scope="session")
def localshift_server(pytestconfig: pytest.Config) -> Iterator[Localshift]:
    url = _named_url(pytestconfig)
    if url:
        worker = _worker(pytestconfig)
        accounts = DEFAULT_ACCOUNTS if worker is None else worker_accounts(worker)
        yield Localshift(LocalshiftServer.attach(url), accounts)
        return
    server = LocalshiftServer.start(data_plane=_data_plane(pytestconfig))
    try:
        yield Localshift(server)
    finally:
        server.stop()


@pytest.fixture
def localshift(localshift_server: Localshift, request: pytest.FixtureRequest) -> Iterator[Localshift]:
    localshift_server.reset()
    request.node.stash[_TEST_HANDLE] = (localshift_server, time.time())
    with localshift_server.environment():
        yield localshift_server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    used = item.stash.get(_TEST_HANDLE, None)
    if report.when == "call" and report.failed and used is not None:
        report.sections.append(("localshift", _refused_during(*used)))


def _refused_during(handle: Localshift, started: float) -> str:
    """The calls the server refused since ``started``, oldest first: of the handle's accounts alone
    on a server shared with other test processes."""
    heading = (f"localshift: the calls refused during the test (console, while the session runs: "
               f"{handle.url}/_localshift/console)")
    try:
        state = handle.server.state()
    except (ServerError, OSError) as error:
        return f"{heading}\nthe server's state cannot be read: {error}"
    [calls] = [section["rows"] for section in state["sections"] if section["name"] == "calls"]
    refused = [
        call for call in reversed(calls)
        if call.get("error") and (handle.owns_server or call["account"] in handle.accounts)
        and datetime.fromisoformat(call["time"]).timestamp() >= started
    ]
    lines = [f"{call['time']} {call['account']} {call['operation']} {call['status']} {call['error']} "
             f"(request id {call['request_id']})" for call in refused]
    return "\n".join([heading, *(lines or ["none"])])
