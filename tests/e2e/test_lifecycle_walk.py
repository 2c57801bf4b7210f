"""A seeded random walk over the lifecycles of clusters, snapshots, namespaces and workgroups, on a server
with real engines: operations issued one after another without waiting for any status, as racing
clients issue them (sometimes one request twice at once, or two operations at once), with SQL writes
between them wherever a cluster or workgroup is available, and the clock moved so that automated
snapshots run beside them.

After every step: a success, or a 4xx error whose code the botocore model lists for that operation
(never a 5xx, never a hang), and of two identical requests at once at most one success. Periodically
and at the end, within a bounded wait: every resource reaches a stable status, no snapshot failed,
Describe* agrees with what the walk did (a deleted resource is gone, a snapshot names its cluster and
the accounts it is shared with), and every available cluster, workgroup and restored copy holds exactly
the rows written before its snapshot (or, for rows written while the snapshot was being taken, perhaps
those too). Last, everything is deleted, and goes.

Reproducible from the printed seed: ``LOCALSHIFT_WALK_SEED=N`` replays a walk (``random`` picks a fresh
one), ``LOCALSHIFT_WALK_STEPS=N`` walks longer (docs/testing.md).
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from lifecycle_walk import PASSWORD, Rows, WalkState
from support import GRANTEE, OWNER, REGION

STEPS = int(os.environ.get("LOCALSHIFT_WALK_STEPS", "36"))
SETTLE_EVERY = 12
T = TypeVar("T")
# The names the walk uses: few, so that operations meet each other's resources.
CLUSTERS, SNAPSHOTS, GRANTEE_CLUSTERS = ("c0", "c1", "c2"), ("s0", "s1", "s2"), ("g0",)
NAMESPACES, WORKGROUPS, SERVERLESS_SNAPSHOTS = ("ns0", "ns1"), ("wg0", "wg1"), ("zs0", "zs1")


def seed() -> int:
    chosen = os.environ.get("LOCALSHIFT_WALK_SEED", "2")  # its 36 steps write to and snapshot clusters and workgroups
    return random.randrange(2**32) if chosen == "random" else int(chosen)


@dataclass
class Walk(WalkState):
    """The walk's steps: each picks an operation and its names, calls it, and records what it did."""

    travelled: int = 0  # times the clock was moved

    # -- choosing ----------------------------------------------------------------------------------------
    # Mostly a name the operation can act on (so that the walk gets somewhere), sometimes any name of the pool
    # (so that it also meets names in use, gone, or in between).

    def existing(self, pool: tuple[str, ...], known: Any) -> str:
        return self.rng.choice(sorted(known)) if known and self.rng.random() < 0.8 else self.rng.choice(pool)

    def fresh(self, pool: tuple[str, ...], known: Any) -> str:
        free = [name for name in pool if name not in known]
        return self.rng.choice(free) if free and self.rng.random() < 0.8 else self.rng.choice(pool)

    def accepted(self, known: T | None, name: str) -> T:
        """What the walk knows of the resource an operation just succeeded on: it must have made it."""
        assert known is not None, self.failure(f"the server accepted an operation on {name}, which does not exist")
        return known

    def clusters_of(self, account: str) -> list[str]:
        return [name for owner, name in self.clusters if owner == account]

    # -- provisioned clusters and snapshots ------------------------------------------------------------

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
        cluster, rows = self.fresh(CLUSTERS, self.clusters_of(OWNER)), self.serverless_snapshots.get(name)
        if self.call(self.owner, "RestoreFromClusterSnapshot", ClusterIdentifier=cluster,
                     SnapshotArn=found["snapshotArn"]):
            self.clusters[OWNER, cluster] = self.holder(self.accepted(rows, name))

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
        source = self.snapshots.get(snapshot)
        if self.call(client, "RestoreFromClusterSnapshot", ClusterIdentifier=name, SnapshotIdentifier=snapshot,
                     **params):
            assert not as_grantee or snapshot in self.shared, self.failure(f"{snapshot} was restored unshared")
            self.clusters[account, name] = self.holder(self.accepted(source, snapshot)[0])

    def create_snapshot(self) -> None:
        name, cluster = self.fresh(SNAPSHOTS, self.snapshots), self.existing(CLUSTERS, self.clusters_of(OWNER))
        holder = self.clusters.get((OWNER, cluster))
        rows = holder.rows if holder else None  # as they are when the snapshot is asked for
        if self.call(self.owner, "CreateClusterSnapshot", SnapshotIdentifier=name, ClusterIdentifier=cluster):
            self.snapshots[name] = (self.accepted(rows, cluster), cluster)

    def delete_snapshot(self) -> None:
        name = self.existing(SNAPSHOTS, self.snapshots)
        if self.call(self.owner, "DeleteClusterSnapshot", SnapshotIdentifier=name):
            assert name not in self.shared, self.failure(f"{name} was deleted while shared")
            del self.snapshots[name]

    def copy_snapshot(self) -> None:
        source, target = self.existing(SNAPSHOTS, self.snapshots), self.fresh(SNAPSHOTS, self.snapshots)
        copied = self.snapshots.get(source)
        if self.call(self.owner, "CopyClusterSnapshot", SourceSnapshotIdentifier=source,
                     TargetSnapshotIdentifier=target):
            self.snapshots[target] = self.accepted(copied, source)

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

    def delete_serverless(self, operation: str, parameter: str, pool: tuple[str, ...], known: dict) -> None:
        name = self.existing(pool, known)
        if self.call(self.serverless, operation, **{parameter: name}):
            del known[name]

    def delete_workgroup(self) -> None:
        self.delete_serverless("DeleteWorkgroup", "workgroupName", WORKGROUPS, self.workgroups)

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
        holder = self.namespaces.get(namespace)
        rows = holder.rows if holder else None
        if self.call(self.serverless, "CreateSnapshot", snapshotName=name, namespaceName=namespace):
            self.serverless_snapshots[name] = self.accepted(rows, namespace)

    def delete_serverless_snapshot(self) -> None:
        self.delete_serverless("DeleteSnapshot", "snapshotName", SERVERLESS_SNAPSHOTS, self.serverless_snapshots)

    def restore_namespace(self) -> None:
        """A namespace restored from a snapshot of its own service, or sometimes from a provisioned one."""
        workgroup = self.existing(WORKGROUPS, self.workgroups)
        namespace = self.workgroups.get(workgroup, self.rng.choice(NAMESPACES))
        if self.rng.random() < 0.3:
            name = self.existing(SNAPSHOTS, self.snapshots)
            known = self.snapshots.get(name)
            source: dict[str, str] = {"snapshotArn": provisioned_snapshot_arn(name, known)}
            rows = known[0] if known else None
        else:
            name = self.existing(SERVERLESS_SNAPSHOTS, self.serverless_snapshots)
            source, rows = {"snapshotName": name}, self.serverless_snapshots.get(name)
        if self.call(self.serverless, "RestoreFromSnapshot", namespaceName=namespace, workgroupName=workgroup,
                     **source):
            self.namespaces[namespace] = self.holder(self.accepted(rows, name))

    def write_workgroup(self) -> None:
        workgroup = self.existing(WORKGROUPS, self.workgroups)
        found = self.workgroup(workgroup)
        namespace = self.workgroups.get(workgroup)
        if found and found["status"] == "AVAILABLE" and namespace in self.namespaces and (
                self.namespace(namespace) or {}).get("status") == "AVAILABLE":
            self.write(self.namespaces[namespace], found["endpoint"]["port"], f"workgroup {workgroup}")

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

    def lifecycle_steps(self) -> list[Callable[[], None]]:
        return [self.create_cluster, self.delete_cluster, self.modify_cluster, self.resize_cluster,
                self.pause_resume_reboot, self.restore_cluster, self.create_snapshot, self.delete_snapshot,
                self.copy_snapshot, self.share_snapshot, self.modify_snapshot, self.create_namespace,
                self.create_workgroup, self.delete_workgroup, self.delete_namespace, self.create_serverless_snapshot,
                self.delete_serverless_snapshot, self.restore_namespace]

    def race(self) -> None:
        """One of the other operations, its request sent twice at once (``call``)."""
        self.racing = True
        try:
            self.rng.choice(self.lifecycle_steps())()
        finally:
            self.racing = False

    def pair(self) -> None:
        """Two operations at once: on the walk's few names, they often meet on one resource."""
        first, second = self.rng.sample(self.lifecycle_steps(), 2)
        with ThreadPoolExecutor(2) as pool:
            for running in [pool.submit(first), pool.submit(second)]:
                running.result()

    def step(self) -> None:
        operations: list[tuple[Callable[[], None], int]] = [
            (self.create_cluster, 4), (self.delete_cluster, 2), (self.modify_cluster, 2), (self.resize_cluster, 1),
            (self.pause_resume_reboot, 2), (self.restore_cluster, 2), (self.create_snapshot, 3),
            (self.delete_snapshot, 1), (self.copy_snapshot, 1), (self.share_snapshot, 1), (self.modify_snapshot, 1),
            (self.write_cluster, 4), (self.create_namespace, 2), (self.create_workgroup, 2),
            (self.delete_workgroup, 1), (self.delete_namespace, 1), (self.create_serverless_snapshot, 2),
            (self.delete_serverless_snapshot, 1), (self.restore_namespace, 2), (self.write_workgroup, 3),
            (self.linger, 2), (self.race, 3), (self.pair, 3), (self.time_travel, 1),
        ]
        operation = self.rng.choices([op for op, _ in operations], [weight for _, weight in operations])[0]
        try:
            operation()
        except KeyError as unknown:  # the server accepted an operation on a resource the walk did not make
            raise AssertionError(self.failure(f"accepted on {unknown}, which does not exist")) from unknown


def provisioned_snapshot_arn(name: str, known: tuple[Rows, str] | None) -> str:
    """A manual snapshot's ARN, which names the cluster it was taken of (any, for one the walk did not make)."""
    return f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:{known[1] if known else CLUSTERS[0]}/{name}"


def test_a_random_walk_over_lifecycles_ends_stable_and_coherent(real):
    chosen = seed()
    print(f"lifecycle walk seed {chosen}: replay with LOCALSHIFT_WALK_SEED={chosen}")
    walk = Walk(real, random.Random(chosen), chosen)
    for number in range(1, STEPS + 1):
        walk.step()
        if number % SETTLE_EVERY == 0 or number == STEPS:
            walk.settle()
    walk.dismantle()
    print("\n".join(walk.log))
