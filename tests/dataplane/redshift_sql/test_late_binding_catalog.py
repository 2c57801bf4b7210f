"""What a user who is no superuser reads of late-binding views through the catalog, as BI tools
read it with a read-only login (Metabase, DBeaver, DataHub, dbt): their columns
(PG_GET_LATE_BINDING_VIEW_COLS), their statements as written (PG_GET_VIEWDEF, PG_VIEWS)."""

from __future__ import annotations

import pytest

LBV_TEXT = "create view lbc_late as select id, label from it.lbc_base with no schema binding"


@pytest.fixture
def reader(sql_cluster, database, db):  # type: ignore[no-untyped-def]
    db.execute("create table lbc_base (id int, label varchar(20))")
    db.execute(LBV_TEXT)
    db.execute("create view lbc_plain as select id from it.lbc_base")
    db.execute("drop user if exists lbc_reader")
    db.execute("create user lbc_reader password 'Reader123'")
    db.execute("grant usage on schema it to lbc_reader")
    db.execute("grant select on lbc_late, lbc_plain to lbc_reader")
    try:
        with sql_cluster.connect(database, "lbc_reader", "Reader123") as conn:
            yield conn
    finally:
        db.execute("revoke all on schema it from lbc_reader")
        db.execute("revoke all on all tables in schema it from lbc_reader")
        db.execute("drop user lbc_reader")


def test_a_readers_late_binding_view_columns(reader):
    assert reader.execute(
        "select * from pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, "
        "col_type varchar, col_num int) where view_name = 'lbc_late' order by col_num").fetchall() == [
        ("it", "lbc_late", "id", "integer", 1), ("it", "lbc_late", "label", "character varying(20)", 2)]


def test_a_readers_view_definitions(reader):
    assert reader.execute("select pg_get_viewdef('it.lbc_late'::regclass)").fetchone() == (LBV_TEXT + ";",)
    assert reader.execute("select pg_catalog.pg_get_viewdef ('it.lbc_late'::regclass, true)").fetchone() == (
        LBV_TEXT + ";",)
    assert "lbc_base" in reader.execute("select pg_get_viewdef('it.lbc_plain'::regclass)").fetchone()[0]
    assert reader.execute("select definition from pg_views where viewname = 'lbc_late'").fetchone() == (
        LBV_TEXT + ";",)
