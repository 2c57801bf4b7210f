"""Named parameters: where a colon is a placeholder, and where it is not."""

from __future__ import annotations

import pytest

from localshift.errors import ApiError
from localshift.services.data_api.parameters import bind, parameter_values


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
