"""The lifecycle walk's machinery (tests/e2e/test_lifecycle_walk.py): what the walk did to the server
(resources, the rows written to them, what their snapshots must hold), how it calls the server, and the
checks that each answer is one AWS documents and that the server settles into agreeing with the walk.
"""

from __future__ import annotations

import itertools
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

import boto3
import botocore.session
import psycopg
from botocore.config import Config
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, REGION, Server

SETTLE_SECONDS = 180.0
PASSWORD = "Passw0rd1"
STABLE_CLUSTER = {"available", "paused"}
STABLE_SNAPSHOT = {"available", "failed"}
# The operations of which, sent twice at once, at most one succeeds: the second finds the name taken, the
# resource gone, or it busy with the first.
EXCLUSIVE = {"CreateCluster", "DeleteCluster", "RestoreFromClusterSnapshot", "CreateClusterSnapshot",
             "DeleteClusterSnapshot", "CopyClusterSnapshot", "PauseCluster", "ResumeCluster", "RebootCluster",
             "AuthorizeSnapshotAccess", "RevokeSnapshotAccess", "CreateNamespace", "CreateWorkgroup",
             "DeleteWorkgroup", "DeleteNamespace", "CreateSnapshot", "DeleteSnapshot", "RestoreFromSnapshot"}
# AWS's common errors, which any action may answer (API reference, "Common Errors"): the walk sends
# only valid values, so a combination the service refuses in a given state is the only one expected.
COMMON = {"redshift": {"InvalidParameterCombination", "InvalidParameterValue"},
          "redshift-serverless": {"ValidationException"}}


@dataclass
class Rows:
    """The rows a cluster, namespace or snapshot must hold, and the lineages whose writes it may also hold
    (a snapshot may take in what is written while it is being taken)."""

    must: frozenset[int] = frozenset()
    lineages: frozenset[int] = frozenset()


@dataclass
class Holder:
    """A cluster or namespace of the walk: its rows and the lineage its own writes go to."""

    rows: Rows
    lineage: int


