"""catalog/25_varchar_blanks.sql: VARCHAR comparisons disregard trailing blanks, as Redshift's do
("Character types", Significance of trailing blanks), and the operators are inlined: a join on
VARCHAR columns is still a hash or merge join."""

from __future__ import annotations


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


def test_a_join_on_varchar_columns_matches_across_blanks_and_is_a_hash_join(db):
    db.execute("create table a (code varchar(20))")
    db.execute("create table b (code varchar(20))")
    db.execute("insert into a select 'k' || g from generate_series(1, 500) g")
    db.execute("insert into b select 'k' || g || '  ' from generate_series(1, 500) g")
    db.execute("analyze a")
    db.execute("analyze b")
    sql = "select count(*) from a join b on a.code = b.code"
    plan = "\n".join(row[0] for row in db.execute(f"explain {sql}").fetchall())
    assert ("Hash Join" in plan or "Merge Join" in plan) and "rtrim" in plan, plan
    assert db.execute(sql).fetchone() == (500,)


def test_grouping_keeps_the_blanks(db):
    """GROUP BY, DISTINCT and UNION group by the engine's VARCHAR equality (a documented difference)."""
    db.execute("create table g (v varchar(10))")
    db.execute("insert into g values ('a'), ('a  ')")
    assert db.execute("select count(distinct v) from g").fetchone() == (2,)
