"""string_literals.py and catalog/27_super_literals.sql: a string literal put into a SUPER column is
a SUPER string, as Redshift stores it ("Using JSON_PARSE to insert data into SUPER columns"), and
into any other column what the untyped literal was."""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg
import pytest

from .helpers import pg, refused


@pytest.mark.parametrize("sql, expected", [
    ("insert into t (s) values ('abc')", "insert into t (s) values ('abc'::localshift.string_literal)"),
    ("insert into t values ('a', 1, 'b' || 'c'), ('x', 2, null)",
     "insert into t values ('a'::localshift.string_literal, 1, 'b' || 'c'), ('x'::localshift.string_literal, 2, null)"),
    ("update t set s = 'x', n = 5 where k = 'y'",
     "update t set s = 'x'::localshift.string_literal, n = 5 where k = 'y'"),
    ("insert into t select 'a'", "insert into t select 'a'"),
])
def test_the_literals_an_insert_or_update_assigns_are_typed(sql, expected):
    assert pg(sql) == expected


def test_an_unbalanced_parenthesis_is_refused_not_a_crash():
    # The archived SIZE example's INSERT: its VALUES list never closes.  The front used to raise out
    # of the session and drop the connection.
    assert refused("insert into t values ('a'") == ("42601", "syntax error at end of input")
    assert refused("update t set s = ('x' where k = 1")[0] == "42601"


def test_a_string_literal_into_a_super_column_is_a_super_string(db):
    db.execute("create table docs (id int, s super)")
    db.execute("insert into docs (id, s) values (1, 'abc'), (2, '{\"a\":1}'), (3, '5'), (4, json_parse('{\"a\":1}'))")
    rows = db.execute("select id, json_typeof(s), json_serialize(s) from docs order by id").fetchall()
    assert rows == [(1, "string", '"abc"'), (2, "string", '"{\\"a\\":1}"'), (3, "string", '"5"'),
                    (4, "object", '{"a":1}')]
    db.execute("update docs set s = 'upd' where id = 4")
    assert db.execute("select json_serialize(s) from docs where id = 4").fetchone() == ('"upd"',)


def test_other_columns_read_the_literal_as_before(db):
    db.execute("create table mixed (i int, n decimal(10, 2), d date, ts timestamp, v varchar(5), c char(3), "
               "b boolean, f float8)")
    db.execute("insert into mixed values ('5', '1.005', '2024-02-29', '2024-01-01 10:00:00', 'ab  ', 'x', 'true', '1e3')")
    assert db.execute("select * from mixed").fetchone() == (
        5, Decimal("1.01"), datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 1, 10), "ab  ", "x  ", True, 1000.0)
    with pytest.raises(psycopg.errors.InvalidTextRepresentation, match='invalid input syntax for type integer: "x"'):
        db.execute("insert into mixed (i) values ('x')")
    with pytest.raises(psycopg.errors.StringDataRightTruncation, match=r"value too long for type character varying\(5\)"):
        db.execute("insert into mixed (v) values ('abcdefg')")
    db.execute("update mixed set d = '2024-03-01', v = 'z'")
    assert db.execute("select d, v from mixed").fetchone() == (datetime.date(2024, 3, 1), "z")
