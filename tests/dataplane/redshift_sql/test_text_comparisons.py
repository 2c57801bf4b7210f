"""catalog/25_text_comparisons.sql: the operators comparing a string with a number, a date or a
timestamp are inlined by the planner, so plain comparisons keep their indexes (the engine's index of
a table's informational primary key: users make no others) and joins their hash keys; a string
compared with a datetime is read as one, in the session's time zone; VARCHAR comparisons disregard
trailing blanks, as Redshift's do ("Character types", Significance of trailing blanks).
(Their results are in tests/clients/corpus/implicit_conversions.yaml and
datetime_text_and_mixed_types.yaml.)"""

from __future__ import annotations

import datetime

import psycopg
import pytest


def _plan(db, sql: str) -> str:
    return "\n".join(row[0] for row in db.execute(f"explain {sql}").fetchall())


@pytest.mark.parametrize("key_type, rows, sql, planned, answer", [
    ("varchar(20)", "g::varchar, g", "select n from keyed where k = 42", "k = '42'::character varying", (42,)),
    ("varchar(20)", "g::varchar, g", "select n from keyed where 42 = k", "k = '42'::character varying", (42,)),
    ("date", "date '2024-01-01' + g, g", "select n from keyed where k = '2024-01-11'::varchar", "::date", (10,)),
    ("timestamp", "timestamp '2024-01-01' + g * interval '1 hour', g",
     "select n from keyed where '2024-01-01 05:00'::varchar = k", "::timestamp", (5,)),
])
def test_a_comparison_with_a_string_uses_the_column_index(db, key_type, rows, sql, planned, answer):
    db.execute(f"create table keyed (k {key_type} primary key, n int)")
    db.execute(f"insert into keyed select {rows} from generate_series(1, 2000) g")
    db.execute("analyze keyed")
    db.execute("set enable_seqscan = off")
    plan = _plan(db, sql)
    assert "Index" in plan and planned in plan, plan
    assert db.execute(sql).fetchall() == [answer]


def test_a_join_of_a_string_and_an_integer_column_is_a_join_on_text(db):
    db.execute("create table a (code varchar(20))")
    db.execute("create table b (n int)")
    db.execute("insert into a select g::varchar from generate_series(1, 500) g")
    db.execute("insert into b select g from generate_series(0, 1000, 2) g")
    db.execute("analyze a")
    db.execute("analyze b")
    plan = _plan(db, "select count(*) from a join b on a.code = b.n")
    assert "Hash Cond" in plan or "Merge Cond" in plan, plan
    assert "(b.n)::text" in plan, plan
    assert db.execute("select count(*) from a join b on a.code = b.n").fetchone() == (250,)


def test_a_decimal_reads_the_string_as_a_decimal_a_float_is_read_as_its_text(db):
    db.execute("create table amounts (v varchar(10))")
    assert "(v)::numeric = 5.0" in _plan(db, "select 1 from amounts where v = 5.0")
    assert db.execute("select ' 5.0 '::varchar = 5.00, '5.0'::varchar = 5.0::float8").fetchone() == (True, False)


def test_a_date_compared_with_a_string_compares_dates_not_text(db):
    # as text '2024-01-01 00:00:00' > '2024-01-01' and '2024-1-2' > '2024-01-10'
    row = db.execute("select timestamp '2024-01-01 00:00:00' = '2024-01-01'::varchar, "
                     "date '2024-01-10' > '2024-1-2'::varchar, '2024-1-2'::varchar < date '2024-01-10'").fetchone()
    assert row == (True, True, True)
    db.execute("create table typed (d date, v varchar(10))")
    db.execute("insert into typed values ('2024-02-29', '2024-02-29')")
    assert db.execute("select d, v, d = v from typed where v >= d").fetchone() == (
        datetime.date(2024, 2, 29), "2024-02-29", True)


def test_a_string_compared_with_a_timestamptz_is_read_in_the_session_time_zone(db):
    db.execute("create table events (at timestamptz, local varchar(30))")
    db.execute("insert into events values ('2024-06-01 12:00:00+00', '2024-06-01 14:00:00')")
    db.execute("set timezone to 'Europe/Berlin'")
    assert db.execute("select at = local from events").fetchone() == (True,)
    db.execute("set timezone to 'UTC'")
    assert db.execute("select at = local, at < local from events").fetchone() == (False, True)


def test_a_string_that_is_no_timestamp_fails_and_a_null_compares_unknown(db):
    db.execute("create table stamps (ts timestamp, v varchar(20))")
    db.execute("insert into stamps values ('2024-01-01 08:00', null)")
    assert db.execute("select ts = v, ts < v from stamps").fetchone() == (None, None)
    db.execute("update stamps set v = 'soon'")
    with pytest.raises(psycopg.errors.InvalidDatetimeFormat, match='invalid input syntax for type timestamp: "soon"'):
        db.execute("select count(*) from stamps where ts < v")


