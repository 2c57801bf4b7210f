"""The Cluster and Snapshot shapes' number formats, in process (tests/in_process.py): a data plane that
reports sizes of fractional megabytes."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from in_process import ScriptedDataPlane, World, make_world, wait
from localshift.dataplane.api import SnapshotStats
from localshift.services.common.jobs import MB


class FractionalSizes(ScriptedDataPlane):
    def create_snapshot(self, cluster_key: str, snapshot_key: str, progress: Any = None, *,
                        without_no_backup_tables: bool = False) -> SnapshotStats:
        super().create_snapshot(cluster_key, snapshot_key, progress)
        return SnapshotStats(int(40.6 * MB), int(2.4 * MB), 0.2)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    instance = make_world(tmp_path, dataplane=FractionalSizes())
    yield instance
    instance.close()


def test_snapshot_sizes_are_whole_megabytes(world):
    world.available_cluster()
    world.call("CreateClusterSnapshot", SnapshotIdentifier="s1", ClusterIdentifier="c1")
    snapshot = wait(lambda: (s := world.snapshot("s1"))["Status"] == "available" and s)
    # Redshift reports whole megabytes (in doubles): 40.6 MB shows as 41, 2.4 MB as 2.
    assert snapshot["TotalBackupSizeInMegaBytes"] == snapshot["BackupProgressInMegaBytes"] == 41.0
    assert snapshot["ActualIncrementalBackupSizeInMegaBytes"] == 2.0
