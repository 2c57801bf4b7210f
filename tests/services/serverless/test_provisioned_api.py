"""The interface the provisioned operations call for serverless snapshot ARNs, as Redshift
Serverless implements it (services/serverless/provisioned.py).

It is driven here directly, on a store of its own, beside the serverless handlers that make the snapshots.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Iterator

import pytest

from localshift.errors import ApiError
from localshift.protocol import query_serializer
from localshift.records import password_verifier
from localshift.protocol.spec import operation_model
from localshift.services.clock import Clock
from localshift.services.context import RequestContext
from localshift.dataplane.null import NullDataPlane
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.redshift.node_types import SERVERLESS_RESTORABLE
from localshift.services.serverless import provisioned
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.operations import OPERATIONS
from localshift.store.database import Database
from support import GRANTEE, OWNER, STRANGER, wait_for


class World:
    def __init__(self, redshift: RedshiftBackend, serverless: ServerlessBackend,
                 provisioned_snapshots: provisioned.ProvisionedSnapshots) -> None:
        self.redshift, self.serverless, self.provisioned = redshift, serverless, provisioned_snapshots

    def ctx(self, account: str, region: str = "us-east-1") -> RequestContext:
        return RequestContext(account, region, "rid", datetime.now(timezone.utc))

    def call(self, operation: str, account: str = OWNER, **params) -> dict:  # type: ignore[no-untyped-def]
        return OPERATIONS[operation](self.serverless, self.ctx(account), params)

    def find(self, arn: str, account: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.provisioned.find(self.ctx(account, **kwargs), arn)


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    db = Database(tmp_path / "store.sqlite3")
    dataplane = NullDataPlane(0)
    provisioned_snapshots = provisioned.ProvisionedSnapshots(db)
    redshift = RedshiftBackend(db, dataplane, Clock(), BackendSettings(), provisioned_snapshots)
    serverless = ServerlessBackend(db, dataplane, redshift.clock, redshift)
    yield World(redshift, serverless, provisioned_snapshots)
    serverless.shutdown()
    redshift.shutdown()
    db.close()


@pytest.fixture
def snapshot(world) -> dict:
    world.call("CreateNamespace", namespaceName="ns1", adminUsername="alice", adminUserPassword="Passw0rd1")
    arn = world.call("CreateSnapshot", namespaceName="ns1", snapshotName="snap1")["snapshot"]["snapshotArn"]
    wait_for(lambda: world.call("GetSnapshot", snapshotArn=arn)["snapshot"]["status"] == "AVAILABLE")
    return world.call("GetSnapshot", snapshotArn=arn)["snapshot"]


def test_find_follows_ownership_grants_and_region(world, snapshot):
    arn = snapshot["snapshotArn"]
    record = world.find(arn, OWNER)
    assert record is not None and record.name == "snap1"
    assert world.provisioned.can_restore(world.ctx(OWNER), record)
    assert world.find(arn, GRANTEE) is None
    assert world.find(arn, OWNER, region="eu-west-1") is None
    assert world.provisioned.find(world.ctx(OWNER), arn, owner_account=GRANTEE) is None
    for not_serverless in ("arn:aws:redshift:us-east-1:111111111111:snapshot:c1/s1", "garbage", arn + "x"):
        assert world.find(not_serverless, OWNER) is None
    assert provisioned.is_serverless_arn(arn) and not provisioned.is_serverless_arn("arn:aws:redshift:x")

    world.provisioned.grant_restore(record, GRANTEE)
    shared = world.find(arn, GRANTEE)
    assert shared is not None and world.provisioned.can_restore(world.ctx(GRANTEE), shared)
    # A resource policy lets STRANGER see it and restore into namespaces, not into clusters.
    world.call("PutResourcePolicy", resourceArn=arn, policy=_policy(STRANGER))
    seen = world.find(arn, STRANGER)
    assert seen is not None and not world.provisioned.can_restore(world.ctx(STRANGER), seen)


def test_grants_show_in_the_serverless_snapshot_and_block_deletion(world, snapshot):
    record = world.find(snapshot["snapshotArn"], OWNER)
    world.provisioned.grant_restore(record, GRANTEE)
    world.provisioned.grant_restore(record, STRANGER)
    assert world.provisioned.grantees(record) == [GRANTEE, STRANGER]
    owner_view = world.call("GetSnapshot", snapshotName="snap1")["snapshot"]
    assert owner_view["accountsWithProvisionedRestoreAccess"] == [GRANTEE, STRANGER]
    assert world.call("GetSnapshot", GRANTEE, snapshotArn=snapshot["snapshotArn"])["snapshot"][
        "accountsWithProvisionedRestoreAccess"] is None  # None members are left out on the wire
    with pytest.raises(ApiError) as caught:
        world.call("DeleteSnapshot", snapshotName="snap1")
    assert caught.value.code == "ConflictException"
    world.provisioned.revoke_restore(record, GRANTEE)
    world.provisioned.revoke_restore(record, STRANGER)
    assert world.find(snapshot["snapshotArn"], GRANTEE) is None
    assert world.call("DeleteSnapshot", snapshotName="snap1")["snapshot"]["status"] == "DELETED"


def test_grant_errors_use_the_provisioned_codes(world, snapshot):
    record = world.find(snapshot["snapshotArn"], OWNER)
    world.provisioned.grant_restore(record, GRANTEE)
    cases = [
        (lambda: world.provisioned.grant_restore(record, GRANTEE), "AuthorizationAlreadyExists"),
        (lambda: world.provisioned.revoke_restore(record, STRANGER), "AuthorizationNotFound"),
        (lambda: world.provisioned.grant_restore(replace(record, row_id=-1), STRANGER),
         "InvalidClusterSnapshotState"),
    ]
    for call, code in cases:
        with pytest.raises(ApiError) as caught:
            call()
        assert caught.value.code == code
    for i in range(provisioned.MAX_GRANTEES - 1):
        world.provisioned.grant_restore(record, f"{500000000000 + i}")
    with pytest.raises(ApiError) as caught:
        world.provisioned.grant_restore(record, STRANGER)
    assert caught.value.code == "AuthorizationQuotaExceeded"


def test_provisioned_shapes(world, snapshot):
    record = world.find(snapshot["snapshotArn"], OWNER)
    world.provisioned.grant_restore(record, GRANTEE)
    as_record = world.provisioned.as_snapshot_record(record)
    assert (as_record.status, as_record.master_username, as_record.db_name) == ("available", "alice", "dev")
    assert as_record.data_key == record.data_key is not None
    # Only the password's verifier is kept, never the password (issue 8).
    assert as_record.cluster_config == {"master_password_md5": password_verifier("alice", "Passw0rd1")}
    owner_view = world.provisioned.snapshot_view(world.ctx(OWNER), record)
    assert owner_view["SnapshotArn"] == snapshot["snapshotArn"]
    assert owner_view["SnapshotIdentifier"] == "snap1" and owner_view["ClusterIdentifier"] == "ns1"
    assert owner_view["RestorableNodeTypes"] == list(SERVERLESS_RESTORABLE)
    assert all(name.startswith("ra3.") for name in SERVERLESS_RESTORABLE)
    assert owner_view["AccountsWithRestoreAccess"] == [{"AccountId": GRANTEE}]
    grantee_view = world.provisioned.snapshot_view(world.ctx(GRANTEE), record)
    assert "AccountsWithRestoreAccess" not in grantee_view
    # The view serializes in the provisioned wire format.
    body = query_serializer.serialize_result(
        operation_model("redshift", "DescribeClusterSnapshots"), {"Snapshots": [owner_view]}, "rid")
    assert snapshot["snapshotArn"].encode() in body


def _policy(*accounts: str) -> str:
    import json

    return json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": list(accounts)},
                                      "Action": "redshift-serverless:RestoreFromSnapshot"}]})
