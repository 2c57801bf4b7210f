"""Serverless cross-region snapshot copy: the copy configurations, and the copies of a namespace's
snapshots in the destination region (restored there with their data, with the data plane)."""

from __future__ import annotations

import re

from serverless_support import Serverless
from support import OWNER, STRANGER, sql, wait_for

WEST = "us-west-2"
DAY = 86400
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def west_of(client: Serverless) -> Serverless:
    west = Serverless(client.server, client.account)
    west.client = client.server.client(client.account, service="redshift-serverless", region=WEST)
    return west


def available(client: Serverless, name: str) -> dict:
    return wait_for(lambda: [s for s in client.list_snapshots()["snapshots"]
                             if s["snapshotName"] == name and s["status"] == "AVAILABLE"])[0]


def test_configuration_round_trip(owner):
    owner.namespace("ns1")
    owner.namespace("ns2")
    created = owner.create_snapshot_copy_configuration(namespaceName="ns1", destinationRegion=WEST,
                                                       snapshotRetentionPeriod=7,
                                                       destinationKmsKeyId="alias/west")["snapshotCopyConfiguration"]
    configuration_id = created["snapshotCopyConfigurationId"]
    assert re.fullmatch(UUID, configuration_id)
    assert created == {
        "snapshotCopyConfigurationId": configuration_id,
        "snapshotCopyConfigurationArn":
            f"arn:aws:redshift-serverless:us-east-1:{OWNER}:snapshotcopyconfiguration/{configuration_id}",
        "namespaceName": "ns1", "destinationRegion": WEST, "snapshotRetentionPeriod": 7,
        "destinationKmsKeyId": "alias/west",
    }
    second = owner.create_snapshot_copy_configuration(namespaceName="ns2", destinationRegion="eu-west-1")[
        "snapshotCopyConfiguration"]
    assert second["snapshotRetentionPeriod"] == -1 and "destinationKmsKeyId" not in second
    updated = owner.update_snapshot_copy_configuration(snapshotCopyConfigurationId=configuration_id,
                                                       snapshotRetentionPeriod=3)["snapshotCopyConfiguration"]
    assert updated == {**created, "snapshotRetentionPeriod": 3}
    listed = owner.list_snapshot_copy_configurations()["snapshotCopyConfigurations"]
    assert listed == [updated, second]
    assert owner.list_snapshot_copy_configurations(namespaceName="ns2")["snapshotCopyConfigurations"] == [second]
    pages = list(owner.get_paginator("list_snapshot_copy_configurations").paginate(PaginationConfig={"PageSize": 1}))
    assert [len(p["snapshotCopyConfigurations"]) for p in pages] == [1, 1]
    assert owner.delete_snapshot_copy_configuration(snapshotCopyConfigurationId=configuration_id)[
        "snapshotCopyConfiguration"] == updated
    assert owner.list_snapshot_copy_configurations()["snapshotCopyConfigurations"] == [second]
    # A deleted namespace's configurations go with it.
    owner.delete_namespace(namespaceName="ns2")
    owner.wait_for_gone(owner.get_namespace, namespaceName="ns2")
    assert owner.list_snapshot_copy_configurations()["snapshotCopyConfigurations"] == []


def test_configuration_errors(owner):
    owner.namespace("ns1")
    created = owner.create_snapshot_copy_configuration(namespaceName="ns1", destinationRegion=WEST)[
        "snapshotCopyConfiguration"]
    for params, expected in (
        ({"namespaceName": "nope", "destinationRegion": "eu-west-1"}, ("ResourceNotFoundException", 404)),
        ({"namespaceName": "ns1", "destinationRegion": "eu-west-1"}, ("ServiceQuotaExceededException", 402)),
        ({"namespaceName": "ns1", "destinationRegion": "us-east-1"}, ("ValidationException", 400)),
        ({"namespaceName": "ns1", "destinationRegion": "mars-1"}, ("ValidationException", 400)),
        ({"namespaceName": "ns1", "destinationRegion": "us-gov-west-1"}, ("ValidationException", 400)),
        ({"namespaceName": "ns1", "destinationRegion": WEST, "snapshotRetentionPeriod": 0},
         ("ValidationException", 400)),
    ):
        assert owner.error(owner.create_snapshot_copy_configuration, **params)[:2] == expected, params
    configuration_id = created["snapshotCopyConfigurationId"]
    assert owner.error(owner.update_snapshot_copy_configuration, snapshotCopyConfigurationId=configuration_id,
                       snapshotRetentionPeriod=3654)[:2] == ("ValidationException", 400)
    stranger = Serverless(owner.server, STRANGER)
    for call in (stranger.update_snapshot_copy_configuration, stranger.delete_snapshot_copy_configuration,
                 owner.delete_snapshot_copy_configuration):
        target = "nope" if call == owner.delete_snapshot_copy_configuration else configuration_id
        assert stranger.error(call, snapshotCopyConfigurationId=target)[:2] == ("ResourceNotFoundException", 404)
    assert owner.error(owner.list_snapshot_copy_configurations, namespaceName="nope")[:2] == (
        "ResourceNotFoundException", 404)
    assert stranger.list_snapshot_copy_configurations()["snapshotCopyConfigurations"] == []


