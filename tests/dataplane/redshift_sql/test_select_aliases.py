"""Lateral column aliases: an alias reused later in the SELECT list, in WHERE or HAVING, replaced by
the expression it names (select_aliases.py), through the translator."""

from __future__ import annotations

from .helpers import pg


def test_lateral_aliases_in_the_select_list_and_where():
    assert pg("select a + 1 as b, b * 2 as c from t") == "select a + 1 as b, (a + 1) * 2 as c from t"
    assert pg('select n.nspname as "schema" from namespaces n where 1 and schema = \'x\'') == \
        "select n.nspname as \"schema\" from namespaces n where true and (n.nspname) = 'x'"
    # the alias names a column its own expression reads: later uses mean that column
    assert pg("select lower(email) as email from u where email = 'A'") == \
        "select lower(email) as email from u where email = 'A'"
    # ORDER BY / GROUP BY an alias is PostgreSQL already; t.b and b() are not the alias
    assert pg("select a as b from t group by b order by b") == "select a as b from t group by b order by b"
    assert pg("select a as b, t.b, b(1) from t") == "select a as b, t.b, b(1) from t"
    # AWS's HAVING example names an aggregate's alias there
    assert pg("select eventname, max(pricepaid) as pp from sales group by 1 having pp > 800000 order by 2 desc, 1") == \
        "select eventname, max(pricepaid) as pp from sales group by 1 having (max(pricepaid)) > 800000 order by 2 desc, 1"


def test_lateral_aliases_inside_calls_the_translator_rewrote():
    # AWS's v_vacuum_summary: DATEDIFF's arguments are earlier aliases of the same SELECT
    assert pg("select a.t as start_time, b.t as end_time, datediff(s, start_time, end_time) as secs "
              "from v a, v b") == ("select a.t as start_time, b.t as end_time, "
                                   "date_diff('second', (a.t), (b.t)) as secs from v a, v b")
    # a string with the alias's name, a qualified column and a subquery's own column stay
    assert pg("select x as d, dateadd(day, 1, d) || 'd' as e, datediff(day, t.d, (select d from u)) as f "
              "from t") == ("select x as d, date_add('day', 1, (x)) || 'd' as e, "
                            "date_diff('day', t.d, (select d from u)) as f from t")
