"""Which extended protocol batches the front makes read-only while the storage is full, and which of the
engine's answers are the front's (read_only_batch.py); their effect on a real engine is in
dataplane/test_storage_quota."""

from __future__ import annotations

from localshift.dataplane.redshift_sql.framing import LENGTH
from localshift.dataplane.redshift_sql.read_only_batch import Replies, batch_texts
from localshift.dataplane.redshift_sql.storage_full import block_after, reads_run


def _msg(typ: bytes, body: bytes) -> bytes:
    return typ + LENGTH.pack(len(body) + 4) + body


def _parse(name: bytes, sql: bytes) -> bytes:
    return _msg(b"P", name + b"\0" + sql + b"\0\0\0")


def _bind(statement: bytes) -> bytes:
    return _msg(b"B", b"\0" + statement + b"\0\0\0\0\0\0\0")


EXECUTE, SYNC = _msg(b"E", b"\0\0\0\0\0"), _msg(b"S", b"")
NAMED = {b"reads": b"select f($1)", b"frees": b"delete from t where a = $1"}.get


def test_the_statements_a_batch_prepares_and_binds():
    assert batch_texts(_parse(b"", b"select f($1)") + _bind(b"") + EXECUTE + SYNC, 0, NAMED) == [b"select f($1)"] * 2
    assert batch_texts(_bind(b"reads") + EXECUTE + SYNC, 0, NAMED) == [b"select f($1)"]  # prepared in an earlier batch
    assert batch_texts(_parse(b"s", b"select 1") + _bind(b"s"), 0, NAMED) == [b"select 1"] * 2  # the Sync yet to come
    assert batch_texts(_parse(b"", b"select 1") + _msg(b"Q", b"delete from t\0"), 0, NAMED) is None
    assert batch_texts(EXECUTE + SYNC, 0, NAMED) == []  # nothing prepared or bound
    # What comes after the Sync is the next batch's; a message cut short is not read.
    assert batch_texts(_bind(b"reads") + SYNC + _bind(b"frees"), 0, NAMED) == [b"select f($1)"]
    assert batch_texts(_bind(b"reads") + _bind(b"frees")[:8], 0, NAMED) == [b"select f($1)"]


def test_which_statements_run_read_only_beside_reads():
    assert reads_run([b"select f($1)", b"  WITH x AS (select 1) select * from x"], False) is True
    assert reads_run([b"begin", b"select 1", b"show search_path", b"insert into t values (1)"], False) is True
    assert reads_run([b"delete from t", b"commit", b"begin"], False) is None  # no read: as sent
    # Reads beside a statement that frees space, ends the transaction, or could set it back to read-write.
    for other in (b"delete from t", b"commit", b"rollback", b"set transaction read write",
                  b"begin read write", b"reset transaction_read_only", b""):
        assert reads_run([b"select 1", other], False) is False, other
    assert block_after(False, [b"begin", b"select 1"]) and not block_after(True, [b"select 1", b"commit"])
    assert block_after(True, [b"rollback to savepoint s"]) and not block_after(True, [b"abort"])


def test_the_front_hides_its_own_answers_only():
    replies = Replies()
    replies.expect(8, True)  # SAVEPOINT and SET TRANSACTION READ ONLY: Parse, Bind, two Closes each
    replies.expect(1, False)  # the client's Parse
    replies.expect(1, False)  # and Bind
    replies.expect(4, True)  # the RELEASE before the Sync
    assert [replies.front() for _ in range(14)] == [True] * 8 + [False] * 2 + [True] * 4
    assert not replies.runs and not replies.front()
