"""Tracks, reservation offerings and reservations, managed workgroups."""

from __future__ import annotations

import uuid
from datetime import timedelta

from support import aws_cli


def test_tracks(owner):
    tracks = owner.list_tracks()["tracks"]
    assert [t["trackName"] for t in tracks] == ["current", "trailing"]
    current = owner.get_track(trackName="current")["track"]
    assert current == tracks[0]
    assert current["updateTargets"] == [{"trackName": "trailing", "workgroupVersion": tracks[1]["workgroupVersion"]}]
    assert current["workgroupVersion"] == owner.namespace_with_workgroup()["workgroupVersion"]
    pages = list(owner.get_paginator("list_tracks").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["tracks"][0]["trackName"] for p in pages] == ["current", "trailing"]
    assert owner.error(owner.get_track, trackName="beta")[:2] == ("ResourceNotFoundException", 404)


def test_reservation_offerings(owner):
    offerings = owner.list_reservation_offerings()["reservationOfferingsList"]
    assert {o["offeringType"] for o in offerings} == {"ALL_UPFRONT", "NO_UPFRONT"}
    assert all(o["duration"] == 365 * 24 * 3600 and o["currencyCode"] == "USD" for o in offerings)
    one = owner.get_reservation_offering(offeringId=offerings[0]["offeringId"])["reservationOffering"]
    assert one == offerings[0]
    assert owner.error(owner.get_reservation_offering, offeringId="nope")[:2] == ("ResourceNotFoundException", 404)


def test_reservations(owner, grantee):
    offering = owner.list_reservation_offerings()["reservationOfferingsList"][1]
    token = str(uuid.uuid4())
    created = owner.create_reservation(capacity=64, offeringId=offering["offeringId"], clientToken=token)["reservation"]
    assert (created["capacity"], created["status"], created["offering"]) == (64, "active", offering)
    assert created["endDate"] - created["startDate"] == timedelta(days=365)
    assert created["reservationArn"].endswith(f":reservation/{created['reservationId']}")
    again = owner.create_reservation(capacity=64, offeringId=offering["offeringId"], clientToken=token)["reservation"]
    assert again == created  # a retry with the same client token
    other = owner.list_reservation_offerings()["reservationOfferingsList"][0]
    for changed in ({"capacity": 8, "offeringId": offering["offeringId"]}, {"capacity": 64, "offeringId": other["offeringId"]}):
        # The token of another request: AWS refuses it rather than answer a reservation the caller did not ask for.
        assert owner.error(owner.create_reservation, clientToken=token, **changed)[:2] == ("ConflictException", 409)
    assert owner.get_reservation(reservationId=created["reservationId"])["reservation"] == created
    owner.create_reservation(capacity=8, offeringId=offering["offeringId"])
    pages = list(owner.get_paginator("list_reservations").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["reservationsList"][0]["capacity"] for p in pages] == [64, 8]
    for capacity in (0, 12, 2048):
        assert owner.error(owner.create_reservation, capacity=capacity, offeringId=offering["offeringId"])[0] == (
            "ValidationException")
    assert owner.error(owner.create_reservation, capacity=8, offeringId=offering["offeringId"],
                       clientToken="not-a-uuid")[0] == "ValidationException"
    assert owner.error(owner.create_reservation, capacity=8, offeringId="nope")[:2] == ("ResourceNotFoundException", 404)
    assert grantee.error(grantee.get_reservation, reservationId=created["reservationId"])[:2] == (
        "ResourceNotFoundException", 404)
    assert grantee.list_reservations()["reservationsList"] == []


def test_managed_workgroups(owner):
    assert owner.list_managed_workgroups()["managedWorkgroups"] == []
    assert owner.list_managed_workgroups(sourceArn="arn:aws:glue:us-east-1:111111111111:catalog")[
        "managedWorkgroups"] == []
    assert owner.error(owner.list_managed_workgroups, sourceArn="arn:aws:s3:::bucket")[0] == "ValidationException"


def test_aws_cli(owner):
    cli = {"service": "redshift-serverless"}
    tracks = aws_cli(owner.server, "list-tracks", **cli)["tracks"]
    assert [t["trackName"] for t in tracks] == ["current", "trailing"]
    offerings = aws_cli(owner.server, "list-reservation-offerings", **cli)["reservationOfferingsList"]
    assert offerings == owner.list_reservation_offerings()["reservationOfferingsList"]
    assert aws_cli(owner.server, "list-managed-workgroups", **cli)["managedWorkgroups"] == []
