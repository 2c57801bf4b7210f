"""The Query protocol's errors against botocore's own parser: every error code of the model round-trips with its
modelled status (a botocore client maps it to its exception), an unknown code is a 400, and any message text,
control characters and unpaired surrogates included, serializes to an error botocore reads."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localshift.errors import ApiError
from localshift.protocol import query_serializer
from localshift.protocol.spec import COMMON_ERROR_STATUS, error_statuses
from localshift.protocol.wire import Answer
from protocol.query_wire import PROTOCOL, SERVICE, botocore_parse


def error_response(error: ApiError, request_id: str) -> Answer:
    return PROTOCOL.error(SERVICE, error, request_id)


def parse_error(body: bytes, status: int) -> dict[str, Any]:
    return botocore_parse(None, body, status)


@pytest.mark.parametrize("code", sorted(error_statuses(SERVICE)))
def test_every_error_code_round_trips(code: str) -> None:
    response = error_response(ApiError(code, f"Something about {code} & <stuff>."), "rid-1")
    status, sender = error_statuses(SERVICE)[code]
    assert response.status == status
    parsed = parse_error(response.body, response.status)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == f"Something about {code} & <stuff>."
    assert parsed["Error"]["Type"] == ("Sender" if sender and status < 500 else "Receiver")
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-1"


def test_modelled_error_statuses_come_from_the_model() -> None:
    statuses = error_statuses(SERVICE)
    assert statuses["ClusterSnapshotNotFound"][0] == 404
    assert statuses["ClusterNotFound"][0] == 404
    assert statuses["InvalidRestore"][0] == 406
    assert statuses["DependentServiceAccessDenied"][0] == 403
    assert statuses["ClusterSnapshotAlreadyExists"][0] == 400
    # Codes are the awsQueryError codes, never the shape names.
    assert "ClusterSnapshotNotFoundFault" not in statuses
    assert "InvalidRetentionPeriodFault" in statuses
    for code, status in COMMON_ERROR_STATUS.items():
        assert statuses[code][0] == status


def test_modelled_error_is_mapped_to_its_exception_by_a_botocore_client() -> None:
    import boto3

    client = boto3.client("redshift", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    response = error_response(ApiError("ClusterSnapshotNotFound", "Snapshot s9 not found."), "rid")
    parsed = parse_error(response.body, response.status)
    error_class = client.exceptions.from_code(parsed["Error"]["Code"])
    assert error_class is client.exceptions.ClusterSnapshotNotFoundFault
    assert response.status == 404


def test_error_with_unknown_code_defaults_to_400_and_explicit_status_wins() -> None:
    assert error_response(ApiError("SomethingNew", "x"), "r").status == 400
    assert error_response(ApiError("RequestEntityTooLarge", "x", status=413), "r").status == 413
    internal = error_response(ApiError("InternalFailure", "x"), "r")
    assert internal.status == 500
    assert parse_error(internal.body, 500)["Error"]["Type"] == "Receiver"


def test_error_message_with_control_characters_is_still_xml() -> None:
    body = query_serializer.serialize_error(SERVICE, "InvalidParameterValue", "bad \x00\x01\x1f value\ud800", True, "r")
    parsed = parse_error(body, 400)
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert parsed["Error"]["Message"].startswith("bad ")


any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=60)  # surrogates too
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@settings(max_examples=500, deadline=None)
@given(code=any_text, message=any_text, sender=st.booleans())
def test_any_error_text_serializes_to_an_error_botocore_reads(code: str, message: str, sender: bool) -> None:
    body = query_serializer.serialize_error(SERVICE, code, message, sender, "rid-1")
    root = ET.fromstring(body)
    error = {child.tag.rpartition("}")[2]: child.text or "" for child in root.find("{*}Error")}  # type: ignore[union-attr]
    # Characters XML cannot carry become U+FFFD; everything else comes back as it was.
    assert error == {"Type": "Sender" if sender else "Receiver", "Code": NOT_XML.sub("\ufffd", code),
                     "Message": NOT_XML.sub("\ufffd", message)}
    assert parse_error(body, 400)["ResponseMetadata"]["RequestId"] == "rid-1"
