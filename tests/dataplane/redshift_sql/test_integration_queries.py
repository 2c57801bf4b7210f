"""Redshift syntax and functions through a real endpoint, with Redshift's results."""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg
import pytest
import redshift_connector

from sql_cluster import MASTER_USER, PASSWORD


@pytest.fixture
def sales(db):
    db.execute("create table sales (id int, region varchar(10), amount int, sold timestamp)")
    db.execute("insert into sales values (1, 'eu', 10, '2024-01-31 10:15:30.250'), "
               "(2, 'eu', 30, '2024-02-29 23:59:59'), (3, 'us', 20, '2024-03-01 00:00:00'), "
               "(4, null, 40, '2024-03-02 12:00:00')")
    return db


def one(db, sql: str, params=None):
    return db.execute(sql, params).fetchone()


def test_top_qualify_minus_and_where_one(sales):
    assert sales.execute("select top 2 id from sales order by amount desc").fetchall() == [(4,), (2,)]
    assert sales.execute("select region, id from sales where region is not null "
                         "qualify row_number() over (partition by region order by amount desc) = 1 "
                         "order by region").fetchall() == [("eu", 2), ("us", 3)]
    assert sales.execute("select * from sales qualify rank() over (order by amount) = 1").fetchall() == \
        [(1, "eu", 10, datetime.datetime(2024, 1, 31, 10, 15, 30, 250000))]
    assert sales.execute("select id from sales minus select id from sales where amount > 15 "
                         "order by 1").fetchall() == [(1,)]
    assert one(sales, "select count(*) from sales where 1 and amount > 15") == (3,)


def test_lateral_aliases(sales):
    assert sales.execute("select amount * 2 as doubled, doubled + 1 as plus from sales "
                         "where doubled > 50 order by 1").fetchall() == [(60, 61), (80, 81)]


def test_nvl_decode_listagg(sales):
    assert one(sales, "select nvl(null, null, 'x'), decode(2, 1, 'one', 2, 'two', 'other'), "
                      "decode(null, null, 'null matches', 'no')") == ("x", "two", "null matches")
    assert one(sales, "select listagg(region, ',') within group (order by id desc) from sales") == ("us,eu,eu",)
    assert one(sales, "select listagg(distinct region, '|') within group (order by region) "
                      "from sales") == ("eu|us",)
    assert sales.execute("select id, listagg(id, '-') within group (order by id) over (partition by region) "
                         "from sales where region = 'eu' order by id").fetchall() == [(1, "1-2"), (2, "1-2")]


def test_date_parts_extract_and_timezones(sales):
    assert one(sales, "select date_part(mon, sold), date_trunc('qtr', sold)::date, "
                      "extract(mins from sold), extract(sec from sold), extract(ms from sold) "
                      "from sales where id = 1") == (1.0, datetime.date(2024, 1, 1), 15, 30, 250)
    assert one(sales, "select date_part(dow, '2024-01-07'::date), extract(y from '2024-05-01'::date)") == (0.0, 2024)
    assert one(sales, "select convert_timezone('UTC', 'America/New_York', '2024-01-01 12:00:00'::timestamp), "
                      "convert_timezone('Asia/Tokyo', '2024-01-01 12:00:00')") == (
        datetime.datetime(2024, 1, 1, 7, 0), datetime.datetime(2024, 1, 1, 21, 0))
    assert one(sales, "select sysdate = localtimestamp, pg_typeof(sysdate)::text") == (True, "timestamp without time zone")


def test_concat_ratio_approximate_and_types(sales):
    assert one(sales, "select concat('a', 1), concat('a', null)") == ("a1", None)
    rows = sales.execute("select id, ratio_to_report(amount) over () from sales order by id").fetchall()
    assert rows == [(1, 0.1), (2, 0.3), (3, 0.2), (4, 0.4)]
    assert one(sales, "select approximate count(distinct region) from sales") == (2,)
    # a string cast to SUPER is a SUPER string, as in Redshift (JSON_PARSE parses)
    assert one(sales, "select 'x'::varchar(max), cast('{\"a\": 1}' as super), json_parse('{\"a\": 1}')") == \
        ("x", '{"a": 1}', {"a": 1})


def test_lexical_rules(sales):
    assert one(sales, r"select 'It\'s', 'a\\b', length('\\d')") == ("It's", "a\\b", 2)
    assert one(sales, "select case when 1 = 1 then 4when 1 = 2 then 5 end") == (4,)
    assert one(sales, 'select "AMOUNT" from "Sales" where "ID" = 1') == (10,)
    assert one(sales, r"select regexp_replace('a.b', '\\.', '-')") == ("a-b",)


