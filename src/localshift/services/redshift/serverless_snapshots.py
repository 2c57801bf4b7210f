"""What the provisioned operations need of Redshift Serverless snapshots: an interface
Redshift Serverless implements (serverless/provisioned.py), wired in by the runtime.

A serverless snapshot reaches the provisioned API only through a ``SnapshotArn``
(``arn:aws:redshift-serverless:REGION:ACCOUNT:snapshot/UUID``): it has no
cluster/snapshot identifier pair.  DescribeClusterSnapshots, Authorize/RevokeSnapshotAccess,
RestoreFromClusterSnapshot and DescribeNodeConfigurationOptions accept one; they find
it here and see it as a provisioned SnapshotRecord (``from_serverless``), so Redshift
imports nothing of Redshift Serverless.
"""

from __future__ import annotations

from typing import Any, Protocol

from localshift.records import SnapshotRecord
from localshift.services.context import RequestContext
from localshift.store.serverless import ServerlessSnapshotRecord


class ServerlessSnapshots(Protocol):
    def find(self, ctx: RequestContext, arn: str, owner_account: str | None = None) -> ServerlessSnapshotRecord | None:
        """The snapshot ``arn`` names in the caller's region, if the caller owns it or it is shared
        with the caller (either kind of grant); None otherwise, or for a malformed ARN."""

    def can_restore(self, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> bool:
        """Whether the caller may restore it into a provisioned cluster: its owner, or an account granted that."""

    def grant_restore(self, snapshot: ServerlessSnapshotRecord, account: str) -> None:
        """Let ``account`` restore it into provisioned clusters (AuthorizeSnapshotAccess; the provisioned
        API's error codes)."""

    def revoke_restore(self, snapshot: ServerlessSnapshotRecord, account: str) -> None:
        """Stop ``account`` restoring it into provisioned clusters (RevokeSnapshotAccess)."""

    def as_snapshot_record(self, snapshot: ServerlessSnapshotRecord) -> SnapshotRecord:
        """The snapshot as a (never stored) provisioned record: its data key (for a restore's lease),
        size, admin credentials and database."""

    def snapshot_view(self, ctx: RequestContext, snapshot: ServerlessSnapshotRecord) -> dict[str, Any]:
        """The provisioned Snapshot shape, for DescribeClusterSnapshots and the sharing operations."""
