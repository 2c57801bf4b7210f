"""The web console in a real headless browser: Debian's Chromium, driven by Playwright.

Set LOCALSHIFT_CONSOLE_SCREENSHOTS to a directory (docs/ for the documentation's) to keep a
screenshot of each page there.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from support import ADMIN_KEY, ADMIN_SECRET, GRANTEE, OWNER, TENANT_KEY, TENANT_SECRET, Server, create_available_cluster
from support import create_available_snapshot, make_server, wait_for

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python drives the browser")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = ["Overview", "Clusters", "Snapshots", "Serverless", "Lineage", "Other resources", "Data API", "API calls"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 800})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def open_console(page, server: Server, name: str = "Overview"):  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/_localshift/console#{name}")
    page.wait_for_selector(f'#page[data-page="{name}"] section')
    return page


def cells(page, section: str, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(f'section[data-section="{section}"] td[data-column="{column}"]').all_inner_texts()


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the data plane, holding something of every kind, in two accounts."""
    server = make_server(tmp_path_factory.mktemp("console"), data_plane=True).start()
    owner, grantee = server.client(OWNER), server.client(GRANTEE)
    create_available_cluster(owner, "analytics", NumberOfNodes=2)
    create_available_snapshot(owner, "before-migration", "analytics")
    owner.authorize_snapshot_access(SnapshotIdentifier="before-migration", AccountWithRestoreAccess=GRANTEE)
    owner.create_snapshot_schedule(ScheduleIdentifier="twice-a-day", ScheduleDefinitions=["rate(12 hours)"])
    grantee.restore_from_cluster_snapshot(ClusterIdentifier="copy-of-analytics", SnapshotIdentifier="before-migration",
                                          OwnerAccount=OWNER)
    serverless = server.client(OWNER, service="redshift-serverless")
    serverless.create_namespace(namespaceName="sales", adminUsername="admin", adminUserPassword="Passw0rd1")
    serverless.create_workgroup(workgroupName="sales-wg", namespaceName="sales")
    wait_for(lambda: serverless.get_workgroup(workgroupName="sales-wg")["workgroup"]["status"] == "AVAILABLE", 120)
    serverless.create_snapshot(namespaceName="sales", snapshotName="sales-daily")
    wait_for(lambda: serverless.get_snapshot(snapshotName="sales-daily")["snapshot"]["status"] == "AVAILABLE", 120)
    server.admin("/_localshift/time-travel?seconds=1800")  # a recovery point is due
    wait_for(lambda: serverless.list_recovery_points()["recoveryPoints"], 120)
    grantee.get_waiter("cluster_available").wait(ClusterIdentifier="copy-of-analytics",
                                                 WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    data = server.client(OWNER, service="redshift-data")
    statement = data.execute_statement(ClusterIdentifier="analytics", Database="dev", DbUser="admin",
                                       Sql="SELECT count(*) FROM pg_tables")["Id"]
    wait_for(lambda: data.describe_statement(Id=statement)["Status"] == "FINISHED", 60, interval=0.5)
    yield server
    server.close()


def test_every_page_renders(page, scene):
    keep = os.environ.get("LOCALSHIFT_CONSOLE_SCREENSHOTS")
    for name in PAGES:
        open_console(page, scene, name)
        assert page.locator("#pages a[aria-current=page]").inner_text() == name
        if keep:
            page.screenshot(path=str(Path(keep) / f"console-{name.lower().replace(' ', '-')}.png"))
        if name == "Overview":
            assert page.locator('section[data-section="summary"] .card').count() >= 6
        if name == "Clusters":
            assert cells(page, "clusters", "identifier") == ["analytics", "copy-of-analytics"]
            assert cells(page, "clusters", "engine") == ["serving", "serving"]
            assert all(size.endswith("MB") for size in cells(page, "clusters", "size"))
        if name == "Serverless":
            assert cells(page, "namespaces", "name") == ["sales"]
            assert cells(page, "workgroups", "name") == ["sales-wg"]
            assert cells(page, "serverless_snapshots", "name") == ["sales-daily"]
            # The time travel passed one 30-minute boundary; the wall clock may pass another meanwhile.
            assert set(cells(page, "recovery_points", "namespace")) == {"sales"}
        if name == "Lineage":
            assert cells(page, "lineage", "name") == ["copy-of-analytics"]
            assert cells(page, "lineage", "from_account") == [OWNER]
        if name == "Other resources":
            assert "twice-a-day" in cells(page, "other_resources", "name")
        if name == "Data API":
            assert cells(page, "data_api_statements", "sql") == ["SELECT count(*) FROM pg_tables"]
            assert cells(page, "data_api_statements", "status") == ["FINISHED"]
        if name == "API calls":
            assert "ExecuteStatement" in cells(page, "calls", "operation")
    # The accounts and regions that hold something, each a filter.
    page.locator(f'#places a[data-account="{GRANTEE}"]:not([data-region])').click()
    page.wait_for_function("document.querySelectorAll('section[data-section=calls] tbody tr').length > 0")
    assert set(cells(page, "calls", "account")) == {GRANTEE}


def test_a_shared_snapshot_shows_its_grantees(page, ls):
    owner = ls.client(OWNER)
    create_available_cluster(owner, "c1")
    create_available_snapshot(owner, "shared", "c1")
    create_available_snapshot(owner, "private", "c1")
    for grantee in (GRANTEE, "333333333333"):
        owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=grantee)
    open_console(page, ls, "Snapshots")
    row = page.locator('section[data-section="snapshots"] tr', has_text="shared")
    assert row.locator(".chip").all_inner_texts() == [GRANTEE, "333333333333"]
    assert page.locator('section[data-section="snapshots"] tr', has_text="private").locator(".chip").count() == 0