@dataclass
class WalkState:
    """What the walk did, and the server it did it to."""

    server: Server
    rng: random.Random
    seed: int
    log: list[str] = field(default_factory=list)
    written: dict[int, set[int]] = field(default_factory=dict)  # lineage -> row ids written to it
    clusters: dict[tuple[str, str], Holder] = field(default_factory=dict)  # (account, name)
    snapshots: dict[str, tuple[Rows, str]] = field(default_factory=dict)  # name -> rows, cluster named
    namespaces: dict[str, Holder] = field(default_factory=dict)
    workgroups: dict[str, str] = field(default_factory=dict)  # workgroup -> namespace
    serverless_snapshots: dict[str, Rows] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)  # snapshots GRANTEE may restore
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    racing: bool = False  # each request sent twice at once (call)

    def __post_init__(self) -> None:
        config = Config(retries={"max_attempts": 1}, read_timeout=60, connect_timeout=30)
        self.owner = self.client(OWNER, "redshift", config)
        self.grantee = self.client(GRANTEE, "redshift", config)
        self.serverless = self.client(OWNER, "redshift-serverless", config)
        session = botocore.session.get_session()
        self.models = {name: session.get_service_model(name) for name in COMMON}

    def client(self, account: str, service: str, config: Config) -> Any:
        return boto3.client(service, endpoint_url=self.server.url, region_name=REGION, aws_access_key_id=account,
                            aws_secret_access_key="secret", config=config)

    # -- calling ---------------------------------------------------------------------------------------

    def call(self, client: Any, operation: str, **params: Any) -> dict | None:
        """The operation's answer, or None for an AWS error the model lists for it; anything else fails.
        Racing, the same request is sent twice at once, and at most one of them may succeed."""
        if not (self.racing and operation in EXCLUSIVE):
            return self.call_once(client, operation, params)
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: self.call_once(client, operation, params, "raced "), range(2)))
        won = [answer for answer in answers if answer is not None]
        assert len(won) <= 1, self.failure(f"two identical {operation} requests at once both succeeded")
        return won[0] if won else None

    def call_once(self, client: Any, operation: str, params: dict, how: str = "") -> dict | None:
        service = client.meta.service_model.service_name
        method = getattr(client, botocore.xform_name(operation))
        try:
            answer = method(**params)
            self.log.append(f"{how}{operation} {params}")
            return answer
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            code = error.response["Error"]["Code"]
            message = error.response["Error"]["Message"]
            self.log.append(f"{how}{operation} {params} -> {code}: {message[:100]}")
            assert 400 <= status < 500, self.failure(f"{operation} answered {status} {error}")
            assert code in self.documented(service, operation), self.failure(
                f"{operation} answered {code}, which the model does not list: {error}")
            return None

    def documented(self, service: str, operation: str) -> set[str]:
        shapes = self.models[service].operation_model(operation).error_shapes
        return COMMON[service] | {shape.metadata.get("error", {}).get("code", shape.name) for shape in shapes}

    def failure(self, what: str) -> str:
        return f"{what}\nwalk (seed {self.seed}):\n  " + "\n  ".join(self.log[-40:])

    # -- the model's rows ------------------------------------------------------------------------------

    def holder(self, rows: Rows) -> Holder:
        lineage = next(self.counter)
        self.written[lineage] = set()
        return Holder(Rows(rows.must, rows.lineages | {lineage}), lineage)

    def allowed(self, rows: Rows) -> set[int]:
        return set(rows.must).union(*(self.written[lineage] for lineage in rows.lineages))

    def write(self, holder: Holder, port: int, what: str) -> None:
        """Insert a fresh row through the endpoint; an available endpoint must take it."""
        row = next(self.counter)
        self.log.append(f"INSERT {row} into {what}")
        try:
            with connect(port) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS walk (id int)")
                conn.execute("INSERT INTO walk VALUES (%s)", (row,))
        except psycopg.Error as error:
            self.written[holder.lineage].add(row)  # it may have been committed before the error
            raise AssertionError(self.failure(f"a write to available {what} failed: {error}")) from error
        holder.rows = Rows(holder.rows.must | {row}, holder.rows.lineages)
        self.written[holder.lineage].add(row)

    def check_rows(self, rows: Rows, port: int, what: str) -> None:
        with connect(port) as conn:
            exists = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'walk'").fetchone()[0]
            found = {row for (row,) in conn.execute("SELECT id FROM walk").fetchall()} if exists else set()
        missing, extra = set(rows.must) - found, found - self.allowed(rows)
        assert not missing and not extra, self.failure(f"{what} lacks rows {missing} or has rows {extra}")

    def cluster_status(self, client: Any, name: str) -> dict | None:
        try:
            return client.describe_clusters(ClusterIdentifier=name)["Clusters"][0]
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ClusterNotFound", self.failure(str(error))
            return None

    def workgroup(self, name: str) -> dict | None:
        return self.serverless_get(lambda: self.serverless.get_workgroup(workgroupName=name)["workgroup"])

    def namespace(self, name: str) -> dict | None:
        return self.serverless_get(lambda: self.serverless.get_namespace(namespaceName=name)["namespace"])

    def serverless_get(self, get: Callable[[], dict]) -> dict | None:
        try:
            return get()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceNotFoundException", self.failure(str(error))
            return None

    # -- settling and coherence ------------------------------------------------------------------------

    def settle(self) -> None:
        """Wait (bounded) for every resource to reach a stable status, then check Describe* and the rows."""
        self.log.append("-- settle")
        self.wait_until(self.moving, "still in transition")
        self.check_clusters()
        self.check_snapshots()
        self.check_serverless()

    def wait_until(self, left: Callable[[], list[str]], what: str) -> None:
        """Wait until ``left`` names nothing, for SETTLE_SECONDS at most."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while names := left():
            assert time.monotonic() < deadline, self.failure(f"{what} after {SETTLE_SECONDS} s: {names}")
            time.sleep(0.2)

    def dismantle(self) -> None:
        """Once settled, delete everything: each deletion is accepted, and everything goes within the bound."""
        self.log.append("-- dismantle")
        revoke = {"AccountWithRestoreAccess": GRANTEE}
        deletions = [(self.owner, "RevokeSnapshotAccess", {"SnapshotIdentifier": name, **revoke})
                     for name in self.shared]
        deletions += [(self.owner, "DeleteClusterSnapshot", {"SnapshotIdentifier": name}) for name in self.snapshots]
        deletions += [(self.grantee if account == GRANTEE else self.owner, "DeleteCluster",
                       {"ClusterIdentifier": name, "SkipFinalClusterSnapshot": True})
                      for account, name in self.clusters]
        deletions += [(self.serverless, "DeleteWorkgroup", {"workgroupName": name}) for name in self.workgroups]
        deletions += [(self.serverless, "DeleteSnapshot", {"snapshotName": name}) for name in self.serverless_snapshots]
        for client, operation, params in deletions:
            assert self.call(client, operation, **params), self.failure(f"{operation} {params} was refused")
        self.wait_until(lambda: [w["workgroupName"] for w in self.serverless.list_workgroups()["workgroups"]],
                        "workgroups not deleted")
        for name in self.namespaces:
            assert self.call(self.serverless, "DeleteNamespace", namespaceName=name), self.failure(
                f"namespace {name} could not be deleted")
        self.wait_until(self.remaining, "not deleted")

    def remaining(self) -> list[str]:
        remaining = [c["ClusterIdentifier"] for client in (self.owner, self.grantee)
                     for c in client.describe_clusters()["Clusters"]]
        remaining += [s["SnapshotIdentifier"] for s in self.manual_snapshots()]
        remaining += [n["namespaceName"] for n in self.serverless.list_namespaces()["namespaces"]]
        remaining += [s["snapshotName"] for s in self.serverless.list_snapshots()["snapshots"]]
        return remaining

    def moving(self) -> list[str]:
        moving = [f"cluster {c['ClusterIdentifier']} {c['ClusterStatus']}" for client in (self.owner, self.grantee)
                  for c in client.describe_clusters()["Clusters"] if c["ClusterStatus"] not in STABLE_CLUSTER]
        moving += [f"snapshot {s['SnapshotIdentifier']} {s['Status']}"
                   for s in self.owner.describe_cluster_snapshots()["Snapshots"] if s["Status"] not in STABLE_SNAPSHOT]
        moving += [f"namespace {n['namespaceName']} {n['status']}"
                   for n in self.serverless.list_namespaces()["namespaces"] if n["status"] != "AVAILABLE"]
        moving += [f"workgroup {w['workgroupName']} {w['status']}"
                   for w in self.serverless.list_workgroups()["workgroups"] if w["status"] != "AVAILABLE"]
        moving += [f"serverless snapshot {s['snapshotName']} {s['status']}"
                   for s in self.serverless.list_snapshots()["snapshots"] if s["status"] not in {"AVAILABLE", "FAILED"}]
        return moving

    def manual_snapshots(self) -> list[dict]:
        return [s for s in self.owner.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]
                if s["OwnerAccount"] == OWNER]

    def check_clusters(self) -> None:
        for account, client in ((OWNER, self.owner), (GRANTEE, self.grantee)):
            described = {c["ClusterIdentifier"]: c for c in client.describe_clusters()["Clusters"]}
            expected = {name for owner, name in self.clusters if owner == account}
            assert set(described) == expected, self.failure(f"{account}'s clusters are {sorted(described)}, "
                                                              f"the walk left {sorted(expected)}")
            for name, cluster in described.items():
                if cluster["ClusterStatus"] == "available":
                    self.check_rows(self.clusters[account, name].rows, cluster["Endpoint"]["Port"],
                                    f"cluster {account}/{name}")

    def check_snapshots(self) -> None:
        described = {s["SnapshotIdentifier"]: s for s in self.manual_snapshots()}
        assert set(described) == set(self.snapshots), self.failure(
            f"the snapshots are {sorted(described)}, the walk left {sorted(self.snapshots)}")
        # Nothing fails on its own here: a failed snapshot is one a race broke (the server logs why).
        failed = [s["SnapshotIdentifier"] for s in self.owner.describe_cluster_snapshots()["Snapshots"]
                  if s["Status"] == "failed"]
        assert not failed, self.failure(f"snapshots failed: {failed}")
        for name, snapshot in described.items():
            assert snapshot["ClusterIdentifier"] == self.snapshots[name][1], self.failure(
                f"snapshot {name} names cluster {snapshot['ClusterIdentifier']}, not {self.snapshots[name][1]}")
            if snapshot["Status"] == "available":
                assert snapshot["TotalBackupSizeInMegaBytes"] > 0, self.failure(f"snapshot {name} is empty")
            granted = [a["AccountId"] for a in snapshot.get("AccountsWithRestoreAccess", [])]
            assert granted == ([GRANTEE] if name in self.shared else []), self.failure(
                f"{name} is shared with {granted}")
        shared = self.grantee.describe_cluster_snapshots(OwnerAccount=OWNER)["Snapshots"]
        seen = {s["SnapshotIdentifier"] for s in shared}
        assert seen == self.shared, self.failure(f"the grantee sees {sorted(seen)}, not {sorted(self.shared)}")

    def check_serverless(self) -> None:
        namespaces = {n["namespaceName"] for n in self.serverless.list_namespaces()["namespaces"]}
        workgroups = {w["workgroupName"]: w for w in self.serverless.list_workgroups()["workgroups"]}
        listed = self.serverless.list_snapshots()["snapshots"]
        snapshots = {s["snapshotName"] for s in listed}
        failed = [s["snapshotName"] for s in listed if s["status"] == "FAILED"]
        assert not failed, self.failure(f"serverless snapshots failed: {failed}")
        assert (namespaces, set(workgroups), snapshots) == (
            set(self.namespaces), set(self.workgroups), set(self.serverless_snapshots)), self.failure(
            f"serverless resources {namespaces, set(workgroups), snapshots} differ from the walk's "
            f"{set(self.namespaces), set(self.workgroups), set(self.serverless_snapshots)}")
        for name, workgroup in workgroups.items():
            assert workgroup["namespaceName"] == self.workgroups[name], self.failure(f"workgroup {name} moved")
            self.check_rows(self.namespaces[workgroup["namespaceName"]].rows, workgroup["endpoint"]["port"],
                            f"workgroup {name}")


def connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="admin", password=PASSWORD, dbname="dev",
                           autocommit=True, connect_timeout=30, options="-c statement_timeout=30000")
