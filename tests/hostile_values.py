"""Values no honest client sends: forged paging markers and JSON no encoder writes."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st


def marker_of(value: Any) -> str:
    """A marker in localshift's own encoding (url-safe base64 of JSON) holding ``value``."""
    raw = json.dumps(value).encode()  # NaN, Infinity and \ud800 escapes included
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# One of each kind a marker must not carry where it expects another.
FORGED_MARKERS = {
    "huge integer": marker_of([10**30]),
    "beyond int64": marker_of([2**63]),
    "huge pair": marker_of(["2024-01-01T00:00:00.000Z", 10**40]),
    "float": marker_of([1.5]),
    "NaN": marker_of([float("nan")]),
    "Infinity": marker_of([float("inf"), 1]),
    "string for integer": marker_of(["1"]),
    "boolean": marker_of([True]),
    "null": marker_of([None]),
    "nested": marker_of([[1]]),
    "object": marker_of({"id": 1}),
    "lone surrogate": marker_of(["\ud800", 1]),
    "empty list": marker_of([]),
    "deep": base64.urlsafe_b64encode(b"[" * 100_000).decode(),
    "garbage": "!!not-base64!!",
    "not JSON": base64.urlsafe_b64encode(b"\xff\xfe{").decode(),
    "non-ASCII": "ééé",
}

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80),
    st.floats(),
    st.text(alphabet=st.characters(codec=None, exclude_categories=[]), max_size=8),  # surrogates too
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)
markers = st.one_of(
    st.lists(json_values, min_size=1, max_size=3).map(marker_of),
    json_values.map(marker_of),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    st.sampled_from(list(FORGED_MARKERS.values())),
)