def test_trailing_blanks_do_not_count_when_varchar_values_are_compared(db):
    # AWS's example: two addresses, one with trailing blanks, both match
    db.execute("create table address (address1 varchar(100), city_name char(30), n name)")
    db.execute("insert into address (address1) values ('9516 Magnolia Boulevard')")
    db.execute("insert into address (address1) values ('9516 Magnolia Boulevard  ')")
    assert db.execute("select count(*) from address where address1 = '9516 Magnolia Boulevard'").fetchone() == (2,)
    # LENGTH still counts a VARCHAR's trailing blanks, not a CHAR's
    assert db.execute("select length(address1) from address order by 1").fetchall() == [(23,), (25,)]
    db.execute("update address set city_name = address1, n = address1")
    assert db.execute(
        "select address1 = 'x', address1 <> '9516 Magnolia Boulevard', address1 = '9516 Magnolia Boulevard   '::varchar, "
        "address1 = concat('9516 Magnolia ', 'Boulevard'), address1 < '9516 Magnolia Boulevard', "
        "address1 >= '9516 Magnolia Boulevard', address1 = city_name, address1 = n, n = address1, "
        "address1 in ('9516 Magnolia Boulevard'), address1 = any(array['9516 Magnolia Boulevard']), "
        "case address1 when '9516 Magnolia Boulevard' then 'same' end, nullif(address1, '9516 Magnolia Boulevard') "
        "from address").fetchall() == [(False, False, True, True, False, True, True, True, True, True, True, "same",
                                        None)] * 2
    # a text parameter (a computed string) too
    assert db.execute("select count(*) from address where address1 = %s::text",
                      ("9516 Magnolia Boulevard ",)).fetchone() == (2,)


def test_a_join_on_varchar_columns_matches_across_blanks_as_a_hash_or_merge_join(db):
    db.execute("create table a (code varchar(20))")
    db.execute("create table b (code varchar(20))")
    db.execute("insert into a select 'k' || g from generate_series(1, 500) g")
    db.execute("insert into b select 'k' || g || '  ' from generate_series(1, 500) g")
    db.execute("analyze a")
    db.execute("analyze b")
    sql = "select count(*) from a join b on a.code = b.code"
    plan = _plan(db, sql)
    assert ("Hash Join" in plan or "Merge Join" in plan) and "a.code = b.code" in plan, plan
    assert db.execute(sql).fetchone() == (500,)
    db.execute("set enable_hashjoin = off")
    assert "Merge Join" in _plan(db, sql)
    assert db.execute(sql).fetchone() == (500,)


def test_a_varchar_key_index_serves_equality_without_losing_the_blanks_rule(db):
    """The key's index (VARCHAR's default operator class compares as Redshift does) serves
    ``k = 'x'``, an IN list and a text parameter, and finds the key spelled with trailing blanks."""
    db.execute("create table keyed (k varchar(20) primary key, n int)")
    db.execute("insert into keyed select 'key' || g, g from generate_series(1, 100000) g")
    db.execute("analyze keyed")
    for sql, params in [("select n from keyed where k = 'key4242  '", ()),
                        ("select n from keyed where k in ('key4242', 'nokey')", ()),
                        ("select n from keyed where k = %s::text", ("key4242 ",)),
                        ("select n from keyed where k = %s", ("key4242",))]:
        plan = "\n".join(row[0] for row in db.execute("explain " + sql, params).fetchall())
        assert "Index Scan using keyed_pkey" in plan or "Index Only Scan" in plan, (sql, plan)
        assert db.execute(sql, params).fetchall() == [(4242,)], sql
    # a range too, and ORDER BY the key reads the index
    assert "keyed_pkey" in _plan(db, "select k from keyed where k between 'key1' and 'key10' order by k")


def test_grouping_and_set_operations_disregard_trailing_blanks(db):
    """GROUP BY, DISTINCT, COUNT(DISTINCT), UNION, INTERSECT and EXCEPT use the same equality as
    ``=``: 'a' and 'a  ' are one value (the group shows one of its spellings)."""
    db.execute("create table g (v varchar(10), n int)")
    db.execute("insert into g values ('a', 1), ('a  ', 2), ('b', 3), (null, 4)")
    assert db.execute("select count(distinct v) from g").fetchone() == (2,)
    grouped = db.execute("select rtrim(v), count(*), sum(n) from g group by v order by 1").fetchall()
    assert grouped == [("a", 2, 3), ("b", 1, 3), (None, 1, 4)]
    assert db.execute("select count(*) from (select distinct v from g) d").fetchone() == (3,)
    assert db.execute("select count(*) from (select v from g union select 'b ') u").fetchone() == (3,)
    assert db.execute("select rtrim(v) from (select v from g intersect select 'a '::varchar) i").fetchall() == [("a",)]
    assert db.execute("select rtrim(v) from (select v from g except select 'a'::varchar) e "
                      "order by 1").fetchall() == [("b",), (None,)]
    assert db.execute("select count(*) from (select v, row_number() over (partition by v order by n) r from g) w "
                      "where r = 1").fetchone() == (3,)
    # a forced sort (no hashing) groups alike
    db.execute("set enable_hashagg = off")
    assert db.execute("select count(*) from (select v from g group by v) s").fetchone() == (3,)
