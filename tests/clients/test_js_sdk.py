"""The AWS SDK for JavaScript v3 (@aws-sdk/client-redshift, -redshift-serverless, -redshift-data, the
versions pinned in tests/clients/js_sdk/package-lock.json) against real servers: one node process runs
tests/clients/js_sdk/scenario.mjs, which asserts what the SDK parsed (typed exceptions, Date objects,
numbers, booleans, nested lists, waiters, paginators, the rows the Data API returns, the restored
cluster's rows), and prints what it saw for the checks here against boto3's view.

The SDK is installed with `npm ci` from the lock file into a cache directory outside the repository
(one per lock file; $LOCALSHIFT_JS_SDK_CACHE, else ~/.cache/localshift/js-sdk) and reused after. The
test skips, naming the reason, when node or npm is missing or the install fails (the npm registry
unreachable): that is the machine's, not localshift's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from support import GRANTEE, OWNER, REGION, Server

PROJECT = Path(__file__).parent / "js_sdk"
NODE, NPM = shutil.which("node"), shutil.which("npm")
CACHE = Path(os.environ.get("LOCALSHIFT_JS_SDK_CACHE") or Path.home() / ".cache" / "localshift" / "js-sdk")
INSTALL_TIMEOUT = 180
SCENARIO_TIMEOUT = 120

pytestmark = pytest.mark.skipif(NODE is None or NPM is None, reason="needs node and npm on PATH")


def installed_sdk() -> Path:
    """node_modules of the pinned SDK, installed once per lock file; skips the test when npm cannot."""
    lock = (PROJECT / "package-lock.json").read_bytes()
    home = CACHE / hashlib.sha256(lock + (PROJECT / "package.json").read_bytes()).hexdigest()[:16]
    if (home / "node_modules" / ".package-lock.json").is_file():
        return home / "node_modules"
    # Installed beside and renamed into place: a concurrent run never sees half an install.
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=CACHE, prefix="installing-"))
    except OSError as error:
        pytest.skip(f"no cache directory for the JS SDK ({error}); set LOCALSHIFT_JS_SDK_CACHE")
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PROJECT / name, work)
        try:
            # Short network timeouts: an unreachable registry is a skip in a minute, not npm's five-minute waits.
            done = subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
                                   "--fetch-timeout=30000", "--fetch-retries=1"],
                                  cwd=work, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm ci of the JS SDK took over {INSTALL_TIMEOUT} s (is the npm registry reachable?)")
        if done.returncode != 0:
            first_lines = " / ".join(done.stderr.strip().splitlines()[:3])
            pytest.skip(f"npm ci of the JS SDK failed (is the npm registry reachable?): {first_lines}")
        try:
            work.rename(home)
        except OSError:  # another run installed it meanwhile
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return home / "node_modules"


def run_scenario(sdk: Path, control: Server, data: Server, tmp_path: Path) -> dict:
    """Run the scenario (beside a link to the installed SDK, where node resolves its imports); what it saw."""
    shutil.copy(PROJECT / "scenario.mjs", tmp_path)
    (tmp_path / "node_modules").symlink_to(sdk, target_is_directory=True)
    # The data server's clients are configured by the environment alone, as an application's would be.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(CONTROL_URL=control.url, DATA_URL=data.url, OWNER=OWNER, GRANTEE=GRANTEE,
               AWS_ENDPOINT_URL=data.url, AWS_REGION=REGION, AWS_ACCESS_KEY_ID=OWNER,
               AWS_SECRET_ACCESS_KEY="secret", AWS_EC2_METADATA_DISABLED="true")
    done = subprocess.run([NODE, "scenario.mjs"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=SCENARIO_TIMEOUT)
    (tmp_path / "scenario.log").write_text(done.stderr)  # each step's start, and a failure's story
    assert done.returncode == 0, f"node scenario.mjs exited {done.returncode}:\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def sdk() -> Path:
    return installed_sdk()


@pytest.fixture(scope="module")
def seen(sdk: Path, server: Server, data_server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What the scenario saw; the SDK is installed (or the test skipped) before any server starts."""
    server.reset()
    return run_scenario(sdk, server, data_server, tmp_path_factory.mktemp("js-sdk"))


def test_the_cluster_the_sdk_parsed_is_the_one_boto3_sees(seen, server):
    cluster = server.client(OWNER).describe_clusters(ClusterIdentifier="js-main")["Clusters"][0]
    expected_time = cluster["ClusterCreateTime"].isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert seen["cluster"] == {
        "ClusterIdentifier": "js-main", "ClusterNamespaceArn": cluster["ClusterNamespaceArn"],
        "ClusterCreateTime": expected_time, "Port": cluster["Endpoint"]["Port"],
        "ClusterNodes": cluster["ClusterNodes"], "Tags": cluster["Tags"],
    }
    # The tag value XML must escape (CR included) came back from the SDK as sent, and is stored so.
    assert cluster["Tags"][2] == {"Key": "awkward", "Value": " a\r\nb\t& <c> \"d\" 'e' ünï 😀 "}


def test_paginating_describe_clusters_reaches_every_cluster_once(seen, server):
    every = [c["ClusterIdentifier"] for c in server.client(OWNER).describe_clusters()["Clusters"]]
    assert seen["paged"][:-1] == every and len(every) == 22  # the last one was deleted after


def test_a_missing_cluster_is_the_sdks_typed_fault(seen):
    assert seen["clusterNotFound"] == {"name": "ClusterNotFoundFault", "status": 404,
                                       "message": "Cluster nope not found."}


def test_the_data_api_returns_the_inserted_rows_typed(seen):
    rows = [[{"longValue": 1}, {"stringValue": "apple"}, {"doubleValue": 1.5}, {"booleanValue": True}, {"isNull": True}],
            [{"longValue": 2}, {"stringValue": "pear"}, {"doubleValue": 2.25}, {"booleanValue": False},
             {"stringValue": "ripe"}]]
    assert seen["clusterRows"] == rows
    assert seen["workgroupRows"] == rows


def test_the_restored_cluster_holds_the_snapshots_rows(seen, data_server):
    assert seen["restoredRows"] == [[{"longValue": 1}, {"stringValue": "apple"}], [{"longValue": 2}, {"stringValue": "pear"}]]
    restored = data_server.client(OWNER).describe_clusters(ClusterIdentifier="js-restored")["Clusters"][0]
    assert restored["RestoreStatus"]["Status"] == "completed"
