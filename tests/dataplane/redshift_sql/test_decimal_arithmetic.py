"""decimal_arithmetic.py and catalog/29_math.sql's decimal_divide: +, -, * and / of two DECIMALs that
declare their types have Redshift's result precision and scale ("Computations with numeric values"),
in the type modifier clients read, in a table CREATE TABLE AS makes, and in a division's digits."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from .helpers import pg


@pytest.mark.parametrize("sql, expected", [
    ("select a::decimal(8,2) / b::decimal(8,2) from t",
     'select CAST(localshift.decimal_divide(a::decimal(8, 2), b::decimal(8, 2), 9) AS numeric(17, 9)) '
     'AS "?column?" from t'),
    ("select cast(a as decimal(8,2)) * b::numeric(5,1) as p from t",
     "select CAST(cast(a AS decimal(8, 2)) * b::numeric(5, 1) AS numeric(14, 3)) as p from t"),
    # As the operators bind: the product first, then the sum.
    ("select a::decimal(8,2) + b::decimal(10,4) * c::decimal(3,0) as r from t",
     "select CAST(a::decimal(8, 2) + CAST(b::decimal(10, 4) * c::decimal(3, 0) AS numeric(14, 4)) "
     "AS numeric(15, 4)) as r from t"),
    ("select (a::decimal(8,2) * b::decimal(8,2)) / c::decimal(4,1) as r from t",
     "select CAST(localshift.decimal_divide((CAST(a::decimal(8, 2) * b::decimal(8, 2) AS numeric(17, 4))), "
     "c::decimal(4, 1), 8) AS numeric(22, 8)) as r from t"),
    ("select sum(a::decimal(8,2) * b::decimal(8,2)) from t",
     "select CAST(localshift.sum(CAST(a::decimal(8, 2) * b::decimal(8, 2) AS numeric(17, 4))) "
     "AS numeric(38, 4)) from t"),
    # Left to PostgreSQL: an operand without a declared type, an operator binding tighter on either
    # side, a result past 38 digits, a CASE's cast.
    ("select a / b::decimal(8,2) from t", "select a / b::decimal(8, 2) from t"),
    ("select x * a::decimal(8,2) / b::decimal(8,2) from t", "select x * a::decimal(8, 2) / b::decimal(8, 2) from t"),
    ("select -a::decimal(8,2) + b::decimal(8,2) from t", "select -a::decimal(8, 2) + b::decimal(8, 2) from t"),
    ("select a::decimal(30,2) * b::decimal(30,2) from t", "select a::decimal(30, 2) * b::decimal(30, 2) from t"),
    ("select case when c then 1 end::decimal(8,2) * b::decimal(8,2) from t",
     "select case when c then 1 end::decimal(8, 2) * b::decimal(8, 2) from t"),
])
def test_operations_of_declared_decimals_get_redshift_s_type(sql, expected):
    assert pg(sql) == expected


def test_clients_read_redshift_s_precision_and_scale(db):
    db.execute("create table prices (paid decimal(8, 2), commission decimal(8, 2), qty decimal(5, 1))")
    db.execute("insert into prices values (2.00, 3.00, 1.5), (-2.00, 3.00, 2.0), (1.00, 8.00, 0.5)")
    cur = db.execute("select paid::decimal(8,2) / commission::decimal(8,2), "
                     "cast(paid as decimal(8,2)) * qty::decimal(5,1) as product, "
                     "paid::decimal(8,2) + qty::decimal(5,1) - commission::decimal(8,2) as total "
                     "from prices order by commission, paid desc")
    # AWS's example: two DECIMAL(8,2) divide to DECIMAL(17,9).
    assert [(c.name, c.type_code, c.precision, c.scale) for c in cur.description] == [
        ("?column?", 1700, 17, 9), ("product", 1700, 14, 3), ("total", 1700, 10, 2)]
    assert [tuple(str(v) for v in row) for row in cur.fetchall()] == [
        ("0.666666667", "3.000", "0.50"), ("-0.666666667", "-4.000", "-3.00"), ("0.125000000", "0.500", "-6.50")]
    db.execute("create table ratios as select paid::decimal(8,2) / commission::decimal(8,2) as ratio, "
               "sum(paid::decimal(8,2) * qty::decimal(5,1)) as weighted from prices group by 1")
    types = db.execute("select format_type(atttypid, atttypmod) from pg_attribute "
                       "where attrelid = 'ratios'::regclass and attnum > 0 order by attnum").fetchall()
    assert types == [("numeric(17,9)",), ("numeric(38,3)",)]


def test_a_division_rounds_once_at_redshift_s_scale(db):
    # 2 / 3 at scale 19 (DECIMAL(18,0) operands: max(4, 0 + 18 - 0 + 1)): PostgreSQL's own gives 20 digits.
    row = db.execute("select 2::decimal / 3::decimal, 1.0::decimal(2,1) / 3::decimal(1,0), "
                     "0.5::decimal(2,1) / 1::decimal(1,0)").fetchone()
    assert [str(v) for v in row] == ["0." + "6" * 18 + "7", "0.3333", "0.5000"]
    with pytest.raises(psycopg.errors.DivisionByZero):
        db.execute("select 1::decimal(8,2) / 0::decimal(8,2)")
    assert db.execute("select null::decimal(8,2) / 2::decimal(8,2)").fetchone() == (None,)
    assert db.execute("select 10::decimal(8,2) / 4::decimal(8,2)").fetchone() == (Decimal("2.500000000"),)
