"""Plain Python values -> AWS JSON protocol response bodies, driven by the model.

Results are dicts keyed by the model's member names with native values
(``datetime``, ``bool``, ``int``, ``float``, lists, nested dicts).  Members that
are missing or ``None`` are left out, and so are keys the model does not name.
Timestamps are epoch seconds, as numbers (the JSON protocol's default timestamp format), except
where the model gives a member or shape another ``timestampFormat``: Redshift Serverless marks most
of its dates ``iso8601``, and clients that decode strictly (the Go SDK, so Terraform's AWS provider)
refuse a number there.

Each operation's output shape is turned once into a tree of encoder functions, one per
shape, so a large result (a Data API page holds some 20,000 records of a few fields each)
costs one call per value and no look-up of the model per value.  A structure's encoder
walks the keys its value holds, not every member the model lists: a Field has six members
and holds one.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any, Callable, TypeVar

from botocore.model import OperationModel, Shape

from localshift.protocol.scalars import epoch_seconds, iso_timestamp

Encoder = Callable[[Any], Any]
T = TypeVar("T")


def serialize_result(operation: OperationModel, result: dict[str, Any]) -> bytes:
    document = _output_encoder(operation)(result)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@lru_cache(maxsize=None)
def _output_encoder(operation: OperationModel) -> Encoder:
    shape = operation.output_shape
    return _encoder(shape) if shape is not None else (lambda result: {})


def _blob(value: bytes) -> str:
    return base64.b64encode(value).decode()


# timestampFormat trait -> encoder (no trait: the protocol's default, epoch seconds).
_TIMESTAMP_FORMATS: dict[str, Encoder] = {"unixTimestamp": epoch_seconds, "iso8601": iso_timestamp}

_SCALARS: dict[str, Encoder] = {
    "integer": int, "long": int, "double": float, "float": float,
    "boolean": bool, "blob": _blob,
}


def _encoder(shape: Shape) -> Encoder:
    """The encoder of ``shape``.  A container's makes its items' encoder at its first value:
    models can nest a shape in itself."""
    type_name = shape.type_name
    if type_name == "structure":
        return _structure_encoder(shape)
    if type_name == "list":
        return _list_encoder(shape)
    if type_name == "map":
        return _map_encoder(shape)
    if type_name == "timestamp":
        return _TIMESTAMP_FORMATS[shape.serialization.get("timestampFormat", "unixTimestamp")]
    return _SCALARS.get(type_name, str)


def _lazy(make: Callable[[], T]) -> Callable[[], T]:
    """What ``make`` makes, made at its first use and kept: a container's encoder makes its items'
    only then, since models can nest a shape in itself."""
    made: list[T] = []

    def get() -> T:
        if not made:
            made.append(make())
        return made[0]

    return get


def _list_encoder(shape: Shape) -> Encoder:
    item_encoder = _lazy(lambda: _encoder(shape.member))
    return lambda value: list(map(item_encoder(), value))


def _map_encoder(shape: Shape) -> Encoder:
    item_encoder = _lazy(lambda: _encoder(shape.value))

    def encode(value: dict[Any, Any]) -> dict[str, Any]:
        encode_item = item_encoder()
        return {str(key): encode_item(item) for key, item in value.items()}

    return encode


def _structure_encoder(shape: Shape) -> Encoder:
    # member name: (name on the wire, encoder)
    wire_members = _lazy(lambda: {name: (member.serialization.get("name", name), _encoder(member))
                                  for name, member in shape.members.items()})

    def encode(value: dict[str, Any]) -> dict[str, Any]:
        members = wire_members()
        out = {}
        for name, item in value.items():  # a loop, not a comprehension: cheaper per call on Python 3.11
            if item is not None and name in members:
                wire_name, item_encoder = members[name]
                out[wire_name] = item_encoder(item)
        return out

    return encode
