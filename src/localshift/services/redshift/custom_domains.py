"""Custom domain associations of clusters: Create/Modify/Delete/DescribeCustomDomainAssociations.

As for Redshift Serverless (docs/serverless.md): a cluster can be reached under one custom domain
name served with an ACM certificate; there is no DNS or ACM, so the association is kept on the
cluster (its Cluster shape shows it), the certificate ARN is checked in form (an ACM certificate of
the caller's account and region) and expires 13 months after it was associated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.common.arns import CERTIFICATE_VALIDITY, is_certificate_of
from localshift.services.context import RequestContext
from localshift.services.redshift import validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import change_cluster
from localshift.store.paging import decode_marker, encode_marker


@dataclass(frozen=True)
class _Association:
    """A cluster's custom domain association (the cluster keeps its three parts, set together)."""
    domain: str
    certificate_arn: str
    certificate_expiry: datetime
    cluster_identifier: str


def _association(cluster: ClusterRecord) -> _Association | None:
    domain, arn, expiry = (cluster.custom_domain_name, cluster.custom_domain_certificate_arn,
                           cluster.custom_domain_certificate_expiry)
    if domain is None or arn is None or expiry is None:
        return None
    return _Association(domain, arn, expiry, cluster.identifier)


def _fault(message: str) -> ApiError:
    return ApiError("CustomCnameAssociationFault", message)


def _answer(cluster: ClusterRecord) -> dict[str, Any]:
    expiry = cluster.custom_domain_certificate_expiry
    return {
        "CustomDomainName": cluster.custom_domain_name,
        "CustomDomainCertificateArn": cluster.custom_domain_certificate_arn,
        "ClusterIdentifier": cluster.identifier,
        # The model gives this one expiry as text: ISO 8601, UTC.
        "CustomDomainCertExpiryTime": expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if expiry else None,
    }


def _certificate(ctx: RequestContext, arn: str) -> str:
    if not is_certificate_of(arn, ctx.account, ctx.region):
        raise _fault(f"The certificate {arn} is not an ACM certificate of account {ctx.account} in {ctx.region}.")
    return arn


def _associate(cluster: ClusterRecord, domain: str, certificate: str, ctx: RequestContext) -> None:
    cluster.custom_domain_name, cluster.custom_domain_certificate_arn = domain, certificate
    cluster.custom_domain_certificate_expiry = ctx.now + CERTIFICATE_VALIDITY


def _check_associated(cluster: ClusterRecord, domain: str) -> str:
    """The cluster's custom domain name, which must be ``domain``."""
    if cluster.custom_domain_name is None or cluster.custom_domain_name != domain.lower():
        raise ApiError("CustomDomainAssociationNotFoundFault",
                       f"Custom domain {domain} is not associated with cluster {cluster.identifier}.")
    return cluster.custom_domain_name


def create_custom_domain_association(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    certificate, domain = _certificate(ctx, p["CustomDomainCertificateArn"]), p["CustomDomainName"].lower()

    def change(cluster: ClusterRecord) -> None:
        if cluster.custom_domain_name is not None:
            raise _fault(f"Cluster {cluster.identifier} is already associated with {cluster.custom_domain_name}.")
        taken = [c.identifier for c in backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000)
                 if c.custom_domain_name == domain]
        if taken:
            raise _fault(f"Custom domain {domain} is already associated with cluster {taken[0]}.")
        _associate(cluster, domain, certificate, ctx)

    return _answer(change_cluster(backend, ctx, p["ClusterIdentifier"], change))


def modify_custom_domain_association(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    certificate = _certificate(ctx, p["CustomDomainCertificateArn"])

    def change(cluster: ClusterRecord) -> None:
        _associate(cluster, _check_associated(cluster, p["CustomDomainName"]), certificate, ctx)

    return _answer(change_cluster(backend, ctx, p["ClusterIdentifier"], change))


def delete_custom_domain_association(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(cluster: ClusterRecord) -> None:
        _check_associated(cluster, p["CustomDomainName"])
        cluster.custom_domain_name = cluster.custom_domain_certificate_arn = None
        cluster.custom_domain_certificate_expiry = None

    change_cluster(backend, ctx, p["ClusterIdentifier"], change)
    return {}


_MARKER_KIND = "custom-domain-certificates"


def describe_custom_domain_associations(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """The associations grouped by certificate (AWS's shape), one page of certificates."""
    limit = validation.max_records(p.get("MaxRecords"), 20, 100, 100)
    domain, certificate = p.get("CustomDomainName", "").lower() or None, p.get("CustomDomainCertificateArn")
    associations = [a for a in map(_association, backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000))
                    if a is not None and domain in (None, a.domain) and certificate in (None, a.certificate_arn)]
    if not associations and (domain or certificate):
        raise ApiError("CustomDomainAssociationNotFoundFault", "No custom domain association matches the request.")
    by_certificate: dict[str, list[_Association]] = {}
    for association in associations:
        by_certificate.setdefault(association.certificate_arn, []).append(association)
    certificates = sorted(by_certificate)
    if p.get("Marker"):
        # The marker names what it pages over, so that no other marker (or a forged one) is taken.
        kind, after = decode_marker(p["Marker"], (str, str))
        if kind != _MARKER_KIND:
            raise ApiError("InvalidParameterValue", "Invalid marker value.")
        certificates = [arn for arn in certificates if arn > after]
    page = certificates[:limit]
    result: dict[str, Any] = {"Associations": [{
        "CustomDomainCertificateArn": arn,
        "CustomDomainCertificateExpiryDate": max(a.certificate_expiry for a in by_certificate[arn]),
        "CertificateAssociations": [{"CustomDomainName": a.domain, "ClusterIdentifier": a.cluster_identifier}
                                    for a in by_certificate[arn]],
    } for arn in page]}
    if len(certificates) > limit:
        result["Marker"] = encode_marker([_MARKER_KIND, page[-1]])
    return result


OPERATIONS = {
    "CreateCustomDomainAssociation": create_custom_domain_association,
    "ModifyCustomDomainAssociation": modify_custom_domain_association,
    "DeleteCustomDomainAssociation": delete_custom_domain_association,
    "DescribeCustomDomainAssociations": describe_custom_domain_associations,
}
