"""Cross-account sharing: Authorize/RevokeSnapshotAccess, and the owner/grantee/stranger matrix.

The matrix runs against a strict-mode server with three key pairs, so every
request is signed and verified and the account comes from the key.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, STRANGER, Server, create_available_cluster, create_available_snapshot, served

KEYS = {OWNER: ("AKIAOWNER", "owner-secret"), GRANTEE: ("AKIAGRANTEE", "grantee-secret"),
        STRANGER: ("AKIASTRANGER", "stranger-secret")}
SNAPSHOT_ARN = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/shared"


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    keys = {key: (secret, account) for account, (key, secret) in KEYS.items()}
    yield from served(tmp_path_factory, "strict", keys=keys)


class Accounts:
    def __init__(self, server: Server) -> None:
        import boto3

        def client(account: str):  # type: ignore[no-untyped-def]
            key, secret = KEYS[account]
            return boto3.client("redshift", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id=key, aws_secret_access_key=secret)

        self.owner, self.grantee, self.stranger = client(OWNER), client(GRANTEE), client(STRANGER)


@pytest.fixture
def accounts(strict_server: Server) -> Accounts:
    strict_server.reset()
    accounts = Accounts(strict_server)
    create_available_cluster(accounts.owner)
    create_available_snapshot(accounts.owner, "shared")
    accounts.owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=GRANTEE)
    return accounts


def test_authorize_returns_the_snapshot_with_its_grantees(accounts):
    result = accounts.owner.authorize_snapshot_access(
        SnapshotArn=SNAPSHOT_ARN, AccountWithRestoreAccess="amazon-redshift-support"
    )["Snapshot"]
    assert result["SnapshotIdentifier"] == "shared"
    assert result["AccountsWithRestoreAccess"] == [{"AccountId": GRANTEE}, {"AccountAlias": "amazon-redshift-support"}]


def test_authorize_rules(accounts):
    owner = accounts.owner
    cases = [
        ({"SnapshotIdentifier": "shared", "AccountWithRestoreAccess": GRANTEE}, ("AuthorizationAlreadyExists", 400)),
        ({"SnapshotIdentifier": "shared", "AccountWithRestoreAccess": OWNER}, ("InvalidParameterValue", 400)),
        ({"SnapshotIdentifier": "shared", "AccountWithRestoreAccess": "12345"}, ("InvalidParameterValue", 400)),
        ({"SnapshotIdentifier": "missing", "AccountWithRestoreAccess": STRANGER}, ("ClusterSnapshotNotFound", 404)),
        ({"SnapshotIdentifier": "shared", "SnapshotClusterIdentifier": "other", "AccountWithRestoreAccess": STRANGER},
         ("ClusterSnapshotNotFound", 404)),
        ({"AccountWithRestoreAccess": STRANGER}, ("InvalidParameterCombination", 400)),
        ({"SnapshotIdentifier": "shared", "SnapshotArn": SNAPSHOT_ARN, "AccountWithRestoreAccess": STRANGER},
         ("InvalidParameterCombination", 400)),
        ({"SnapshotArn": "arn:aws:redshift:us-east-1:1:snapshot", "AccountWithRestoreAccess": STRANGER},
         ("InvalidParameterValue", 400)),
    ]
    for params, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            owner.authorize_snapshot_access(**params)
        assert code_of(excinfo) == expected, params
    automated = [s for s in owner.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]][0]
    with pytest.raises(ClientError) as excinfo:
        owner.authorize_snapshot_access(SnapshotIdentifier=automated["SnapshotIdentifier"],
                                        AccountWithRestoreAccess=STRANGER)
    assert code_of(excinfo) in {("UnsupportedOperation", 400), ("InvalidClusterSnapshotState", 400)}


def test_at_most_twenty_accounts(accounts):
    owner = accounts.owner
    for index in range(19):
        owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=f"{500000000000 + index}")
    with pytest.raises(ClientError) as excinfo:
        owner.authorize_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess="999999999999")
    assert code_of(excinfo) == ("AuthorizationQuotaExceeded", 400)


def test_revoke_rules(accounts):
    owner, grantee = accounts.owner, accounts.grantee
    with pytest.raises(ClientError) as excinfo:
        owner.revoke_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=STRANGER)
    assert code_of(excinfo) == ("AuthorizationNotFound", 404)
    with pytest.raises(ClientError) as excinfo:
        grantee.revoke_snapshot_access(SnapshotArn=SNAPSHOT_ARN, AccountWithRestoreAccess=GRANTEE)
    assert code_of(excinfo) == ("AccessToSnapshotDenied", 400)
    result = owner.revoke_snapshot_access(SnapshotArn=SNAPSHOT_ARN, AccountWithRestoreAccess=GRANTEE)["Snapshot"]
    assert "AccountsWithRestoreAccess" not in result
    # After revocation the grantee no longer sees the snapshot.
    assert grantee.describe_cluster_snapshots(OwnerAccount=OWNER)["Snapshots"] == []


def test_shared_snapshot_cannot_be_deleted_until_revoked(accounts):
    owner = accounts.owner
    with pytest.raises(ClientError) as excinfo:
        owner.delete_cluster_snapshot(SnapshotIdentifier="shared")
    assert code_of(excinfo) == ("InvalidClusterSnapshotState", 400)
    owner.revoke_snapshot_access(SnapshotIdentifier="shared", AccountWithRestoreAccess=GRANTEE)
    assert owner.delete_cluster_snapshot(SnapshotIdentifier="shared")["Snapshot"]["Status"] == "deleted"


# The matrix: each cell is (operation, caller) -> AWS's outcome ("ok" or the error code).
MATRIX = {
    "describe": {"owner": "ok", "grantee": "ok", "stranger": "ClusterSnapshotNotFound"},
    "authorize": {"owner": "ok", "grantee": "ClusterSnapshotNotFound", "stranger": "ClusterSnapshotNotFound"},
    "revoke": {"owner": "ok", "grantee": "AccessToSnapshotDenied", "stranger": "ClusterSnapshotNotFound"},
    "node_options": {"owner": "ok", "grantee": "ok", "stranger": "AccessToSnapshotDenied"},
    "restore": {"owner": "ok", "grantee": "ok", "stranger": "AccessToSnapshotDenied"},
    "restore_without_owner_account": {"owner": "ok", "grantee": "ClusterSnapshotNotFound",
                                      "stranger": "ClusterSnapshotNotFound"},
    "delete": {"owner": "InvalidClusterSnapshotState", "grantee": "ClusterSnapshotNotFound",
               "stranger": "ClusterSnapshotNotFound"},
    "copy": {"owner": "InvalidClusterSnapshotState", "grantee": "ClusterSnapshotNotFound",
             "stranger": "ClusterSnapshotNotFound"},
}


def _call(client, operation: str, caller: str):  # type: ignore[no-untyped-def]
    by_owner = {"SnapshotIdentifier": "shared", "OwnerAccount": OWNER}
    if operation == "describe":
        return client.describe_cluster_snapshots(SnapshotArn=SNAPSHOT_ARN)
    if operation == "authorize":
        return client.authorize_snapshot_access(SnapshotArn=SNAPSHOT_ARN, AccountWithRestoreAccess="444444444444")
    if operation == "revoke":
        return client.revoke_snapshot_access(SnapshotArn=SNAPSHOT_ARN, AccountWithRestoreAccess=GRANTEE)
    if operation == "node_options":
        return client.describe_node_configuration_options(ActionType="restore-cluster", **by_owner)
    if operation == "restore":
        return client.restore_from_cluster_snapshot(ClusterIdentifier=f"restored-{caller}", **by_owner)
    if operation == "restore_without_owner_account":
        return client.restore_from_cluster_snapshot(ClusterIdentifier=f"plain-{caller}", SnapshotIdentifier="shared")
    if operation == "delete":
        return client.delete_cluster_snapshot(SnapshotIdentifier="shared")
    if operation == "copy":
        # Copy takes identifiers only, in the caller's own account.
        return client.copy_cluster_snapshot(SourceSnapshotIdentifier="shared", TargetSnapshotIdentifier="copied")
    raise AssertionError(operation)


@pytest.mark.parametrize("operation", sorted(MATRIX))
@pytest.mark.parametrize("caller", ["owner", "grantee", "stranger"])
def test_matrix(accounts, operation, caller):
    expected = MATRIX[operation][caller]
    client = getattr(accounts, caller)
    if expected == "ok":
        result = _call(client, operation, caller)
        assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
        if operation == "describe":
            visible = result["Snapshots"][0]
            assert ("AccountsWithRestoreAccess" in visible) == (caller == "owner")
    else:
        with pytest.raises(ClientError) as excinfo:
            _call(client, operation, caller)
        assert code_of(excinfo)[0] == expected
