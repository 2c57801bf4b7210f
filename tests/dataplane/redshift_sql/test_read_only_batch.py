"""Which extended protocol batches the front makes read-only while the storage is full, and which of the
engine's answers are the front's (read_only_batch.py); their effect on a real engine is in
dataplane/test_storage_quota."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.framing import LENGTH
from localshift.dataplane.redshift_sql.read_only_batch import Replies, batch_reads


def _msg(typ: bytes, body: bytes) -> bytes:
    return typ + LENGTH.pack(len(body) + 4) + body


def _parse(name: bytes, sql: bytes) -> bytes:
    return _msg(b"P", name + b"\0" + sql + b"\0\0\0")


def _bind(statement: bytes) -> bytes:
    return _msg(b"B", b"\0" + statement + b"\0\0\0\0\0\0\0")


EXECUTE, SYNC = _msg(b"E", b"\0\0\0\0\0"), _msg(b"S", b"")
NAMED = {b"reads": b"select f($1)", b"frees": b"delete from t where a = $1"}.get


def test_a_batch_is_made_read_only_when_what_it_prepares_and_binds_reads():
    assert batch_reads(_parse(b"", b"select f($1)") + _bind(b"") + EXECUTE + SYNC, 0, NAMED)
    assert batch_reads(_bind(b"reads") + EXECUTE + SYNC, 0, NAMED)  # prepared in an earlier batch
    assert batch_reads(_parse(b"s", b"  WITH x AS (select 1) select * from x"), 0, NAMED)  # the Sync yet to come
    # A statement that frees space (or is not known) in the batch: run as sent, so that it writes.
    assert not batch_reads(_parse(b"", b"select 1") + _bind(b"") + EXECUTE + _bind(b"frees") + EXECUTE + SYNC,
                           0, NAMED)
    assert not batch_reads(_bind(b"unknown") + EXECUTE + SYNC, 0, lambda name: NAMED(name) or b"")
    assert not batch_reads(_parse(b"", b"select 1") + _msg(b"Q", b"delete from t\0"), 0, NAMED)
    assert not batch_reads(EXECUTE + SYNC, 0, NAMED)  # nothing prepared or bound
    # What comes after the Sync is the next batch's; a message cut short is not read.
    assert batch_reads(_bind(b"reads") + SYNC + _bind(b"frees"), 0, NAMED)
    assert batch_reads(_bind(b"reads") + _bind(b"frees")[:8], 0, NAMED)


def test_the_front_hides_its_own_answers_only():
    replies = Replies()
    replies.expect(8, True)  # SAVEPOINT and SET TRANSACTION READ ONLY: Parse, Bind, two Closes each
    replies.expect(1, False)  # the client's Parse
    replies.expect(1, False)  # and Bind
    replies.expect(4, True)  # the RELEASE before the Sync
    assert [replies.front() for _ in range(14)] == [True] * 8 + [False] * 2 + [True] * 4
    assert not replies.runs and not replies.front()
