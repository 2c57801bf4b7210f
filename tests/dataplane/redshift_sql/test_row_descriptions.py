"""RowDescription: computed TEXT columns described as Redshift's VARCHAR; the result types
clients see through a real endpoint are in test_integration_queries.py."""

from __future__ import annotations

import struct

from localshift.dataplane.redshift_sql.row_descriptions import redshift_columns
from localshift.dataplane.redshift_sql.session import SqlSession


def field(name: bytes, table: int, type_oid: int, typmod: int = -1) -> bytes:
    return name + b"\0" + struct.pack("!IhIhih", table, 0 if table == 0 else 3, type_oid, -1, typmod, 0)


def row_description(*fields: bytes) -> bytes:
    body = struct.pack("!H", len(fields)) + b"".join(fields)
    return b"T" + struct.pack("!I", len(body) + 4) + body


def types(message: bytes) -> list[tuple[int, int]]:
    """(table oid, type oid) of each field."""
    out, at = [], 7
    for _ in range(struct.unpack_from("!H", message, 5)[0]):
        at = message.index(b"\0", at) + 1
        table, _, type_oid = struct.unpack_from("!IhI", message, at)
        out.append((table, type_oid))
        at += 18
    return out


def test_computed_text_columns_become_varchar_and_table_columns_keep_their_type():
    message = row_description(field(b"lower", 0, 25), field(b"prosrc", 1255, 25), field(b"n", 0, 23),
                              field(b"v", 16384, 1043, 14), field(b"concat", 0, 25))
    rewritten = redshift_columns(b"xx" + message + b"yy", 2, len(message))
    assert rewritten == row_description(field(b"lower", 0, 1043), field(b"prosrc", 1255, 25), field(b"n", 0, 23),
                                        field(b"v", 16384, 1043, 14), field(b"concat", 0, 1043))
    assert types(rewritten) == [(0, 1043), (1255, 25), (0, 23), (16384, 1043), (0, 1043)]


def test_descriptions_without_computed_text_columns_are_forwarded_as_they_are():
    for message in (row_description(field(b"n", 0, 23)), row_description(field(b"prosrc", 1255, 25)),
                    row_description(),
                    # the bytes of oid 25 in a type modifier: parsed, nothing changed
                    row_description(field(b"n", 0, 23, 25))):
        assert redshift_columns(message, 0, len(message)) is None


def test_the_session_rewrites_row_descriptions_that_arrive_in_pieces():
    session = SqlSession("awsuser", "dev", None, "/sock/.s.PGSQL.5432")
    message = row_description(field(b"upper", 0, 25), field(b"id", 0, 23))
    received = b"".join(session.from_engine(message[i:i + 1]) for i in range(len(message)))
    assert types(received) == [(0, 1043), (0, 23)]


def test_bytea_columns_are_described_as_varbyte_table_columns_too():
    message = row_description(field(b"raw", 16384, 17), field(b"from_hex", 0, 17), field(b"n", 0, 23, 17))
    assert types(redshift_columns(message, 0, len(message))) == [(16384, 6551), (0, 6551), (0, 23)]
