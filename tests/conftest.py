"""Shared fixtures: one control-plane server per session, reset before each test."""

from __future__ import annotations

import math
import os
from typing import Any, Iterator

import pytest
from botocore.waiter import Waiter

from engine_seed import use_seed_dir
from sql_cluster import SqlCluster, start_sql_cluster
from support import ADMIN_KEY, ADMIN_SECRET, GRANTEE, OWNER, TENANT_KEY, TENANT_SECRET, Server, make_server


# Test files that spend minutes waiting on something that is not the machine (Terraform's provider polls at
# its own pace; frozen engines wait out their timeouts): collected first, so that under `-n 2 --dist loadfile`
# the workers start them at once and the rest of the suite runs beside them, where their minutes would
# otherwise come at the end of whichever worker reached them last.
WAITING_FILES = ("tests/clients/test_terraform.py", "tests/e2e/test_frozen_engines.py",
                 "tests/dataplane/test_engine_timeouts.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.partition("::")[0] not in WAITING_FILES)  # stable: the rest in order


# A waiter given a short Delay keeps its model's MaxAttempts (20 to 30): 2 to 3 s at Delay 0.1, which a
# busy CI machine can outlast. Tests wait for the condition, not for a count of polls: such a waiter polls
# for up to WAITER_BUDGET seconds and still returns as soon as the condition holds.
WAITER_BUDGET = 120.0


def pytest_configure(config: pytest.Config) -> None:
    original_wait = Waiter.wait

    def patient_wait(self: Waiter, **kwargs: Any) -> None:
        waiter_config = dict(kwargs.get("WaiterConfig") or {})
        if "Delay" in waiter_config and "MaxAttempts" not in waiter_config:
            waiter_config["MaxAttempts"] = math.ceil(WAITER_BUDGET / max(waiter_config["Delay"], 0.01))
            kwargs["WaiterConfig"] = waiter_config
        original_wait(self, **kwargs)

    Waiter.wait = patient_wait  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def engine_seed(tmp_path_factory: pytest.TempPathFactory) -> None:
    """New data planes start from one seed per session (engine_seed.py), which pytest-xdist's workers
    share: it lives in their common temporary directory."""
    base = tmp_path_factory.getbasetemp()
    use_seed_dir((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "engine-seed")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One control-plane server shared by the session; state is wiped before each test that uses it."""
    instance = make_server(tmp_path_factory.mktemp("server")).start()
    yield instance
    instance.stop()


@pytest.fixture
def ls(server: Server) -> Server:
    server.reset()
    return server


@pytest.fixture
def redshift(ls: Server):
    return ls.client(OWNER)




@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the data plane (real engines), one per test module that uses it, wiped at its end."""
    instance = make_server(tmp_path_factory.mktemp("data"), data_plane=True).start()
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A control-plane server whose work takes 1.5 s, to observe operations in progress."""
    instance = make_server(tmp_path_factory.mktemp("slow"), extra_env={"LOCALSHIFT_TRANSITION_DELAY": "1.5"}).start()
    yield instance
    instance.stop()


@pytest.fixture
def slow(slow_server: Server) -> Server:
    slow_server.reset()
    return slow_server


@pytest.fixture(scope="session")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A strict-mode control-plane server: OWNER's key may administer it, GRANTEE's (a tenant) may not."""
    keys = {ADMIN_KEY: (ADMIN_SECRET, OWNER), TENANT_KEY: (TENANT_SECRET, GRANTEE)}
    instance = make_server(tmp_path_factory.mktemp("strict"), keys=keys, extra_env={"LOCALSHIFT_ADMIN_ACCOUNTS": OWNER}).start()
    yield instance
    instance.stop()


@pytest.fixture
def strict(strict_server: Server) -> Server:
    strict_server.reset()
    return strict_server


@pytest.fixture(scope="session")
def sql_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlCluster]:
    """One server with one cluster for the SQL tests (catalog, clients, corpus)."""
    cluster = start_sql_cluster(tmp_path_factory.mktemp("sql"))
    yield cluster
    cluster.server.close()
