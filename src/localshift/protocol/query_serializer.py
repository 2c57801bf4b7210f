"""Plain Python values -> AWS Query protocol XML, driven by the model.

Results are dicts keyed by the model's member names with native values
(``datetime``, ``bool``, ``int``, ``float``, lists, nested dicts).  Members
that are missing or ``None`` are left out, as AWS leaves them out.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

from localshift.protocol.spec import service_model


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Escape text for an element; characters XML cannot carry become U+FFFD."""
    text = escape(value, {"\r": "&#13;"})  # a raw CR would be read back as LF
    return _NOT_XML.sub("\ufffd", text)


def format_timestamp(value: datetime) -> str:
    # Redshift answers in UTC with millisecond precision: 2013-07-17T22:04:18.947Z
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the service keeps UTC; never the host's zone
    value = value.astimezone(timezone.utc)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


def _scalar_text(shape: Shape, value: Any) -> str:
    type_name = shape.type_name
    if type_name == "boolean":
        # botocore maps only the exact text "true" to True.
        return "true" if value else "false"
    if type_name == "timestamp":
        return format_timestamp(value)
    if type_name in ("double", "float"):
        return repr(float(value))
    if type_name in ("integer", "long"):
        return str(int(value))
    return xml_text(str(value))


def _write(parts: list[str], shape: Shape, value: Any, tag: str) -> None:
    type_name = shape.type_name
    if type_name == "structure":
        parts.append(f"<{tag}>")
        _write_members(parts, shape, value)
        parts.append(f"</{tag}>")
    elif type_name == "list":
        member_tag = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            for item in value:
                _write(parts, shape.member, item, tag)
            return
        if not value:
            parts.append(f"<{tag}/>")
            return
        parts.append(f"<{tag}>")
        for item in value:
            _write(parts, shape.member, item, member_tag)
        parts.append(f"</{tag}>")
    elif type_name == "map":
        parts.append(f"<{tag}>")
        for key, item in value.items():
            parts.append("<entry>")
            _write(parts, shape.key, key, shape.key.serialization.get("name", "key"))
            _write(parts, shape.value, item, shape.value.serialization.get("name", "value"))
            parts.append("</entry>")
        parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{_scalar_text(shape, value)}</{tag}>")


def _write_members(parts: list[str], shape: Shape, value: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        _write(parts, member, item, member.serialization.get("name", name))


def serialize_result(operation: OperationModel, result: dict[str, Any], request_id: str) -> bytes:
    service = operation.service_model
    namespace = service.metadata["xmlNamespace"]
    name = operation.name
    parts = [f'<{name}Response xmlns="{namespace}">']
    output = operation.output_shape
    if output is not None:
        wrapper = output.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        _write_members(parts, output, result)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{xml_text(request_id)}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return "".join(parts).encode()


def serialize_error(service: str, code: str, message: str, sender_fault: bool, request_id: str) -> bytes:
    namespace = service_model(service).metadata["xmlNamespace"]
    kind = "Sender" if sender_fault else "Receiver"
    # RequestId is a sibling of Error here, not inside ResponseMetadata.
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{xml_text(code)}</Code><Message>{xml_text(message)}</Message></Error>"
        f"<RequestId>{xml_text(request_id)}</RequestId></ErrorResponse>"
    ).encode()
