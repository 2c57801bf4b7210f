"""A seeded random walk over the lifecycles of clusters, snapshots, namespaces and workgroups, on a server
with real engines: operations issued one after another without waiting for any status, as racing
clients issue them, with SQL writes between them wherever a cluster or workgroup is available.

After every step: a success, or a 4xx error whose code the botocore model lists for that operation
(never a 5xx, never a hang). Periodically and at the end, within a bounded wait: every resource
reaches a stable status, Describe* agrees with what the walk did (a deleted resource is gone, a
snapshot names its cluster), and every available cluster, workgroup and restored copy holds exactly
the rows written before its snapshot (or, for rows written while the snapshot was being taken,
perhaps those too).

Reproducible from the printed seed: ``LOCALSHIFT_WALK_SEED=N`` replays a walk (``random`` picks a fresh
one), ``LOCALSHIFT_WALK_STEPS=N`` walks longer (docs/testing.md).
"""

from __future__ import annotations

import itertools
import os
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

STEPS = int(os.environ.get("LOCALSHIFT_WALK_STEPS", "24"))
SETTLE_EVERY = 12
SETTLE_SECONDS = 180.0
PASSWORD = "Passw0rd1"
CLUSTERS, SNAPSHOTS, GRANTEE_CLUSTERS = ("c0", "c1", "c2"), ("s0", "s1", "s2"), ("g0",)
NAMESPACES, WORKGROUPS, SERVERLESS_SNAPSHOTS = ("ns0", "ns1"), ("wg0", "wg1"), ("zs0", "zs1")
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


