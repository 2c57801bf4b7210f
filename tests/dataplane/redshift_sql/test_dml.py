"""DML: MERGE with Redshift's grammar, REMOVE DUPLICATES as a DELETE and an INSERT; DELETE without FROM."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


def test_remove_duplicates_deletes_the_matching_rows_and_inserts_the_source():
    assert pg("merge into target using source on target.id = source.id remove duplicates") == (
        "WITH __ls_replaced AS (DELETE FROM target USING source WHERE target.id = source.id RETURNING 1) "
        "INSERT INTO target SELECT * FROM source")
    assert pg("merge into s.target as t using (select * from src) s on t.id = s.id remove duplicates") == (
        "WITH __ls_replaced AS (DELETE FROM s.target as t USING (select * from src) s WHERE t.id = s.id "
        "RETURNING 1) INSERT INTO s.target SELECT * FROM (select * from src) s")
    assert refused("merge into t using s remove duplicates") == ("42601", 'syntax error at or near "remove"')


@pytest.mark.parametrize("clause, near", [
    ("when matched and s.b > 1 then delete", "and"),
    ("when not matched by source then delete", "by"),
    ("when not matched by target then insert values (s.a)", "by"),
    ("when matched then do nothing", "do"),
    ("when matched then delete returning *", "returning"),
])
def test_what_postgresql_allows_and_redshift_does_not_is_a_syntax_error(clause, near):
    assert refused(f"merge into t using s on t.a = s.a {clause}") == ("42601", f'syntax error at or near "{near}"')


def test_redshift_merges_run_as_they_are():
    sql = ("merge into t using s on t.a = s.a when matched then update set b = case when not s.b then 1 else 2 end "
           "when not matched then insert values (s.a, s.b)")
    assert pg(sql) == sql


def test_delete_without_from():
    assert pg("delete t1 where id = 3") == "delete FROM t1 where id = 3"
    assert pg("DELETE s.t USING u WHERE s.t.id = u.id") == "DELETE FROM s.t USING u WHERE s.t.id = u.id"
    assert pg("delete #tmp") == 'delete FROM "#tmp"'
    assert pg("delete from t1 where id = 3") == "delete from t1 where id = 3"
