"""SUPER values printed compact in result rows, in messages framed in-process; what clients
read through a real endpoint is in test_integration_queries.py."""

from __future__ import annotations

import struct

from localshift.dataplane.redshift_sql.super_text import ResultShape, compact, compact_row, result_columns

from .test_row_descriptions import field, row_description
from .session_wire import (READY, SYNC, bind, complete, error, execute, feed_bytewise, msg, new_session, parse,
                           query)


def data_row(*values: bytes | None) -> bytes:
    body = struct.pack("!H", len(values)) + b"".join(
        struct.pack("!i", -1) if value is None else struct.pack("!I", len(value)) + value for value in values)
    return msg(b"D", body)


def values(stream: bytes) -> list[list[bytes | None]]:
    """The values of the DataRows in ``stream``."""
    rows, at = [], 0
    while at < len(stream):
        length = struct.unpack_from("!I", stream, at + 1)[0]
        if stream[at:at + 1] == b"D":
            row, value_at = [], at + 7
            for _ in range(struct.unpack_from("!H", stream, at + 5)[0]):
                size = struct.unpack_from("!i", stream, value_at)[0]
                row.append(None if size < 0 else stream[value_at + 4:value_at + 4 + size])
                value_at += 4 + max(size, 0)
            assert value_at == at + 1 + length
            rows.append(row)
        at += 1 + length
    return rows


SUPER_RESULT = row_description(field(b"id", 0, 23), field(b"doc", 16384, 3802), field(b"note", 0, 1043))
DESCRIBE_PORTAL = msg(b"D", b"P\0")


def describe_statement(name: bytes) -> bytes:
    return msg(b"D", b"S" + name + b"\0")


def test_blanks_between_elements_go_and_strings_keep_theirs():
    assert compact(b'{"a": 1, "b": [1, 2, {"c": null}]}') == b'{"a":1,"b":[1,2,{"c":null}]}'
    assert compact(b'{"k": "a, b: \\"c\\", d\\\\", "l": ": "}') == b'{"k":"a, b: \\"c\\", d\\\\","l":": "}'
    assert compact(b'"x, y: z"') == b'"x, y: z"'
    assert compact(b"1.50") == b"1.50"
    assert compact(b'\x01{"a": [1, 2]}') == b'\x01{"a":[1,2]}'  # jsonb's binary format


def test_the_super_columns_of_a_row_description():
    assert result_columns(SUPER_RESULT, 0, len(SUPER_RESULT)) == ((1,), frozenset())
    plain = row_description(field(b"n", 0, 23, 3802), field(b"v", 0, 1043, 17))  # the oids' bytes in modifiers
    assert result_columns(plain, 0, len(plain)) == ((), frozenset())


def test_a_row_is_rebuilt_only_when_a_super_value_changes():
    row = data_row(b"1", b'{"a": 1}', b"a, b")
    assert values(compact_row(b"xx" + row, 2, len(row), ResultShape((1,)))) == [[b"1", b'{"a":1}', b"a, b"]]
    for unchanged in (data_row(b"1", b"[]", b"a, b"), data_row(b"1", None, b"a, b"), data_row(b"1", b'"x"', None)):
        assert compact_row(unchanged, 0, len(unchanged), ResultShape((1,))) is None
    two = data_row(b'[1, 2]', None, b'{"b": true}')
    assert values(compact_row(two, 0, len(two), ResultShape((0, 2)))) == [[b"[1,2]", None, b'{"b":true}']]


def test_a_querys_rows_are_compact_and_other_columns_untouched_even_in_pieces():
    session = new_session()
    session.from_client(query("select id, doc, note from t"))
    engine = SUPER_RESULT + data_row(b"1", b'{"a": 1, "b": [1, 2]}', b"x, y: z") + data_row(b"2", None, None)
    received = feed_bytewise(session.from_engine, engine + complete("SELECT 2") + READY)
    assert values(received) == [[b"1", b'{"a":1,"b":[1,2]}', b"x, y: z"], [b"2", None, None]]


def test_rows_of_results_without_super_columns_are_not_read_once_none_is_coming():
    session = new_session()
    session.from_client(query("select doc from t"))
    session.from_engine(row_description(field(b"doc", 0, 3802)) + data_row(b"[1, 2]") + complete("SELECT 1"))
    session.from_engine(READY)
    session.from_client(query("select note from t"))
    engine = row_description(field(b"note", 0, 1043)) + data_row(b"a, b") + complete("SELECT 1") + READY
    assert session.from_engine(engine) is engine  # forwarded as it came: not one message rewritten


