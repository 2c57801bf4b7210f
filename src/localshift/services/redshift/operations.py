"""Every Redshift operation localshift serves, by its API name."""

from __future__ import annotations

from typing import Any, Callable

from localshift.services.context import RequestContext
from localshift.services.redshift import clusters, restore, sharing, snapshots, tagging
from localshift.services.redshift import custom_domains, node_options, partners, scheduled_actions
from localshift.services.redshift.backend import RedshiftBackend

Handler = Callable[[RedshiftBackend, RequestContext, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    **clusters.OPERATIONS,
    **snapshots.OPERATIONS,
    **tagging.OPERATIONS,
    **node_options.OPERATIONS,
    **sharing.OPERATIONS,
    **restore.OPERATIONS,
    **scheduled_actions.OPERATIONS,
    **partners.OPERATIONS,
    **custom_domains.OPERATIONS,
}
