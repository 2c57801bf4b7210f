"""PartiQL unnesting and object unpivoting in FROM over SUPER values."""

from __future__ import annotations

import pytest

from localshift.dataplane.redshift_sql.fastpath import needs_translation

from .helpers import pg, refused

_ELEMENTS = "jsonb_array_elements(CASE jsonb_typeof({0}) WHEN 'array' THEN {0} END)"


def test_an_array_path_after_a_from_item_iterates_over_its_elements():
    assert pg("select c.id, o from t c, c.orders o") == (
        "select c.id, o from t c, LATERAL " + _ELEMENTS.format("c.orders") + " AS __ls_unnest1(o)")
    assert pg("select o.id from t as c, c.doc.orders[0].items as o") == (
        "select (o -> E'id') AS \"id\" from t as c, LATERAL " + _ELEMENTS.format("(c.doc -> E'orders' -> (0) -> E'items')")
        + " AS __ls_unnest1(o)")


def test_at_gives_the_index_from_zero():
    assert pg("select i, n from t c, c.items as i at n") == (
        "select i, n from t c, LATERAL (SELECT __ls_entry2.value AS i, (__ls_entry2.ordinality - 1)::integer "
        "AS n FROM " + _ELEMENTS.format("c.items") + " WITH ORDINALITY AS __ls_entry2) AS __ls_unnest1")


def test_elements_navigate_as_super_values_and_unnest_again():
    sql = pg("select l.sku, l[0], o.total::float from t c, c.orders o, o.lines l "
             "where l.qty > 1 group by l.sku, l[0], o.total")
    assert sql.startswith("select (l -> E'sku') AS \"sku\", (l -> (0)), (o ->> E'total')::double precision from t c, ")
    assert "LATERAL " + _ELEMENTS.format("(o -> E'lines')") + " AS __ls_unnest2(l)" in sql
    assert "where (l -> E'qty') > to_jsonb(1) group by (l -> E'sku'), (l -> (0)), (o -> E'total')" in sql


def test_an_element_named_as_a_postgresql_keyword_is_quoted():
    assert pg("select array, element from foo as f, f.arrays as array, array as element") == (
        'select "array", element from foo as f, LATERAL ' + _ELEMENTS.format("f.arrays")
        + ' AS __ls_unnest1("array") , LATERAL ' + _ELEMENTS.format('"array"') + " AS __ls_unnest2(element)")


def test_unpivot_iterates_over_an_object_values_and_attribute_names():
    assert pg("select k, v from t c, unpivot c.doc as v at k") == (
        "select k, v from t c, LATERAL (SELECT __ls_entry2.value AS v, __ls_entry2.key::varchar AS k FROM "
        "jsonb_each(CASE jsonb_typeof(c.doc) WHEN 'object' THEN c.doc END) AS __ls_entry2) AS __ls_unpivot1")
    assert "key" not in pg("select v from t c, unpivot c.doc as v")


def test_a_joined_path_becomes_a_lateral_join():
    assert pg("select c.id, i from t c left join c.items i on i.x = 1 join u on u.id = c.id") == (
        "select c.id, i from t c left join LATERAL " + _ELEMENTS.format("c.items")
        + " AS __ls_unnest1(i) on (i -> E'x') = to_jsonb(1) join u on u.id = c.id")
    assert pg("select i from t c join c.items as i").endswith(" AS __ls_unnest1(i) ON true")
    assert pg("select i from t c cross join c.items i").endswith(" AS __ls_unnest1(i)")
    # an unnesting item joined to others
    assert pg("select i, u.x from t c, c.items i join u on u.id = i.id") == (
        "select i, u.x from t c, LATERAL " + _ELEMENTS.format("c.items")
        + " AS __ls_unnest1(i) join u on u.id = (i -> E'id')")


def test_plain_joins_and_schema_qualified_tables_are_left_alone():
    for sql in ("select a.x from t a, s.u b where a.k = b.k", "select a.x from t a join s.u b on a.k = b.k",
                "select a.x, b.y from t a, u b"):
        assert pg(sql) == sql


@pytest.mark.parametrize("sql, message", [
    ("select 1 from t c, c.items[0]", "PartiQL unnesting without AS alias"),
    ("select 1 from t c, unpivot c.doc", "UNPIVOT of a SUPER object without AS alias"),
])
def test_unsupported_forms_fail_loudly(sql, message):
    state, text = refused(sql)
    assert state == "0A000" and message in text


def test_unnesting_goes_to_the_translator_and_plain_joins_do_not():
    assert needs_translation("select o from t c, c.orders o")
    assert needs_translation("select o from t as c, c.orders as o at i")
    assert needs_translation("select v from t c, unpivot c.doc as v at k")
    for sql in ("select a.x, b.y from t1 a join t2 b on a.k = b.k", "select a.x, b.y z from t1 a, t2 b",
                "select a.x from t1 a, t2 b group by a.x, b.y order by a.x, b.y desc"):
        assert not needs_translation(sql)


def test_case_sensitive_element_names_keep_their_case():
    assert pg('select "El" from t c, c.items as "El" at "Ix"', case_sensitive=True) == (
        'select "El" from t c, LATERAL (SELECT __ls_entry2.value AS "El", (__ls_entry2.ordinality - 1)::integer '
        'AS "Ix" FROM ' + _ELEMENTS.format("c.items") + " WITH ORDINALITY AS __ls_entry2) AS __ls_unnest1")
