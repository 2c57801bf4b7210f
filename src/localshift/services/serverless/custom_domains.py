"""Custom domain associations: Create/Update/Delete/Get/ListCustomDomainAssociations.

A workgroup can be reached under one custom domain name, served with an ACM certificate.  There
is no DNS or ACM here: the association is kept on the workgroup (its Workgroup shape shows it), the
certificate ARN is checked in form (an ACM certificate of the caller's account and region), and the
certificate's expiry is 13 months after it was associated, the validity of ACM's certificates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localshift.services.common.arns import CERTIFICATE_VALIDITY, is_certificate_of
from localshift.services.context import RequestContext
from localshift.services.serverless import paging
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.lookup import find_workgroup
from localshift.services.serverless.validation import busy, conflict, not_found, validation_error
from localshift.store.serverless import WorkgroupRecord


def association_view(workgroup: WorkgroupRecord) -> dict[str, Any]:
    return {
        "workgroupName": workgroup.name,
        "customDomainName": workgroup.custom_domain_name,
        "customDomainCertificateArn": workgroup.custom_domain_certificate_arn,
        "customDomainCertificateExpiryTime": workgroup.custom_domain_certificate_expiry_time,
    }


def _certificate(ctx: RequestContext, arn: str) -> str:
    if not is_certificate_of(arn, ctx.account, ctx.region):
        raise validation_error(
            f"customDomainCertificateArn {arn} is not valid: give the ARN of an ACM certificate of account "
            f"{ctx.account} in {ctx.region}."
        )
    return arn


def _associate(workgroup: WorkgroupRecord, domain: str, certificate: str, now: datetime) -> None:
    workgroup.custom_domain_name = domain
    workgroup.custom_domain_certificate_arn = certificate
    workgroup.custom_domain_certificate_expiry_time = now + CERTIFICATE_VALIDITY


def _associated(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> WorkgroupRecord:
    workgroup = find_workgroup(backend, ctx, p["workgroupName"])
    if workgroup.custom_domain_name != p["customDomainName"].lower():
        raise not_found(f"Custom domain {p['customDomainName']} is not associated with workgroup {workgroup.name}.")
    return workgroup


def create_custom_domain_association(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    certificate = _certificate(ctx, p["customDomainCertificateArn"])
    domain = p["customDomainName"].lower()
    with backend.db.transaction():
        workgroup = find_workgroup(backend, ctx, p["workgroupName"])
        if workgroup.status != "AVAILABLE":
            raise busy("workgroup", workgroup.name, workgroup.status, "associating a custom domain with")
        if workgroup.custom_domain_name is not None:
            raise conflict(f"Workgroup {workgroup.name} is already associated with custom domain "
                           f"{workgroup.custom_domain_name}.")
        taken = [w.name for w in backend.workgroups.all() if w.account == ctx.account and w.region == ctx.region
                 and w.custom_domain_name == domain]
        if taken:
            raise conflict(f"Custom domain {domain} is already associated with workgroup {taken[0]}.")
        _associate(workgroup, domain, certificate, ctx.now)
        backend.workgroups.update(workgroup)
    return association_view(workgroup)


def update_custom_domain_association(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    certificate = _certificate(ctx, p["customDomainCertificateArn"])
    with backend.db.transaction():
        workgroup = _associated(backend, ctx, p)
        _associate(workgroup, p["customDomainName"].lower(), certificate, ctx.now)  # the associated name
        backend.workgroups.update(workgroup)
    return association_view(workgroup)


def delete_custom_domain_association(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        workgroup = _associated(backend, ctx, p)
        workgroup.custom_domain_name = workgroup.custom_domain_certificate_arn = None
        workgroup.custom_domain_certificate_expiry_time = None
        backend.workgroups.update(workgroup)
    return {}


def get_custom_domain_association(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return association_view(_associated(backend, ctx, p))


def list_custom_domain_associations(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    domain, certificate = p.get("customDomainName", "").lower() or None, p.get("customDomainCertificateArn")
    associated = [
        w for w in backend.workgroups.all()
        if w.account == ctx.account and w.region == ctx.region and w.custom_domain_name is not None
        and domain in (None, w.custom_domain_name) and certificate in (None, w.custom_domain_certificate_arn)
    ]
    chosen, token = paging.page(associated, lambda w: w.row_id, p, "custom-domains")
    return {"associations": [association_view(w) for w in chosen], "nextToken": token}


OPERATIONS = {
    "CreateCustomDomainAssociation": create_custom_domain_association,
    "UpdateCustomDomainAssociation": update_custom_domain_association,
    "DeleteCustomDomainAssociation": delete_custom_domain_association,
    "GetCustomDomainAssociation": get_custom_domain_association,
    "ListCustomDomainAssociations": list_custom_domain_associations,
}
