"""The pytest plugin, in pytest sessions of its own (pytester): fixtures, options, pytest-xdist."""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path

import pytest

from localshift.testing.handle import DEFAULT_ACCOUNTS, worker_accounts
from support import STRANGER, answers, create_available_cluster

PLUGIN = "localshift.testing.pytest_plugin"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CREATE_CLUSTER = ('ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2, MasterUsername="admin", '
                  'MasterUserPassword="Passw0rd1"')


@pytest.fixture
def session(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose sessions load the plugin (and xdist) by name alone, whatever is installed."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("LOCALSHIFT_URL", raising=False)
    # Inner sessions run in this process: under xdist they would see this worker's variables.
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    return pytester


def run(session: pytest.Pytester, *args: str) -> pytest.RunResult:
    return session.runpytest("-p", PLUGIN, *args)


def recorded(session: pytest.Pytester) -> list[dict]:
    """What the inner tests wrote down with record() (one JSON file each)."""
    return [json.loads(path.read_text()) for path in sorted(session.path.glob("seen-*.json"))]


RECORD = '''
import json, os, uuid
def record(**values):
    with open(f"seen-{uuid.uuid4().hex}.json", "w") as out:
        json.dump({"worker": os.environ.get("PYTEST_XDIST_WORKER"), **values}, out)
'''



def test_each_test_gets_a_clean_service_and_the_endpoint_variables(session, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://before.invalid")
    session.makepyfile(RECORD + f'''
import boto3

def test_code_under_test_reaches_localshift(localshift):
    for name in ("", "_REDSHIFT", "_REDSHIFT_SERVERLESS", "_REDSHIFT_DATA"):
        assert os.environ["AWS_ENDPOINT_URL" + name] == localshift.url
    boto3.client("redshift").create_cluster({CREATE_CLUSTER})
    assert [c["ClusterIdentifier"] for c in localshift.redshift().describe_clusters()["Clusters"]] == ["c1"]
    record(url=localshift.url, data_plane=localshift.server.health()["data_plane"])

def test_the_next_test_starts_clean(localshift):
    assert boto3.client("redshift").describe_clusters()["Clusters"] == []
    assert localshift.serverless().list_namespaces()["namespaces"] == []
    assert localshift.data().meta.endpoint_url == localshift.url

def test_clients_per_account_and_region(localshift):
    other = localshift.redshift(account=localshift.accounts[1], region="eu-west-1")
    other.create_cluster({CREATE_CLUSTER})
    assert localshift.redshift().describe_clusters()["Clusters"] == []
    assert len(other.describe_clusters()["Clusters"]) == 1
    assert localshift.redshift(account=localshift.accounts[1], region="eu-west-1") is other
''')
    result = run(session, "--localshift-no-data-plane")
    result.assert_outcomes(passed=3)
    assert "localshift: a server of its own (data plane off)" in result.stdout.str()
    [seen] = recorded(session)
    assert seen["data_plane"] is False
    assert os.environ["AWS_ENDPOINT_URL"] == "http://before.invalid"
    # The session's server is stopped at its end.
    assert not answers(seen["url"])


def test_the_readme_example_passes(session):
    readme = (PYPROJECT.parent / "README.md").read_text()
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "def test_" in example and "(localshift)" in example
    session.makepyfile(example)
    run(session).assert_outcomes(passed=1)


def test_no_data_plane_from_the_ini_file(session):
    session.makeini("[pytest]\nlocalshift_no_data_plane = true\n")
    session.makepyfile(RECORD + '''
def test_it(localshift):
    record(data_plane=localshift.server.health()["data_plane"])
''')
    run(session).assert_outcomes(passed=1)
    assert [seen["data_plane"] for seen in recorded(session)] == [False]


@pytest.mark.parametrize("how", ["option", "variable", "ini"])
def test_a_named_server_is_used_and_only_the_sessions_accounts_reset(session, monkeypatch, ls, how):
    create_available_cluster(ls.client(STRANGER), "others")
    create_available_cluster(ls.client(DEFAULT_ACCOUNTS[0]), "leftover")
    args = []
    if how == "option":
        args = ["--localshift-url", ls.url]
    elif how == "variable":
        monkeypatch.setenv("LOCALSHIFT_URL", ls.url)
    else:
        session.makeini(f"[pytest]\nlocalshift_url = {ls.url}\n")
    session.makepyfile(RECORD + '''
def test_it(localshift):
    assert localshift.redshift().describe_clusters()["Clusters"] == []
    record(url=localshift.url, account=localshift.account)
''')
    result = run(session, *args)
    result.assert_outcomes(passed=1)
    assert f"localshift: the server at {ls.url}" in result.stdout.str()
    assert recorded(session) == [{"worker": None, "url": ls.url, "account": DEFAULT_ACCOUNTS[0]}]
    assert answers(ls.url)
    assert [c["ClusterIdentifier"] for c in ls.client(STRANGER).describe_clusters()["Clusters"]] == ["others"]


XDIST_TESTS = RECORD + f'''
def test_it(localshift):
    localshift.redshift().create_cluster({CREATE_CLUSTER})
    assert [c["ClusterIdentifier"] for c in localshift.redshift().describe_clusters()["Clusters"]] == ["c1"]
    record(url=localshift.url, account=localshift.account)
'''


def test_xdist_workers_each_start_a_server(session):
    session.makepyfile(XDIST_TESTS)
    run(session, "-p", "xdist", "-n", "2", "--dist", "each", "--localshift-no-data-plane").assert_outcomes(passed=2)
    seen = recorded(session)
    assert sorted(s["worker"] for s in seen) == ["gw0", "gw1"]
    assert len({s["url"] for s in seen}) == 2
    assert {s["account"] for s in seen} == {DEFAULT_ACCOUNTS[0]}


def test_xdist_workers_share_a_named_server_with_an_account_each(session, ls):
    session.makepyfile(XDIST_TESTS)
    run(session, "-p", "xdist", "-n", "2", "--dist", "each", "--localshift-url", ls.url).assert_outcomes(passed=2)
    seen = {s["worker"]: s for s in recorded(session)}
    assert {worker: s["account"] for worker, s in seen.items()} == {
        "gw0": worker_accounts(0)[0], "gw1": worker_accounts(1)[0]}
    assert {s["url"] for s in seen.values()} == {ls.url}
    # Each worker reset its own accounts alone: both clusters are there.
    for worker in (0, 1):
        clusters = ls.client(worker_accounts(worker)[0]).describe_clusters()["Clusters"]
        assert [c["ClusterIdentifier"] for c in clusters] == ["c1"]


TIME_TRAVEL_TESTS = f'''
from datetime import datetime, timedelta, timezone
import time

def service_time(localshift):
    return datetime.fromisoformat(localshift.server.state()["server"]["now"])

def test_1_time_travel_takes_an_automated_snapshot(localshift):
    redshift = localshift.redshift()
    redshift.create_cluster({CREATE_CLUSTER})
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="c1", WaiterConfig={{"Delay": 0.2, "MaxAttempts": 600}})
    automated = lambda: redshift.describe_cluster_snapshots(ClusterIdentifier="c1", SnapshotType="automated")["Snapshots"]
    while not automated() or automated()[0]["Status"] != "available":  # the first, taken at create
        time.sleep(0.1)
    now = localshift.time_travel(9 * 3600)
    assert now - datetime.now(timezone.utc) > timedelta(hours=8, minutes=59)
    deadline = time.monotonic() + 120
    while len(automated()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(automated()) == 2

def test_2_the_next_test_starts_at_real_time(localshift):
    assert abs(service_time(localshift) - datetime.now(timezone.utc)) < timedelta(minutes=1)
'''


@pytest.mark.parametrize("named", [False, True], ids=["own server", "named server"])
def test_time_travel_takes_automated_snapshots_and_the_next_test_starts_at_real_time(session, ls, named):
    session.makepyfile(TIME_TRAVEL_TESTS)
    args = ["--localshift-url", ls.url] if named else ["--localshift-no-data-plane"]
    run(session, "-p", "no:randomly", *args).assert_outcomes(passed=2)


def test_a_failed_test_shows_the_calls_localshift_refused_during_it(session):
    session.makepyfile(f'''
import boto3

def test_a_restore_that_goes_wrong(localshift):
    redshift = boto3.client("redshift")
    try:
        redshift.restore_from_cluster_snapshot(ClusterIdentifier="copy", SnapshotIdentifier="nightly")
    except redshift.exceptions.ClusterSnapshotNotFoundFault:
        pass  # the automation swallows it, and the test fails later
    assert redshift.describe_clusters()["Clusters"]

def test_a_failure_of_its_own(localshift):
    boto3.client("redshift").describe_clusters(ClusterIdentifier="unrelated-before-the-passing-test")

def test_passes(localshift):
    boto3.client("redshift").describe_clusters()
''')
    result = run(session, "--localshift-no-data-plane", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    restore_report = out.split("_ test_a_restore_that_goes_wrong _", 1)[1].split("_ test_a_failure_of_its_own _")[0]
    assert "localshift: the calls refused during the test (console, while the session runs: http://127.0.0.1:" in restore_report
    assert f"localshift = Localshift(url='http://127.0.0.1:" in restore_report  # the fixture, as the report shows it
    assert f"accounts={DEFAULT_ACCOUNTS!r}, region='us-east-1')" in restore_report
    assert "/_localshift/console)" in restore_report
    assert ("RestoreFromClusterSnapshot 404 ClusterSnapshotNotFound: Snapshot nightly not found." in restore_report)
    assert "unrelated" not in restore_report  # another test's calls are not this one's
    assert "Cluster unrelated-before-the-passing-test not found." in out.split("_ test_a_failure_of_its_own _", 1)[1]


def test_the_entry_point_in_pyproject_registers_the_plugin(pytester, monkeypatch, tmp_path):
    """Installed, the package declares the plugin as pyproject.toml says: pytest loads it unasked."""
    entry_points = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]["pytest11"]
    assert entry_points == {"localshift": PLUGIN}
    dist_info = tmp_path / "site" / "localshift_entry_point-0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: localshift-entry-point\nVersion: 0\n")
    (dist_info / "entry_points.txt").write_text(
        "[pytest11]\n" + "".join(f"{name} = {target}\n" for name, target in entry_points.items()))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path / "site"), *sys.path]))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makepyfile('''
def test_it(localshift):
    assert localshift.redshift().describe_clusters()["Clusters"] == []
''')
    pytester.runpytest_subprocess("--localshift-no-data-plane").assert_outcomes(passed=1)


def test_sql_connections_to_a_cluster_and_a_workgroup(session):
    """The data plane on (the default): SQL through psycopg and redshift_connector, by identifier."""
    session.makepyfile('''
def test_cluster(localshift):
    localshift.redshift().create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                                         MasterUsername="admin", MasterUserPassword="Passw0rd1")
    with localshift.connect("c1", "Passw0rd1") as conn:
        conn.execute("CREATE TABLE sales AS SELECT generate_series(1, 10) AS id")
    conn = localshift.connect("c1", "Passw0rd1", driver="redshift_connector")
    cursor = conn.cursor()
    cursor.execute("SELECT sum(id) FROM sales")
    assert [list(row) for row in cursor.fetchall()] == [[55]]
    conn.close()

def test_workgroup(localshift):
    serverless = localshift.serverless()
    serverless.create_namespace(namespaceName="ns1", adminUsername="boss", adminUserPassword="Passw0rd1", dbName="shop")
    serverless.create_workgroup(workgroupName="wg1", namespaceName="ns1")
    with localshift.connect("wg1", "Passw0rd1") as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == ("boss", "shop")
''')
    run(session).assert_outcomes(passed=2)
