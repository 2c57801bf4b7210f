"""SUPER's constructors (super_functions.py): ARRAY(...), OBJECT(...), OBJECT_TRANSFORM; the
translation, and results on a real engine."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


@pytest.mark.parametrize("redshift, postgres", [
    ("select array(1, 'a', null)", "select localshift.\"array\"(jsonb_build_array(localshift.super_element(1, 'ARRAY'), "
     "localshift.super_element('a', 'ARRAY'), localshift.super_element(null, 'ARRAY')))"),
    ("select array()", "select localshift.\"array\"(jsonb_build_array())"),
    ("select array(select x from t)", "select array(select x from t)"),  # PostgreSQL's ARRAY(subquery)
    ("select array[1, 2]", "select array[1, 2]"),
    ("select object('a', 1, 'b', array(2))",
     "select localshift.\"object\"(jsonb_build_object('a', localshift.super_element(1, 'OBJECT'), 'b', "
     "localshift.super_element(localshift.\"array\"(jsonb_build_array(localshift.super_element(2, 'ARRAY'))), 'OBJECT')))"),
    ("select object_transform(c keep '\"a\"' set '\"b\"', 1) from t",
     "select localshift.object_transform(c, ARRAY['\"a\"']::text[], ARRAY['\"b\"']::text[], "
     "jsonb_build_array(1)) from t"),
    ("select object_transform(c set '\"b\"', 1, '\"c\"', 'x') from t",
     "select localshift.object_transform(c, NULL::text[], ARRAY['\"b\"', '\"c\"']::text[], "
     "jsonb_build_array(1, 'x')) from t"),
])
def test_rewrites(redshift, postgres):
    assert pg(redshift) == postgres


def test_relations_named_as_the_functions_are_not_calls():
    assert pg("insert into object (a, b) select object('k', 1), convert(int, '2')") == (
        "insert into object (a, b) select localshift.\"object\"(jsonb_build_object('k', "
        "localshift.super_element(1, 'OBJECT'))), CAST('2' AS int)")
    assert pg("create table if not exists convert (x int)") == "create table IF NOT EXISTS convert (x int)"


def test_malformed_calls_are_refused():
    assert refused("select object('a')")[0] == "42883"
    assert refused("select object_transform(c set '\"a\"') from t")[0] == "42601"
    assert refused("select object_transform(c set '\"a\"', 1 keep '\"b\"') from t")[0] == "42601"
    assert refused("select object_transform(c keep) from t")[0] == "42601"


def test_results(db):
    db.execute("create table docs (id int, d super)")
    db.execute("""insert into docs values (1, json_parse('{"a": {"b": 1, "c": 2}, "d": [1, 2]}'))""")
    row = db.execute("""select array(id, 'x', null, d.a.b), object('k', d.d, 'n', null),
                               object_transform(d keep '"a"."c"', '"z"' set '"a"."b"', d.a.b + 1, '"e"."f"', true),
                               object_transform(d)
                        from docs""").fetchone()
    assert row == ([1, "x", None, 1], {"k": [1, 2], "n": None},
                   {"a": {"b": 2, "c": 2}, "e": {"f": True}}, {"a": {"b": 1, "c": 2}, "d": [1, 2]})
    with pytest.raises(Exception) as raised:
        db.execute("""select object_transform(d keep 'a.b') from docs""")
    assert raised.value.sqlstate == "22023"


def test_a_value_given_where_super_is_expected_is_the_super_value_it_makes(db):
    """A string literal (or a VARCHAR) is a SUPER string scalar, not JSON text to parse; a number
    a SUPER number (catalog/27_super.sql, 25_operators.sql)."""
    row = db.execute("""select is_varchar('abc'), is_char('a'), is_char('é'), is_integer('1'), is_scalar('x'),
                               is_array('[1]'), is_varchar(null), is_integer(5), is_bigint(5000000000),
                               is_decimal(1.5), is_boolean(true)""").fetchone()
    assert row == (True, True, False, False, True, False, False, True, True, True, True)
    assert db.execute("select json_typeof('abc'), json_size('abc'), json_serialize('abc'), "
                      "get_array_length('[1]'), json_typeof(1)").fetchone() == ("string", 5, '"abc"', None, "number")
    db.execute("create table docs (d super, v varchar(10), c char(3))")
    db.execute("""insert into docs values (json_parse('{"a": "q", "n": 1}'), 'v', 'c')""")
    row = db.execute("""select d.a + 'x', 'x' + d.a + 'y', d.n + 1, d.a + d.a, d + 'z', is_varchar(v),
                               is_char(c), json_typeof(v), array_contains(array(d.a, 'x'), 'x')
                        from docs""").fetchone()
    assert row == ("qx", "xqy", 2, "qq", None, True, True, "string", True)