def test_parameters_in_extended_protocol(sales):
    assert sales.execute("select top 1 nvl(region, %s) from sales where amount > %s order by id desc",
                         ("none", 35)).fetchone() == ("none",)
    cur = sales.cursor()
    for _ in range(6):  # psycopg prepares the statement after 5 runs: named Parse messages
        assert cur.execute("select decode(%s::int, 1, 'one', 'other')", (1,), prepare=True).fetchone() == ("one",)


def test_refused_statements_in_a_transaction_abort_it(sql_cluster, database):
    with sql_cluster.connect(database, autocommit=False) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute("select a::geometry from (select 1 a) s")
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("select 1")
        conn.rollback()
        assert conn.execute("select nvl(1, 2)").fetchone() == (1,)


def test_super_columns_and_navigation(db):
    db.execute("create table orders (id int, doc super)")
    db.execute("""insert into orders values (1, json_parse('{"kind": "web", "items": [{"sku": "a", "qty": 2}], "n": 3}')),
                  (2, json_parse('{"kind": "shop", "items": [], "n": "3"}'))""")
    assert db.execute("select o.doc.items[0].sku::varchar, doc.items[0].qty from orders o order by id").fetchall() == \
        [("a", 2), (None, None)]
    assert db.execute("select id from orders where doc.kind = 'web'").fetchall() == [(1,)]
    # a number equals only a number, as SUPER compares
    assert db.execute("select id from orders where doc.n = 3").fetchall() == [(1,)]
    assert db.execute("select doc.n::int from orders order by id").fetchall() == [(3,), (3,)]
    # navigation in a JOIN's condition, qualified by the table or not
    db.execute("create table kinds (kind varchar(10), label varchar(10))")
    db.execute("insert into kinds values ('web', 'online'), ('shop', 'store')")
    assert db.execute("select o.id, k.label from orders o join kinds k on o.doc.kind::varchar = k.kind "
                      "order by o.id").fetchall() == [(1, "online"), (2, "store")]
    assert db.execute("select k.label, id from kinds k join orders on doc.n = 3 and doc.kind = 'web' "
                      "order by k.label").fetchall() == [("online", 1), ("store", 1)]
    # the column itself in the select list, then navigated: a select list's comma names no relation
    assert db.execute("select id, doc, doc.kind, coalesce(doc.missing, doc.n) from orders order by id").fetchall() == [
        (1, {"kind": "web", "items": [{"sku": "a", "qty": 2}], "n": 3}, "web", 3),
        (2, {"kind": "shop", "items": [], "n": "3"}, "shop", "3")]
    # navigation past a column qualified by schema and table, or by database, schema and table
    database = db.info.dbname
    assert db.execute(f"select it.orders.doc.kind, {database}.it.orders.doc.n, it.orders.id from {database}.it.orders "
                      "order by it.orders.id").fetchall() == [("web", 3, 1), ("shop", "3", 2)]


def test_brackets_on_postgresql_arrays_keep_their_meaning(db):
    # Redshift has no array columns; PostgreSQL's subscripts (from 1) and slices still work
    db.execute("create table tagged (tags varchar[], scores int[])")
    db.execute("insert into tagged values ('{red,green}', '{10,20,30}')")
    assert db.execute("select tags[2], tags[2]::text, scores[1] + scores[3], scores[2:3] from tagged").fetchall() == \
        [("green", "green", 40, [20, 30])]
    # an element compared with a literal compares as SUPER does: a string equals only a string
    assert db.execute("select tags[2] = 'green', tags[1] <> 'red', tags[1] = 'x', scores[2] = 20, "
                      "scores[3] > 25, scores[1] = '10' from tagged").fetchall() == \
        [(True, False, False, True, True, False)]
    assert db.execute("select count(*) from tagged where tags[2] = 'green' and scores[1] >= 10").fetchone() == (1,)


def test_tables_named_as_catalog_functions_and_those_functions(db):
    db.execute("create table log (a int, d varchar(8))")
    db.execute("insert into log (a, d) values (8, '20010631'), (100, '20010101')")
    assert db.execute("select log(2, a), log(a), power(a, 2), to_date(d, 'YYYYMMDD') from log order by a").fetchall() \
        == [(3.0, 0.903089986991944, 64.0, datetime.date(2001, 7, 1)),
            (6.64385618977473, 2.0, 10000.0, datetime.date(2001, 1, 1))]  # 15 digits, as Redshift prints
    assert one(db, "with power (n) as (select a from log where a = 8) select power(n, 2) from power") == (64.0,)
    with pytest.raises(psycopg.errors.DatetimeFieldOverflow):
        db.execute("select to_date(d, 'YYYYMMDD', true) from log")


