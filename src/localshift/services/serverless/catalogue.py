"""What Redshift Serverless offers rather than what an account made: ListTracks/GetTrack, the
reservation offerings (ListReservationOfferings/GetReservationOffering), and ListManagedWorkgroups.

Tracks: ``current`` gets each new Redshift version, ``trailing`` stays one behind; a workgroup may
move from either to the other.  Reservation offerings: one year of RPUs, paid all up front or by the
hour (prices are us-east-1's list prices per RPU, for illustration: nothing is billed).  Managed
workgroups are made by AWS Glue for its catalogs, which localshift does not emulate: there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localshift.services.context import RequestContext
from localshift.services.serverless import paging
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.validation import not_found
from localshift.services.serverless.views import ENGINE_VERSION

# The version the trailing track runs: the release before the current one.
TRAILING_VERSION = "1.0.86500"
TRACK_VERSIONS = {"current": ENGINE_VERSION, "trailing": TRAILING_VERSION}
YEAR_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Offering:
    offering_id: str
    offering_type: str  # ALL_UPFRONT | NO_UPFRONT
    upfront_charge: float
    hourly_charge: float
    duration: int = YEAR_SECONDS
    currency_code: str = "USD"


OFFERINGS = (
    Offering("2f5e2a6e-41f0-4a4b-9d3c-6c2d4f3e1a01", "ALL_UPFRONT", 2496.6, 0.0),
    Offering("2f5e2a6e-41f0-4a4b-9d3c-6c2d4f3e1a02", "NO_UPFRONT", 0.0, 0.3),
)
OFFERINGS_BY_ID = {offering.offering_id: offering for offering in OFFERINGS}


def track_view(name: str) -> dict[str, Any]:
    others = [other for other in TRACK_VERSIONS if other != name]
    return {
        "trackName": name,
        "workgroupVersion": TRACK_VERSIONS[name],
        "updateTargets": [{"trackName": other, "workgroupVersion": TRACK_VERSIONS[other]} for other in others],
    }


def offering_view(offering: Offering) -> dict[str, Any]:
    return {
        "offeringId": offering.offering_id,
        "offeringType": offering.offering_type,
        "duration": offering.duration,
        "upfrontCharge": offering.upfront_charge,
        "hourlyCharge": offering.hourly_charge,
        "currencyCode": offering.currency_code,
    }


def find_offering(offering_id: str) -> Offering:
    offering = OFFERINGS_BY_ID.get(offering_id)
    if offering is None:
        raise not_found(f"Reservation offering {offering_id} not found.")
    return offering


def list_tracks(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    names = list(TRACK_VERSIONS)
    chosen, token = paging.page(names, lambda name: names.index(name) + 1, p, "tracks")
    return {"tracks": [track_view(name) for name in chosen], "nextToken": token}


def get_track(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if p["trackName"] not in TRACK_VERSIONS:
        raise not_found(f"Track {p['trackName']} not found.")
    return {"track": track_view(p["trackName"])}


def list_reservation_offerings(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    chosen, token = paging.page(OFFERINGS, lambda offering: OFFERINGS.index(offering) + 1, p, "offerings")
    return {"reservationOfferingsList": [offering_view(o) for o in chosen], "nextToken": token}


def get_reservation_offering(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return {"reservationOffering": offering_view(find_offering(p["offeringId"]))}


def list_managed_workgroups(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    paging.page([], lambda item: 0, p, "managed-workgroups")  # a nextToken is still checked
    return {"managedWorkgroups": []}


OPERATIONS = {
    "ListTracks": list_tracks,
    "GetTrack": get_track,
    "ListReservationOfferings": list_reservation_offerings,
    "GetReservationOffering": get_reservation_offering,
    "ListManagedWorkgroups": list_managed_workgroups,
}
