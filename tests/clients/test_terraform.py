"""Terraform with the AWS provider (5.100) against a real server: `terraform init`, `apply` of a
realistic stack (tests/clients/terraform), rows loaded into its cluster with psycopg, a second
`apply` that snapshots the cluster and restores the snapshot to a new one, then `plan
-detailed-exitcode` must show no changes (every attribute the provider reads back round-trips),
the restored cluster must hold the rows, and `destroy` must leave nothing behind.

Offline: the provider comes from the filesystem mirror /opt/tf-plugins (a CLI config file per run
says so); the tests skip when terraform or that mirror is missing. Terraform's own waiters set the
pace (a cluster is polled every 10 s, a snapshot first after 30 s, a schedule association after
30 s); each command's TF_LOG=DEBUG log is kept in the working directory and named on failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from support import OWNER, Server

FIXTURES = Path(__file__).parent / "terraform"
MIRROR = Path("/opt/tf-plugins")
PROVIDER = MIRROR / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"
TERRAFORM = shutil.which("terraform")
CLI_CONFIG = f"""provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }}
}}
"""
# The SQL ports RA3 clusters accept (CreateCluster refuses others).
RA3_PORTS = [*range(8191, 8216), *range(5431, 5456)]
ROWS = [(1, "10.50"), (2, "20.25")]

pytestmark = pytest.mark.skipif(
    TERRAFORM is None or not PROVIDER.is_dir(),
    reason=f"needs the terraform binary on PATH and the AWS provider 5.100.0 mirrored in {MIRROR}")


def free_ra3_ports(count: int) -> list[int]:
    ports = []
    for port in RA3_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError("no free ports in the RA3 ranges")


@dataclass
class Workspace:
    """A terraform working directory holding the fixtures, and how to run terraform in it."""

    directory: Path
    server: Server
    ports: list[int]
    commands: list[str] = field(default_factory=list)

    def run(self, *args: str, restore: bool = True, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        log = self.directory / f"{len(self.commands):02d}-{args[0]}.debug.log"
        self.commands.append(args[0])
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(self.directory / "cli.tfrc"), TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1", TF_INPUT="0", TF_LOG="DEBUG", TF_LOG_PATH=str(log))
        variables = [] if args[0] == "init" else [
            "-var", f"endpoint={self.server.url}", "-var", f"port={self.ports[0]}",
            "-var", f"restored_port={self.ports[1]}", "-var", f"restore={str(restore).lower()}"]
        done = subprocess.run([TERRAFORM, *args, "-no-color", *variables], cwd=self.directory, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode in ok_codes, (
            f"terraform {' '.join(args)} exited {done.returncode} (debug log: {log}):\n"
            f"{done.stdout[-6000:]}\n{done.stderr[-4000:]}")
        return done

    def connect(self, port: int) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev",
                               sslmode="require", autocommit=True, connect_timeout=30)


@pytest.fixture(scope="module")
def stack(data_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The stack applied twice (the second time with the snapshot and the restored cluster), rows
    loaded between; destroyed at the end unless a test did so."""
    directory = tmp_path_factory.mktemp("terraform")
    for fixture in FIXTURES.glob("*.tf"):
        shutil.copy(fixture, directory)
    (directory / "cli.tfrc").write_text(CLI_CONFIG)
    workspace = Workspace(directory, data_server, free_ra3_ports(2))
    workspace.run("init", "-input=false")
    try:
        workspace.run("apply", "-auto-approve", "-input=false", restore=False)
        with workspace.connect(workspace.ports[0]) as conn:
            conn.execute("CREATE TABLE sales (id int, amount decimal(8,2)) DISTKEY(id) SORTKEY(id)")
            conn.execute("INSERT INTO sales VALUES (1, 10.50), (2, 20.25)")
        workspace.run("apply", "-auto-approve", "-input=false")
        yield workspace
    finally:
        if workspace.commands[-1] != "destroy":
            workspace.run("destroy", "-auto-approve", "-input=false")


def test_a_plan_after_apply_shows_no_changes(stack):
    done = stack.run("plan", "-detailed-exitcode", "-input=false", ok_codes=(0, 2))
    assert done.returncode == 0, done.stdout  # 2: changes (drift), shown in the plan
    assert "No changes." in done.stdout


