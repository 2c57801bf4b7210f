"""Taking recovery points never holds up a user: after clock jumps, deletes and resets stay quick.

In process (tests/in_process.py), with a data plane that keeps the snapshot keys it stores, counts its work,
and can hold a recovery point's snapshot until the test lets it finish: a 9-hour jump makes 18 recovery
points due per namespace, taken by one snapshot whose data they all name; they are taken on the backend's
background thread, so DeleteWorkgroup and DeleteNamespace never queue behind them; a namespace being
deleted gets none; a reset deletes each snapshot's data once.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest

from in_process import OWNER, ScriptedDataPlane, World, make_world, wait
from localshift.dataplane.errors import SnapshotNotFoundError
from localshift.errors import ApiError
from localshift.services.serverless import lifecycle, recovery_point_lifecycle, scheduler
from localshift.store.events import NAMESPACE
from localshift.store.serverless import RecoveryPointRecord

NINE_HOURS = 9 * 3600


class SnapshotKeeper(ScriptedDataPlane):
    """Keeps the snapshot keys stored, the engines snapshotted and the copies made; a snapshot waits
    while ``go`` is clear."""

    def __init__(self) -> None:
        super().__init__()
        self.stored: set[str] = set()
        self.snapshotted: list[str] = []
        self.copies = 0
        self.deletes = 0
        self.go = threading.Event()
        self.go.set()

    def create_snapshot(self, cluster_key: str, snapshot_key: str, progress: Any = None) -> Any:
        self.snapshotted.append(cluster_key)
        assert self.go.wait(20)
        stats = super().create_snapshot(cluster_key, snapshot_key, progress)
        self.stored.add(snapshot_key)
        return stats

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> Any:
        if source_snapshot_key not in self.stored:
            raise SnapshotNotFoundError(source_snapshot_key)
        self.copies += 1
        stats = super().copy_snapshot(source_snapshot_key, target_snapshot_key)
        self.stored.add(target_snapshot_key)
        return stats

    def delete_snapshot(self, snapshot_key: str) -> None:
        self.deletes += 1
        super().delete_snapshot(snapshot_key)
        self.stored.discard(snapshot_key)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path, dataplane=SnapshotKeeper())
    yield instance
    instance.dataplane.go.set()  # type: ignore[attr-defined]
    instance.close()


def serving(world: World, *names: str) -> None:
    for name in names:
        world.serverless_call("CreateNamespace", namespaceName=f"ns-{name}")
        world.serverless_call("CreateWorkgroup", workgroupName=f"wg-{name}", namespaceName=f"ns-{name}")
    wait(lambda: all(workgroup(world, name)["status"] == "AVAILABLE" for name in names))


def workgroup(world: World, name: str) -> dict[str, Any]:
    return world.serverless_call("GetWorkgroup", workgroupName=f"wg-{name}")["workgroup"]


def gone(world: World, operation: str, **params: Any) -> bool:
    try:
        world.serverless_call(operation, **params)
    except ApiError as error:
        return error.code == "ResourceNotFoundException"
    return False


def jump(world: World, seconds: float = NINE_HOURS) -> None:
    """Move the clock on, then run the scheduler's tick as its thread would."""
    world.serverless.clock.advance(seconds)
    scheduler.tick(world.serverless)


def points(world: World) -> list[RecoveryPointRecord]:
    return world.serverless.recovery_points.everything()


def engine_of(world: World, name: str) -> str:
    record = world.serverless.namespaces.get(OWNER, "us-east-1", f"ns-{name}")
    assert record is not None
    return lifecycle.engine_key(record.row_id, record.engine_generation)


def settled(world: World) -> list[RecoveryPointRecord]:
    """The recovery points (some), once none is being taken."""

    def taken() -> list[RecoveryPointRecord] | None:
        found = points(world)
        return found if all(point.status != "CREATING" for point in found) else None

    return wait(taken)


