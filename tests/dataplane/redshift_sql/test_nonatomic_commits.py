"""The commits after a NONATOMIC procedure's statements (the engine's behaviour:
test_procedure_transactions.py)."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.nonatomic_commits import AUTOCOMMIT, autocommitted
from localshift.dataplane.redshift_sql.tokens import split_statements, tokenize


def commits(body: str) -> str:
    pieces = split_statements(tokenize(body), keep_blank=True)
    words = [[t.low for t in piece if not t.blank] for piece in pieces]
    return ";".join(autocommitted(["".join(t.text for t in piece) for piece in pieces], words))


def test_each_statement_but_declarations_the_end_and_counts_is_followed_by_a_commit():
    assert commits("declare a int; b int; begin x := 1; if a then y; end if; "
                   "declare c int; begin z; end; begin PERFORM localshift.handled_call(1); w; end; end") == (
        f"declare a int; b int; begin x := 1{AUTOCOMMIT}; if a then y{AUTOCOMMIT}; end if{AUTOCOMMIT}; "
        f"declare c int; begin z{AUTOCOMMIT}; end{AUTOCOMMIT}; begin PERFORM localshift.handled_call(1); "
        f"w{AUTOCOMMIT}; end{AUTOCOMMIT}; end")
