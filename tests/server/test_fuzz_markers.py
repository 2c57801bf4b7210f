"""Paging markers against one running server: a forged Marker of each list operation is InvalidParameterValue,
and any marker at all is a page or InvalidParameterValue (or the error of the resource it names)."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hostile_values import FORGED_MARKERS, markers
from raw_http import exchange, http_request
from support import Server
from server.query_checks import MODEL, SERVED, check_error_body, signed_headers


# Each list operation, with what its marker must be refused for (and, for node configurations,
# the error of a marker that decodes: the cluster it names does not exist).
PAGED = {
    "DescribeClusters": ("", set()),
    "DescribeTags": ("", set()),
    "DescribeClusterSnapshots": ("", set()),
    "DescribeClusterSnapshots-sorted": (
        "&SortingEntities.SnapshotSortingEntity.1.Attribute=TOTAL_SIZE"
        "&SortingEntities.SnapshotSortingEntity.1.SortOrder=DESC", set()),
    "DescribeNodeConfigurationOptions": ("&ActionType=resize-cluster&ClusterIdentifier=nope", {"ClusterNotFound"}),
    "DescribeClusterParameterGroups": ("", set()),
    "DescribeClusterParameters": ("&ParameterGroupName=default.redshift-2.0", set()),
    "DescribeDefaultClusterParameters": ("&ParameterGroupFamily=redshift-2.0", set()),
    "DescribeClusterDbRevisions": ("", set()),
    "DescribeClusterVersions": ("", set()),
    "DescribeClusterTracks": ("", set()),
    "DescribeOrderableClusterOptions": ("", set()),
    "DescribeReservedNodeOfferings": ("", set()),
    "DescribeReservedNodes": ("", set()),
    "GetReservedNodeExchangeOfferings": ("&ReservedNodeId=nope", {"ReservedNodeNotFound"}),
    "GetReservedNodeExchangeConfigurationOptions": ("&ActionType=resize-cluster&ClusterIdentifier=nope",
                                                    {"ClusterNotFound"}),
    "DescribeReservedNodeExchangeStatus": ("", set()),
}


def _pages_by_marker_alone(name: str) -> bool:
    shape = MODEL.operation_model(name).input_shape
    return shape is not None and "Marker" in shape.members and not shape.required_members


# Every other served operation that pages by Marker and needs no other parameter: its marker too.
PAGED.update({name: ("", set()) for name in SERVED if name not in PAGED and _pages_by_marker_alone(name)})


def paged_request(operation: str, marker: str) -> bytes:
    extra, _ = PAGED[operation]
    action = operation.split("-")[0]
    body = f"Action={action}&Version=2012-12-01&Marker={quote(marker, safe='')}{extra}".encode()
    return http_request("POST", b"/", signed_headers(), body)


@pytest.mark.parametrize("operation", sorted(PAGED))
@pytest.mark.parametrize("kind", sorted(FORGED_MARKERS))
def test_forged_markers_are_invalid_parameter_values(server: Server, operation: str, kind: str) -> None:
    raw = paged_request(operation, FORGED_MARKERS[kind])
    reply = exchange(server, raw)
    assert reply is not None and reply.status == 400, raw
    assert check_error_body(reply.body, reply.status)["Error"]["Code"] == "InvalidParameterValue"


@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(operation=st.sampled_from(sorted(PAGED)), marker=markers)
def fuzz_one_marker(server: Server, operation: str, marker: str) -> None:
    raw = paged_request(operation, marker)
    reply = exchange(server, raw)
    assert reply is not None, raw
    if reply.status == 200:
        event("accepted")  # a marker that happens to decode to a key of the right kinds
        return
    code = check_error_body(reply.body, reply.status)["Error"]["Code"]
    assert code in {"InvalidParameterValue", *PAGED[operation][1]}, (raw, reply.status, code)
    event(code)


def test_any_marker_is_a_page_or_invalid_parameter_value(server: Server) -> None:
    fuzz_one_marker(server)
