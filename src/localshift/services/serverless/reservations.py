"""Reservations: CreateReservation, GetReservation, ListReservations.

A reservation commits the account to a number of RPUs for a year from an offering of the catalogue
(catalogue.py).  It is ``active`` from its creation (nothing is billed) and ends a year later; the
API has no way to delete one.  ``clientToken`` makes a retried create return the same reservation; the
token with another capacity or offering is a ConflictException.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from localshift.services.context import RequestContext
from localshift.services.serverless import paging, validation
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.catalogue import find_offering, offering_view
from localshift.services.serverless.lookup import find_own
from localshift.services.serverless.resource_records import ReservationRecord
from localshift.services.serverless.validation import conflict, validation_error

# RPUs are reserved in steps of 8, from 8 up to the largest workgroup's base capacity.
CAPACITY_STEP, MAX_CAPACITY = 8, 1024
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)


def reservation_view(reservation: ReservationRecord) -> dict[str, Any]:
    return {
        "reservationId": reservation.name,
        "reservationArn": reservation.arn,
        "capacity": reservation.capacity,
        "offering": offering_view(find_offering(reservation.offering_id)),
        "startDate": reservation.start_date,
        "endDate": reservation.end_date,
        "status": reservation.status,
    }


def create_reservation(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    capacity, token = p["capacity"], p.get("clientToken")
    if capacity % CAPACITY_STEP or not CAPACITY_STEP <= capacity <= MAX_CAPACITY:
        raise validation_error(f"capacity {capacity} is not valid: reserve {CAPACITY_STEP} to {MAX_CAPACITY} RPUs "
                               f"in steps of {CAPACITY_STEP}.")
    if token is not None and not _UUID4.fullmatch(token):
        raise validation_error("clientToken must be a UUID (version 4).")
    offering = find_offering(p["offeringId"])
    with backend.db.transaction():
        for earlier in backend.reservations.all_of(ctx.account, ctx.region):
            if token is not None and earlier.client_token == token:
                if (earlier.offering_id, earlier.capacity) != (offering.offering_id, capacity):
                    # The token names another request: a retry must ask for the same reservation.
                    raise conflict(f"clientToken {token} was already used to reserve {earlier.capacity} RPUs of "
                                   f"offering {earlier.offering_id}.")
                return {"reservation": reservation_view(earlier)}  # a retry of the same request
        reservation_id = str(uuid.uuid4())
        reservation = backend.reservations.insert(ReservationRecord(
            account=ctx.account, region=ctx.region, name=reservation_id,
            arn=validation.arn(ctx.region, ctx.account, "reservation", reservation_id),
            offering_id=offering.offering_id, capacity=capacity, start_date=ctx.now,
            end_date=ctx.now + timedelta(seconds=offering.duration), client_token=token,
        ))
    return {"reservation": reservation_view(reservation)}


def get_reservation(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    reservation = find_own(backend.reservations, ctx, p["reservationId"], "Reservation")
    return {"reservation": reservation_view(reservation)}


def list_reservations(backend: ServerlessBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    reservations = backend.reservations.all_of(ctx.account, ctx.region)
    chosen, token = paging.page(reservations, lambda r: r.row_id, p, "reservations")
    return {"reservationsList": [reservation_view(r) for r in chosen], "nextToken": token}


OPERATIONS = {
    "CreateReservation": create_reservation,
    "GetReservation": get_reservation,
    "ListReservations": list_reservations,
}
