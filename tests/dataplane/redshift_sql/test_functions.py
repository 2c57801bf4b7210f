"""Redshift functions and function-like syntax -> PostgreSQL (text); the results
are checked against a real engine in test_integration_*.py."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


@pytest.mark.parametrize("redshift, postgres", [
    ("select nvl(a, b, 0) from t", "select coalesce(a, b, 0) from t"),
    ("select isnull(nullif(a, ''), '0') from t", "select coalesce(nullif(a, ''), '0') from t"),
    ("select decode(a, 1, 'one', 'other') from t",
     "select CASE WHEN (a) IS NOT DISTINCT FROM (1) THEN 'one' ELSE 'other' END from t"),
    ("select decode('aGk=', 'base64')", "select decode('aGk=', 'base64')"),  # PostgreSQL's decode
    ("select listagg(n, ',') within group (order by n) from t",
     "select listagg(listagg(CAST(n AS varchar), ',' order by n), 65535) from t"),
    ("select listagg(n) from t", "select listagg(listagg(CAST(n AS varchar), ''), 65535) from t"),
    ("select listagg(distinct n, ',') within group (order by n desc) from t",
     "select listagg(listagg(DISTINCT n, ',' ORDER BY n desc), 65535) from t"),
    ("select listagg(n, ',') within group (order by o) over (partition by p) from t",
     "select listagg(listagg(CAST(n AS varchar), ',') OVER (partition by p order by o ROWS BETWEEN "
     "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), 65535) from t"),
    ("select dateadd(day, 1, d), dateadd('mon', 1, d) from t",
     "select date_add('day', 1, d), date_add('month', 1, d) from t"),
    ("select datediff(mins, a, b)", "select date_diff('minute', a, b)"),
    ("select date_part(dw, d), date_trunc(qtr, d)", "select pgdate_part('dow', d), date_trunc('quarter', d)"),
    ("select extract(yr from d)", "select localshift.date_part('year', d)"),
    ("select extract(sec from d), extract(decade from d)",
     "select localshift.date_part('second', d), localshift.date_part('decade', d)"),
    ("select extract(epoch from d)", "select date_part('epoch', d)"),
    ("select concat(a, b)", "select concat(CAST(a AS varchar), CAST(b AS varchar))"),
    ("select ratio_to_report(x) over (partition by p) from t",
     "select ratio_to_report(CAST(x AS double precision), sum(x) OVER (partition by p)) from t"),
    # AVG: the catalog's avg(sum, count, a NULL of x's type) gives Redshift's types (a REAL
    # summed as DOUBLE PRECISION, as SUM sums it)
    ("select avg(x), avg(distinct x) from t",
     "select avg(sum(localshift.sum_argument(x)), count(x), min(x) FILTER (WHERE false)), "
     "avg(sum(DISTINCT localshift.sum_argument(x)), count(DISTINCT x), min(x) FILTER (WHERE false)) from t"),
    ("select avg(all x) filter (where y) over w from t",
     "select avg(sum(localshift.sum_argument(x)) FILTER (where y) OVER w, count(x) FILTER (where y) OVER w, "
     "min(x) FILTER (WHERE false) OVER w) from t"),
    # RANK and DENSE_RANK are INTEGER, NTILE BIGINT: the whole call with its OVER clause is cast
    ("select rank() over (order by x), DENSE_RANK() OVER (partition by p order by x desc) from t",
     "select CAST(rank() OVER (order by x) AS integer), "
     "CAST(DENSE_RANK() OVER (partition by p order by x desc) AS integer) from t"),
    ("select ntile(4) over w, rank() over w from t window w as (order by x)",
     "select CAST(ntile(4) OVER w AS bigint), CAST(rank() OVER w AS integer) from t window w as (order by x)"),
    ("select ntile(nvl(n, 2)) over (order by x) from t",
     "select CAST(ntile(coalesce(n, 2)) OVER (order by x) AS bigint) from t"),
    ("select rank() from t", "select rank() from t"),  # no OVER: the engine reports it
    ("select row_number() over (order by x) from t", "select row_number() over (order by x) from t"),
    ("select t.avg from t", "select t.avg from t"),
    # ordered-set aggregates over a window: the partition's values, sorted once
    ("select percentile_cont(0.25) within group (order by x) over (partition by p) from t",
     "select percentile_cont(localshift.sorted_values(x) OVER (partition by p), 0.25, false) from t"),
    ("select percentile_cont(0.25) within group (order by x desc) from t group by p",
     "select percentile_cont(localshift.sorted_values(x), 0.25, true) from t group by p"),
    ("select percentile_disc(0.5) within group (order by x desc) over () from t",
     "select percentile_disc(localshift.sorted_values(x) OVER (), 0.5, true) from t"),
    ("select percentile_disc(0.5) within group (order by x) from t",
     "select percentile_disc(0.5) WITHIN GROUP (order by x) from t"),
    # a cast to SUPER is the catalog's function: a string becomes a SUPER string (super_casts.py)
    ("select cast(x as varchar(max)), cast(y as super)", 'select cast(x AS varchar(65535)), localshift."super"(y)'),
    ("select convert(super, v)", 'select localshift."super"(v)'),
    # CONVERT(type, expression) is a CAST; PostgreSQL's convert(bytes, from, to) stays
    ("select convert(integer, pricepaid) from sales", "select CAST(pricepaid AS integer) from sales"),
    ("select convert(varchar(max), x), convert(double precision, y), convert(datetime, '2008-02-18')",
     "select CAST(x AS varchar(65535)), CAST(y AS double precision), CAST('2008-02-18' AS timestamp)"),
    ("select convert(b, 'UTF8', 'LATIN1')", "select convert(b, 'UTF8', 'LATIN1')"),
    ("select cast(x as varbinary), cast(y as binary varying(10))", "select cast(x AS bytea), cast(y AS bytea)"),
])
def test_function_rewrites(redshift, postgres):
    assert pg(redshift) == postgres


def test_unknown_date_parts_and_wrong_arities_are_refused():
    assert refused("select dateadd(fortnight, 1, d)") == ("22023", 'unit "fortnight" not recognized')
    assert refused("select listagg(distinct x, ',') within group (order by x) over () from t") == (
        "0A000", "LISTAGG(DISTINCT ...) as a window function is not supported by localshift")
    assert refused("select ratio_to_report(x) over (order by y) from t")[0] == "42601"
    # Redshift's DATE_PART takes a date part, not an expression
    assert refused("select date_part(x, d)") == ("22023", 'unit "x" not recognized')
    assert refused("select listagg(distinct n) within group (order by m) from t")[0] == "0A000"
    assert refused("select convert(integer x, y)")[0] == "42601"
    assert refused("select convert(geometry, y)") == ("0A000", "data type GEOMETRY is not supported by localshift")


def test_stddev_and_variance_read_their_argument_as_double_precision():
    # Redshift returns DOUBLE PRECISION whatever the argument's type
    assert pg("select stddev(qty), VARIANCE(distinct n), var_pop(all x) filter (where a) over (partition by b) from g") \
        == ("select stddev(CAST(qty AS double precision)), VARIANCE(distinct CAST(n AS double precision)), "
            "var_pop(all CAST(x AS double precision)) filter (where a) over (partition by b) from g")
    assert pg("select stddev_samp(x::int), stddev_pop(nvl(x, 0)), var_samp(x) from g") == \
        ("select stddev_samp(CAST(x::int AS double precision)), stddev_pop(CAST(coalesce(x, 0) AS double precision)), "
         "var_samp(CAST(x AS double precision)) from g")
    # other argument counts reach the engine as written, which reports them
    assert pg("select stddev(a, b) from g") == "select stddev(a, b) from g"


def test_collate_function_keeps_case_sensitive_strings_and_refuses_case_insensitive():
    assert pg("select * from t where collate(col1, 'case_sensitive') = 'john'") == (
        "select * from t where (col1) = 'john'")
    assert pg("select collate(nvl(a, b), 'CASE_SENSITIVE') from t") == "select (coalesce(a, b)) from t"
    assert refused("select * from t where collate(col1, 'case_insensitive') = 'john'") == (
        "0A000", "COLLATE CASE_INSENSITIVE is not supported by localshift")
    assert refused("select collate(col1, 'de_DE') from t")[0] == "42601"
    assert refused("select collate(col1) from t")[0] == "42601"


def test_ratio_to_report_takes_partition_by_only():
    assert refused("select ratio_to_report(q) over (partition by g rows unbounded preceding) from t") == (
        "42601", "RATIO_TO_REPORT allows only PARTITION BY in its OVER clause")
    assert refused("select ratio_to_report(q) over (order by id) from t")[0] == "42601"
