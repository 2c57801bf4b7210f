"""TRUNCATE commits the transaction block it runs in (truncate_commits.py): the statements a
simple Query of several becomes; a real endpoint's results are in test_session.py."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.fastpath import needs_translation
from localshift.dataplane.redshift_sql.translator import translate_bytes
from localshift.dataplane.redshift_sql.truncate_commits import TRUNCATE, commits_in_query


def test_a_truncate_in_a_block_the_query_opens_is_wrapped_in_commits_of_the_sessions_own():
    texts = (b"begin", b"insert into a values (1)", b"/* c */ TRUNCATE b", b"rollback")
    assert commits_in_query(texts, texts, False) == [
        (b"begin", b"begin"), (b"insert into a values (1)", b"insert into a values (1)"),
        (b"COMMIT", None), (b"BEGIN", None), (b"/* c */ TRUNCATE b", b"/* c */ TRUNCATE b"), (b"COMMIT", None),
        (b"rollback", b"rollback")]
    # as translated: the statement sent is the translation, the one recorded the client's
    assert commits_in_query((b"begin", b"truncate #t"), (b"begin", b'truncate "#t"'), False)[3] == \
        (b'truncate "#t"', b"truncate #t")


def test_a_truncate_outside_a_block_is_left_alone():
    assert commits_in_query((b"insert into a values (1)", b"truncate b"), (b"x", b"y"), False) is None
    assert commits_in_query((b"begin", b"commit", b"truncate b"), (b"a", b"b", b"c"), False) is None
    assert commits_in_query((b"end", b"truncate b"), (b"a", b"b"), True) is None
    # the session's block, and one a ROLLBACK TO a savepoint keeps open
    assert commits_in_query((b"rollback to s", b"truncate b"), (b"a", b"b"), True)[1] == (b"COMMIT", None)
    # a translation of another number of statements is not followed
    assert commits_in_query((b"begin", b"truncate b"), (b"begin; x", b"truncate b", b"y"), False) is None


def test_what_holds_a_truncate():
    assert TRUNCATE.search(b"  -- c\n truncate t") and TRUNCATE.search(b"select 1; /* x */ TRUNCATE t")
    assert not TRUNCATE.search(b"select truncate_me from t") and not TRUNCATE.search(b"select 'truncate t'")


def test_the_translation_tells_the_session_of_a_truncate_so_that_it_scans_for_none():
    # the text as it is (None), or translated, and whether a TRUNCATE starts a statement of it
    assert translate_bytes(b"truncate t") == (None, None, False, True)
    assert translate_bytes(b"select 1; TRUNCATE t") == (None, None, False, True)
    # (the translator sends a statement without the comments before it)
    assert translate_bytes(b"  -- c\n truncate t") == (b"truncate t", None, False, True)
    assert translate_bytes(b"truncate #t") == (b'truncate "#t"', None, False, True)
    assert translate_bytes(b"select nvl(a, 1) from t") == (b"select coalesce(a, 1) from t", None, False, False)
    # text that is not UTF-8 (the engine would read it in the client's encoding, past every refusal
    # of the translator's) is refused, its parameters passed along (found by secprobe3)
    sql, _, was_refused, commits = translate_bytes(b"truncate caf\xe9 where $2")
    assert (was_refused, commits) == (True, False)
    assert b'invalid byte sequence for encoding "UTF8": 0xe9' in sql and sql.endswith(b"$1::text, $2::text)")
    # the fast path lets through no text holding a TRUNCATE
    for text in ("select truncate_me from t", "select 'truncate t'", "select 1"):
        assert translate_bytes(text.encode()) is None and not needs_translation(text)
    assert needs_translation("truncate t") and needs_translation("select 1;\n/* c */ truncate t")
