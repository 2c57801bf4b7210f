"""catalog/25_text_number_comparisons.sql: the operators comparing a string with a number are
inlined by the planner, so plain comparisons keep their indexes and joins their hash keys.
(Their results are in tests/clients/corpus/implicit_conversions.yaml.)"""

from __future__ import annotations


def _plan(db, sql: str) -> str:
    return "\n".join(row[0] for row in db.execute(f"explain {sql}").fetchall())


def test_a_string_column_compared_with_an_integer_uses_its_index(db):
    # (a key's index: Redshift, and the engine for its users, have no CREATE INDEX)
    db.execute("create table codes (code varchar(20) primary key, n int)")
    db.execute("insert into codes select g::varchar, g from generate_series(1, 2000) g")
    db.execute("analyze codes")
    db.execute("set enable_seqscan = off")
    for sql in ("select n from codes where code = 42", "select n from codes where 42 = code"):
        plan = _plan(db, sql)
        assert "Index" in plan and "(code)::text = '42'::text" in plan, plan
        assert db.execute(sql).fetchall() == [(42,)]


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
