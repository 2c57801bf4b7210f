"""Every Redshift Serverless operation localshift serves, by its API name."""

from __future__ import annotations

from typing import Any, Callable

from localshift.services.context import RequestContext
from localshift.services.serverless import credentials, namespaces, policies, restore, snapshots, tagging, workgroups
from localshift.services.serverless import catalogue, custom_domains, reservations, scheduled_actions, usage_limits
from localshift.services.serverless import endpoint_access
from localshift.services.serverless import recovery_points, snapshot_copies, table_restore
from localshift.services.serverless.backend import ServerlessBackend

Handler = Callable[[ServerlessBackend, RequestContext, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    **namespaces.OPERATIONS,
    **workgroups.OPERATIONS,
    **snapshots.OPERATIONS,
    **policies.OPERATIONS,
    **restore.OPERATIONS,
    **tagging.OPERATIONS,
    **usage_limits.OPERATIONS,
    **custom_domains.OPERATIONS,
    **catalogue.OPERATIONS,
    **reservations.OPERATIONS,
    **scheduled_actions.OPERATIONS,
    **endpoint_access.OPERATIONS,
    **snapshot_copies.OPERATIONS,
    **recovery_points.OPERATIONS,
    **table_restore.OPERATIONS,
    **credentials.OPERATIONS,
}

# GetCredentials is named like a read but issues a credential (a write): it runs on a worker
# thread like any other operation, and no answer of it is kept.
READS_BEYOND_THE_STORE = frozenset(credentials.OPERATIONS)
