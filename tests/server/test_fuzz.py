"""Malformed requests against one running server: always a well-formed AWS Query error, never a 500 or a hang.

Requests go over raw sockets so that anything can be sent: broken percent
escapes, bytes that are not UTF-8, bodies shorter than their Content-Length,
bodies larger than the server accepts. Specific hostile bodies are in
test_hostile_bodies.py, paging markers in test_fuzz_markers.py.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from raw_http import exchange, http_request
from support import OWNER, Server
from server.query_checks import MODEL, SERVED, VALID_AUTH, check_reply


def wire_keys(shape, prefix: str = "", depth: int = 0, required_only: bool = False) -> list[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    """Every wire key the model allows for a shape (list indexes 1 and 2), with the scalar shape it carries."""
    if shape is None or depth > 5:
        return []
    if shape.type_name == "structure":
        keys: list[tuple[str, Any]] = []
        for name, member in shape.members.items():
            if required_only and name not in shape.required_members:
                continue
            key = (prefix + "." if prefix else "") + member.serialization.get("name", name)
            keys += wire_keys(member, key, depth + 1, required_only)
        return keys
    if shape.type_name == "list":
        item = shape.member.serialization.get("name", "member")
        keys = [] if required_only else [(prefix, None)]
        for index in (1,) if required_only else (1, 2):
            keys += wire_keys(shape.member, f"{prefix}.{item}.{index}", depth + 1, required_only)
        return keys
    if shape.type_name == "map":
        return [(f"{prefix}.entry.1.key", shape.key), (f"{prefix}.entry.1.value", shape.value)]
    return [(prefix, shape)]


OPERATION_KEYS = {name: wire_keys(MODEL.operation_model(name).input_shape) or [("Nothing", None)] for name in SERVED}
REQUIRED_KEYS = {name: wire_keys(MODEL.operation_model(name).input_shape, required_only=True) for name in SERVED}

plausible_strings = st.sampled_from([
    "c1", "s1", "C1", "", "-", "a--b", "x" * 300, "ra3.xlplus", "ra3.4xlarge", "dc2.large", "111111111111",
    "222222222222", "all", "manual", "automated", "arn:aws:redshift:us-east-1:111111111111:cluster:c1",
    "arn:aws:redshift:us-east-1:111111111111:snapshot:c1/s1", "arn:aws:redshift:eu-west-1:1:snapshot:c/s",
    "arn:", "admin", "Passw0rd1", "dev", "*", "%", "é",
])
timestamps = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
                     "2024-01-02T03:04:05.123Z", "2100-01-01T00:00:00+14:00"]),
    st.datetimes().map(lambda value: value.isoformat() + "Z"),
)


def typed_values(shape):  # type: ignore[no-untyped-def]
    """Values of the right wire type for a scalar shape, chosen to sit at the edges."""
    if shape is None:
        return st.just("")  # the bare key of an empty list
    kind = shape.type_name
    if kind == "string":
        options = [plausible_strings, st.text(max_size=70)]
        if shape.enum:
            options.insert(0, st.sampled_from(list(shape.enum)))
        return st.one_of(*options)
    if kind == "integer":
        return st.one_of(st.sampled_from([0, -1, 1, 2, 20, 21, 100, 101, 500, 2**31 - 1, -(2**31)]),
                         st.integers(-(2**31), 2**31 - 1)).map(str)
    if kind == "long":
        return st.one_of(st.sampled_from([0, -1, 2**63 - 1, -(2**63)]), st.integers(-(2**63), 2**63 - 1)).map(str)
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    if kind == "timestamp":
        return timestamps
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False).map(repr)
    return st.text(max_size=20)


awkward_values = st.sampled_from([
    "", "true", "false", "TRUE", "yes", "0", "-1", "1.5", "2147483648", "9" * 30, "1e999", "nan", "inf",
    "-Infinity", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123+02:00", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "not-a-date", "ra3.xlplus", "c1", "s1", "arn:aws:redshift:us-east-1:1:cluster:c1",
    "\x00", "\x1b[31m", "<xml>&amp;", "]]>", "\ufffe", "é€𝄞", " padded ",
])
values = st.one_of(
    awkward_values,
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True).map(repr),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: "x" * n),
)


@st.composite
def parameters_for(draw, action: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    known = OPERATION_KEYS.get(action) or [("ClusterIdentifier", None), ("Tags.Tag.1.Key", None)]
    key, shape = weighted(draw, (3, st.sampled_from(known)), (1, st.tuples(st.text(max_size=30), st.none())))
    # Lists with indexes out of order, zero, negative, huge, padded.
    if draw(st.integers(0, 3)) == 0 and re.search(r"\.\d+", key):
        index = draw(st.sampled_from(["0", "-1", "01", "3", "99999999999999999999999", "", "x", "1.1"]))
        key = re.sub(r"\.\d+", "." + index, key, count=1)
    value = weighted(draw, (3, typed_values(shape)), (2, values))
    return key, value


def weighted(draw, *choices):  # type: ignore[no-untyped-def]
    """Draw from (weight, strategy) pairs."""
    total = sum(weight for weight, _ in choices)
    pick = draw(st.integers(0, total - 1))
    for weight, strategy in choices:
        if pick < weight:
            return draw(strategy)
        pick -= weight
    raise AssertionError("unreachable")


@st.composite
def form_bodies(draw) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    action = weighted(
        draw,
        (14, st.sampled_from(SERVED)),
        (2, st.sampled_from(MODEL.operation_names)),
        (2, st.text(max_size=30)),
        (1, st.just("")),
    )
    version = weighted(draw, (8, st.just("2012-12-01")), (1, st.sampled_from(["", "1999-01-01", "x" * 300])))
    pairs = [("Action", action), ("Version", version)]
    if draw(st.integers(0, 19)) == 0:
        pairs = pairs[1:]  # no Action at all
    if action in REQUIRED_KEYS and draw(st.integers(0, 3)) > 0:
        # Usually every required member is there, so the operation itself runs.
        for key, shape in REQUIRED_KEYS[action]:
            pairs.append((key, draw(typed_values(shape))))
    for _ in range(draw(st.integers(0, 8))):
        pairs.append(draw(parameters_for(action)))
    draw(st.randoms()).shuffle(pairs)
    # Most requests are encoded as a client would; some have one pair mangled on the wire.
    corrupt = draw(st.integers(0, 4)) == 0
    parts = []
    for key, value in pairs:
        mode = "quoted"
        if corrupt:
            mode = draw(st.sampled_from(["quoted", "raw", "broken-percent", "latin-1", "no-equals"]))
        if mode == "quoted":
            part = (quote(key, safe="") + "=" + quote(value, safe="")).encode()
        elif mode == "raw":
            part = (key + "=" + value).encode("utf-8", "surrogatepass")
        elif mode == "broken-percent":
            broken = draw(st.sampled_from(["%", "%G1", "%e", "%%", "%FF", "%C3%28", "%ED%A0%80", "%00"]))
            part = (quote(key, safe="") + "=" + quote(value, safe="")[:5] + broken).encode()
        elif mode == "latin-1":
            part = quote(key, safe="").encode() + b"=" + value.encode("latin-1", "replace") + b"\xff\xfe"
        else:
            part = quote(key, safe="").encode()
        parts.append(part)
    return action, b"&".join(parts)


header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80
).map(lambda text: text.strip().encode("latin-1"))
authorizations = st.one_of(
    st.builds(lambda account: (VALID_AUTH % account).encode(), st.sampled_from([OWNER, "123456789012", "AKIAX"])),
    st.just(None),
    header_text,
    st.builds(lambda tail: b"AWS4-HMAC-SHA256 " + tail, header_text),
    st.just(b"AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature="),
    st.just(b"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/aws4_request, SignedHeaders=host, Signature=x"),
)
content_types = st.sampled_from([
    b"application/x-www-form-urlencoded; charset=utf-8", b"application/x-www-form-urlencoded", None,
    b"text/plain", b"application/json", b"multipart/form-data; boundary=x",
])


@st.composite
def valid_auth_weighted(draw):  # type: ignore[no-untyped-def]
    # Most requests carry an acceptable open-mode Authorization, so the parser is reached.
    return weighted(draw, (4, st.just((VALID_AUTH % OWNER).encode())), (1, authorizations))


# LOCALSHIFT_FUZZ_EXAMPLES=15000 for a longer hunt (about two minutes).
@settings(max_examples=int(os.environ.get("LOCALSHIFT_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(
    form=form_bodies(),
    auth=valid_auth_weighted(),
    content_type=content_types,
    transport=st.sampled_from(["post", "post", "post", "get", "truncated", "presigned-get"]),
    extra_length=st.integers(1, 10_000),
)
def fuzz_one_request(server: Server, form, auth, content_type, transport, extra_length) -> None:  # type: ignore[no-untyped-def]
    _, body = form
    headers: list[tuple[str, bytes]] = []
    if auth is not None and transport != "presigned-get":
        headers.append(("Authorization", auth))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    headers.append(("X-Amz-Date", b"20240102T030405Z"))

    if transport in ("get", "presigned-get"):
        # A request target may not carry spaces or control bytes; everything else goes as sent.
        query = re.sub(rb"[\x00-\x20\x7f-\xff#]", lambda m: b"%%%02X" % m.group()[0], body[:6000])
        if transport == "presigned-get":
            query += (
                b"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=111111111111%2F20240102%2Fus-east-1"
                b"%2Fredshift%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-SignedHeaders=host"
                b"&X-Amz-Expires=300&X-Amz-Signature=" + quote(auth.decode("latin-1") if auth else "").encode()
            )
        raw = http_request("GET", b"/?" + query, headers, b"")
        reply = exchange(server, raw)
        assert reply is not None, f"no answer to {raw[:300]!r}"
        event(check_reply(reply, raw))
    elif transport == "truncated":
        # The body is shorter than promised and the client stops sending: the server must neither hang
        # nor answer with anything but a well-formed error (closing without an answer is fine).
        raw = http_request("POST", b"/", headers, body, content_length=len(body) + extra_length)
        reply = exchange(server, raw, half_close=True)
        event(check_reply(reply, raw) if reply is not None else "closed without an answer")
    else:
        raw = http_request("POST", b"/", headers, body)
        reply = exchange(server, raw)
        assert reply is not None, f"no answer to {raw[:300]!r}"
        event(check_reply(reply, raw))


def test_malformed_requests_get_well_formed_errors(server: Server) -> None:
    fuzz_one_request(server)
    # After all that, the shared server is alive and answers a normal request.
    assert server.process is not None and server.process.poll() is None
    assert "Clusters" in server.client(OWNER).describe_clusters()
