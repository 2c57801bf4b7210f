"""Sharing a snapshot with other accounts: the limit and checks both APIs apply."""

from __future__ import annotations

from localshift.errors import ApiError

# Accounts one snapshot may be shared with (AuthorizeSnapshotAccess, and a serverless
# snapshot's resource policy or provisioned-restore grants).
MAX_GRANTEES = 20


def check_new_grantee(grantees: list[str], account: str, snapshot: str) -> None:
    """AuthorizeSnapshotAccess: ``account`` may be added to the snapshot's ``grantees``."""
    if account in grantees:
        raise ApiError(
            "AuthorizationAlreadyExists", f"Account {account} is already authorized to restore snapshot {snapshot}."
        )
    if len(grantees) >= MAX_GRANTEES:
        raise ApiError(
            "AuthorizationQuotaExceeded",
            f"Snapshot {snapshot} is already shared with the maximum of {MAX_GRANTEES} accounts.",
        )


def check_grantee(grantees: list[str], account: str, snapshot: str) -> None:
    """RevokeSnapshotAccess: ``account`` is among the snapshot's ``grantees``."""
    if account not in grantees:
        raise ApiError("AuthorizationNotFound", f"Account {account} is not authorized to restore snapshot {snapshot}.")
