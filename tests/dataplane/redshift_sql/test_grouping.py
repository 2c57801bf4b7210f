"""GROUP BY ALL and SELECT * EXCLUDE: the translation, and GROUP BY ALL's groups on a real engine."""

from __future__ import annotations

from .helpers import pg, refused


def test_group_by_all_groups_by_the_items_that_are_not_aggregated():
    assert pg("select a, b, sum(c) from t group by all") == "select a, b, localshift.sum(c) from t group by 1, 2"
    assert pg("select sum(c), a, count(*) as n, upper(b) from t group by all order by 2") == \
        "select localshift.sum(c), a, count(*) as n, upper(b) from t group by 2, 4 order by 2"
    # an aggregate inside an expression, a window, another rewrite's aggregate (AVG, MEDIAN, LISTAGG)
    assert pg("select a, coalesce(max(b), 0) + 1, row_number() over (order by a) from t group by all") == \
        "select a, coalesce(max(b), 0) + 1, row_number() over (order by a) from t group by 1"
    assert pg("select a, avg(b), median(c), listagg(d, ',') within group (order by d) from t "
              "GROUP BY ALL having count(*) > 1").startswith("select a, ")
    assert pg("select a, avg(b), median(c), listagg(d, ',') within group (order by d) from t "
              "GROUP BY ALL having count(*) > 1").endswith(" from t GROUP BY 1 having count(*) > 1")
    # everything aggregated: one group, as without GROUP BY
    assert pg("select count(*), sum(a) from t group by all") == "select count(*), localshift.sum(a) from t group by ()"
    # in a subquery, and QUALIFY over it
    assert pg("select x from (select a as x, count(*) from t group by all) s") == \
        "select x from (select a as x, count(*) from t group by 1) s"
    assert "group by 1" in pg("select a, sum(b) from t group by all qualify rank() over (order by sum(b)) = 1")


def test_group_by_all_before_a_grouping_list_is_postgresql_s():
    # ``GROUP BY ALL a, b`` is PostgreSQL's set quantifier (the same as ``GROUP BY a, b``)
    assert pg("select a, count(*) from t group by all a") == "select a, count(*) from t group by all a"


def test_group_by_all_over_star_and_select_star_exclude_are_refused():
    assert refused("select * from t group by all") == \
        ("0A000", "GROUP BY ALL with SELECT * is not supported by localshift")
    assert refused("select t.*, count(*) from t group by all")[0] == "0A000"
    for sql in ("select * exclude a from t", "select * EXCLUDE (a, b) from t", "select t.* exclude (a) from t",
                "select x from (select * exclude a from t) s"):
        assert refused(sql) == ("0A000", "SELECT * EXCLUDE is not supported by localshift"), sql
    # EXCLUDE elsewhere (a window frame's, a column named so) is PostgreSQL's
    assert pg("select a * exclude from t") == "select a * exclude from t"
    assert pg("select max(a) over (order by a rows unbounded preceding exclude current row) from t") == \
        "select max(a) over (order by a rows unbounded preceding exclude current row) from t"


def test_group_by_all_on_the_engine(db):
    db.execute("create table g (region varchar(10), prod varchar(10), qty int)")
    db.execute("insert into g values ('east', 'a', 1), ('east', 'b', 2), ('west', 'a', 3), ('west', 'a', 4)")
    assert db.execute("select region, prod, sum(qty), count(*) from g group by all order by 1, 2").fetchall() == \
        [("east", "a", 1, 1), ("east", "b", 2, 1), ("west", "a", 7, 2)]
    assert db.execute("select sum(qty), upper(region) as r from g group by all order by r").fetchall() == \
        [(3, "EAST"), (7, "WEST")]
    assert db.execute("select count(*) from g where qty > 9 group by all").fetchall() == [(0,)]