def test_the_restored_cluster_holds_the_snapshots_rows(stack):
    with stack.connect(stack.ports[1]) as conn:
        assert conn.execute("SELECT id, amount::text FROM sales ORDER BY id").fetchall() == ROWS


def test_the_resources_are_as_configured(stack):
    redshift = stack.server.client(OWNER)
    cluster = redshift.describe_clusters(ClusterIdentifier="tf-analytics")["Clusters"][0]
    assert (cluster["ClusterSubnetGroupName"], cluster["ClusterParameterGroups"][0]["ParameterGroupName"],
            cluster["SnapshotScheduleIdentifier"], cluster["AutomatedSnapshotRetentionPeriod"],
            cluster["Endpoint"]["Port"], cluster["DBName"]) == (
        "tf-analytics", "tf-analytics", "tf-twice-a-day", 3, stack.ports[0], "dev")
    # The second apply's new tag, set by the cluster's ARN (its account from STS GetCallerIdentity).
    assert {t["Key"]: t["Value"] for t in cluster["Tags"]} == {"team": "data", "env": "test", "stage": "restored"}
    logging = redshift.describe_logging_status(ClusterIdentifier="tf-analytics")
    assert (logging["LoggingEnabled"], logging["LogDestinationType"], sorted(logging["LogExports"])) == (
        True, "cloudwatch", ["connectionlog", "userlog"])
    parameters = redshift.describe_cluster_parameters(ParameterGroupName="tf-analytics", Source="user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters} == {
        "require_ssl": "true", "enable_user_activity_logging": "true"}
    [limit] = redshift.describe_usage_limits(ClusterIdentifier="tf-analytics")["UsageLimits"]
    assert (limit["FeatureType"], limit["Amount"], limit["BreachAction"]) == ("concurrency-scaling", 60, "log")
    [action] = redshift.describe_scheduled_actions(ScheduledActionName="tf-nightly-pause")["ScheduledActions"]
    assert (action["Schedule"], action["TargetAction"]) == (
        "cron(0 23 * * ? *)", {"PauseCluster": {"ClusterIdentifier": "tf-analytics"}})
    [snapshot] = redshift.describe_cluster_snapshots(SnapshotIdentifier="tf-analytics-manual")["Snapshots"]
    assert (snapshot["ClusterIdentifier"], snapshot["ManualSnapshotRetentionPeriod"]) == ("tf-analytics", 7)
    serverless = stack.server.client(OWNER, service="redshift-serverless")
    workgroup = serverless.get_workgroup(workgroupName="tf-analytics")["workgroup"]
    assert (workgroup["namespaceName"], workgroup["baseCapacity"], workgroup["status"]) == ("tf-analytics", 8, "AVAILABLE")
    [usage] = serverless.list_usage_limits(resourceArn=workgroup["workgroupArn"])["usageLimits"]
    assert (usage["usageType"], usage["amount"], usage["period"]) == ("serverless-compute", 60, "daily")
    assert serverless.get_snapshot(snapshotName="tf-analytics-serverless")["snapshot"]["namespaceName"] == "tf-analytics"


def test_destroy_leaves_nothing(stack):
    stack.run("destroy", "-auto-approve", "-input=false")
    redshift = stack.server.client(OWNER)
    assert redshift.describe_clusters()["Clusters"] == []
    assert redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"] == []
    assert [g["ParameterGroupName"] for g in redshift.describe_cluster_parameter_groups()["ParameterGroups"]
            if not g["ParameterGroupName"].startswith("default.")] == []
    assert [g for g in redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]
            if g["ClusterSubnetGroupName"] == "tf-analytics"] == []
    assert redshift.describe_snapshot_schedules()["SnapshotSchedules"] == []
    assert redshift.describe_snapshot_copy_grants()["SnapshotCopyGrants"] == []
    assert redshift.describe_scheduled_actions()["ScheduledActions"] == []
    serverless = stack.server.client(OWNER, service="redshift-serverless")
    assert serverless.list_workgroups()["workgroups"] == []
    assert serverless.list_namespaces()["namespaces"] == []
    assert serverless.list_snapshots()["snapshots"] == []