def test_a_prepared_statement_keeps_its_shape_for_executes_without_a_describe():
    session = new_session()
    session.from_client(parse("select id, doc, note from t", b"s1") + describe_statement(b"s1") + SYNC)
    session.from_engine(msg(b"1", b"") + msg(b"t", b"\0\0") + SUPER_RESULT + READY)
    session.from_client(parse("select 'a, b'", b"s2") + describe_statement(b"s2") + SYNC)
    session.from_engine(msg(b"1", b"") + msg(b"t", b"\0\0") + row_description(field(b"x", 0, 1043)) + READY)
    for statement, row, expected in ((b"s1", data_row(b"1", b"[1, 2]", b"a, b"), [b"1", b"[1,2]", b"a, b"]),
                                     (b"s2", data_row(b"a, b"), [b"a, b"]),
                                     (b"s1", data_row(b"2", b'{"k": 1}', None), [b"2", b'{"k":1}', None])):
        session.from_client(bind(b"", statement) + execute() + SYNC)
        received = session.from_engine(msg(b"2", b"") + row + complete("SELECT 1") + READY)
        assert values(received) == [expected]


def test_a_pipelined_batch_is_described_before_its_rows_arrive():
    session = new_session()
    session.from_client(parse("select id, doc, note from t") + bind() + DESCRIBE_PORTAL + execute() + SYNC
                        + parse("select 1") + bind() + DESCRIBE_PORTAL + execute() + SYNC)
    received = session.from_engine(
        msg(b"1", b"") + msg(b"2", b"") + SUPER_RESULT + data_row(b"1", b'{"a": [1, 2]}', b"p: q")
        + complete("SELECT 1") + READY
        + msg(b"1", b"") + msg(b"2", b"") + msg(b"n", b"") + complete("SELECT 0") + READY)
    assert values(received) == [[b"1", b'{"a":[1,2]}', b"p: q"]]


def test_a_failed_describe_leaves_the_batch_to_fail_as_before():
    recorder_session = new_session()
    recorder_session.from_client(bind(b"", b"missing") + DESCRIBE_PORTAL + execute() + SYNC + query("select doc from t"))
    received = recorder_session.from_engine(error("34000", 'portal "" does not exist') + READY
                                            + row_description(field(b"doc", 0, 3802)) + data_row(b"[1, 2]")
                                            + complete("SELECT 1") + READY)
    assert values(received) == [[b"[1,2]"]]


VARBYTE_RESULT = row_description(field(b"v", 0, 17), field(b"doc", 0, 3802))


def test_varbyte_values_come_as_hex_digits_without_the_prefix():
    assert result_columns(VARBYTE_RESULT, 0, len(VARBYTE_RESULT)) == ((0, 1), frozenset({0}))
    binary_cursor = row_description(field(b"v", 0, 17)).replace(b"\xff\xff\xff\xff\0\0", b"\xff\xff\xff\xff\0\1")
    assert result_columns(binary_cursor, 0, len(binary_cursor)) == ((), frozenset())  # its values are bytes
    session = new_session()
    session.from_client(query("select v, doc from t"))
    engine = VARBYTE_RESULT + data_row(b"\\x616263", b'[1, 2]') + data_row(None, None) + data_row(b"\\x", None)
    received = feed_bytewise(session.from_engine, engine + complete("SELECT 3") + READY)
    assert values(received) == [[b"616263", b"[1,2]"], [None, None], [b"", None]]


def test_varbyte_values_a_bind_asks_in_binary_format_stay_bytes():
    session = new_session()
    session.from_client(parse("select v from t where id = $1", b"s1") + describe_statement(b"s1") + SYNC)
    session.from_engine(msg(b"1", b"") + msg(b"t", b"\0\1\0\0\0\x17")
                        + row_description(field(b"v", 16384, 17)) + READY)
    def bind_with(*codes: int) -> bytes:  # one parameter ("7", in text), these result format codes
        return msg(b"B", b"\0s1\0" + struct.pack("!HHI", 0, 1, 1) + b"7"
                   + struct.pack(f"!H{len(codes)}H", len(codes), *codes))

    # every column in binary, this one in binary (redshift_connector asks per column), text
    for bind_message, expected in ((bind_with(1), b"\\x41"), (bind_with(1, 0), b"\\x41"), (bind_with(0, 1), b"41"),
                                   (bind_with(0), b"41"), (bind(b"", b"s1"), b"41")):
        session.from_client(bind_message + execute() + SYNC)
        received = session.from_engine(msg(b"2", b"") + data_row(b"\\x41") + complete("SELECT 1") + READY)
        assert values(received) == [[expected]]
