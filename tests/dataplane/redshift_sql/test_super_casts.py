"""Casts to SUPER become calls of the catalog's localshift."super" on the cast's operand: the
primary expression PostgreSQL's grammar binds ``::`` to."""

from __future__ import annotations

import pytest

from .helpers import pg

SUPER = 'localshift."super"'


@pytest.mark.parametrize("redshift, postgres", [
    ("select 'abc'::SUPER as s", f"select {SUPER}('abc') as s"),
    ("select 5::super, null::super, true::super", f"select {SUPER}(5), {SUPER}(null), {SUPER}(true)"),
    ("select $$a'b$$::super", f"select {SUPER}($$a'b$$)"),
    ("select $1::super", f"select {SUPER}($1)"),
    # a column, qualified; a subscript; the casts chained before it
    ("select s.t.c::super from s.t", f"select {SUPER}(s.t.c) from s.t"),
    ("select x::varchar(max)::super from t", f"select {SUPER}(x::varchar(65535)) from t"),
    # a call (qualified, or rewritten by the translator), a parenthesized expression, a subquery
    ("select f(a, b)::super, s.g(a)::super from t", f"select {SUPER}(f(a, b)), {SUPER}(s.g(a)) from t"),
    ("select nvl(a, b)::super from t", f"select {SUPER}(coalesce(a, b)) from t"),
    ("select (a || b)::super, (select 1)::super from t", f"select {SUPER}((a || b)), {SUPER}((select 1)) from t"),
    ("select json_parse('[1]')::super", f"select {SUPER}(json_parse('[1]'))"),
    # a keyword before a parenthesis is no call
    ("select * from t where (a)::super = b", f"select * from t where {SUPER}((a)) = b"),
    # CASE ... END, nested
    ("select case when a then case when b then 1 end else 2 end::super from t",
     f"select {SUPER}(case when a then case when b then 1 end else 2 end) from t"),
    # a typed literal
    ("select date '2024-01-01'::super", f"select {SUPER}(date '2024-01-01')"),
    # the cast binds tighter than the operators around it
    ("select a + b::super from t", f"select a + {SUPER}(b) from t"),
    # navigation into SUPER: a SUPER value stays as it is
    ("select c.doc.a::super from t c", f"select {SUPER}((c.doc -> E'a')) from t c"),
])
def test_a_cast_to_super_is_a_call_on_its_operand(redshift, postgres):
    assert pg(redshift) == postgres


def test_other_casts_and_jsonb_stay_casts():
    assert pg("select a::jsonb, b::varchar(max)") == "select a::jsonb, b::varchar(65535)"
    assert pg("select cast(a as jsonb)") == "select cast(a AS jsonb)"


def test_a_super_string_cast_to_varchar_is_its_value(db):
    # Redshift's dynamic typing: a SUPER string cast to VARCHAR is the string, not its JSON.
    assert db.execute("""select json_parse('"abc"')::varchar, cast(json_parse('"a\\\\"b"') as text),
                                json_parse('"xy"')::char(3), json_parse('"abc"')::varchar(2)""").fetchone() \
        == ("abc", 'a"b', "xy ", "ab")
    db.execute("create table docs (s super, v varchar(20))")
    db.execute("""insert into docs (s) values (json_parse('"plain"')), (json_parse('5')), (json_parse('true')),
                  (json_parse('null')), (json_parse('{"a": [1, "x"]}'))""")
    db.execute("update docs set v = s")  # an assignment casts as ::varchar does
    assert db.execute("select s::varchar, v from docs order by 1").fetchall() == [
        ("5", "5"), ("plain", "plain"), ("true", "true"), ('{"a":[1,"x"]}', '{"a":[1,"x"]}'), (None, None)]


def test_json_serialize_still_writes_strings_as_json(db):
    assert db.execute("""select json_serialize(json_parse('"abc"')), json_serialize(json_parse('["a", 1]')),
                                json_size(json_parse('"abc"'))""").fetchone() == ('"abc"', '["a",1]', 5)