def test_deletes_do_not_wait_behind_the_recovery_points_clock_jumps_made_due(world):
    dataplane: SnapshotKeeper = world.dataplane  # type: ignore[assignment]
    serving(world, "a", "b")
    dataplane.go.clear()  # the first recovery point's snapshot runs until the test lets it finish
    for _ in range(3):
        jump(world)
    wait(lambda: dataplane.snapshotted)
    # Three jumps, two namespaces: six batches of 18 due, more than the pool has threads.  The deletes go
    # through while a recovery point is being taken.
    for name in ("a", "b"):
        world.serverless_call("DeleteWorkgroup", workgroupName=f"wg-{name}")
    wait(lambda: all(gone(world, "GetWorkgroup", workgroupName=f"wg-{name}") for name in ("a", "b")))
    waiting = "b" if dataplane.snapshotted[0] == engine_of(world, "a") else "a"
    untaken = engine_of(world, waiting)
    world.serverless_call("DeleteNamespace", namespaceName=f"ns-{waiting}")
    wait(lambda: gone(world, "GetNamespace", namespaceName=f"ns-{waiting}"))

    dataplane.go.set()
    settled(world)
    # The namespace deleted got no recovery point taken, and keeps none; the other's three batches took two
    # snapshots (the one running, then one for the two batches queued behind it), all points AVAILABLE.
    assert untaken not in dataplane.snapshotted and len(dataplane.snapshotted) == 2
    scheduler.tick(world.serverless)
    remaining = points(world)
    assert {p.namespace_name for p in remaining} == {f"ns-{'a' if waiting == 'b' else 'b'}"}
    assert {p.status for p in remaining} == {"AVAILABLE"} and len(remaining) == 48
    assert dataplane.copies == 0


def test_one_snapshot_serves_every_point_a_jump_made_due_and_goes_with_the_last(world):
    dataplane: SnapshotKeeper = world.dataplane  # type: ignore[assignment]
    serving(world, "a")
    jump(world)
    taken = settled(world)
    assert len(taken) == 18 and {p.status for p in taken} == {"AVAILABLE"}
    assert len({p.data_key for p in taken}) == 1 and dataplane.stored == {taken[0].data_key}
    assert (len(dataplane.snapshotted), dataplane.copies) == (1, 0)
    listed = world.serverless_call("ListRecoveryPoints", namespaceName="ns-a")["recoveryPoints"]
    assert len(listed) == 18 and all(p["recoveryPointCreateTime"].minute % 30 == 0 for p in listed)

    # The older half expires: the data stays for the others, which still restore.
    world.serverless.clock.advance(20 * 3600)
    recovery_point_lifecycle.expire_recovery_points(world.serverless)
    kept = points(world)
    assert 0 < len(kept) < 18 and dataplane.stored == {taken[0].data_key}
    world.serverless_call("RestoreFromRecoveryPoint", recoveryPointId=kept[0].name, namespaceName="ns-a",
                          workgroupName="wg-a")
    wait(lambda: world.serverless_call("GetNamespace", namespaceName="ns-a")["namespace"]["status"] == "AVAILABLE")
    restored = world.serverless.namespaces.get(OWNER, "us-east-1", "ns-a")
    assert restored is not None and restored.restored_from is not None and restored.restored_from.endswith(kept[0].name)
    # The last one expires: the data goes with it.
    world.serverless.clock.advance(10 * 3600)
    recovery_point_lifecycle.expire_recovery_points(world.serverless)
    assert points(world) == [] and dataplane.stored == set()


def test_a_reset_deletes_each_recovery_points_data_once(world):
    dataplane: SnapshotKeeper = world.dataplane  # type: ignore[assignment]
    serving(world, "a", "b")
    for _ in range(3):
        jump(world)
        settled(world)
    keys = {p.data_key for p in points(world)}
    assert len(points(world)) == 2 * 48 and len(keys) == 2 * 3 == len(dataplane.stored)
    deletes = dataplane.deletes
    lifecycle.release_all(world.serverless)
    assert dataplane.stored == set() and dataplane.deletes - deletes == len(keys)


def test_a_failed_recovery_point_is_failed_and_never_listed(world):
    dataplane: SnapshotKeeper = world.dataplane  # type: ignore[assignment]
    serving(world, "a")
    dataplane.failing.add("create_snapshot")
    jump(world)
    failed = settled(world)
    assert len(failed) == 18 and {p.status for p in failed} == {"FAILED"} and dataplane.stored == set()
    assert world.serverless_call("ListRecoveryPoints")["recoveryPoints"] == []
    assert any("could not take a recovery point of namespace ns-a" in e.message for e in
               world.serverless.events.of_source(OWNER, "us-east-1", NAMESPACE, "ns-a"))
    # The next boundary is the next try.
    dataplane.failing.clear()
    jump(world, 1800)
    assert [p.status for p in settled(world)].count("AVAILABLE") == 1
