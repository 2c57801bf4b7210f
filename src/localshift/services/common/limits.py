"""Limits both APIs state."""

# Accounts one snapshot may be shared with (AuthorizeSnapshotAccess, and a serverless
# snapshot's resource policy or provisioned-restore grants).
MAX_GRANTEES = 20