def seed() -> int:
    chosen = os.environ.get("LOCALSHIFT_WALK_SEED", "20261201")
    return random.randrange(2**32) if chosen == "random" else int(chosen)


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
class Walk:
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
    racing: bool = False
    travelled: int = 0

    def __post_init__(self) -> None:
        config = Config(retries={"max_attempts": 1}, read_timeout=60, connect_timeout=10)
        self.owner = self.client(OWNER, "redshift", config)
        self.grantee = self.client(GRANTEE, "redshift", config)
        self.serverless = self.client(OWNER, "redshift-serverless", config)
        session = botocore.session.get_session()
        self.models = {name: session.get_service_model(name) for name in COMMON}

    def client(self, account: str, service: str, config: Config) -> Any:
        return boto3.client(service, endpoint_url=self.server.url, region_name=REGION, aws_access_key_id=account,
                            aws_secret_access_key="secret", config=config)

    # -- choosing ----------------------------------------------------------------------------------------
    # Mostly a name the operation can act on (so that the walk gets somewhere), sometimes any name of the pool
    # (so that it also meets names in use, gone, or in between).

    def existing(self, pool: tuple[str, ...], known: Any) -> str:
        return self.rng.choice(sorted(known)) if known and self.rng.random() < 0.8 else self.rng.choice(pool)

    def fresh(self, pool: tuple[str, ...], known: Any) -> str:
        free = [name for name in pool if name not in known]
        return self.rng.choice(free) if free and self.rng.random() < 0.8 else self.rng.choice(pool)

    def clusters_of(self, account: str) -> list[str]:
        return [name for owner, name in self.clusters if owner == account]

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
            self.log.append(f"{how}{operation} {params} -> {code}")
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

    # -- provisioned clusters and snapshots ------------------------------------------------------------

    def cluster_status(self, client: Any, name: str) -> dict | None:
        try:
            return client.describe_clusters(ClusterIdentifier=name)["Clusters"][0]
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ClusterNotFound", self.failure(str(error))
            return None

    def create_cluster(self) -> None:
        name = self.fresh(CLUSTERS, self.clusters_of(OWNER))
        if self.call(self.owner, "CreateCluster", ClusterIdentifier=name, NodeType="ra3.xlplus",
                     NumberOfNodes=self.rng.choice([2, 3]), MasterUsername="admin", MasterUserPassword=PASSWORD):
            self.clusters[OWNER, name] = self.holder(Rows())

    def delete_cluster(self) -> None:
        as_grantee = self.rng.random() < 0.2
        account, client = (GRANTEE, self.grantee) if as_grantee else (OWNER, self.owner)
        name = self.existing(GRANTEE_CLUSTERS if as_grantee else CLUSTERS, self.clusters_of(account))
        final = None if as_grantee else self.rng.choice([None, self.fresh(SNAPSHOTS, self.snapshots)])
        params: dict[str, Any] = ({"SkipFinalClusterSnapshot": True} if final is None else
                                  {"FinalClusterSnapshotIdentifier": final})
        if self.call(client, "DeleteCluster", ClusterIdentifier=name, **params):
            holder = self.clusters.pop((account, name))
            if final is not None:
                self.snapshots[final] = (holder.rows, name)

    def modify_cluster(self) -> None:
        name = self.existing(CLUSTERS, self.clusters_of(OWNER))
        change = self.rng.choice(["rename", "nodes", "type", "retention"])
        params: dict[str, Any] = {
            "rename": {"NewClusterIdentifier": self.fresh(CLUSTERS, self.clusters_of(OWNER))},
            "nodes": {"NumberOfNodes": self.rng.choice([2, 3, 4])},
            "type": {"NodeType": self.rng.choice(["ra3.xlplus", "ra3.4xlarge"]), "NumberOfNodes": 2},
            "retention": {"ManualSnapshotRetentionPeriod": self.rng.choice([-1, 30])},
        }[change]
        if self.call(self.owner, "ModifyCluster", ClusterIdentifier=name, **params) and change == "rename":
            self.clusters[OWNER, params["NewClusterIdentifier"]] = self.clusters.pop((OWNER, name))

    def resize_cluster(self) -> None:
        self.call(self.owner, "ResizeCluster", ClusterIdentifier=self.existing(CLUSTERS, self.clusters_of(OWNER)),
                  NumberOfNodes=self.rng.choice([2, 3, 4]), Classic=self.rng.random() < 0.5)

    def pause_resume_reboot(self) -> None:
        operation = self.rng.choice(["PauseCluster", "ResumeCluster", "RebootCluster"])
        self.call(self.owner, operation, ClusterIdentifier=self.existing(CLUSTERS, self.clusters_of(OWNER)))

    def restore_cluster_from_serverless(self) -> None:
        name = self.existing(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)
        found = self.serverless_get(lambda: self.serverless.get_snapshot(snapshotName=name)["snapshot"])
        if found is None:
            return
        cluster = self.fresh(CLUSTERS, self.clusters_of(OWNER))
        if self.call(self.owner, "RestoreFromClusterSnapshot", ClusterIdentifier=cluster,
                     SnapshotArn=found["snapshotArn"]):
            self.clusters[OWNER, cluster] = self.holder(self.serverless_snapshots[name])

    def restore_cluster(self) -> None:
        if self.rng.random() < 0.2:
            return self.restore_cluster_from_serverless()
        as_grantee = self.rng.random() < 0.3
        account, client = (GRANTEE, self.grantee) if as_grantee else (OWNER, self.owner)
        name = self.fresh(GRANTEE_CLUSTERS if as_grantee else CLUSTERS, self.clusters_of(account))
        snapshot = self.existing(SNAPSHOTS, self.snapshots)
        params: dict[str, Any] = {"OwnerAccount": OWNER} if as_grantee else {}
        if self.rng.random() < 0.3:
            params["NumberOfNodes"] = 3
        if self.call(client, "RestoreFromClusterSnapshot", ClusterIdentifier=name, SnapshotIdentifier=snapshot,
                     **params):
            assert not as_grantee or snapshot in self.shared, self.failure(f"{snapshot} was restored unshared")
            self.clusters[account, name] = self.holder(self.snapshots[snapshot][0])

    def create_snapshot(self) -> None:
        name, cluster = self.fresh(SNAPSHOTS, self.snapshots), self.existing(CLUSTERS, self.clusters_of(OWNER))
        if self.call(self.owner, "CreateClusterSnapshot", SnapshotIdentifier=name, ClusterIdentifier=cluster):
            self.snapshots[name] = (self.clusters[OWNER, cluster].rows, cluster)

    def delete_snapshot(self) -> None:
        name = self.existing(SNAPSHOTS, self.snapshots)
        if self.call(self.owner, "DeleteClusterSnapshot", SnapshotIdentifier=name):
            assert name not in self.shared, self.failure(f"{name} was deleted while shared")
            del self.snapshots[name]

    def copy_snapshot(self) -> None:
        source, target = self.existing(SNAPSHOTS, self.snapshots), self.fresh(SNAPSHOTS, self.snapshots)
        if self.call(self.owner, "CopyClusterSnapshot", SourceSnapshotIdentifier=source,
                     TargetSnapshotIdentifier=target):
            self.snapshots[target] = self.snapshots[source]

    def share_snapshot(self) -> None:
        operation = self.rng.choice(["AuthorizeSnapshotAccess", "RevokeSnapshotAccess"])
        name = self.existing(SNAPSHOTS, self.snapshots)
        if self.call(self.owner, operation, SnapshotIdentifier=name, AccountWithRestoreAccess=GRANTEE):
            (self.shared.add if operation == "AuthorizeSnapshotAccess" else self.shared.discard)(name)

    def modify_snapshot(self) -> None:
        self.call(self.owner, "ModifyClusterSnapshot", SnapshotIdentifier=self.existing(SNAPSHOTS, self.snapshots),
                  ManualSnapshotRetentionPeriod=self.rng.choice([-1, 10, 30]))

    def write_cluster(self) -> None:
        account, name = self.rng.choice(sorted(self.clusters) or [(OWNER, "c0")])
        cluster = self.cluster_status(self.grantee if account == GRANTEE else self.owner, name)
        if cluster and cluster["ClusterStatus"] == "available" and (account, name) in self.clusters:
            self.write(self.clusters[account, name], cluster["Endpoint"]["Port"], f"cluster {account}/{name}")

    # -- Redshift Serverless ---------------------------------------------------------------------------

    def create_namespace(self) -> None:
        name = self.fresh(NAMESPACES, self.namespaces)
        if self.call(self.serverless, "CreateNamespace", namespaceName=name, adminUsername="admin",
                     adminUserPassword=PASSWORD):
            self.namespaces[name] = self.holder(Rows())

    def create_workgroup(self) -> None:
        name, namespace = self.fresh(WORKGROUPS, self.workgroups), self.existing(NAMESPACES, self.namespaces)
        if self.call(self.serverless, "CreateWorkgroup", workgroupName=name, namespaceName=namespace):
            self.workgroups[name] = namespace

    def delete_workgroup(self) -> None:
        name = self.existing(WORKGROUPS, self.workgroups)
        if self.call(self.serverless, "DeleteWorkgroup", workgroupName=name):
            del self.workgroups[name]

    def delete_namespace(self) -> None:
        name = self.existing(NAMESPACES, self.namespaces)
        final = self.rng.choice([None, self.fresh(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)])
        params = {} if final is None else {"finalSnapshotName": final}
        if self.call(self.serverless, "DeleteNamespace", namespaceName=name, **params):
            holder = self.namespaces.pop(name)
            if final is not None:
                self.serverless_snapshots[final] = holder.rows

    def create_serverless_snapshot(self) -> None:
        name = self.fresh(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)
        namespace = self.existing(NAMESPACES, self.namespaces)
        if self.call(self.serverless, "CreateSnapshot", snapshotName=name, namespaceName=namespace):
            self.serverless_snapshots[name] = self.namespaces[namespace].rows

    def delete_serverless_snapshot(self) -> None:
        name = self.existing(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)
        if self.call(self.serverless, "DeleteSnapshot", snapshotName=name):
            del self.serverless_snapshots[name]

    def restore_namespace(self) -> None:
        """A namespace restored from a snapshot of its own service, or sometimes from a provisioned one."""
        workgroup = self.existing(WORKGROUPS, self.workgroups)
        namespace = self.workgroups.get(workgroup, self.rng.choice(NAMESPACES))
        if self.rng.random() < 0.3:
            name = self.existing(SNAPSHOTS, self.snapshots)
            source: dict[str, str] = {"snapshotArn": provisioned_snapshot_arn(name, self.snapshots.get(name))}
            rows = lambda: self.snapshots[name][0]  # noqa: E731
        else:
            name = self.existing(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)
            source, rows = {"snapshotName": name}, lambda: self.serverless_snapshots[name]
        if self.call(self.serverless, "RestoreFromSnapshot", namespaceName=namespace, workgroupName=workgroup,
                     **source):
            self.namespaces[namespace] = self.holder(rows())

    def write_workgroup(self) -> None:
        workgroup = self.existing(WORKGROUPS, self.workgroups)
        found = self.workgroup(workgroup)
        namespace = self.workgroups.get(workgroup)
        if found and found["status"] == "AVAILABLE" and namespace in self.namespaces and (
                self.namespace(namespace) or {}).get("status") == "AVAILABLE":
            self.write(self.namespaces[namespace], found["endpoint"]["port"], f"workgroup {workgroup}")

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
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            moving = self.moving()
            if not moving:
                break
            assert time.monotonic() < deadline, self.failure(f"still in transition after {SETTLE_SECONDS} s: {moving}")
            time.sleep(0.2)
        self.check_clusters()
        self.check_snapshots()
        self.check_serverless()

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
        snapshots = {s["snapshotName"] for s in self.serverless.list_snapshots()["snapshots"]}
        assert (namespaces, set(workgroups), snapshots) == (
            set(self.namespaces), set(self.workgroups), set(self.serverless_snapshots)), self.failure(
            f"serverless resources {namespaces, set(workgroups), snapshots} differ from the walk's "
            f"{set(self.namespaces), set(self.workgroups), set(self.serverless_snapshots)}")
        for name, workgroup in workgroups.items():
            assert workgroup["namespaceName"] == self.workgroups[name], self.failure(f"workgroup {name} moved")
            self.check_rows(self.namespaces[workgroup["namespaceName"]].rows, workgroup["endpoint"]["port"],
                            f"workgroup {name}")

    def time_travel(self) -> None:
        """Move the clock 9 hours on: automated snapshots come due (every 8 hours) and run beside the walk's
        work.  The walk's manual retention periods are 10 days and more, and it travels less than that."""
        if self.travelled < 20:
            self.travelled += 1
            self.log.append("time travel 9 h")
            self.server.admin(f"/_localshift/time-travel?seconds={9 * 3600}")

    def linger(self) -> None:
        """Let background work get under way, so that the next operation lands in the middle of it."""
        seconds = round(self.rng.uniform(0.05, 1.0), 2)
        self.log.append(f"sleep {seconds}")
        time.sleep(seconds)

    def race(self) -> None:
        """One of the other operations, its request sent twice at once (``call``)."""
        self.racing = True
        try:
            self.rng.choice([self.create_cluster, self.delete_cluster, self.restore_cluster, self.create_snapshot,
                             self.delete_snapshot, self.copy_snapshot, self.pause_resume_reboot, self.share_snapshot,
                             self.create_namespace, self.create_workgroup, self.delete_workgroup,
                             self.delete_namespace, self.create_serverless_snapshot, self.restore_namespace])()
        finally:
            self.racing = False

    def step(self) -> None:
        operations: list[tuple[Callable[[], None], int]] = [
            (self.create_cluster, 4), (self.delete_cluster, 2), (self.modify_cluster, 2), (self.resize_cluster, 1),
            (self.pause_resume_reboot, 2), (self.restore_cluster, 2), (self.create_snapshot, 3),
            (self.delete_snapshot, 1), (self.copy_snapshot, 1), (self.share_snapshot, 1), (self.modify_snapshot, 1),
            (self.write_cluster, 4), (self.create_namespace, 2), (self.create_workgroup, 2),
            (self.delete_workgroup, 1), (self.delete_namespace, 1), (self.create_serverless_snapshot, 2),
            (self.delete_serverless_snapshot, 1), (self.restore_namespace, 2), (self.write_workgroup, 3),
            (self.linger, 2), (self.race, 4), (self.time_travel, 1),
        ]
        operation = self.rng.choices([op for op, _ in operations], [weight for _, weight in operations])[0]
        try:
            operation()
        except KeyError as unknown:  # the server accepted an operation on a resource the walk did not make
            raise AssertionError(self.failure(f"accepted on {unknown}, which does not exist")) from unknown


def provisioned_snapshot_arn(name: str, known: tuple[Rows, str] | None) -> str:
    """A manual snapshot's ARN, which names the cluster it was taken of (any, for one the walk did not make)."""
    return f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:{known[1] if known else CLUSTERS[0]}/{name}"


def connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="admin", password=PASSWORD, dbname="dev",
                           autocommit=True, connect_timeout=10, options="-c statement_timeout=30000")


def test_a_random_walk_over_lifecycles_ends_stable_and_coherent(real):
    chosen = seed()
    print(f"lifecycle walk seed {chosen}: replay with LOCALSHIFT_WALK_SEED={chosen}")
    walk = Walk(real, random.Random(chosen), chosen)
    for number in range(1, STEPS + 1):
        walk.step()
        if number % SETTLE_EVERY == 0:
            walk.settle()
    walk.settle()
    print("\n".join(walk.log))
