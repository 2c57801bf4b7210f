"""The front's mark on a CALL that runs in a transaction block."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.atomic_calls import MARK, marked


def test_a_call_in_a_block_or_among_several_statements_is_marked():
    assert marked(b"call p()", None, True, False) == b"call p()" + MARK
    assert marked(b"insert into t values (1); /* x */ CALL p()", b"sent", False, True) == b"sent" + MARK


def test_a_call_at_top_level_or_another_statement_is_not():
    assert marked(b"call p()", None, False, False) is None
    assert marked(b"call p()", b"translated", False, False) == b"translated"
    assert marked(b"select 'call p()'", None, True, False) is None
    assert marked(b"select recall from t", None, True, True) is None