def test_result_types_of_ranking_functions_and_sums_reach_the_client(db):
    """Clients read a column's type from RowDescription: RANK/DENSE_RANK INTEGER, NTILE and
    ROW_NUMBER BIGINT, AVG of a REAL DOUBLE PRECISION, summed as such (float4 sums lose digits)."""
    db.execute("create table m (id int, r real)")
    db.execute("insert into m values (1, 1.1), (2, 2.2), (3, 10000000)")
    cur = db.execute("select rank() over (order by id), dense_rank() over (order by id), ntile(2) over (order by id), "
                     "row_number() over (order by id), avg(r) over () from m order by id limit 1")
    assert [column.type_code for column in cur.description] == [23, 23, 20, 20, 701]
    assert [column.name for column in cur.description] == ["rank", "dense_rank", "ntile", "row_number", "avg"]
    assert cur.fetchone()[:4] == (1, 1, 1, 1)
    assert one(db, "select avg(r) from m") == (3333334.43333336,)  # of a REAL sum: 3333333.33333333


def test_computed_strings_are_varchar_on_the_wire_as_in_redshift(db):
    """Redshift has no TEXT: its string functions' columns are VARCHAR (oid 1043) in RowDescription;
    a catalog table's own TEXT column keeps its type."""
    db.execute("create table names (v varchar(10))")
    db.execute("insert into names values ('Ab')")
    cur = db.execute("select lower(v), v || 'x', concat(v, 'y'), 'lit', v from names")
    assert [column.type_code for column in cur.description] == [1043] * 5
    assert cur.fetchone() == ("ab", "Abx", "Aby", "lit", "Ab")
    cur = db.execute("select prosrc from pg_proc where proname = 'lower' limit 1")
    assert [column.type_code for column in cur.description] == [25]


class _Text(psycopg.adapt.Loader):
    """A value as the text (or the bytes) the server sent."""

    def load(self, data):
        return bytes(data)


class _Bytes(_Text):
    format = psycopg.pq.Format.BINARY


def test_super_values_print_compact_as_redshift_prints_them(sql_cluster, database, db):
    db.execute("create table docs (id int, doc super, note varchar(20))")
    db.execute("""insert into docs values (1, json_parse('{"a": 1, "b": [1, 2, {"c": "x, y: z"}]}'), 'p, q: r'),
                  (2, json_parse('"s, t"'), null), (3, null, 'n')""")
    expected = [(b"1", b'{"a":1,"b":[1,2,{"c":"x, y: z"}]}', b"p, q: r"), (b"2", b'"s, t"', None), (b"3", None, b"n")]
    sql = "select id, doc, note from docs order by id"
    db.adapters.register_loader("jsonb", _Text)
    db.adapters.register_loader("jsonb", _Bytes)
    for oid in ("int4", "varchar"):
        db.adapters.register_loader(oid, _Text)
    assert db.execute(sql).fetchall() == expected  # a simple Query
    for _ in range(3):  # prepared (psycopg prepares from the second run): Bind and Execute without a Describe
        assert db.execute(sql, prepare=True).fetchall() == expected
    # jsonb's binary format: a version byte, then the compact text
    assert db.cursor(binary=True).execute("select doc from docs where id = 1").fetchone() == \
        (b'\x01{"a":1,"b":[1,2,{"c":"x, y: z"}]}',)
    # a computed SUPER value, navigation, OBJECT and ARRAY; a table without SUPER afterwards
    assert db.execute("select doc.b, object('k', array(1, 'a')), json_serialize(doc) from docs where id = 1")\
        .fetchone() == (b'[1,2,{"c":"x, y: z"}]', b'{"k":[1,"a"]}', b'{"a":1,"b":[1,2,{"c":"x, y: z"}]}')
    assert db.execute("select note from docs where id = 1").fetchone() == (b"p, q: r",)
    # redshift_connector's extended protocol reads the same text
    with redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                    user=MASTER_USER, password=PASSWORD, ssl=False) as rs:
        cursor = rs.cursor()
        cursor.execute("select doc, note from it.docs where id = %s", (1,))
        assert cursor.fetchall() == (['{"a":1,"b":[1,2,{"c":"x, y: z"}]}', "p, q: r"],)


