"""Redshift's type names where a type is named (types.py): DECIMAL / NUMERIC without a
precision is Redshift's DECIMAL(18, 0), in a column, a cast, CONVERT, CREATE TABLE AS, a typed
literal; a precision past 38 or a scale out of 0 to the precision is refused.  A VARCHAR column
without a length is VARCHAR(256), a BPCHAR column CHAR(256); a cast to BPCHAR keeps the whole string."""

from __future__ import annotations

from decimal import Decimal

from localshift.dataplane.redshift_sql.fastpath import needs_translation

import psycopg
import pytest

from .helpers import pg, refused


def test_a_decimal_without_precision_is_decimal_18_0_wherever_a_type_is_named():
    assert pg("select a::numeric, cast(b as decimal), convert(numeric, c), d::decimal[]") == \
        "select a::numeric(18, 0), cast(b AS decimal(18, 0)), CAST(c AS numeric(18, 0)), d::decimal(18, 0)[]"
    assert pg("create table t (a numeric, b decimal(10,2), c decimal(5))") == \
        "create table t (a numeric(18, 0), b decimal(10, 2), c decimal(5))"
    assert pg("alter table t add column d decimal") == "alter table t ADD COLUMN d decimal(18, 0)"


def test_bpchar_is_char_256_in_a_column_and_of_any_length_elsewhere():
    assert pg("create table t (a bpchar, b bpchar(3), c char, d char(10) default 'active'::bpchar)") == \
        "create table t (a char(256), b char(3), c char, d char(10) default 'active'::bpchar)"
    assert pg("select 'xx'::bpchar = 'xx', cast(a as bpchar), b::char") == \
        "select 'xx'::bpchar = 'xx', cast(a AS bpchar), b::char"


def test_a_varchar_column_without_a_length_is_varchar_256():
    assert pg("create table t (a varchar, b nvarchar, c text, d character varying, e varchar(9))") == \
        "create table t (a varchar(256), b varchar(256), c varchar(256), d varchar(256), e varchar(9))"
    assert pg("alter table t add column f varchar") == "alter table t ADD COLUMN f varchar(256)"
    assert pg("select a::varchar, b::text from t") == "select a::varchar, b::text from t"


def test_bpchar_and_varchar_on_the_endpoint(db):
    # A CHAR column's default as Redshift's catalog writes it, run again: the whole string.
    db.execute("create table bp (id int, a bpchar, d char(10) default 'active'::bpchar, v varchar)")
    db.execute("insert into bp (id) values (1)")
    assert db.execute("select d, d = 'active', 'xx'::bpchar = 'xx' from bp").fetchone() == ("active    ", True, True)
    assert db.execute("select attname, format_type(atttypid, atttypmod) from pg_attribute"
                      " where attrelid = 'bp'::regclass and attname in ('a', 'v') order by 1").fetchall() == [
        ("a", "character(256)"), ("v", "character varying(256)")]


def test_a_typed_decimal_literal_is_a_cast_of_its_string():
    assert pg("select numeric '3.7', DECIMAL  '2.5' as d, numeric(5,2) '1.005'") == \
        "select numeric(18, 0) '3.7', decimal(18, 0)  '2.5' as d, numeric(5,2) '1.005'"
    assert pg("select numeric, numeric.x from numeric") == "select numeric, numeric.x from numeric"


@pytest.mark.parametrize("sql, message", [
    ("select 1::decimal(39, 2)", "NUMERIC precision 39 must be between 1 and 38"),
    ("select cast(1 as numeric(0))", "NUMERIC precision 0 must be between 1 and 38"),
    ("create table t (a numeric(5, 7))", "NUMERIC scale 7 must be between 0 and precision 5"),
    ("alter table t add column b decimal(10, -2)", "NUMERIC scale -2 must be between 0 and precision 10"),
])
def test_a_precision_past_38_or_a_scale_out_of_its_range_is_refused(sql, message):
    assert refused(sql) == ("22023", message)


def test_the_fast_path_sends_a_bare_decimal_to_the_translator():
    assert needs_translation("select '3.7'::numeric")
    assert needs_translation("select cast(x as DECIMAL) from t")
    assert not needs_translation("select numeric_precision from information_schema.columns")


def test_values_round_to_decimal_18_0_as_on_redshift(db):
    assert db.execute("select '3.7'::numeric, cast(2.5 as decimal), convert(numeric, '-1.5'),"
                      " '3.75'::numeric(5, 1), '3.7'::decimal(5)").fetchone() == \
        (Decimal(4), Decimal(3), Decimal(-2), Decimal("3.8"), Decimal(4))
    db.execute("create table it.prices (p numeric, q decimal(10, 2))")
    db.execute("insert into it.prices values (12.6, 12.6)")
    db.execute("create table it.copied as select p, '3.7'::numeric as r from it.prices")
    types = ("select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = '{}'::regclass"
             " and attnum > 0 order by attnum")
    assert db.execute(types.format("it.prices")).fetchall() == [("p", "numeric(18,0)"), ("q", "numeric(10,2)")]
    assert db.execute(types.format("it.copied")).fetchall() == [("p", "numeric(18,0)"), ("r", "numeric(18,0)")]
    assert db.execute("select prices.p, q, r from it.prices, it.copied").fetchone() == \
        (Decimal(13), Decimal("12.60"), Decimal(4))


def test_typed_literals_and_decimal_limits_on_the_endpoint(db):
    cursor = db.execute("select numeric '3.7', decimal '-2.5', numeric(5,2) '1.005', 0.5::numeric(38, 38) * 2")
    assert cursor.fetchone() == (Decimal(4), Decimal(-3), Decimal("1.01"), Decimal(1))
    assert [(c.name, c.type_code, c.precision, c.scale) for c in cursor.description] == [
        ("numeric", 1700, 18, 0), ("numeric", 1700, 18, 0), ("numeric", 1700, 5, 2), ("?column?", 1700, None, None)]
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="NUMERIC precision 40 must be between 1 and 38"):
        db.execute("create table it.wide (a decimal(40, 2))")
