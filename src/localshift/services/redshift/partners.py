"""Partner integrations: AddPartner, DescribePartners, UpdatePartnerStatus, DeletePartner.

An integration records that a partner (an ETL or BI service) may work with one database of a
cluster; the partner reports its state with UpdatePartnerStatus.  No partner is reached from here:
the integration is metadata, ``Inactive`` until a status is reported.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.clusters import find_cluster
from localshift.services.redshift.resource_records import PartnerRecord
from localshift.store.database import DuplicateError


def _cluster_row_id(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> int:
    """The cluster the request is about, for the caller's own account only."""
    if p["AccountId"] != ctx.account:
        raise ApiError("UnauthorizedPartnerIntegration",
                       f"Account {ctx.account} is not authorized to manage partner integrations of account {p['AccountId']}.")
    return find_cluster(backend, ctx, p["ClusterIdentifier"]).row_id


def _name(cluster: int, database: str, partner: str) -> str:
    return f"{cluster}/{database}/{partner}"


def _find(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> PartnerRecord:
    cluster = _cluster_row_id(backend, ctx, p)
    partner = backend.partners.get(ctx.account, ctx.region, _name(cluster, p["DatabaseName"], p["PartnerName"]))
    if partner is None:
        raise ApiError("PartnerNotFound", f"The partner {p['PartnerName']} was not found for database "
                                          f"{p['DatabaseName']} of cluster {p['ClusterIdentifier']}.")
    return partner


def _answer(partner: PartnerRecord) -> dict[str, Any]:
    return {"DatabaseName": partner.database_name, "PartnerName": partner.partner_name}


def add_partner(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        cluster = _cluster_row_id(backend, ctx, p)
        name = _name(cluster, p["DatabaseName"], p["PartnerName"])
        existing = backend.partners.get(ctx.account, ctx.region, name)
        if existing is not None:
            return _answer(existing)  # adding it again changes nothing
        try:
            partner = backend.partners.insert(PartnerRecord(
                account=ctx.account, region=ctx.region, name=name, cluster_row_id=cluster,
                database_name=p["DatabaseName"], partner_name=p["PartnerName"], status="Inactive",
                created_at=ctx.now, updated_at=ctx.now,
            ))
        except DuplicateError:
            return _answer(_added_meanwhile(backend, ctx, name))
    return _answer(partner)


def _added_meanwhile(backend: RedshiftBackend, ctx: RequestContext, name: str) -> PartnerRecord:
    """The partner whose insertion collided with ours (in the same transaction, so it is there)."""
    partner = backend.partners.get(ctx.account, ctx.region, name)
    assert partner is not None
    return partner


def describe_partners(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    cluster = _cluster_row_id(backend, ctx, p)
    found = [
        partner for partner in backend.partners.all_of(ctx.account, ctx.region)
        if partner.cluster_row_id == cluster and p.get("DatabaseName") in (None, partner.database_name)
        and p.get("PartnerName") in (None, partner.partner_name)
    ]
    return {"PartnerIntegrationInfoList": [{
        "DatabaseName": partner.database_name,
        "PartnerName": partner.partner_name,
        "Status": partner.status,
        "StatusMessage": partner.status_message,
        "CreatedAt": partner.created_at,
        "UpdatedAt": partner.updated_at,
    } for partner in found]}


def update_partner_status(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def change(partner: PartnerRecord) -> None:
        partner.status, partner.status_message, partner.updated_at = p["Status"], p.get("StatusMessage"), ctx.now

    with backend.db.transaction():
        partner = backend.partners.mutate(_find(backend, ctx, p).row_id, change)
    assert partner is not None  # found in this very transaction
    return _answer(partner)


def delete_partner(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    with backend.db.transaction():
        partner = _find(backend, ctx, p)
        backend.partners.delete(partner)
    return _answer(partner)


OPERATIONS = {
    "AddPartner": add_partner,
    "DescribePartners": describe_partners,
    "UpdatePartnerStatus": update_partner_status,
    "DeletePartner": delete_partner,
}
