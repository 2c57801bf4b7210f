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
    ("insert into t select 'a', 'b' as x, 'c' y, 'd' || 'e' from u where k = 'z'",
     "insert into t select 'a'::localshift.string_literal, 'b'::localshift.string_literal as x, "
     "'c'::localshift.string_literal y, 'd' || 'e' from u where k = 'z'"),
    # A SELECT that compares its rows keeps its literals untyped (the type has no operators).
    ("insert into t select distinct 'a' from u", "insert into t select distinct 'a' from u"),
    ("insert into t select 'a' union all select 'b'", "insert into t select 'a' union all select 'b'"),
    ("insert into t select 'a', k from u group by 2", "insert into t select 'a', k from u group by 2"),
    ("merge into t using s on t.id = s.id when matched then update set d = 'x', n = 1 "
     "when not matched then insert (id, d) values (s.id, 'y')",
     "merge into t using s on t.id = s.id when matched then update set d = 'x'::localshift.string_literal, n = 1 "
     "when not matched then insert (id, d) values (s.id, 'y'::localshift.string_literal)"),
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


def test_an_insert_select_puts_a_super_string(db):
    db.execute("create table src (id int, k varchar(5))")
    db.execute("insert into src values (1, 'a'), (2, 'b')")
    db.execute("create table docs (id int, s super, v varchar(10))")
    db.execute("insert into docs (id, s, v) select id, 'abc', '5' from src where k = 'a'")
    db.execute("insert into docs select id, '{\"a\":1}' as s, 'x' v from src where k = 'b'")
    rows = db.execute("select id, json_typeof(s), json_serialize(s), v from docs order by id").fetchall()
    assert rows == [(1, "string", '"abc"', "5"), (2, "string", '"{\\"a\\":1}"', "x")]
    # A SELECT that compares its rows resolves its literal as TEXT, which goes into SUPER as a string.
    db.execute("insert into docs (id, s) select distinct 3, '[1, 2]' from src union all select 4, 'u'")
    assert db.execute("select json_serialize(s) from docs where id >= 3 order by id").fetchall() == [
        ('"[1, 2]"',), ('"u"',)]


def test_a_merge_puts_super_strings(db):
    db.execute("create table target (id int, s super, n int)")
    db.execute("insert into target (id, s, n) values (1, json_parse('{\"a\":1}'), 0)")
    db.execute("create table source (id int)")
    db.execute("insert into source values (1), (2)")
    db.execute("merge into target using source on target.id = source.id "
               "when matched then update set s = 'matched', n = 1 "
               "when not matched then insert (id, s, n) values (source.id, 'new', 2)")
    rows = db.execute("select id, json_typeof(s), json_serialize(s), n from target order by id").fetchall()
    assert rows == [(1, "string", '"matched"', 1), (2, "string", '"new"', 2)]
