"""The database: reads outside a transaction never wait for a writer; a transaction sees its own
writes; each committed write transaction counts once in ``generation``."""

from __future__ import annotations

import threading
from pathlib import Path

from localshift.store.database import Database


def test_a_read_does_not_wait_for_a_write_in_progress(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.sqlite3")
    try:
        with db.transaction() as conn:
            conn.execute("CREATE TABLE probe (x INTEGER)")
        inside, finish = threading.Event(), threading.Event()

        def write() -> None:
            with db.transaction() as conn:
                conn.execute("INSERT INTO probe VALUES (1)")
                # This thread's reads see its write before it is committed.
                assert len(db.query("SELECT x FROM probe")) == 1
                inside.set()
                assert finish.wait(timeout=30)

        writer = threading.Thread(target=write)
        writer.start()
        assert inside.wait(timeout=30)
        before = db.generation
        # Another thread reads at once, and sees what was committed: nothing yet.
        assert db.query("SELECT x FROM probe") == []
        finish.set()
        writer.join(timeout=30)
        assert db.generation == before + 1
        assert len(db.query("SELECT x FROM probe")) == 1
    finally:
        db.close()


def test_a_rolled_back_transaction_changes_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.sqlite3")
    try:
        before = db.generation
        try:
            with db.transaction() as conn:
                conn.execute("CREATE TABLE probe (x INTEGER)")
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass
        assert db.generation == before
    finally:
        db.close()