def test_sum_gives_redshifts_result_types(sql_cluster, database, db):
    db.execute("create table amounts (g int, s smallint, i int, b bigint, r real, d decimal(8, 2), f float)")
    db.execute("insert into amounts values (1, 1, 1, 1, 1.1, 1.25, 0.5), (1, 2, 2, 2, 2.2, 2.25, 0.25), "
               "(2, null, null, 5000000000, 10000000, null, null)")
    types = "select pg_typeof(sum(s)), pg_typeof(sum(i)), pg_typeof(sum(b)), pg_typeof(sum(r)), " \
            "pg_typeof(sum(d)), pg_typeof(sum(f)) from amounts"
    assert [str(t) for t in one(db, types)] == ["bigint"] * 3 + ["double precision", "numeric", "double precision"]
    total = one(db, "select sum(s), sum(i), sum(b), sum(r), sum(d), sum(f) from amounts")
    assert total[:3] == (3, 3, 5000000003) and total[4:] == (Decimal("3.50"), 0.75)
    # a REAL summed with a DOUBLE PRECISION's digits (PostgreSQL's REAL sum gives 1e+07)
    assert round(total[3], 1) == 10000003.3
    assert db.execute("select g, sum(b), sum(distinct s) filter (where i > 1), sum(r) from amounts "
                      "where g = 2 or i is null group by g").fetchall() == [(2, 5000000000, None, 10000000.0)]
    # in a moving frame (its inverse transitions): NULL when the frame holds no value
    assert db.execute("select sum(b) over (order by s nulls last rows between current row and 1 following), "
                      "sum(s) over (order by s nulls last rows between 1 following and 1 following) "
                      "from amounts order by s nulls last").fetchall() == [(3, 2), (5000000002, None),
                                                                           (5000000000, None)]
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        db.execute("select sum(b) from (select 9223372036854775807::bigint as b union all select 1) s")
    with pytest.raises(psycopg.errors.UndefinedFunction):  # Redshift sums SUPER numbers; not here
        db.execute("select sum(json_parse('1'))")
    # a table made from sums (dbt's table models) has Redshift's column types
    db.execute("create table totals as select g, sum(b) as b, sum(r) as r from amounts group by g")
    assert db.execute("select column_name, data_type from information_schema.columns where table_name = 'totals' "
                      "order by ordinal_position").fetchall() == \
        [("g", "integer"), ("b", "bigint"), ("r", "double precision")]
    # GROUP BY ALL leaves the sum out; a view keeps it
    assert db.execute("select g, sum(b) from amounts group by all order by g").fetchall() == \
        [(1, 3), (2, 5000000000)]
    db.execute("create view sums as select g, sum(b) as b from amounts group by g")
    assert [str(t) for t in one(db, "select pg_typeof(b) from sums limit 1")] == ["bigint"]
    # redshift_connector reads a BIGINT sum as an int (PostgreSQL's NUMERIC sum would be a Decimal)
    with redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                    user=MASTER_USER, password=PASSWORD, ssl=False) as rs:
        cursor = rs.cursor()
        cursor.execute("select sum(b), sum(d) from it.amounts where g = %s", (1,))
        assert cursor.fetchall() == ([3, Decimal("3.50")],)


def test_varbyte_values_print_as_redshift_prints_them(sql_cluster, database, db):
    db.execute("create table blobs (id int, raw varbyte(16))")
    db.execute("insert into blobs values (1, 'abc'::varbyte), (2, from_hex('00ff')), (3, null)")
    sql = "select id, raw, to_hex(raw) from blobs order by id"
    expected = [(1, "616263", "616263"), (2, "00ff", "00ff"), (3, None, None)]
    # described as Redshift's VARBYTE (oid 6551), hex digits without bytea's \x: psycopg, which knows no
    # VARBYTE, gives the text, as it does on Redshift
    cursor = db.execute(sql)
    assert cursor.fetchall() == expected and cursor.description[1].type_code == 6551
    for _ in range(3):  # prepared: Bind and Execute without a Describe
        assert db.execute(sql, prepare=True).fetchall() == expected
    assert db.execute("select 'ab'::varbyte || from_hex('63'), 'abc'::varbyte = 'abc'::varbyte").fetchone() == \
        ("616263", True)
    # results asked for in binary format are bytes
    assert db.cursor(binary=True).execute("select raw from blobs where id = 2").fetchone() == (b"\x00\xff",)
    # redshift_connector decodes Redshift's VARBYTE text (its hex digits, read as UTF-8)
    with redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                    user=MASTER_USER, password=PASSWORD, ssl=False) as rs:
        cursor = rs.cursor()
        cursor.execute("select raw from it.blobs where id = %s", (1,))
        assert cursor.fetchall() == (["abc"],)


def test_a_varchar_stored_in_a_super_column_is_a_super_string(db):
    db.execute("create table events (id int, payload super, note varchar(20))")
    db.execute("""insert into events values (1, json_parse('{"a": 1}'), '{"a":1}')""")
    db.execute("insert into events (id, payload) select 2, note from events where id = 1")
    db.execute("update events set payload = lower('X ') where id = 1")
    assert db.execute("select id, json_typeof(payload), json_serialize(payload), payload.a from events order by id")\
        .fetchall() == [(1, "string", '"x "', None), (2, "string", '"{\\"a\\":1}"', None)]
    db.execute("update events set payload = json_parse(note) where id = 1")  # JSON_PARSE still parses
    assert db.execute("select payload.a from events where id = 1").fetchone() == (1,)
