"""Plain Python values -> AWS Query protocol XML, driven by the model.

Results are dicts keyed by the model's member names with native values
(``datetime``, ``bool``, ``int``, ``float``, lists, nested dicts).  Members
that are missing or ``None`` are left out, as AWS leaves them out.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

from localshift.protocol.scalars import iso_timestamp
from localshift.protocol.spec import service_model


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Escape text for an element; characters XML cannot carry become U+FFFD."""
    text = escape(value, {"\r": "&#13;"})  # a raw CR would be read back as LF
    return _NOT_XML.sub("\ufffd", text)


# A writer appends one value's XML, inside the given element name, to ``parts``.
Writer = Callable[[list[str], Any, str], None]

# Text that needs no escaping at all (the common case), checked with one regex.
_PLAIN = re.compile(r"[^&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*")


def _write_text(parts: list[str], value: Any, tag: str) -> None:
    text = str(value)
    if not _PLAIN.fullmatch(text):
        text = xml_text(text)
    parts.append(f"<{tag}>{text}</{tag}>")


def _write_boolean(parts: list[str], value: Any, tag: str) -> None:
    # botocore maps only the exact text "true" to True.
    parts.append(f"<{tag}>true</{tag}>" if value else f"<{tag}>false</{tag}>")


def _write_timestamp(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{iso_timestamp(value)}</{tag}>")


def _write_double(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{float(value)!r}</{tag}>")


def _write_integer(parts: list[str], value: Any, tag: str) -> None:
    parts.append(f"<{tag}>{int(value)}</{tag}>")


_SCALAR_WRITERS: dict[str, Writer] = {
    "boolean": _write_boolean,
    "timestamp": _write_timestamp,
    "double": _write_double,
    "float": _write_double,
    "integer": _write_integer,
    "long": _write_integer,
}

# Writers are compiled once per shape from the model and kept: serializing a
# page is then a walk of plain closures, not of the model's metadata.
_WRITERS: dict[tuple[str, str, str], Writer] = {}


def _writer(service: str, shape: Shape) -> Writer:
    key = (service, shape.type_name, shape.name)
    writer = _WRITERS.get(key)
    if writer is None:
        writer = _compile(service, shape)
        _WRITERS[key] = writer
    return writer


def _compile(service: str, shape: Shape) -> Writer:
    type_name = shape.type_name
    if type_name == "structure":
        return _compile_structure(service, shape)
    if type_name == "list":
        return _compile_list(service, shape)
    if type_name == "map":
        return _compile_map(service, shape)
    return _SCALAR_WRITERS.get(type_name, _write_text)


def _compile_structure(service: str, shape: Shape) -> Writer:
    members: list[tuple[str, str, Shape]] = [
        (name, member.serialization.get("name", name), member) for name, member in shape.members.items()
    ]
    # Member writers are looked up on first use, so recursive shapes compile.
    resolved: list[tuple[str, str, Writer]] = []

    def write_members(parts: list[str], value: dict[str, Any]) -> None:
        if not resolved:
            resolved.extend((name, tag, _writer(service, member)) for name, tag, member in members)
        for name, tag, write in resolved:
            item = value.get(name)
            if item is not None:
                write(parts, item, tag)

    def write(parts: list[str], value: Any, tag: str) -> None:
        parts.append(f"<{tag}>")
        write_members(parts, value)
        parts.append(f"</{tag}>")

    return write


def _compile_list(service: str, shape: Shape) -> Writer:
    member = shape.member
    member_tag = member.serialization.get("name", "member")
    flattened = bool(shape.serialization.get("flattened"))

    def write(parts: list[str], value: Any, tag: str) -> None:
        item_writer = _writer(service, member)
        if flattened:
            for item in value:
                item_writer(parts, item, tag)
        elif not value:
            parts.append(f"<{tag}/>")
        else:
            parts.append(f"<{tag}>")
            for item in value:
                item_writer(parts, item, member_tag)
            parts.append(f"</{tag}>")

    return write


def _compile_map(service: str, shape: Shape) -> Writer:
    key_tag = shape.key.serialization.get("name", "key")
    value_tag = shape.value.serialization.get("name", "value")

    def write(parts: list[str], value: Any, tag: str) -> None:
        write_key, write_value = _writer(service, shape.key), _writer(service, shape.value)
        parts.append(f"<{tag}>")
        for key, item in value.items():
            parts.append("<entry>")
            write_key(parts, key, key_tag)
            write_value(parts, item, value_tag)
            parts.append("</entry>")
        parts.append(f"</{tag}>")

    return write


def serialize_result(operation: OperationModel, result: dict[str, Any], request_id: str) -> bytes:
    service = operation.service_model
    namespace = service.metadata["xmlNamespace"]
    name = operation.name
    parts = [f'<{name}Response xmlns="{namespace}">']
    output = operation.output_shape
    if output is not None:
        wrapper = output.serialization.get("resultWrapper", f"{name}Result")
        _writer(service.service_name, output)(parts, result, wrapper)
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
