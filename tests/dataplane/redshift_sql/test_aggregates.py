"""aggregates.py: SUM and AVG of an argument declaring DECIMAL(p, s) are DECIMAL(38, s), as
Redshift types them ("SUM function", "AVG function"), in the result's type modifier (what
clients read) and in a table CREATE TABLE AS makes; other arguments keep the catalog's calls."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .helpers import pg


@pytest.mark.parametrize("sql, expected", [
    ("select sum(x) from t", "select localshift.sum(x) from t"),
    ("select sum(x::decimal(10,2)) from t", "select CAST(localshift.sum(x::decimal(10, 2)) AS numeric(38, 2)) from t"),
    ("select sum(distinct t.x::decimal(10,2)) filter (where y > 1) over (partition by z) from t",
     "select CAST(localshift.sum(DISTINCT t.x::decimal(10, 2)) FILTER (where y > 1) OVER (partition by z) "
     "AS numeric(38, 2)) from t"),
    ("select sum(x::decimal) from t", "select CAST(localshift.sum(x::decimal(18, 0)) AS numeric(38, 0)) from t"),
    # an operator: the cast is of b alone
    ("select sum(a + b::decimal(8,2)) from t", "select localshift.sum(a + b::decimal(8, 2)) from t"),
    ("select sum(f(x)::decimal(5,1)) from t", "select CAST(localshift.sum(f(x)::decimal(5, 1)) AS numeric(38, 1)) from t"),
])
def test_sum_is_cast_to_decimal_38_when_its_argument_declares_a_decimal(sql, expected):
    assert pg(sql) == expected


def test_avg_of_a_declared_decimal_is_cast_too():
    assert pg("select avg(cast(x as decimal(12,3))) from t").startswith("select CAST(avg(sum(")
    assert pg("select avg(cast(x as decimal(12,3))) from t").endswith(" AS numeric(38, 3)) from t")
    assert "CAST(" not in pg("select avg(x) from t")


def test_clients_read_decimal_38_s_and_redshift_s_scale(db):
    db.execute("create table amounts (x decimal(10, 2), v varchar(10))")
    db.execute("insert into amounts values (1.00, '1.5'), (2.00, '2.25')")
    cur = db.execute("select sum(x::decimal(10,2)), avg(x::decimal(10,2)), sum(cast(v as decimal(8,3))), "
                     "avg(v::decimal(8,3)), sum(x) from amounts")
    assert [(c.type_code, c.precision, c.scale) for c in cur.description[:4]] == [(1700, 38, 2), (1700, 38, 2),
                                                                                 (1700, 38, 3), (1700, 38, 3)]
    assert cur.description[4].precision is None  # a column's declared type is not read (docs/sql.md)
    row = cur.fetchone()
    assert row[:4] == (Decimal("3.00"), Decimal("1.50"), Decimal("3.750"), Decimal("1.875"))
    assert str(row[0]) == "3.00" and str(row[1]) == "1.50"
    cur = db.execute("select sum(x::decimal(10,2)) over (order by x rows unbounded preceding) from amounts order by 1")
    assert (cur.description[0].precision, cur.description[0].scale) == (38, 2)
    assert cur.fetchall() == [(Decimal("1.00"),), (Decimal("3.00"),)]
    db.execute("create table totals as select sum(x::decimal(10,2)) as total, avg(v::decimal(8,3)) as mean from amounts")
    types = db.execute("select format_type(atttypid, atttypmod) from pg_attribute "
                       "where attrelid = 'totals'::regclass and attnum > 0 order by attnum").fetchall()
    assert types == [("numeric(38,2)",), ("numeric(38,3)",)]
