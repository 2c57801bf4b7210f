"""Named parameters: where a colon is a placeholder, and where it is not; what AWS refuses of them."""

from __future__ import annotations

import pytest

from localshift.errors import ApiError
from localshift.services.data_api.parameters import bind, check, parameter_values

from .conftest import DataApi, error_of


@pytest.mark.parametrize("sql, bound, values", [
    ("SELECT :a, :b", "SELECT $1, $2", ["1", "2"]),
    ("SELECT :a::int, :a", "SELECT $1::int, $2", ["1", "1"]),
    ("SELECT ':a', \":a\", $$ :a $$, $tag$ :a $tag$ -- :a\n, :a", "SELECT ':a', \":a\", $$ :a $$, $tag$ :a $tag$ -- :a\n, $1", ["1"]),
    ("SELECT /* :a /* :a */ :a */ :a", "SELECT /* :a /* :a */ :a */ $1", ["1"]),
    ("SELECT E'it\\'s :a', :a", "SELECT E'it\\'s :a', $1", ["1"]),
    ("SELECT 'it''s :a', :a", "SELECT 'it''s :a', $1", ["1"]),
    ("SELECT x::text FROM t", "SELECT x::text FROM t", []),
])
def test_placeholders_outside_quotes_and_comments(sql, bound, values):
    assert bind(sql, {"a": "1", "b": "2"}) == (bound, values)


def test_without_parameters_the_text_is_left_alone():
    assert bind("SELECT ':a', :b", {}) == ("SELECT ':a', :b", [])


def test_missing_and_repeated_parameters_are_refused():
    with pytest.raises(ApiError, match=":b"):
        bind("SELECT :a, :b", {"a": "1"})
    with pytest.raises(ApiError) as caught:
        parameter_values([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}])
    assert caught.value.code == "ValidationException"


def test_a_value_no_placeholder_names_is_refused_as_aws_refuses_it():
    check(["SELECT :a", "SELECT :b::int"], {"a": "1", "b": "2"})  # a batch's values are shared
    with pytest.raises(ApiError, match=r"Parameters list contains unused parameters\. Unused parameters: \[b, c\]$"):
        check(["SELECT :a, ':b'"], {"a": "1", "b": "2", "c": "3"})  # ':b' is a literal, not a placeholder
    check(["SELECT ':a'"], {})  # without parameters the text is not read


def test_parameters_are_checked_before_anything_runs(data: DataApi, table):
    data.ok(f"CREATE TABLE {table} (v int)")
    unused = error_of(data.execute_statement, Sql=f"INSERT INTO {table} VALUES (:v)",
                      Parameters=[{"name": "v", "value": "1"}, {"name": "extra", "value": "2"}], **data.target)
    assert (unused.response["Error"]["Code"], unused.response["Error"]["Message"]) == \
        ("ValidationException", "Parameters list contains unused parameters. Unused parameters: [extra]")
    in_batch = error_of(data.batch_execute_statement, Sqls=[f"INSERT INTO {table} VALUES (:v)", "SELECT 1"],
                        Parameters=[{"name": "v", "value": "1"}, {"name": "w", "value": "2"}], **data.target)
    assert in_batch.response["Error"]["Message"].endswith("Unused parameters: [w]")
    shared = data.batch([f"INSERT INTO {table} VALUES (:v)", f"INSERT INTO {table} VALUES (:w::int + :v::int)"],
                        Parameters=[{"name": "v", "value": "1"}, {"name": "w", "value": "2"}])
    assert shared["Status"] == "FINISHED"
    assert data.records(f"SELECT v FROM {table} ORDER BY v") == [[{"longValue": 1}], [{"longValue": 3}]]
