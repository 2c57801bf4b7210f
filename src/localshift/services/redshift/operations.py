"""Every Redshift operation localshift serves, by its API name."""

from __future__ import annotations

from typing import Any, Callable

from localshift.services.context import RequestContext
from localshift.services.redshift import clusters, credentials, restore, sharing, snapshots, tagging
from localshift.services.redshift import copy_grants, snapshot_copy, table_restore
from localshift.services.redshift import event_history, node_options, snapshot_schedules, storage
from localshift.services.redshift import (authentication_profiles, endpoint_access, endpoint_authorization,
                                          event_subscriptions, hsm, security_groups, subnet_groups, usage_limits)
from localshift.services.redshift import custom_domains, partners, scheduled_actions
from localshift.services.redshift import (audit_logging, catalog_operations, cluster_operations, parameter_groups,
                                          reserved_node_exchange, reserved_nodes, resize)
from localshift.services.redshift import advisor, multi_az, resource_policies
from localshift.services.redshift.backend import RedshiftBackend

Handler = Callable[[RedshiftBackend, RequestContext, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    **clusters.OPERATIONS,
    **snapshots.OPERATIONS,
    **tagging.OPERATIONS,
    **node_options.OPERATIONS,
    **sharing.OPERATIONS,
    **restore.OPERATIONS,
    **snapshot_copy.OPERATIONS,
    **copy_grants.OPERATIONS,
    **table_restore.OPERATIONS,
    **snapshot_schedules.OPERATIONS,
    **event_history.OPERATIONS,
    **storage.OPERATIONS,
    **subnet_groups.OPERATIONS, **security_groups.OPERATIONS, **usage_limits.OPERATIONS,
    **event_subscriptions.OPERATIONS, **endpoint_access.OPERATIONS, **endpoint_authorization.OPERATIONS,
    **authentication_profiles.OPERATIONS, **hsm.OPERATIONS,
    **scheduled_actions.OPERATIONS, **partners.OPERATIONS, **custom_domains.OPERATIONS,
    **parameter_groups.OPERATIONS,
    **cluster_operations.OPERATIONS,
    **resize.OPERATIONS,
    **audit_logging.OPERATIONS,
    **catalog_operations.OPERATIONS,
    **reserved_nodes.OPERATIONS,
    **reserved_node_exchange.OPERATIONS,
    **credentials.OPERATIONS,
    **resource_policies.OPERATIONS, **multi_az.OPERATIONS, **advisor.OPERATIONS,
}

# Reads that measure the data plane, not the store alone: they run on worker threads, and no answer is kept.
# GetClusterCredentials(WithIAM) are named like reads but issue a credential (a write): the same.
READS_BEYOND_THE_STORE = frozenset(storage.OPERATIONS) | frozenset(credentials.OPERATIONS)