def test_snapshots_are_copied_and_kept_by_the_destination_retention(owner):
    west = west_of(owner)
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.snapshot("before")  # taken before the configuration: not copied
    configuration = owner.create_snapshot_copy_configuration(namespaceName="ns1", destinationRegion=WEST,
                                                             snapshotRetentionPeriod=2)["snapshotCopyConfiguration"]
    source = owner.snapshot("snap1", retentionPeriod=-1)
    copy = available(west, "snap1")
    assert copy["snapshotArn"].startswith(f"arn:aws:redshift-serverless:{WEST}:{OWNER}:snapshot/")
    assert copy["snapshotArn"] != source["snapshotArn"] and copy["namespaceName"] == "ns1"
    assert (copy["snapshotRetentionPeriod"], copy["snapshotCreateTime"]) == (2, source["snapshotCreateTime"])
    assert [s["snapshotName"] for s in west.list_snapshots()["snapshots"]] == ["snap1"]
    # A recovery point converted to a snapshot is a snapshot of the namespace too: copied.
    owner.server.admin("/_localshift/time-travel?seconds=1800")
    point = wait_for(lambda: owner.list_recovery_points()["recoveryPoints"])[0]
    owner.convert_recovery_point_to_snapshot(recoveryPointId=point["recoveryPointId"], snapshotName="from-point")
    available(west, "from-point")
    # Two days on, the copies have passed their retention; the source snapshots stay.
    owner.server.admin(f"/_localshift/time-travel?seconds={2 * DAY}")
    wait_for(lambda: west.list_snapshots()["snapshots"] == [])
    assert owner.get_snapshot(snapshotName="snap1")["snapshot"]["status"] == "AVAILABLE"
    # Without the configuration, snapshots stay where they are.
    owner.delete_snapshot_copy_configuration(snapshotCopyConfigurationId=configuration["snapshotCopyConfigurationId"])
    owner.snapshot("snap2")
    assert west.list_snapshots()["snapshots"] == []


# --- with the data plane --------------------------------------------------------------------------


def test_a_copy_restores_in_the_destination_region_with_the_same_rows(data_server):
    data_server.reset()
    owner = Serverless(data_server, OWNER)
    west = west_of(owner)
    port = owner.namespace_with_workgroup("ns1", "wg1")["endpoint"]["port"]
    sql(port, "CREATE TABLE orders (id int)")
    sql(port, "INSERT INTO orders SELECT generate_series(1, 700)")
    owner.create_snapshot_copy_configuration(namespaceName="ns1", destinationRegion=WEST)
    owner.snapshot("snap1")
    sql(port, "INSERT INTO orders VALUES (701)")
    copy = available(west, "snap1")
    assert copy["actualIncrementalBackupSizeInMegaBytes"] == 0.0  # it shares the source's data
    west.namespace_with_workgroup("dr-ns", "dr-wg")
    west.restore_from_snapshot(namespaceName="dr-ns", workgroupName="dr-wg", snapshotName="snap1")
    west.wait_namespace("dr-ns")
    west_port = west.wait_workgroup("dr-wg")["endpoint"]["port"]
    assert sql(west_port, "SELECT count(*), max(id) FROM orders") == [(700, 700)]
