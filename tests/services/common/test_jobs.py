"""Progress fields while a snapshot is taken and a restore runs, from the data plane's progress reports.

In process (tests/in_process.py): a data plane that reports 8 of 40 MiB done, then waits until the test
lets it finish, so the fields are read while the work runs.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest

from in_process import ScriptedDataPlane, World, make_world, wait
from localshift.dataplane.api import SnapshotStats
from localshift.services.common.jobs import MB, whole_seconds

TOTAL, DONE = 40 * MB, 8 * MB


class HalfwayDataPlane(ScriptedDataPlane):
    """Reports DONE of TOTAL bytes after a moment, then waits for ``finish``."""

    def __init__(self) -> None:
        super().__init__()
        self.finish = threading.Event()
        self.reported = threading.Event()

    def _halfway(self, progress: Any) -> None:
        time.sleep(0.3)  # some time passes before the first report, as it does while pages are read
        progress(DONE, TOTAL)
        self.reported.set()
        assert self.finish.wait(20)

    def create_snapshot(self, cluster_key: str, snapshot_key: str, progress: Any = None, *,
                        without_no_backup_tables: bool = False) -> SnapshotStats:
        if progress is not None and snapshot_key.startswith("snapshot-") and not self.finish.is_set():
            self._halfway(progress)
            progress(TOTAL, TOTAL)
            return SnapshotStats(TOTAL, TOTAL, 1.5)
        return super().create_snapshot(cluster_key, snapshot_key, progress)

    def restore_snapshot(self, snapshot_key: str, cluster_key: str, port: int, progress: Any = None,
                         master_username: str | None = None, master_password: str | None = None) -> int:
        if progress is not None:
            self._halfway(progress)
            progress(TOTAL, TOTAL)
        return super().restore_snapshot(snapshot_key, cluster_key, port, progress, master_username, master_password)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path, dataplane=HalfwayDataPlane())
    yield instance
    instance.dataplane.finish.set()
    instance.close()


def test_a_snapshot_in_progress_shows_its_progress_rate_and_time_left(world):
    world.available_cluster(AutomatedSnapshotRetentionPeriod=1)
    wait(lambda: [s for s in world.call("DescribeClusterSnapshots")["Snapshots"] if s["Status"] == "creating"])
    world.dataplane.reported.wait(20)
    running = wait(lambda: [s for s in world.call("DescribeClusterSnapshots")["Snapshots"]
                            if s["BackupProgressInMegaBytes"] > 0])[0]
    assert running["Status"] == "creating"
    assert running["BackupProgressInMegaBytes"] == 8 and running["TotalBackupSizeInMegaBytes"] == 40
    assert running["CurrentBackupRateInMegaBytesPerSecond"] > 0
    assert running["ElapsedTimeInSeconds"] >= 1
    # 32 MB left at the rate so far.
    left = running["EstimatedSecondsToCompletion"]
    assert left >= 1 and left == pytest.approx(32 / running["CurrentBackupRateInMegaBytesPerSecond"], abs=1)
    world.dataplane.finish.set()
    done = wait(lambda: [s for s in world.call("DescribeClusterSnapshots")["Snapshots"] if s["Status"] == "available"])[0]
    assert done["BackupProgressInMegaBytes"] == done["TotalBackupSizeInMegaBytes"] == 40
    assert done["ElapsedTimeInSeconds"] == 2  # 1.5 seconds, rounded up
    assert done["CurrentBackupRateInMegaBytesPerSecond"] == 0 and done["EstimatedSecondsToCompletion"] == 0


def test_a_restore_in_progress_shows_its_progress(world):
    world.dataplane.finish.set()  # the cluster's own snapshots complete at once
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    wait(lambda: world.snapshot("s1")["Status"] == "available")
    world.dataplane.finish.clear()
    world.call("RestoreFromClusterSnapshot", ClusterIdentifier="r1", SnapshotIdentifier="s1")
    world.dataplane.reported.wait(20)
    status = wait(lambda: (s := world.cluster("r1").get("RestoreStatus")) and s["ProgressInMegaBytes"] > 0 and s)
    assert status["Status"] == "restoring"
    assert (status["ProgressInMegaBytes"], status["SnapshotSizeInMegaBytes"]) == (8, 40)
    assert status["CurrentRestoreRateInMegaBytesPerSecond"] > 0 and status["ElapsedTimeInSeconds"] >= 1
    assert status["EstimatedTimeToCompletionInSeconds"] >= 1
    world.dataplane.finish.set()
    wait(lambda: world.cluster("r1")["ClusterStatus"] == "available")
    done = world.cluster("r1")["RestoreStatus"]
    assert done["Status"] == "completed" and done["ProgressInMegaBytes"] == 40
    assert done["EstimatedTimeToCompletionInSeconds"] == 0 and done["CurrentRestoreRateInMegaBytesPerSecond"] > 0


def test_elapsed_seconds_are_rounded_up():
    assert [whole_seconds(s) for s in (0.0, 0.001, 0.999, 1.0, 1.2)] == [0, 1, 1, 1, 2]
