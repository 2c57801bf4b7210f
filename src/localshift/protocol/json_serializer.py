"""Plain Python values -> AWS JSON protocol response bodies, driven by the model.

Results are dicts keyed by the model's member names with native values
(``datetime``, ``bool``, ``int``, ``float``, lists, nested dicts).  Members that
are missing or ``None`` are left out.  Timestamps are epoch seconds, as numbers
(the JSON protocol's default timestamp format).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.model import OperationModel, Shape

from localshift.protocol.scalars import epoch_seconds


def serialize_result(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    document = _value(shape, result) if shape is not None else {}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _value(shape: Shape, value: Any) -> Any:
    type_name = shape.type_name
    if type_name == "structure":
        return {
            member.serialization.get("name", name): _value(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if type_name == "list":
        return [_value(shape.member, item) for item in value]
    if type_name == "map":
        return {str(key): _value(shape.value, item) for key, item in value.items()}
    if type_name == "timestamp":
        return epoch_seconds(value)
    if type_name in ("integer", "long"):
        return int(value)
    if type_name in ("double", "float"):
        return float(value)
    if type_name == "boolean":
        return bool(value)
    if type_name == "blob":
        return base64.b64encode(value).decode()
    return str(value)
