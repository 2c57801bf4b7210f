"""The resources that belong to a cluster and go when it is deleted: its usage limits, the
Redshift-managed VPC endpoints of every account to it, its endpoint authorizations, its partner
integrations and its resource policies.
Their ports went with the cluster's engine (the data plane closes them with it)."""

from __future__ import annotations

from localshift.services.redshift import named_resources
from localshift.services.redshift.backend import RedshiftBackend


def forget_cluster(backend: RedshiftBackend, account: str, region: str, cluster_row_id: int) -> None:
    """Within the caller's transaction."""
    for limit in backend.usage_limits.all_of(account, region):
        if limit.cluster_row_id == cluster_row_id:
            named_resources.delete_tagged(backend, backend.usage_limits, limit)
    for endpoint in backend.endpoint_accesses.everything():
        if endpoint.cluster_row_id == cluster_row_id:
            backend.endpoint_accesses.delete(endpoint)
    for authorization in backend.endpoint_authorizations.all_of(account, region):
        if authorization.cluster_row_id == cluster_row_id:
            backend.endpoint_authorizations.delete(authorization)
    for partner in backend.partners.all_of(account, region):
        if partner.cluster_row_id == cluster_row_id:
            backend.partners.delete(partner)
    for policy in backend.resource_policies.all_of(account, region):
        if policy.cluster_row_id == cluster_row_id:
            backend.resource_policies.delete(policy)
