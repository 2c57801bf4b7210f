"""DescribeNodeConfigurationOptions' model in process, on a real backend holding records of known size: the
control-plane test server reports every snapshot size as 0, so the EstimatedDiskUtilizationPercent arithmetic,
which configurations can hold the data, and a cluster's size (its newest available snapshot, its restore) are
checked here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from localshift.errors import ApiError
from localshift.records import ClusterRecord, SnapshotRecord
from localshift.services.clock import Clock
from localshift.services.context import RequestContext
from localshift.services.redshift.arns import snapshot_arn
from localshift.dataplane.null import NullDataPlane
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.serverless.provisioned import ProvisionedSnapshots
from localshift.services.redshift.node_options import (
    Source,
    cluster_data_size_mb,
    describe_node_configuration_options,
    estimated_utilization,
    recommend_options,
    resize_options,
    restore_options,
)
from localshift.services.redshift.node_types import CATALOG, restorable_node_types, storage_mb
from localshift.store.database import Database
from support import GRANTEE, OWNER, REGION, STRANGER


GB = 1024
TB = 1024 * 1024
DC2_RESTORABLE = tuple(restorable_node_types(CATALOG["dc2.large"], 2))


def test_estimated_utilization_is_size_over_capacity():
    dc2 = CATALOG["dc2.large"]
    assert estimated_utilization(160 * GB, dc2, 2) == 50.0
    assert estimated_utilization(100 * GB, dc2, 3) == round(100 / 480 * 100, 2) == 20.83
    assert estimated_utilization(320 * GB, dc2, 2) == 100.0
    assert estimated_utilization(320 * GB + 1, dc2, 2) is None  # does not fit
    # Single-node ra3.xlplus has 4 TB, multi-node 32 TB a node.
    assert estimated_utilization(1 * TB, CATALOG["ra3.xlplus"], 1) == 25.0
    assert estimated_utilization(1 * TB, CATALOG["ra3.xlplus"], 2) == round(1 / 64 * 100, 2)
    assert estimated_utilization(0, dc2, 2) == 0.0


def test_restore_options_leave_out_configurations_that_cannot_hold_the_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 2, storage_mb(dc2, 2) * 1.25, DC2_RESTORABLE)  # over-full: 125% of two nodes
    dc2_rows = [(o.number_of_nodes, o.percent) for o in restore_options(source) if o.node_type == "dc2.large"]
    assert dc2_rows == [(3, 83.33), (4, 62.5)]


def test_recommend_options_pick_the_smallest_count_that_holds_the_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 2, storage_mb(dc2, 3), DC2_RESTORABLE)
    picks = [(o.number_of_nodes, o.mode, o.percent) for o in recommend_options(source) if o.node_type == "dc2.large"]
    assert picks == [(3, "standard", 100.0), (6, "high-performance", 50.0)]


def test_resize_options_follow_the_cluster_data():
    dc2 = CATALOG["dc2.large"]
    source = Source(dc2, 4, 300 * GB, DC2_RESTORABLE)
    dc2_rows = [(o.number_of_nodes, o.percent) for o in resize_options(source) if o.node_type == "dc2.large"]
    # Half to double the four nodes, the current count left out; 2 x 160 GB still holds 300 GB.
    assert dc2_rows == [(2, 93.75), (3, 62.5), (5, 37.5), (6, 31.25), (7, 26.79), (8, 23.44)]
    assert resize_options(Source(dc2, 4, 330 * GB, DC2_RESTORABLE))[0].number_of_nodes == 3  # 2 nodes too small now


NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[RedshiftBackend]:
    db = Database(tmp_path / "db.sqlite3")
    instance = RedshiftBackend(db, NullDataPlane(0), Clock(), BackendSettings(), ProvisionedSnapshots(db))
    yield instance
    instance.shutdown()
    instance.db.close()


def ctx_of(account: str) -> RequestContext:
    return RequestContext(account, REGION, "req", NOW)


def add_cluster(backend: RedshiftBackend, identifier: str = "c1", node_type: str = "dc2.large", nodes: int = 4,
                **extra) -> ClusterRecord:  # type: ignore[no-untyped-def]
    cluster = ClusterRecord(
        account=OWNER, region=REGION, identifier=identifier, node_type=node_type, number_of_nodes=nodes,
        master_username="admin", db_name="dev", port=5439, status="available", create_time=NOW - timedelta(days=3),
        namespace_id="ns", availability_zone=f"{REGION}a", **extra,
    )
    return backend.clusters.insert(cluster)


def add_snapshot(backend: RedshiftBackend, identifier: str, size_mb: float, *, cluster: str = "c1",
                 node_type: str = "dc2.large", nodes: int = 4, status: str = "available", age_hours: float = 1,
                 kind: str = "manual", cluster_create_time: datetime | None = None) -> SnapshotRecord:
    snapshot = SnapshotRecord(
        account=OWNER, region=REGION, identifier=identifier, cluster_identifier=cluster, snapshot_type=kind,
        status=status, create_time=NOW - timedelta(hours=age_hours),
        cluster_create_time=cluster_create_time or NOW - timedelta(days=3), node_type=node_type,
        number_of_nodes=nodes, master_username="admin", db_name="dev", port=5439, availability_zone=f"{REGION}a",
        cluster_version="1.0", encrypted=True, kms_key_id=None, enhanced_vpc_routing=False,
        maintenance_track_name="current", vpc_id=None, total_size_mb=size_mb,
    )
    return backend.snapshots.insert(snapshot, snapshot_arn(REGION, OWNER, cluster, identifier))


def call(backend: RedshiftBackend, account: str = OWNER, **params) -> list[tuple]:  # type: ignore[no-untyped-def]
    result = describe_node_configuration_options(backend, ctx_of(account), params)
    return [(o["NodeType"], o["NumberOfNodes"], o["EstimatedDiskUtilizationPercent"], o["Mode"])
            for o in result["NodeConfigurationOptionList"]]


def test_restore_percent_uses_the_snapshot_size(backend):
    add_snapshot(backend, "s1", 320 * GB)  # 4 x dc2.large = 640 GB: half full
    options = call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    dc2 = [(n, pct) for t, n, pct, _ in options if t == "dc2.large"]
    assert dc2 == [(4, 50.0), (5, 40.0), (6, 33.33), (7, 28.57), (8, 25.0)]
    ra3_4x = [(n, pct) for t, n, pct, _ in options if t == "ra3.4xlarge"]
    assert ra3_4x == [(2, round(320 * GB / (256 * TB) * 100, 2)), (3, 0.08), (4, 0.06)]


def test_estimated_disk_utilization_filters_on_real_percentages(backend):
    add_snapshot(backend, "s1", 320 * GB)

    def dc2(operator: str, *values: str) -> list[int]:
        flt = [{"Name": "NodeType", "Operator": "in", "Values": ["dc2.large"]},
               {"Name": "EstimatedDiskUtilizationPercent", "Operator": operator, "Values": list(values)}]
        return [n for _, n, _, _ in call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1", Filters=flt)]

    assert dc2("eq", "33.33") == [6]
    assert dc2("lt", "33.33") == [7, 8]
    assert dc2("le", "33.33") == [6, 7, 8]
    assert dc2("gt", "40") == [4]
    assert dc2("ge", "40") == [4, 5]
    assert dc2("in", "50", "25") == [4, 8]
    assert dc2("between", "28.57", "40") == [5, 6, 7]


def test_cluster_size_is_its_newest_available_snapshot(backend):
    cluster = add_cluster(backend)
    add_snapshot(backend, "old", 100 * GB, age_hours=10)
    add_snapshot(backend, "auto", 320 * GB, age_hours=5, kind="automated")
    add_snapshot(backend, "running", 600 * GB, age_hours=1, status="creating")
    # A snapshot of an earlier cluster that had the same name does not count.
    add_snapshot(backend, "previous-life", 500 * GB, age_hours=0.5, cluster_create_time=NOW - timedelta(days=30))
    assert cluster_data_size_mb(backend, cluster) == 320 * GB
    options = call(backend, ActionType="resize-cluster", ClusterIdentifier="c1")
    assert ("dc2.large", 2, 100.0, None) in options
    assert ("dc2.large", 8, 25.0, None) in options
    recommended = call(backend, ActionType="recommend-node-config", ClusterIdentifier="c1")
    assert recommended[:2] == [("dc2.large", 4, 50.0, "standard"), ("dc2.large", 8, 25.0, "high-performance")]


def test_cluster_size_falls_back_to_its_restore_then_zero(backend):
    restored = add_cluster(backend, "restored", restore_status="completed", restore_snapshot_size_mb=64 * GB)
    assert cluster_data_size_mb(backend, restored) == 64 * GB
    fresh = add_cluster(backend, "fresh")
    assert cluster_data_size_mb(backend, fresh) == 0.0


def test_snapshot_not_available_is_an_invalid_state(backend):
    add_snapshot(backend, "s1", 10 * GB, status="creating")
    with pytest.raises(ApiError) as excinfo:
        call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    assert excinfo.value.code == "InvalidClusterSnapshotState"


def test_grantee_path_in_process(backend):
    snapshot = add_snapshot(backend, "s1", 320 * GB)
    with pytest.raises(ApiError) as excinfo:
        call(backend, GRANTEE, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert excinfo.value.code == "AccessToSnapshotDenied"
    backend.snapshots.add_grant(snapshot, GRANTEE)
    shared = call(backend, GRANTEE, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert shared == call(backend, ActionType="restore-cluster", SnapshotIdentifier="s1")
    assert ("dc2.large", 4, 50.0, None) in shared
    with pytest.raises(ApiError) as excinfo:
        call(backend, STRANGER, ActionType="restore-cluster", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    assert excinfo.value.code == "AccessToSnapshotDenied"