def test_a_status_change_appears_without_a_reload(page, slow):
    open_console(page, slow, "Clusters")
    page.evaluate("window.notReloaded = true")
    slow.client(OWNER).create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                                      MasterUsername="admin", MasterUserPassword="Passw0rd1")
    status = page.locator('section[data-section="clusters"] td[data-column="status"]')
    sync_api.expect(status).to_have_text("creating", timeout=10_000)
    sync_api.expect(status).to_have_text("available", timeout=20_000)
    assert page.evaluate("window.notReloaded") is True


def test_work_in_progress_shows_on_the_overview(page, slow):
    create_available_cluster(slow.client(OWNER), "c1")
    open_console(page, slow)
    slow.client(OWNER).create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
    work = page.locator('section[data-section="progress"] tr', has_text="s1")
    sync_api.expect(work.locator("progress")).to_have_count(1, timeout=10_000)
    sync_api.expect(work).to_have_count(0, timeout=30_000)


def test_reset_in_open_mode(page, ls):
    create_available_cluster(ls.client(OWNER), "c1")
    open_console(page, ls, "Clusters")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reset").click()
    sync_api.expect(page.locator('section[data-section="clusters"] .empty')).to_be_visible(timeout=10_000)
    assert ls.client(OWNER).describe_clusters()["Clusters"] == []


def sign_in(page, key: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("input[name=access_key]", key)
    page.fill("input[name=secret_key]", secret)
    page.click("#sign-in button[type=submit]")


def test_strict_mode_asks_an_admins_key_and_shows_its_account_alone(page, strict):
    create_available_cluster(strict.client(ADMIN_KEY, secret=ADMIN_SECRET), "mine")
    create_available_cluster(strict.client(TENANT_KEY, secret=TENANT_SECRET), "theirs")
    page.goto(f"{strict.url}/_localshift/console#Clusters")
    sync_api.expect(page.locator("#sign-in")).to_be_visible()
    sign_in(page, TENANT_KEY, TENANT_SECRET)
    sync_api.expect(page.locator("#sign-in-error")).to_have_text(f"Account {GRANTEE} may not call the admin endpoints.")
    sign_in(page, ADMIN_KEY, ADMIN_SECRET)
    page.wait_for_selector('section[data-section="clusters"] td')
    assert cells(page, "clusters", "identifier") == ["mine"]
    assert page.locator("#reset").is_hidden()
    assert json.loads(page.evaluate("sessionStorage.getItem('localshift-console-credentials')"))["accessKey"] == ADMIN_KEY
    page.click("#sign-out")
    sync_api.expect(page.locator("#sign-in")).to_be_visible()
