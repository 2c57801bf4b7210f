"""RowDescription messages from the engine, as Redshift describes its result columns.

Redshift has no TEXT type (``TEXT`` is ``VARCHAR(256)``): its string functions, string
casts and literals give VARCHAR columns, where the engine's give TEXT.  Clients read a
column's type from RowDescription (redshift_connector's ``description`` type codes, which
dbt-redshift turns into type names for model contracts; JDBC's column type names), so a
computed column of type ``text`` (oid 25) is described as ``varchar`` (oid 1043): both
send the same bytes, in text and in binary format.  Columns read from a table or view
(a nonzero table oid: the catalog's own TEXT columns, such as ``pg_proc.prosrc``) keep
their type, as Redshift's catalog tables do.

A VARBYTE column (``bytea`` in the engine, oid 17) is described as Redshift describes it,
``varbyte`` (oid 6551), table columns too: its values come as Redshift prints them, hex digits
without ``bytea``'s ``\\x`` (super_text.py), which clients that know Redshift's oids decode
(redshift_connector, Redshift's JDBC driver) and others show as text, as they do on Redshift.
"""

from __future__ import annotations

_TEXT = (25).to_bytes(4, "big")
_VARCHAR = (1043).to_bytes(4, "big")
_BYTEA = (17).to_bytes(4, "big")
VARBYTE_OID = 6551  # Redshift's (redshift_connector's RedshiftOID.VARBYTE)
_VARBYTE = VARBYTE_OID.to_bytes(4, "big")
_NO_TABLE = bytes(4)
# After a field's name: table oid (4), column number (2), type oid (4), type length (2),
# type modifier (4), format code (2).
_TYPE_AT, _FIELD_REST = 6, 18


def redshift_columns(data: bytes, pos: int, length: int) -> bytes | None:
    """The RowDescription at ``data[pos:pos + length]`` with its computed TEXT columns
    described as VARCHAR and its BYTEA columns as VARBYTE; None when it has none (forwarded
    as it is)."""
    end = pos + length
    if data.find(_TEXT, pos + 7, end) < 0 and data.find(_BYTEA, pos + 7, end) < 0:  # the common case
        return None
    message: bytearray | None = None
    field = pos + 7
    for _ in range(int.from_bytes(data[pos + 5:pos + 7], "big")):
        rest = data.index(0, field) + 1
        type_at = rest + _TYPE_AT
        type_oid = data[type_at:type_at + 4]
        redshift = (_VARCHAR if type_oid == _TEXT and data[rest:rest + 4] == _NO_TABLE
                    else _VARBYTE if type_oid == _BYTEA else None)
        if redshift is not None:
            if message is None:
                message = bytearray(data[pos:end])
            message[type_at - pos:type_at - pos + 4] = redshift
        field = rest + _FIELD_REST
    return None if message is None else bytes(message)
